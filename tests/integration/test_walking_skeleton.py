"""The thin slice: one applicant from question bank to scores, PDF and CSV."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import Answer, Invitation, Position, Submission, SubmissionStatus, User
from screening.services.journey import sequence_for
from screening.web.apply import timing
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_user,
    keyed_best_form,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def complete_questionnaire(client: FlaskClient, token: str) -> None:
    """Consent, skip the practice item, answer every item with its keyed best, submit."""
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 302
    response = client.post(f"/apply/{token}/practice")
    assert response.headers["Location"].endswith(f"/apply/{token}/q/1")
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    sequence = sequence_for(invitation.submission)
    for number, item in enumerate(sequence.items, start=1):
        page = client.get(f"/apply/{token}/q/{number}")
        assert page.status_code == 200
        assert f"Question {number} of {len(sequence.items)}" in page.text
        response = client.post(
            f"/apply/{token}/q/{number}",
            data={**keyed_best_form(item), "action": "next"},
        )
        assert response.status_code == 302, response.text
    review = client.get(f"/apply/{token}/review")
    assert "You have answered every question." in review.text
    done = client.post(f"/apply/{token}/review", follow_redirects=True)
    assert "We have your answers" in done.text


class ReadingClock:
    """The server's clock for item pages, a minute further on each time it is read: the
    applicant takes time to read every item, so the result has a band (not "unreliable")."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        self.now += 60
        return self.now


def test_applicant_to_manager_pdf_and_csv(app: Flask, client: FlaskClient,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing, "time", ReadingClock())
    with app.app_context():
        manager = create_user(email="lee@example.com")
        position = create_position(managers=[manager], title="Hotel front desk")
        invitation = create_invitation(position, name="Robin Example")
        token, position_id = invitation.token, position.id

        complete_questionnaire(client, token)

        submission = db.session.scalar(select(Submission))
        assert submission.status == SubmissionStatus.SUBMITTED
        questionnaire_items = sequence_for(submission).items
        assert db.session.scalar(select(func.count(Answer.id))) == len(questionnaire_items)
        # Keyed-best answers earn every available point; the free-text item waits for a rating.
        has_free_text = any(i.format is ResponseFormat.FREE_TEXT for i in questionnaire_items)
        assert submission.provisional is has_free_text
        result = submission.result
        assert [d["percent"] for d in result["dimensions"]] == [100.0, 100.0, 100.0]
        submission_id = submission.id

    login = client.post("/login", data={"email": "lee@example.com", "password": PASSWORD})
    assert login.status_code == 302
    position_page = client.get(f"/manage/positions/{position_id}")
    assert "Robin Example" in position_page.text
    detail = client.get(f"/manage/submissions/{submission_id}")
    for label in ("Warmth", "Common sense", "Respect under pressure"):
        assert label in detail.text
    assert "Strong result" in detail.text

    pdf = client.get(f"/manage/submissions/{submission_id}/report.pdf")
    assert pdf.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "Robin Example" in text
    assert "Hotel front desk" in text
    for label in ("Warmth", "Common sense", "Respect under pressure"):
        assert label in text
    assert "Strong result" in text

    export = client.get(f"/manage/positions/{position_id}/results.csv")
    rows = list(csv.DictReader(io.StringIO(export.data.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert rows[0]["applicant_name"] == "Robin Example"
    assert float(rows[0]["warmth_percent"]) == 100.0
    assert rows[0]["status"] == "submitted"


@pytest.mark.commits  # setup runs the migrations on a connection of its own
def test_setup_command_is_idempotent(app: Flask, runner) -> None:
    first = runner.invoke(args=["setup"])
    assert first.exit_code == 0, first.output
    with app.app_context():
        counts = (
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Position.id))),
            db.session.scalar(select(func.count(Invitation.id))),
        )
    second = runner.invoke(args=["setup"])
    assert second.exit_code == 0, second.output
    assert second.output == first.output  # same login, same links
    assert "manager@example.com" in second.output
    assert "hr@example.com" in second.output and "admin@example.com" in second.output
    assert "Demo data:        90 simulated applicants" in second.output
    with app.app_context():
        # manager, HR, admin; the demo position; the demo invitation and 90 simulated
        assert counts == (3, 1, 91)
        assert db.session.scalar(select(func.count(Submission.id))
                                 .where(Submission.synthetic.is_(True))) == 90
        assert (
            db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Position.id))),
            db.session.scalar(select(func.count(Invitation.id))),
        ) == counts


@pytest.mark.commits  # setup runs the migrations on a connection of its own
def test_printed_links_work(app: Flask, client: FlaskClient, runner) -> None:
    output = runner.invoke(args=["setup"]).output
    links = {
        line.split(":", 1)[0].strip(): line.split(":", 1)[1].strip()
        for line in output.splitlines()
        if "http://" in line
    }
    applicant_path = links["Applicant link"].removeprefix("http://localhost")
    assert "Welcome, Alex Demo" in client.get(applicant_path).text
    join_path = links["Open link"].removeprefix("http://localhost")
    joined = client.post(join_path, data={"name": "Sam Walk-in", "email": "sam@example.com"})
    assert joined.status_code == 302
    assert "Welcome, Sam Walk-in" in client.get(joined.headers["Location"]).text
    password = output.split("password:")[1].split()[0]
    for email in ("manager@example.com", "hr@example.com", "admin@example.com"):
        signed_in = client.post("/login", data={"email": email, "password": password})
        assert signed_in.status_code == 302, email
        assert "/login" not in signed_in.headers["Location"], email
        client.post("/logout")
    signed_in = client.post("/login", data={"email": "manager@example.com", "password": password})
    assert signed_in.headers["Location"].endswith("/manage/")


def test_healthz_reports_database_status(client: FlaskClient, make_app) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
    unreachable = make_app(
        {"DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"}
    )
    response = unreachable.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_broken_database_url_gives_one_clear_line(tmp_path) -> None:
    env = {
        **os.environ,
        "SCREENING_DATABASE_URL": "not a url at all",
        "SCREENING_INSTANCE_PATH": str(tmp_path),
    }
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "screening.app", "setup"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert "SCREENING_DATABASE_URL" in lines[0]


def test_unreachable_database_gives_one_clear_line(tmp_path) -> None:
    env = {
        **os.environ,
        "SCREENING_INSTANCE_PATH": str(tmp_path),
        "SCREENING_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none",
    }
    completed = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "screening.app", "setup"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert completed.returncode != 0
    assert "Traceback" not in completed.stderr
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert "SCREENING_DATABASE_URL=postgresql+psycopg://nobody@127.0.0.1:1/none" in lines[0]
