"""Feedback on the applicant's own link: after a decision, switchable per position, no scores."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

from screening.extensions import db
from screening.models import Position, ReportCache, Submission
from screening.reports import pdf
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_submission,
    create_user,
)

NUMBERS_OR_FLAGS = re.compile(r"\d+\s*%|percentile|red flag|\bP\d\d\b", re.I)


def _setup(app: Flask, language: str = "en") -> tuple[str, int, int, str]:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager], questionnaire="frontline-short",
                                   title="Ticket office")
        invitation = create_invitation(position, name="Tao Applicant")
        submission = create_submission(invitation)
        submission.language = language
        db.session.commit()
        return invitation.token, submission.id, position.id, manager.email


def _decide(client: FlaskClient, email: str, submission_id: int) -> None:
    client.post("/login", data={"email": email, "password": PASSWORD})
    response = client.post(f"/manage/submissions/{submission_id}/decision",
                           data={"outcome": "secondary", "note": "Better suited to back office."})
    assert response.status_code == 302


def test_feedback_appears_after_a_decision_and_has_no_scores(app: Flask) -> None:
    token, submission_id, _, email = _setup(app)
    applicant, manager = app.test_client(), app.test_client()
    assert applicant.get(f"/apply/{token}/feedback").status_code == 404
    assert "Read your feedback" not in applicant.get(f"/apply/{token}/done").text

    _decide(manager, email, submission_id)
    assert "Read your feedback" in applicant.get(f"/apply/{token}/done").text
    page = applicant.get(f"/apply/{token}/feedback")
    assert page.status_code == 200
    assert "Your strongest areas" in page.text and "An area to develop" in page.text
    assert "talk with you about a role that suits your strengths" in page.text
    visible = re.sub(r"<[^>]+>", " ", page.text.split('<main id="main"', 1)[1])  # not the link
    assert not NUMBERS_OR_FLAGS.search(visible)

    pdf = applicant.get(f"/apply/{token}/feedback.pdf")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert len(PdfReader(io.BytesIO(pdf.data)).pages) == 1
    assert "Tao Applicant" in text and "An area to develop" in text
    assert not NUMBERS_OR_FLAGS.search(text)


def test_managers_preview_and_switch_feedback_off(app: Flask) -> None:
    token, submission_id, position_id, email = _setup(app)
    manager = app.test_client()
    manager.post("/login", data={"email": email, "password": PASSWORD})
    preview = manager.get(f"/manage/submissions/{submission_id}/feedback-preview")
    assert preview.status_code == 200 and "Your strongest areas" in preview.text
    manager.post(f"/manage/positions/{position_id}/feedback", data={})  # unticked: off
    with app.app_context():
        assert db.session.get(Position, position_id).feedback_enabled is False
    _decide(manager, email, submission_id)
    assert app.test_client().get(f"/apply/{token}/feedback").status_code == 404


def test_feedback_in_spanish_when_the_applicant_chose_spanish(app: Flask) -> None:
    token, submission_id, _, email = _setup(app, language="es")
    _decide(app.test_client(), email, submission_id)
    page = app.test_client().get(f"/apply/{token}/feedback")
    assert 'lang="es"' in page.text
    assert "Sus puntos más fuertes" in page.text
    with app.app_context():
        assert db.session.get(Submission, submission_id).language == "es"


def test_other_managers_cannot_preview(app: Flask) -> None:
    _, submission_id, position_id, _ = _setup(app)
    with app.app_context():
        stranger = create_user().email
    client = app.test_client()
    client.post("/login", data={"email": stranger, "password": PASSWORD})
    assert client.get(f"/manage/submissions/{submission_id}/feedback-preview").status_code == 404
    assert client.post(f"/manage/positions/{position_id}/feedback", data={}).status_code == 404


def test_feedback_pdf_is_rendered_once_until_what_it_shows_changes(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link holder reloading the PDF costs a lookup, not a render; a change shows at once."""
    renders: list[str] = []
    real_render = pdf.render_pdf

    def counting(html: str, **options: object) -> bytes:
        renders.append(html)
        return real_render(html, **options)

    monkeypatch.setattr(pdf, "render_pdf", counting)
    token, submission_id, _, email = _setup(app)
    manager = app.test_client()
    _decide(manager, email, submission_id)
    applicant = app.test_client()

    first = applicant.get(f"/apply/{token}/feedback.pdf")
    again = applicant.get(f"/apply/{token}/feedback.pdf")
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.data == first.data and len(renders) == 1
    assert (first.headers["X-Report-Cache"], again.headers["X-Report-Cache"]) == ("miss", "hit")
    assert "no-store" in again.headers["Cache-Control"]

    # The manager's own summary is cached beside it, not instead of it.
    assert manager.get(f"/manage/submissions/{submission_id}/report.pdf").status_code == 200
    assert applicant.get(f"/apply/{token}/feedback.pdf").headers["X-Report-Cache"] == "hit"
    assert len(renders) == 2

    with app.app_context():  # a corrected name is printed on the next download
        db.session.get_one(Submission, submission_id).invitation.applicant.name = "Tao Corrected"
        db.session.commit()
    renamed = applicant.get(f"/apply/{token}/feedback.pdf")
    assert renamed.headers["X-Report-Cache"] == "miss" and len(renders) == 3
    assert "Tao Corrected" in "".join(p.extract_text()
                                      for p in PdfReader(io.BytesIO(renamed.data)).pages)

    response = manager.post(f"/manage/submissions/{submission_id}/decision",
                            data={"outcome": "advance", "note": "Front line after all."})
    assert response.status_code == 302  # a new decision changes the feedback's words
    assert applicant.get(f"/apply/{token}/feedback.pdf").headers["X-Report-Cache"] == "miss"
    assert len(renders) == 4
    with app.app_context():
        kinds = db.session.scalars(select(ReportCache.kind).where(
            ReportCache.submission_id == submission_id).order_by(ReportCache.kind))
        assert list(kinds) == ["applicant", "feedback"]  # one of each, stale ones replaced
