"""Work reaches the task queue only after its change commits; a queue that is down fails
no request and loses nothing: the relay hands the work over later."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from screening.extensions import db
from screening.models import OutgoingEmail
from screening.queue import task_queue
from screening.services import outbox, prerender
from tests.factories import PASSWORD, create_position, create_user
from tests.queued_tasks import handed_over, run_handed_over
from tests.smtp_server import free_port, smtp_server


def mail_config(app_config: dict, port: int, **extra: object) -> dict:
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_STARTTLS": 0,
            "MAIL_FROM": "jobs@example.com", **extra}


def invite(app: Flask, name: str, email: str) -> int:
    """A manager invites an applicant over HTTP; the response's status."""
    with app.app_context():
        manager = create_user()
        position_id = create_position(managers=[manager]).id
        manager_email = manager.email
    client = app.test_client()
    client.post("/login", data={"email": manager_email, "password": PASSWORD})
    return client.post(f"/manage/positions/{position_id}/invitations",
                       data={"name": name, "email": email}).status_code


def test_a_rolled_back_change_hands_nothing_over_and_sends_nothing(
    app_config: dict, make_app
) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port, PDF_PRERENDER=1))
        with app.app_context():
            outbox.queue(db.session, kind="invitation", recipient="no@example.com",
                         subject="Never", body_text="Never.", body_html="<p>Never.</p>")
            prerender.queue_summary(db.session, app.config, 12345)
            db.session.rollback()
            db.session.commit()
            assert db.session.scalar(select(OutgoingEmail)) is None
        assert handed_over(app) == []
        result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
        assert "Jobs: 0 done, 0 to be retried, 0 dead." in result.output
        assert "Email: sent 0, failed 0" in result.output
    assert inbox.messages == []


def test_with_the_queue_down_the_request_succeeds_and_the_relay_delivers_later(
    app_config: dict, make_app, caplog: pytest.LogCaptureFixture
) -> None:
    closed = free_port()  # nothing listens here: the queue is down
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port, QUEUE_URL=f"redis://127.0.0.1:{closed}/0"))
        with caplog.at_level(logging.ERROR, logger="screening.queue"):
            assert invite(app, "Dee Down", "dee@example.com") == 302
        assert any("task queue could not be reached" in r.getMessage() for r in caplog.records)
        assert inbox.messages == []

        # A worker on a queue that works: its relay leaves alone what was just queued
        # (its hand-over may be on its way), then takes what is overdue.
        worker = make_app(mail_config(app_config, port))
        assert task_queue(worker).relay() == (0, 0)
        assert task_queue(worker).relay(grace=timedelta(0)) == (0, 1)
        assert run_handed_over(worker) == 1
        [message] = inbox.wait_for(1)
    assert message["To"] == "dee@example.com"


def test_the_relay_hands_over_a_retry_when_its_time_has_come(
    app_config: dict, make_app
) -> None:
    port = free_port()  # the mail server is down at first
    app = make_app(mail_config(app_config, port))
    assert invite(app, "Ray Later", "ray@example.com") == 302
    assert run_handed_over(app) == 1  # the send fails and is scheduled for later
    queue = task_queue(app)
    assert [task.name for task in queue.huey.scheduled()] == ["send_email"]
    assert queue.relay(grace=timedelta(0)) == (0, 0)  # not due yet
    with app.app_context():
        message = db.session.scalar(select(OutgoingEmail))
        message.next_attempt_at -= timedelta(minutes=2)
        db.session.commit()
    with smtp_server(port) as (inbox, _):
        assert queue.relay() == (0, 1)
        assert run_handed_over(app) == 1
        assert [m["To"] for m in inbox.wait_for(1)] == ["ray@example.com"]
