"""Killing a worker mid-job loses nothing and its effect happens once: real worker
processes (`flask jobs worker`), a Huey queue in a SQLite file or in Redis (production's),
a committed database, and a real SMTP server that stalls before it accepts the first
message or a webhook receiver that holds the first request."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import select

from screening.extensions import db
from screening.models import (
    DeliveryStatus,
    EmailStatus,
    Job,
    JobStatus,
    OutgoingEmail,
    WebhookDelivery,
)
from screening.services import outbox
from tests.factories import create_invitation, create_position
from tests.integration.test_webhooks import endpoint_for
from tests.smtp_server import Inbox, free_port
from tests.webhook_receiver import Receiver

PROJECT_ROOT = Path(__file__).resolve().parents[2]
#: Redis's database 13 is this test's (15: the rate-limit tests', 14: bench/scaleout.py's).
REDIS_QUEUE_URL = "redis://127.0.0.1:6379/13"
STALE_SECONDS = 2
WAIT_SECONDS = 60.0


class StallingInbox(Inbox):
    """Takes the first message's content, then never answers it (as a server that hangs
    before it accepts); every later message is accepted."""

    def __init__(self) -> None:
        super().__init__()
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if not self.stalled.is_set():
            self.stalled.set()
            await asyncio.sleep(3600)  # cancelled when the controller stops
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def stalling_smtp_server() -> Iterator[tuple[StallingInbox, int]]:
    inbox = StallingInbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def worker_environment(app: Flask, smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "SCREENING_DATABASE_URL": str(app.config["SQLALCHEMY_DATABASE_URI"]),
        "SCREENING_INSTANCE_PATH": app.instance_path,
        "SCREENING_SECRET_KEY": "test-secret-key",
        "SCREENING_QUEUE_URL": str(app.config["QUEUE_URL"]),
        "SCREENING_JOBS_STALE_SECONDS": str(STALE_SECONDS),
        "SCREENING_SMTP_HOST": "127.0.0.1",
        "SCREENING_SMTP_PORT": str(smtp_port),
        "SCREENING_SMTP_STARTTLS": "0",
        "SCREENING_MAIL_FROM": "jobs@example.com",
    }


def start_worker(environment: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as output:
        return subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "screening.app", "jobs", "worker",
             "--workers", "1"],
            cwd=PROJECT_ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)


def stop(worker: subprocess.Popen[bytes], how: signal.Signals) -> None:
    if worker.poll() is None:
        worker.send_signal(how)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def message_state(app: Flask, message_id: int) -> tuple[EmailStatus, int]:
    with app.app_context():
        message = db.session.scalar(select(OutgoingEmail)
                                    .where(OutgoingEmail.id == message_id)
                                    .execution_options(populate_existing=True))
        state = (message.status, message.attempts)
        db.session.remove()
        return state


@pytest.fixture(params=["sqlite", "redis"])
def queue_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'queue.db'}"
    import redis

    client = redis.Redis.from_url(REDIS_QUEUE_URL)
    try:
        client.flushdb()
    except redis.RedisError as error:
        pytest.fail(f"Redis is not running at {REDIS_QUEUE_URL}: {error}")
    return REDIS_QUEUE_URL


@pytest.mark.commits
def test_a_worker_killed_mid_send_loses_nothing_and_the_email_arrives_once(
    app_config: dict, make_app, tmp_path: Path, queue_url: str
) -> None:
    log = tmp_path / "workers.log"
    with stalling_smtp_server() as (inbox, port):
        app = make_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                        "SMTP_STARTTLS": 0, "MAIL_FROM": "jobs@example.com",
                        "QUEUE_URL": queue_url})
        with app.app_context():
            message = outbox.queue(db.session, kind="invitation", recipient="kim@example.com",
                                   subject="Your questionnaire", body_text="Hello Kim.",
                                   body_html="<p>Hello Kim.</p>")
            db.session.commit()  # handed over to the queue in the SQLite file
            message_id = message.id
        environment = worker_environment(app, port)

        first = start_worker(environment, log)
        try:
            assert inbox.stalled.wait(WAIT_SECONDS), log.read_text()
            assert message_state(app, message_id)[0] is EmailStatus.SENDING
        finally:
            stop(first, signal.SIGKILL)  # mid-send: no chance to record anything
        assert first.returncode == -signal.SIGKILL
        assert inbox.messages == []

        time.sleep(STALE_SECONDS + 1)  # the dead worker's claim is now stale
        second = start_worker(environment, log)
        try:
            received = inbox.wait_for(1, WAIT_SECONDS)
            time.sleep(STALE_SECONDS + 1)  # time enough for a second send, if any came
        finally:
            stop(second, signal.SIGINT)
    assert [m["To"] for m in inbox.messages] == ["kim@example.com"], log.read_text()
    assert received[0]["Message-ID"].startswith(f"<outbox-{message_id}.")
    assert message_state(app, message_id) == (EmailStatus.SENT, 1)
    assert second.returncode == 0, log.read_text()


@pytest.mark.commits
def test_a_worker_killed_mid_delivery_delivers_once_more_with_the_same_webhook_id(
    app_config: dict, make_app, tmp_path: Path
) -> None:
    log = tmp_path / "workers.log"
    receiver = Receiver()
    receiver.start()
    try:
        app = make_app({**app_config, "WEBHOOKS_ALLOW_LOOPBACK_HTTP": 1,
                        "QUEUE_URL": f"sqlite:///{tmp_path / 'queue.db'}"})
        with app.app_context():
            position = create_position()
            endpoint_for(position, receiver.url)
            create_invitation(position)  # its webhook is queued, and handed over on commit
            [delivery] = db.session.scalars(select(WebhookDelivery)).all()
            delivery_id, job_id = delivery.id, delivery.job_id
            db.session.remove()
        environment = {**worker_environment(app, free_port()),
                       "SCREENING_WEBHOOKS_ALLOW_LOOPBACK_HTTP": "1"}
        receiver.hold = threading.Event()

        first = start_worker(environment, log)
        try:
            assert receiver.wait_for(1, WAIT_SECONDS), log.read_text()
        finally:
            stop(first, signal.SIGKILL)  # while the receiver holds the request
        held, receiver.hold = receiver.hold, None
        held.set()

        time.sleep(STALE_SECONDS + 1)  # the dead worker's claim is now stale
        second = start_worker(environment, log)
        try:
            received = receiver.wait_for(2, WAIT_SECONDS)
            time.sleep(STALE_SECONDS + 1)  # time enough for a third delivery, if any came
        finally:
            stop(second, signal.SIGINT)
    finally:
        receiver.stop()
    assert len(receiver.received) == 2, log.read_text()
    assert received[0].headers["webhook-id"] == received[1].headers["webhook-id"]
    assert received[0].body == received[1].body
    with app.app_context():
        delivery = db.session.get_one(WebhookDelivery, delivery_id)
        assert delivery.status is DeliveryStatus.DELIVERED
        assert db.session.get_one(Job, job_id).status is JobStatus.DONE
