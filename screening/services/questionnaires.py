"""The question bank inside the app: loaded and checked at start-up, versions stored."""

from __future__ import annotations

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
from screening.config import ConfigError
from screening.models import QuestionnaireVersion

_EXTENSION_KEY = "screening.bank"


def load_bank_for_app(app: Flask) -> None:
    """Load and validate the bank; a broken bank stops start-up with every problem listed."""
    root = Path(app.config["BANK_PATH"])
    try:
        app.extensions[_EXTENSION_KEY] = load_bank(root)
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
    versions = []
    for questionnaire in bank.questionnaires.values():
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
                snapshot=questionnaire_to_snapshot(questionnaire),
            )
            session.add(version)
        versions.append(version)
    session.flush()
    return versions


def latest_version(session: Session, questionnaire_key: str) -> QuestionnaireVersion | None:
    """The version matching the bank as loaded now, else the newest stored one."""
    bank_questionnaire = current_bank().questionnaires.get(questionnaire_key)
    if bank_questionnaire is not None:
        version = session.scalar(
            select(QuestionnaireVersion).where(
                QuestionnaireVersion.content_hash == bank_questionnaire.content_hash
            )
        )
        if version is not None:
            return version
    return session.scalar(
        select(QuestionnaireVersion)
        .where(QuestionnaireVersion.questionnaire_key == questionnaire_key)
        .order_by(QuestionnaireVersion.id.desc())
        .limit(1)
    )


def questionnaire_for(version: QuestionnaireVersion) -> Questionnaire:
    """The frozen questionnaire a submission was answered against (never the live bank)."""
    questionnaire = _SNAPSHOT_CACHE.get(version.content_hash)
    if questionnaire is None:
        questionnaire = questionnaire_from_snapshot(version.snapshot)
        _SNAPSHOT_CACHE[version.content_hash] = questionnaire
    return questionnaire


# Snapshots are immutable and keyed by their content hash, so caching them is always safe.
_SNAPSHOT_CACHE: dict[str, Questionnaire] = {}
