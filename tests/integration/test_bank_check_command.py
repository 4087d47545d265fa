"""`flask --app screening.app bank check [--report]` and `rescore`, as an operator runs them.

These use the app fixtures (tests/conftest.py), so they need the test database;
the bank itself is read from disk as the command reads it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from screening.extensions import db
from screening.models import QuestionnaireVersion, Role, Submission
from screening.scoring import SubmissionResult
from screening.services import accounts, positions
from screening.services.demo import create_simulated_applicants
from tests.unit.bank.factories import score_summary

ROOT = Path(__file__).resolve().parents[2]
LEGACY = json.loads((ROOT / "tests" / "unit" / "bank" / "data" / "legacy_snapshots.json")
                    .read_text("utf-8"))


def test_bank_check_passes_on_the_shipped_bank(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "check", str(ROOT / "questions")])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 40 items, 2 questionnaires\n")


def test_bank_check_report_prints_the_cue_table(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "check", "--report", str(ROOT / "questions")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Keyed-option length cues and reading load")
    for form in ("frontline-short@", "frontline-standard@"):
        assert any(line.startswith(form) for line in lines), form
    assert any(
        line.split()[:3] == ["W01-phone-rings-during-huddle", "best_choice", "c"]
        for line in lines
    )
    for rule in (
        "keyed option is the longest",
        "keyed option is the shortest",
        "longest option is a wrong one",
        "reading at 150 wpm, en",
        "reading at 150 wpm, es",
        "items per dimension (main/scoring)",
    ):
        rows = [line for line in lines if line.strip().startswith(rule)]
        assert len(rows) == 2 and all(row.endswith("ok") for row in rows), rule
    assert "OK: 40 items, 2 questionnaires" in lines


def test_bank_check_fails_on_a_doubled_keyed_option_naming_file_and_item(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    root = Path(shutil.copytree(ROOT / "questions", tmp_path / "questions"))
    path = root / "items" / "R01-angry-caller-own-mistake.yaml"
    keyed = "Let her finish, fix the details with her, and ask for a fee review."
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"text: {keyed}", f"text: {keyed} {keyed}"), encoding="utf-8")
    result = runner.invoke(args=["bank", "check", str(root)])
    assert result.exit_code == 1
    line = text.splitlines().index(f"    text: {keyed}") + 1
    assert (
        f"questions/items/R01-angry-caller-own-mistake.yaml:{line}: item "
        "R01-angry-caller-own-mistake, field options[2].text: the keyed option c is 135 "
        "characters" in result.output
    )


def test_rescore_finds_no_difference_on_versions_stored_before_the_rewrite(
    app: Flask, runner: FlaskCliRunner
) -> None:
    """A version stored by the code before issue #16 (snapshot schema 1, reviewed_by a string)."""
    legacy = LEGACY["questionnaires"]["frontline-standard"]
    with app.app_context():
        rater = accounts.create_user(
            db.session,
            email="rater@example.com",
            name="Rater",
            role=Role.MANAGER,
            password="correct horse battery staple",
        )
        version = QuestionnaireVersion(
            questionnaire_key="frontline-standard",
            title=legacy["snapshot"]["title"],
            content_hash=legacy["content_hash"],
            snapshot=legacy["snapshot"],
        )
        db.session.add(version)
        db.session.flush()
        position = positions.create_position(
            db.session, title="Old desk", location="Harbour", version=version, managers=[rater]
        )
        # The same simulated answers the legacy fixture holds (count 12, seed 5).
        created = create_simulated_applicants(db.session, position, 12, 5, rater)
        db.session.commit()
        assert created == 12
        stored = db.session.scalars(select(Submission.result).order_by(Submission.id)).all()
    # What the new code stored from the old snapshot is what the old code derived.
    scores = [score_summary(SubmissionResult.from_dict(result)) for result in stored]
    assert scores == [submission["scores"] for submission in legacy["submissions"]]
    result = runner.invoke(args=["rescore"])
    assert result.exit_code == 0, result.output
    assert "Rescored 12 submissions: 0 with differences." in result.output
    with app.app_context():
        kept = db.session.scalar(select(QuestionnaireVersion.snapshot))
    assert kept["snapshot_schema"] == 1 and isinstance(kept["items"][0]["reviewed_by"], str)
