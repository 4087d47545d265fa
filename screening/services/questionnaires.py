"""The question bank inside the app: loaded and checked at start-up, versions stored,
and the one way to find the frozen questionnaire a position or submission uses."""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.bank import (
    Bank,
    BankError,
    Questionnaire,
    load_bank,
    questionnaire_from_snapshot,
    questionnaire_to_snapshot,
)
from screening.bank.languages import questionnaire_in_language
from screening.config import ConfigError
from screening.models import QuestionnaireVersion, Submission

_EXTENSION_KEY = "screening.bank"


class _LoadedBanks:
    """Loaded banks by folder, kept while no file in it changes (name, size, time).

    Why: every app built in a process (each test builds one) would otherwise parse the
    same YAML again. Bounded: one entry per bank folder configured in the process.
    """

    def __init__(self) -> None:
        self._entries: dict[Path, tuple[tuple[object, ...], Bank]] = {}
        self._lock = threading.Lock()

    def load(self, root: Path) -> Bank:
        key = root.resolve()
        signature = _signature(key)
        with self._lock:
            found = self._entries.get(key)
        if found is not None and found[0] == signature:
            return found[1]
        bank = load_bank(root)  # raises BankError; a broken bank is never kept
        with self._lock:
            self._entries[key] = (signature, bank)
        return bank


def _signature(root: Path) -> tuple[object, ...]:
    files = sorted(path for path in root.rglob("*") if path.is_file())
    return tuple((str(path.relative_to(root)), path.stat().st_size, path.stat().st_mtime_ns)
                 for path in files)


_BANKS = _LoadedBanks()


def load_bank_for_app(app: Flask) -> None:
    """Load and validate the bank; a broken bank stops start-up with every problem listed."""
    root = Path(app.config["BANK_PATH"])
    try:
        app.extensions[_EXTENSION_KEY] = _BANKS.load(root)
    except BankError as error:
        listing = "\n".join(f"  {problem}" for problem in error.problems)
        raise ConfigError(
            f"The question bank at {root} has {len(error.problems)} problem(s); "
            f"the server will not start until they are fixed:\n{listing}"
        ) from None


def current_bank() -> Bank:
    return current_app.extensions[_EXTENSION_KEY]


def sync_versions(session: Session, bank: Bank) -> list[QuestionnaireVersion]:
    """Store a version row for every questionnaire in the bank whose content is new."""
    return [_stored(session, questionnaire) for questionnaire in bank.questionnaires.values()]


def _stored(session: Session, questionnaire: Questionnaire) -> QuestionnaireVersion:
    version = session.scalar(
        select(QuestionnaireVersion).where(
            QuestionnaireVersion.content_hash == questionnaire.content_hash
        )
    )
    if version is None:
        version = QuestionnaireVersion(
            questionnaire_key=questionnaire.id,
            title=questionnaire.title,
            content_hash=questionnaire.content_hash,
            scoring_hash=questionnaire.scoring_hash,
            snapshot=questionnaire_to_snapshot(questionnaire),
        )
        session.add(version)
        session.flush()
    return version


def current_version(session: Session, questionnaire_key: str) -> QuestionnaireVersion | None:
    """The stored version of the questionnaire as the bank holds it now (stored if new);
    the newest stored one for a questionnaire no longer in the bank; else None."""
    in_bank = current_bank().questionnaires.get(questionnaire_key)
    if in_bank is not None:
        return _stored(session, in_bank)
    return session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_key == questionnaire_key)
        .order_by(QuestionnaireVersion.id.desc())
        .limit(1)
    )


class _FrozenQuestionnaires:
    """Parsed snapshots by (content hash, language).

    Why: an applicant page must not load and parse a version's ~50 KB snapshot on
    every request. Safe: a content hash names its content, so an entry can never be
    stale. Bounded: 64 entries, least recently used out (versions are few: each is a
    change of the bank, times the languages offered).
    """

    KEPT = 64

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, str], Questionnaire] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, content_hash: str, language: str) -> Questionnaire | None:
        with self._lock:
            found = self._entries.get((content_hash, language))
            if found is not None:
                self._entries.move_to_end((content_hash, language))
            return found

    def put(self, content_hash: str, language: str, questionnaire: Questionnaire) -> None:
        with self._lock:
            self._entries[(content_hash, language)] = questionnaire
            while len(self._entries) > self.KEPT:
                self._entries.popitem(last=False)


_FROZEN = _FrozenQuestionnaires()


def questionnaire_for(version: QuestionnaireVersion, language: str = "en") -> Questionnaire:
    """The frozen questionnaire of a stored version (never the live bank).

    ``language`` words it for display where the bank has a translation; scoring
    always uses the English one, by option id. The snapshot column is deferred, so it
    is read only the first time this process meets the version.
    """
    return _frozen(version.content_hash, language, lambda: version.snapshot)


def questionnaire_of(
    session: Session, submission: Submission, language: str = "en"
) -> Questionnaire:
    """The frozen questionnaire ``submission`` is answered against.

    By the content hash stored on the submission row: the version row and its
    snapshot are read only on the process's first page for the version.
    """
    content_hash = submission.questionnaire_hash
    return _frozen(content_hash, language, lambda: session.scalar(
        select(QuestionnaireVersion.snapshot)
        .where(QuestionnaireVersion.content_hash == content_hash)
    ))


def _frozen(content_hash: str, language: str, snapshot: object) -> Questionnaire:
    found = _FROZEN.get(content_hash, language)
    if found is not None:
        return found
    if language != "en":
        found = questionnaire_in_language(_frozen(content_hash, "en", snapshot), language)
    else:
        found = questionnaire_from_snapshot(snapshot())  # type: ignore[operator]
    _FROZEN.put(content_hash, language, found)
    return found
