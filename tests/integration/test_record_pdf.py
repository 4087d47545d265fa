"""The full record: every answer's trace and the methodology, apart from the summary."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from screening.extensions import db
from screening.models import AuditEvent, ReportCache, Role, Submission
from screening.services.questionnaires import questionnaire_for
from tests.factories import create_user
from tests.integration.test_reports_web import build_cohort, pdf_text, sign_in


def test_the_full_record_traces_every_item_and_explains_the_method(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, 3, seed=31)
    submission_id = cohort.submission_ids[1]
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        name = submission.invitation.applicant.name
        items = questionnaire_for(submission.questionnaire_version).items
    sign_in(client, cohort.manager_email)
    page = client.get(f"/manage/submissions/{submission_id}")
    assert f'href="/manage/submissions/{submission_id}/record.pdf"' in page.text

    response = client.get(f"/manage/submissions/{submission_id}/record.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader, text = pdf_text(response.data)
    assert reader.metadata.title == f"Full screening record: {name}"
    assert name in text
    numbered = {}
    for item in items:
        found = re.search(rf"(\d+)\. {re.escape(item.title)} \(", text)
        assert found, f"no trace of {item.title!r}"
        numbered[item.id] = int(found.group(1))
    assert sorted(numbered.values()) == list(range(1, len(items) + 1))
    # Each traced answer ends with its points and how they were counted.
    assert len(re.findall(r"[\d.]+ of \d+ · ", text)) >= len(items)
    assert "Methodology" in text and "Cronbach" in text
    assert "must not be the sole basis of a hiring decision" in text
    # The method starts on a page of its own, after the answers.
    methodology_page = next(number for number, page in enumerate(reader.pages)
                            if "Methodology" in page.extract_text())
    assert methodology_page >= 1
    assert items[-1].title not in reader.pages[methodology_page].extract_text()

    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "record.downloaded"))
        assert (event.actor_id, event.target_type, event.target_id) == (
            cohort.manager_id, "Submission", submission_id)


def test_the_record_and_the_summary_are_cached_apart(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, 1, seed=32)
    submission_id = cohort.submission_ids[0]
    sign_in(client, cohort.manager_email)
    summary = client.get(f"/manage/submissions/{submission_id}/report.pdf")
    first = client.get(f"/manage/submissions/{submission_id}/record.pdf")
    second = client.get(f"/manage/submissions/{submission_id}/record.pdf")
    again = client.get(f"/manage/submissions/{submission_id}/report.pdf")
    assert [r.headers["X-Report-Cache"] for r in (summary, first, second, again)] == [
        "miss", "miss", "hit", "hit"]
    assert second.data == first.data and again.data == summary.data
    assert first.data != summary.data
    assert "record.pdf" not in summary.headers["Content-Disposition"]
    assert "full-record" in first.headers["Content-Disposition"]
    with app.app_context():
        kinds = sorted(db.session.scalars(select(ReportCache.kind).where(
            ReportCache.submission_id == submission_id)))
        assert kinds == ["applicant", "record"]
        cached = db.session.scalar(select(AuditEvent.detail).where(
            AuditEvent.action == "record.downloaded").order_by(AuditEvent.id.desc()))
        assert cached == {"cached": True}


def test_the_record_is_scoped_like_the_summary(app: Flask, client: FlaskClient) -> None:
    ours = build_cohort(app, 1, seed=33)
    theirs = build_cohort(app, 1, seed=34)
    url = f"/manage/submissions/{ours.submission_ids[0]}/record.pdf"
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    sign_in(client, theirs.manager_email)  # another position's manager
    assert client.get(url).status_code == 404
    client.post("/logout")
    with app.app_context():
        create_user(Role.HR, email="hr-record@example.com")
    sign_in(client, "hr-record@example.com")
    assert client.get(url).status_code == 200
    with app.app_context():
        downloads = db.session.scalars(select(AuditEvent.actor_id).where(
            AuditEvent.action == "record.downloaded")).all()
        assert len(downloads) == 1


def test_a_position_zip_can_hold_each_full_record_beside_its_summary(
    app: Flask, runner, tmp_path: Path,
) -> None:
    cohort = build_cohort(app, 3, seed=35)
    names = applicant_names(app, cohort.submission_ids)
    summaries_only, with_records = tmp_path / "summaries.zip", tmp_path / "records.zip"
    for out, extra in ((summaries_only, []), (with_records, ["--full-record"])):
        result = runner.invoke(args=["report", "--position", str(cohort.position_id),
                                     "--zip", str(out), "--jobs", "2", *extra])
        assert result.exit_code == 0, result.output
    with zipfile.ZipFile(summaries_only) as archive:
        assert sorted(archive.namelist()) == sorted(
            f"applicant-{submission_id}.pdf" for submission_id in cohort.submission_ids)
    with zipfile.ZipFile(with_records) as archive:
        assert sorted(archive.namelist()) == sorted(
            name for submission_id in cohort.submission_ids
            for name in (f"applicant-{submission_id}.pdf",
                         f"applicant-{submission_id}-full-record.pdf"))
        for submission_id, name in names.items():
            reader = PdfReader(io.BytesIO(archive.read(
                f"applicant-{submission_id}-full-record.pdf")))
            assert reader.metadata.title == f"Full screening record: {name}"
            assert "Methodology" in " ".join(page.extract_text() for page in reader.pages)
    with app.app_context():
        exports = db.session.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "report.zip_exported").order_by(AuditEvent.id)).all()
        assert [(e["count"], e["full_record"]) for e in exports] == [(3, False), (6, True)]


def test_one_full_record_to_a_file(app: Flask, runner, tmp_path: Path) -> None:
    cohort = build_cohort(app, 1, seed=36)
    submission_id = cohort.submission_ids[0]
    out = tmp_path / "record.pdf"
    result = runner.invoke(args=["report", str(submission_id), "--out", str(out),
                                 "--full-record"])
    assert result.exit_code == 0, result.output
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert reader.metadata.title.startswith("Full screening record: ")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "record.downloaded"))
        assert (event.target_id, event.detail["via"]) == (submission_id, "cli")


def applicant_names(app: Flask, submission_ids: list[int]) -> dict[int, str]:
    with app.app_context():
        return {s.id: s.invitation.applicant.name for s in db.session.scalars(
            select(Submission).where(Submission.id.in_(submission_ids)))}
