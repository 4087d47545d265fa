"""What the workers' scheduler runs: reminders and digests, the retention purge and the
pruning of finished jobs; each safe to run again (several workers may run it), and
`flask jobs list` / `run-due` for looking and for installations without a worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import (
    Applicant,
    AuditEvent,
    DeliveryStatus,
    Job,
    JobStatus,
    OutgoingEmail,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from screening.queue import task_queue
from tests.factories import create_invitation, create_position
from tests.queued_tasks import handed_over


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    # Mail on, so reminders are queued; nothing is sent (no task is run here).
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1, "SMTP_STARTTLS": 0,
            "RETENTION_DAYS": 365}


def test_reminders_are_queued_once_and_handed_to_the_queue(app: Flask) -> None:
    with app.app_context():
        soon = create_invitation(create_position(title="Bank branch"), name="Sol Soon",
                                 email="sol@example.com")
        soon.expires_at = utcnow() + timedelta(hours=20)
        db.session.commit()
    queue = task_queue(app)
    queue.queue_reminders_and_digests()
    queue.queue_reminders_and_digests()  # a second worker's scheduler, or the next run
    with app.app_context():
        [reminder] = db.session.scalars(select(OutgoingEmail)).all()
        assert (reminder.kind, reminder.recipient) == ("reminder", "sol@example.com")
    assert handed_over(app) == [("send_email", (reminder.id,))]


def test_the_retention_purge_anonymises_those_past_the_period_once(app: Flask) -> None:
    with app.app_context():
        position = create_position()
        old = create_invitation(position, name="Olga Old", email="olga@example.com")
        recent = create_invitation(position, name="Rita Recent", email="rita@example.com")
        long_ago = utcnow() - timedelta(days=400)
        old.created_at = long_ago
        db.session.get(Applicant, old.applicant_id).created_at = long_ago
        db.session.commit()
        ids = (old.applicant_id, recent.applicant_id)
    queue = task_queue(app)
    queue.retention_purge()
    queue.retention_purge()  # nobody is due any more: no second run in the audit log
    with app.app_context():
        anonymised = {a.id: a.anonymised_at is not None
                      for a in db.session.scalars(select(Applicant))}
        assert anonymised == {ids[0]: True, ids[1]: False}
        assert db.session.get(Applicant, ids[1]).name == "Rita Recent"
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "retention.purged")) == 1


def test_finished_jobs_are_pruned_after_30_days_and_dead_ones_kept(app: Flask) -> None:
    with app.app_context():
        long_ago = utcnow() - timedelta(days=31)
        for status, finished in ((JobStatus.DONE, long_ago), (JobStatus.DONE, utcnow()),
                                 (JobStatus.DEAD, long_ago)):
            db.session.add(Job(kind="summary.render", payload={"submission_id": 1},
                               status=status, finished_at=finished))
        db.session.commit()
    task_queue(app).purge_finished_jobs()
    with app.app_context():
        kept = sorted((job.status.value, job.finished_at > utcnow() - timedelta(days=1))
                      for job in db.session.scalars(select(Job)))
    assert kept == [("dead", False), ("done", True)]


def test_finished_webhook_deliveries_leave_the_log_after_90_days(app: Flask) -> None:
    with app.app_context():
        endpoint = WebhookEndpoint(position_id=create_position().id,
                                   url="https://hooks.example.com/in", events=["x"],
                                   secret="whsec_dGVzdA==")
        db.session.add(endpoint)
        db.session.flush()
        old, recent = utcnow() - timedelta(days=91), utcnow() - timedelta(days=89)
        rows = {
            "delivered long ago": (DeliveryStatus.DELIVERED, old),
            "delivered lately": (DeliveryStatus.DELIVERED, recent),
            "failed long ago": (DeliveryStatus.FAILED, old),
            "failed lately": (DeliveryStatus.FAILED, recent),
            "still retrying": (DeliveryStatus.RETRYING, old),
        }
        for name, (status, at) in rows.items():
            db.session.add(WebhookDelivery(
                message_id=f"msg_{name.replace(' ', '_')}", endpoint_id=endpoint.id,
                event_type=name, payload={}, status=status, created_at=at,
                last_attempt_at=at,
                delivered_at=at if status is DeliveryStatus.DELIVERED else None))
        db.session.commit()
    task_queue(app).purge_finished_jobs()
    with app.app_context():
        kept = sorted(db.session.scalars(select(WebhookDelivery.event_type)))
    assert kept == ["delivered lately", "failed lately", "still retrying"]


def test_jobs_list_counts_by_kind_and_status_and_names_dead_ones(app: Flask) -> None:
    with app.app_context():
        for status in (JobStatus.DONE, JobStatus.DONE, JobStatus.DEAD):
            db.session.add(Job(kind="summary.render", payload={"submission_id": 9},
                               status=status, attempts=3, max_attempts=3,
                               last_error="RenderError: no PDF" if status is JobStatus.DEAD
                               else ""))
        db.session.commit()
        dead = db.session.scalar(select(Job.id).where(Job.status == JobStatus.DEAD))
    output = app.test_cli_runner().invoke(args=["jobs", "list"]).output
    lines = output.splitlines()
    assert [line.split() for line in lines[:2]] == [["summary.render", "dead", "1"],
                                                    ["summary.render", "done", "2"]]
    assert "Email: 0 pending, 0 sending, 0 sent, 0 failed" in output
    assert (f"Job {dead} (summary.render) dead after 3 attempt(s): Summary PDF of "
            "submission 9: RenderError: no PDF") in output


def test_a_worker_needs_a_queue_other_processes_share(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["jobs", "worker"])
    assert result.exit_code == 1
    assert "SCREENING_QUEUE_URL=memory:// lives in one process" in result.output
