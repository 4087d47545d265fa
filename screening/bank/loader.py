"""Load the whole question bank from disk: the one way every part of the app gets it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .cues import check_cues
from .documents import Document, YamlSyntaxError, parse_document
from .errors import BankError, Problem, reading_order
from .fields import FileReport
from .forms import read_questionnaire
from .items import read_item
from .model import Bank, Item, Questionnaire
from .snapshot import content_hash, questionnaire_to_snapshot, scoring_hash

ITEMS_DIR, FORMS_DIR = "items", "forms"
Parsed = TypeVar("Parsed", Item, Questionnaire)


def load_bank(root: Path | str) -> Bank:
    """Every item and questionnaire under `root`; raises BankError listing all problems."""
    bank, problems = read_bank(root)
    if problems:
        raise BankError(problems)
    return bank


def check_bank(root: Path | str) -> list[Problem]:
    """Every problem in the bank under `root`, in file and line order; empty means usable."""
    return read_bank(root)[1]


def load_questionnaire(root: Path | str, questionnaire_id: str) -> Questionnaire:
    """One questionnaire of a valid bank; the whole bank must be valid to use any of it."""
    bank = load_bank(root)
    try:
        return bank.questionnaires[questionnaire_id]
    except KeyError:
        file = f"{_label(Path(root))}/{FORMS_DIR}/{questionnaire_id}.yaml"
        problem = Problem(
            file, questionnaire_id, "", None, "no such questionnaire", kind="questionnaire"
        )
        raise BankError([problem]) from None


def read_bank(root: Path | str) -> tuple[Bank, list[Problem]]:
    """The usable part of the bank and every problem found; the bank is complete only
    when there are no problems."""
    root = Path(root)
    label = _label(root)
    problems: list[Problem] = []
    for folder in (ITEMS_DIR, FORMS_DIR):
        if not (root / folder).is_dir():
            problems.append(
                Problem(f"{label}/{folder}", None, "", None, f"no {folder}/ directory in the bank")
            )
    item_paths = _yaml_files(root / ITEMS_DIR, label, "item", problems)
    item_sources: dict[str, tuple[str, Document]] = {}
    items = _read_all(item_paths, label, "item", problems, read_item, item_sources)
    item_files = {path.stem for path in item_paths}
    questionnaire_sources: dict[str, tuple[str, Document]] = {}
    questionnaires = _read_all(
        _yaml_files(root / FORMS_DIR, label, "questionnaire", problems),
        label,
        "questionnaire",
        problems,
        lambda document, report, stem: _versioned(
            read_questionnaire(document, report, stem, item_files, items)
        ),
        questionnaire_sources,
    )
    # Rules over whole items and questionnaires (issue #16): they run on what loaded,
    # so the cue report can still be printed while they are broken.
    problems.extend(check_cues(items, questionnaires, item_sources, questionnaire_sources))
    problems.sort(key=reading_order)
    return Bank(items=items, questionnaires=questionnaires), problems


def _versioned(questionnaire: Questionnaire | None) -> Questionnaire | None:
    if questionnaire is None:
        return None
    snapshot = questionnaire_to_snapshot(questionnaire)
    return dataclasses.replace(questionnaire, content_hash=content_hash(snapshot),
                               scoring_hash=scoring_hash(snapshot))


def _read_all(
    paths: list[Path],
    label: str,
    kind: str,
    problems: list[Problem],
    read: Callable[[Document, FileReport, str], Parsed | None],
    sources: dict[str, tuple[str, Document]],
) -> dict[str, Parsed]:
    """Read files of one kind; ids must be unique across them.

    ``sources`` gets the file and parsed document of everything read cleanly.
    """
    found: dict[str, Parsed] = {}
    declared_in: dict[str, str] = {}
    for path in paths:
        source = f"{path.parent.name}/{path.name}"
        report = FileReport(f"{label}/{source}", kind, path.stem, None)
        document = _parse(path, report)
        if document is not None:
            declared = document.content.get("id") if isinstance(document.content, dict) else None
            if isinstance(declared, str) and declared.strip():
                subject = report.subject = declared.strip()
                if subject in declared_in:
                    report.add(
                        "id", f"{kind} id {subject} is already used by {declared_in[subject]}"
                    )
                else:
                    declared_in[subject] = source
            parsed = read(document, report, path.stem)
            if parsed is not None and report.clean:
                found[parsed.id] = dataclasses.replace(parsed, source=source)
                sources[parsed.id] = (report.file, document)
        problems.extend(report.problems)
    return dict(sorted(found.items()))


def _parse(path: Path, report: FileReport) -> Document | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        report.add_at("", None, f"not UTF-8 text ({error.reason} at byte {error.start})")
        return None
    except OSError as error:
        report.add_at("", None, f"cannot read the file: {error.strerror}")
        return None
    try:
        document = parse_document(text)
    except YamlSyntaxError as error:
        report.add_at("", error.line, error.message)
        return None
    report.document = document
    for field, line in document.duplicate_keys:
        report.add_at(field, line, "given twice; keep one")
    return document


def _yaml_files(folder: Path, label: str, kind: str, problems: list[Problem]) -> list[Path]:
    if not folder.is_dir():
        return []
    paths = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".yml":
            # Easy to type, and otherwise the item would silently be missing.
            problems.append(
                Problem(
                    f"{label}/{folder.name}/{path.name}",
                    path.stem,
                    "",
                    None,
                    "bank files end in .yaml; rename this file or it is not read",
                    kind=kind,
                )
            )
        elif path.suffix == ".yaml" and path.is_file():
            paths.append(path)
    return paths


def _label(root: Path) -> str:
    """How problems name the bank folder: its own name, as in questions/items/W01-x.yaml.

    Resolved so that "." and absolute paths read the same on every machine.
    """
    return root.resolve().name
