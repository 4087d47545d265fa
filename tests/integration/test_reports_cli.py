"""`flask report`: one summary to a file, or a whole position's summaries in a ZIP."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from screening.extensions import db
from screening.models import AuditEvent, Position, Submission
from screening.services import journey
from tests.factories import create_invitation
from tests.integration.test_reports_web import build_cohort


def _text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_one_summary_to_a_file(app: Flask, runner, tmp_path: Path) -> None:
    cohort = build_cohort(app, 2, seed=4)
    submission_id = cohort.submission_ids[1]
    out = tmp_path / "reports" / "one.pdf"
    result = runner.invoke(args=["report", str(submission_id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    with app.app_context():
        name = db.session.get(Submission, submission_id).invitation.applicant.name
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "report.downloaded"))
        assert (event.actor_id, event.target_id, event.detail["via"]) == (
            None, submission_id, "cli")
    assert name in _text(out.read_bytes())


def test_a_position_zip_holds_every_submitted_applicant(
    app: Flask, runner, tmp_path: Path,
) -> None:
    cohort = build_cohort(app, 5, seed=6)
    with app.app_context():
        invitation = create_invitation(db.session.get(Position, cohort.position_id),
                                       name="Still Answering")
        journey.start(db.session, invitation)
        db.session.commit()
        names = {s.id: s.invitation.applicant.name for s in db.session.scalars(
            select(Submission).where(Submission.id.in_(cohort.submission_ids)))}
    out = tmp_path / "position.zip"
    result = runner.invoke(args=["report", "--position", str(cohort.position_id),
                                 "--zip", str(out), "--jobs", "2"])
    assert result.exit_code == 0, result.output
    assert "Wrote 5 reports" in result.output and "with 2 processes" in result.output
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"applicant-{submission_id}.pdf" for submission_id in cohort.submission_ids)
        for submission_id, name in names.items():
            assert name in _text(archive.read(f"applicant-{submission_id}.pdf"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".reports-")]
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "report.zip_exported"))
        assert (event.target_id, event.detail["count"]) == (cohort.position_id, 5)


def test_wrong_arguments_say_how_to_call_it(app: Flask, runner, tmp_path: Path) -> None:
    usage = runner.invoke(args=["report"])
    assert usage.exit_code == 2
    assert "SUBMISSION --out FILE.pdf" in usage.output
    mixed = runner.invoke(args=["report", "1", "--zip", str(tmp_path / "x.zip")])
    assert mixed.exit_code == 2
    missing = runner.invoke(args=["report", "999999", "--out", str(tmp_path / "x.pdf")])
    assert missing.exit_code == 1
    assert "no submission 999999" in missing.output
    no_position = runner.invoke(args=["report", "--position", "999999",
                                      "--zip", str(tmp_path / "x.zip")])
    assert no_position.exit_code == 1
    assert "no position 999999" in no_position.output
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.pdf").exists()


def test_an_unsubmitted_applicant_is_refused(app: Flask, runner, tmp_path: Path) -> None:
    cohort = build_cohort(app, 1, seed=9)
    with app.app_context():
        invitation = create_invitation(db.session.get(Position, cohort.position_id))
        submission_id = journey.start(db.session, invitation).id
        db.session.commit()
    result = runner.invoke(args=["report", str(submission_id), "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1
    assert "has not submitted yet" in result.output
