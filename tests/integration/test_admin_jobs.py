"""Admins see background jobs that gave up (dead) or whose worker died (stuck), by kind
and description with the reason, and retry or discard them; a retried job is handed to
the task queue and runs."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import AuditEvent, Job, JobStatus, Role, utcnow
from screening.services import jobs
from tests.factories import create_user, sign_in, visible_text
from tests.queued_tasks import handed_over

PAGE = "/admin/jobs"


def stored_job(submission_id: int = 7, **fields: object) -> int:
    """A summary.render job as the table keeps it, written directly."""
    values = {"status": JobStatus.DEAD, "attempts": 3, "max_attempts": 3,
              "last_error": "RenderError: the renderer stopped without a PDF",
              "claimed_at": utcnow(), "finished_at": utcnow(), **fields}
    job = Job(kind="summary.render", payload={"submission_id": submission_id}, **values)
    db.session.add(job)
    db.session.commit()
    return job.id


def status_of(app: Flask, job_id: int) -> JobStatus | None:
    with app.app_context():
        return db.session.scalar(select(Job.status).where(Job.id == job_id))


def audited(app: Flask, action: str) -> list[tuple[str, int | None, dict]]:
    with app.app_context():
        return [(e.target_type, e.target_id, e.detail)
                for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def signed_in_admin(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        email = create_user(Role.ADMIN, name="Ada Admin").email
    sign_in(client, email)


def test_a_dead_job_is_listed_with_its_reason_and_a_retry_hands_it_to_the_queue(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        job_id = stored_job(submission_id=41)
    signed_in_admin(app, client)
    page = client.get(PAGE)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "1 job needs a look." in text
    assert "summary.render Summary PDF of submission 41" in text
    assert "3 of 3" in text
    assert "Dead RenderError: the renderer stopped without a PDF" in text
    assert "Background jobs (1)" in text
    assert "Background jobs: 1" in visible_text(client.get("/manage/").text)

    retried = client.post(f"{PAGE}/{job_id}/retry")
    assert (retried.status_code, retried.location) == (302, PAGE)
    after = visible_text(client.get(PAGE).text)
    assert f"Job {job_id} is queued again." in after and "No dead or stuck jobs." in after
    assert "Background jobs:" not in visible_text(client.get("/manage/").text)
    assert status_of(app, job_id) is JobStatus.PENDING
    assert ("run_job", (job_id,)) in handed_over(app)
    # Kind and counts only: a payload or a reason can name an applicant.
    assert audited(app, "job.retried") == [
        ("Job", job_id, {"kind": "summary.render", "status": "dead", "attempts": 3})]


def test_only_jobs_stuck_past_the_stale_claim_are_listed_and_a_discard_is_audited(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        long_ago = utcnow() - jobs.STALE_CLAIM - timedelta(minutes=1)
        stuck = stored_job(submission_id=1, status=JobStatus.RUNNING, claimed_at=long_ago,
                           attempts=1, finished_at=None)
        running = stored_job(submission_id=2, status=JobStatus.RUNNING, attempts=1,
                             finished_at=None)
    signed_in_admin(app, client)
    text = visible_text(client.get(PAGE).text)
    assert "1 job needs a look." in text and "Stuck running" in text
    assert "submission 1" in text and "submission 2" not in text

    reply = client.post(f"{PAGE}/{stuck}/discard")
    assert (reply.status_code, reply.location) == (302, PAGE)
    assert (f"Job {stuck} was discarded: its work will not be done."
            in visible_text(client.get(PAGE).text))
    assert status_of(app, stuck) is None and status_of(app, running) is JobStatus.RUNNING
    assert audited(app, "job.discarded") == [
        ("Job", stuck, {"kind": "summary.render", "status": "running", "attempts": 1})]


@pytest.mark.parametrize("action", ["retry", "discard"])
def test_a_job_that_is_no_longer_a_problem_is_left_alone(
    app: Flask, client: FlaskClient, action: str
) -> None:
    with app.app_context():
        done = stored_job(status=JobStatus.DONE)
    signed_in_admin(app, client)
    assert client.post(f"{PAGE}/{done}/{action}").status_code == 302
    text = visible_text(client.get(PAGE).text)
    assert f"Job {done} is no longer dead or stuck (it is done now)" in text
    assert status_of(app, done) is JobStatus.DONE
    assert audited(app, f"job.{'retried' if action == 'retry' else 'discarded'}") == []


def test_many_dead_jobs_are_counted_and_paged(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        ids = [stored_job(submission_id=n) for n in range(jobs.PROBLEMS_PAGE_SIZE + 2)]
    signed_in_admin(app, client)
    first = client.get(PAGE).text
    total = jobs.PROBLEMS_PAGE_SIZE + 2
    assert (f"{total} jobs need a look; the newest {jobs.PROBLEMS_PAGE_SIZE} are listed"
            in visible_text(first))
    assert set(map(int, re.findall(r"/admin/jobs/(\d+)/retry", first))) == set(ids[2:])
    older = re.search(r'href="(/admin/jobs\?before=\d+)">Older problems', first)
    assert older
    rest = client.get(older.group(1)).text
    assert set(map(int, re.findall(r"/admin/jobs/(\d+)/retry", rest))) == set(ids[:2])


def test_a_reason_is_shown_as_text(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        stored_job(last_error="ValueError: <script>alert(1)</script>")
    signed_in_admin(app, client)
    page = client.get(PAGE).text
    assert "<script>alert(1)</script>" not in page
    assert "ValueError: &lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR])
def test_only_admins_see_or_act_on_jobs(app: Flask, client: FlaskClient, role: Role) -> None:
    with app.app_context():
        job_id = stored_job()
        email = create_user(role).email
    sign_in(client, email)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{job_id}/retry").status_code == 403
    assert client.post(f"{PAGE}/{job_id}/discard").status_code == 403
    assert status_of(app, job_id) is JobStatus.DEAD
