"""A manager asks for a ZIP of a position's summaries, a worker prepares it, the manager
downloads it: scoped to their positions, audited, gone after an erasure or a day."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select, update

from screening.app import create_app
from screening.extensions import db
from screening.models import (
    AuditEvent,
    Job,
    JobStatus,
    ReportCache,
    Role,
    Submission,
    utcnow,
)
from screening.queue import task_queue
from screening.reports import batch
from screening.services import jobs, retention
from screening.services.demo import create_simulated_applicants
from tests.factories import PASSWORD, create_invitation, create_position, create_user, sign_in

PREPARE = "/manage/positions/{id}/zips/summaries"
DOWNLOAD = "/manage/positions/{id}/zips/summaries.zip"


@dataclass(frozen=True)
class Team:
    manager_email: str
    position_id: int
    #: applicant name of each submitted applicant, by submission id
    names: dict[int, str]


@pytest.fixture
def team(app: Flask) -> Team:
    """Three submitted applicants and one who was only invited."""
    with app.app_context():
        manager = create_user(email="zip-manager@example.com")
        position = create_position(managers=[manager], title="Café counter",
                                   location="Dock Road")
        create_simulated_applicants(db.session, position, 3, seed=5, rater=manager)
        create_invitation(position, name="Not Yet Submitted")
        db.session.commit()
        names = {s.id: s.invitation.applicant.name for s in db.session.scalars(select(Submission))}
        return Team(manager.email, position.id, names)


def run_jobs(app: Flask) -> list[jobs.Ran]:
    with app.app_context():
        return jobs.run_due(db.session, app.config)


def prepared(app: Flask, client: FlaskClient, team: Team, url: str = PREPARE) -> None:
    sign_in(client, team.manager_email)
    response = client.post(url.format(id=team.position_id))
    assert response.status_code == 302
    assert [ran.status for ran in run_jobs(app)] == [JobStatus.DONE]


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def test_a_manager_prepares_the_zip_and_downloads_one_summary_per_submitted_applicant(
    app: Flask, client: FlaskClient, team: Team,
) -> None:
    sign_in(client, team.manager_email)
    page = client.get(f"/manage/positions/{team.position_id}")
    assert "Prepare a ZIP of every summary" in page.text
    assert "Download the ZIP" not in page.text

    response = client.post(PREPARE.format(id=team.position_id), follow_redirects=True)
    assert "Being prepared" in response.text
    client.post(PREPARE.format(id=team.position_id))  # a second click while it waits
    with app.app_context():
        assert len(db.session.scalars(select(Job).where(Job.kind == "position.zip")).all()) == 1

    assert [ran.status for ran in run_jobs(app)] == [JobStatus.DONE]
    page = client.get(f"/manage/positions/{team.position_id}")
    assert "Being prepared" not in page.text
    assert f'href="{DOWNLOAD.format(id=team.position_id)}"' in page.text

    download = client.get(DOWNLOAD.format(id=team.position_id))
    assert download.status_code == 200
    assert download.mimetype == "application/zip"
    assert download.headers["Cache-Control"] == "private, no-store"
    today = utcnow().date().isoformat()
    assert f'filename="cafe-counter-dock-road-summaries-{today}.zip"' in (
        download.headers["Content-Disposition"])
    # The page gives the size the manager will download.
    size_kb = len(download.data) / 1000
    assert f"{size_kb:.1f} kB" in page.text

    archive = zipfile.ZipFile(io.BytesIO(download.data))
    assert sorted(archive.namelist()) == sorted(f"applicant-{i}.pdf" for i in team.names)
    for submission_id, name in team.names.items():
        assert name in pdf_text(archive.read(f"applicant-{submission_id}.pdf"))

    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "report.zip_downloaded"))
        assert event.target_id == team.position_id
        assert event.detail == {"kind": "zip-summaries", "pdfs": 3}


def test_with_full_records_each_summary_is_followed_by_its_record(
    app: Flask, client: FlaskClient, team: Team,
) -> None:
    prepared(app, client, team, "/manage/positions/{id}/zips/summaries-and-records")
    download = client.get(f"/manage/positions/{team.position_id}/zips/summaries-and-records.zip")
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert sorted(names) == sorted([f"applicant-{i}.pdf" for i in team.names]
                                   + [f"applicant-{i}-full-record.pdf" for i in team.names])
    # The summaries alone were not asked for: nothing to download there.
    assert client.get(DOWNLOAD.format(id=team.position_id)).status_code == 404


def test_another_managers_position_is_refused(
    app: Flask, client: FlaskClient, team: Team,
) -> None:
    prepared(app, client, team)
    with app.app_context():
        create_user(email="other-manager@example.com")
    other = app.test_client()
    sign_in(other, "other-manager@example.com")
    assert other.post(PREPARE.format(id=team.position_id)).status_code == 404
    assert other.get(DOWNLOAD.format(id=team.position_id)).status_code == 404
    with app.app_context():
        assert db.session.scalars(select(Job.status).where(Job.kind == "position.zip")).all() == [
            JobStatus.DONE]


def test_the_zip_is_deleted_when_an_applicant_in_it_is_erased(
    app: Flask, client: FlaskClient, team: Team,
) -> None:
    prepared(app, client, team)
    with app.app_context():
        submission = db.session.get(Submission, next(iter(team.names)))
        retention.erase(db.session, submission.invitation.applicant_id, None, via="test")
        assert db.session.scalars(select(ReportCache).where(
            ReportCache.position_id == team.position_id)).all() == []
    assert client.get(DOWNLOAD.format(id=team.position_id)).status_code == 404
    assert "Download the ZIP" not in client.get(f"/manage/positions/{team.position_id}").text


def test_an_applicant_erased_while_it_renders_sends_it_back_to_render_again(
    app: Flask, client: FlaskClient, team: Team, monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = batch.write_zip
    erased = next(iter(team.names))

    def erasing_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        written = real(*args, **kwargs)
        with app.app_context():
            submission = db.session.get(Submission, erased)
            retention.erase(db.session, submission.invitation.applicant_id, None, via="test")
        return written

    monkeypatch.setattr(batch, "write_zip", erasing_meanwhile)
    sign_in(client, team.manager_email)
    client.post(PREPARE.format(id=team.position_id))
    ran = run_jobs(app)
    assert [r.status for r in ran] == [JobStatus.PENDING]
    with app.app_context():
        assert db.session.scalars(select(ReportCache).where(
            ReportCache.position_id == team.position_id)).all() == []
    assert "Being prepared" in client.get(f"/manage/positions/{team.position_id}").text


def test_an_expired_zip_is_not_served_and_the_hourly_sweep_deletes_it(
    app: Flask, client: FlaskClient, team: Team,
) -> None:
    prepared(app, client, team)
    with app.app_context():
        db.session.execute(update(ReportCache).where(ReportCache.position_id.is_not(None))
                           .values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
        db.session.commit()
    assert client.get(DOWNLOAD.format(id=team.position_id)).status_code == 404
    page = client.get(f"/manage/positions/{team.position_id}")
    assert "Download the ZIP" not in page.text
    assert "Prepare a ZIP of every summary" in page.text

    task_queue(app).delete_expired_zips()
    with app.app_context():
        assert db.session.scalars(select(ReportCache).where(
            ReportCache.position_id.is_not(None))).all() == []


def test_a_failed_preparation_says_so_and_can_be_tried_again(
    app: Flask, client: FlaskClient, team: Team, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def stopped(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise batch.BatchError("a renderer process stopped before finishing its report")

    monkeypatch.setattr(batch, "write_zip", stopped)
    sign_in(client, team.manager_email)
    client.post(PREPARE.format(id=team.position_id))
    assert [ran.status for ran in run_jobs(app)] == [JobStatus.DEAD]
    with app.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "position.zip"))
        assert job.last_error == "a renderer process stopped before finishing its report"
    page = client.get(f"/manage/positions/{team.position_id}")
    assert "could not be prepared" in page.text
    assert "Try again" in page.text

    monkeypatch.undo()
    client.post(PREPARE.format(id=team.position_id))
    assert [ran.status for ran in run_jobs(app)] == [JobStatus.DONE]
    page = client.get(f"/manage/positions/{team.position_id}")
    assert "could not be prepared" not in page.text
    assert client.get(DOWNLOAD.format(id=team.position_id)).status_code == 200


def test_hr_prepares_the_zip_of_any_position(app: Flask, client: FlaskClient, team: Team) -> None:
    with app.app_context():
        create_user(role=Role.HR, email="zip-hr@example.com")
    hr = app.test_client()
    prepared(app, hr, Team("zip-hr@example.com", team.position_id, team.names))
    assert hr.get(DOWNLOAD.format(id=team.position_id)).status_code == 200


@pytest.mark.commits  # a second app, CSRF on, reads the data
def test_preparing_refuses_a_post_without_a_csrf_token(
    app_config: dict[str, object], team: Team,
) -> None:
    guarded = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        client = guarded.test_client()
        page = client.get("/login")
        token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        client.post("/login", data={"email": team.manager_email, "password": PASSWORD,
                                    "csrf_token": token})
        assert client.post(PREPARE.format(id=team.position_id)).status_code == 400
        with guarded.app_context():
            assert db.session.scalars(select(Job).where(Job.kind == "position.zip")).all() == []
        page = client.get(f"/manage/positions/{team.position_id}")
        token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        accepted = client.post(PREPARE.format(id=team.position_id), data={"csrf_token": token})
        assert accepted.status_code == 302
        with guarded.app_context():
            assert len(db.session.scalars(select(Job).where(Job.kind == "position.zip")).all()) == 1
    finally:
        with guarded.app_context():
            db.engine.dispose()
