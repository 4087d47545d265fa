"""Webhooks: signed as Standard Webhooks says (checked by the test's own verifier), sent at
the four events, tried again while the receiver is down with the same id, refused for
private addresses, and signed with both secrets while a rotation's grace period lasts."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest
import yaml
from flask import Flask
from sqlalchemy import select

from screening.config import PROJECT_ROOT
from screening.extensions import db
from screening.models import (
    DeliveryStatus,
    Job,
    JobStatus,
    Outcome,
    Position,
    Role,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from screening.services import invitations, jobs, reviews, webhooks
from screening.services.webhooks import EndpointSettings
from tests.factories import create_invitation, create_position, create_user, submit_simulated
from tests.webhook_receiver import Receiver, signature_valid

ALL_EVENTS = frozenset(event.value for event in webhooks.EVENT_LABELS)


@pytest.fixture
def app(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.start()
    yield running
    running.stop()


def development(app: Flask) -> Mapping[str, Any]:
    """The app's settings with plain http to 127.0.0.1 allowed, as in development."""
    return {**app.config, "WEBHOOKS_ALLOW_LOOPBACK_HTTP": 1}


def endpoint_for(position: Position, url: str, events: frozenset[str] = ALL_EVENTS,
                 ) -> tuple[WebhookEndpoint, str]:
    admin = create_user(Role.ADMIN)
    endpoint, secret = webhooks.create_endpoint(
        db.session, position, EndpointSettings(url, events, "ATS", False), admin,
        allow_loopback_http=True)
    db.session.commit()
    return endpoint, secret


def deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def run_all(config: Mapping[str, Any]) -> list[jobs.Ran]:
    return jobs.run_due(db.session, config)


def test_a_submission_is_sent_signed_and_verifies_independently(
    app: Flask, receiver: Receiver
) -> None:
    position = create_position(title="Front desk")
    _, secret = endpoint_for(position, receiver.url,
                                    frozenset({"submission.completed"}))
    submission = submit_simulated(position, name="Robin Reyes", email="robin@example.com")
    db.session.commit()
    run_all(development(app))

    [request] = receiver.wait_for(1)
    assert request.path == "/hooks/screening"
    assert request.headers["content-type"] == "application/json"
    assert signature_valid(secret, request.headers, request.body)
    assert not signature_valid(secret, request.headers, request.body.replace(b"1", b"2"))
    other_secret = webhooks.webhook_signatures.new_secret()
    assert not signature_valid(other_secret, request.headers, request.body)

    [delivery] = deliveries()
    assert request.headers["webhook-id"] == delivery.message_id
    assert delivery.message_id.startswith("msg_")
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 1
    assert delivery.last_status_code == 204

    sent = json.loads(request.body)
    assert sent["type"] == "submission.completed"
    data = sent["data"]
    assert data["version"] == 1
    assert data["position"] == {"id": position.id, "title": "Front desk"}
    assert data["submission"]["id"] == submission.id
    stored_band = submission.result["band"]
    assert data["result"]["band"] == {"id": stored_band["id"], "label": stored_band["label"]}
    assert data["result"]["advisory"].startswith("Decision support, not a decision")
    assert data["links"]["api"] == f"http://localhost/api/v1/submissions/{submission.id}"
    # Ids and links only: the receiver reads names through the API with its token.
    assert b"Robin" not in request.body and b"robin@example.com" not in request.body


def test_each_of_the_four_events_reaches_the_endpoints_that_want_it(
    app: Flask, receiver: Receiver
) -> None:
    position = create_position()
    other_position = create_position()
    endpoint_for(position, receiver.url)
    endpoint_for(position, receiver.url, frozenset({"decision.recorded"}))
    endpoint_for(other_position, receiver.url)
    manager = create_user(Role.MANAGER)
    invitation = create_invitation(position, name="Sam Lee")
    submission = submit_simulated(position, name="Kim Park")
    item_id = reviews.free_text_items(submission)[0].id
    reviews.rate_free_text(db.session, submission, item_id, manager, 4)
    reviews.record_decision(db.session, submission, manager, Outcome.ADVANCE,
                            "Strong answers about the queue at the desk.")
    db.session.commit()

    sent = [(d.endpoint.events == ["decision.recorded"], d.event_type) for d in deliveries()]
    assert sent == [
        (False, "invitation.sent"),  # Sam Lee's invitation
        (False, "invitation.sent"),  # Kim Park's, made by submit_simulated
        (False, "submission.completed"),
        (False, "result.rated"),
        (False, "decision.recorded"),
        (True, "decision.recorded"),
    ]
    run_all(development(app))
    received = [json.loads(r.body) for r in receiver.wait_for(6)]
    assert len(received) == 6
    assert received[0]["data"]["invitation"]["id"] == invitation.id
    rated = next(r for r in received if r["type"] == "result.rated")
    assert rated["data"]["rated_item_id"] == item_id
    decided = next(r for r in received if r["type"] == "decision.recorded")
    assert decided["data"]["decision"]["outcome"] == "advance"
    assert decided["data"]["decision"]["label"] == "Advance to interview"
    assert "Strong answers" not in json.dumps(received)  # the note is the manager's own words
    for event in received:
        documented_schema(event["type"]).validate(event)


def documented_schema(event_type: str) -> jsonschema_rs.Draft202012Validator:
    """The request body the OpenAPI document's ``webhooks`` section gives for an event."""
    spec = yaml.safe_load((PROJECT_ROOT / "screening/web/api/openapi.yaml").read_text())
    body = spec["webhooks"][event_type]["post"]["requestBody"]["content"]["application/json"]
    return jsonschema_rs.Draft202012Validator(
        {**body["schema"], "components": spec["components"]})


def test_a_rolled_back_change_sends_nothing(app: Flask, receiver: Receiver) -> None:
    position = create_position()
    endpoint_for(position, receiver.url)
    create_invitation(position)  # committed: one delivery
    invitations.invite(db.session, db.session.get_one(Position, position.id), name="Gone",
                       email="gone@example.com", valid_days=3)
    db.session.rollback()
    assert len(deliveries()) == 1
    assert db.session.scalar(select(Job.id).where(Job.kind == "webhook.deliver")) is not None
    assert len([j for j in db.session.scalars(select(Job))]) == 1


def test_a_receiver_that_is_down_gets_the_event_later_with_the_same_id(
    app: Flask, receiver: Receiver
) -> None:
    position = create_position()
    _, secret = endpoint_for(position, receiver.url)
    receiver.stop()  # down: the connection is refused
    create_invitation(position)
    [delivery] = deliveries()
    config = development(app)

    [first] = run_all(config)
    assert first.status is JobStatus.PENDING and first.retry_at is not None
    assert "Could not reach the endpoint" in first.error
    db.session.refresh(delivery)
    assert delivery.status is DeliveryStatus.RETRYING and delivery.attempts == 1
    assert run_all(config) == []  # not due before its back-off

    receiver.statuses = [503]  # up, but busy the first time
    receiver.extra_headers = {"Retry-After": "120"}
    receiver.start()
    second = jobs.run(db.session, first.job_id, config, now=first.retry_at)
    assert second.status is JobStatus.PENDING
    assert second.retry_at == first.retry_at + timedelta(seconds=120)  # as the receiver asked
    third = jobs.run(db.session, first.job_id, config, now=second.retry_at)
    assert third.status is JobStatus.DONE

    requests = receiver.wait_for(2)
    assert [r.headers["webhook-id"] for r in requests] == [delivery.message_id] * 2
    assert all(signature_valid(secret, r.headers, r.body) for r in requests)
    assert json.loads(requests[0].body) == json.loads(requests[1].body)
    db.session.refresh(delivery)
    assert delivery.status is DeliveryStatus.DELIVERED and delivery.attempts == 3


@pytest.mark.parametrize("url", ["https://10.1.2.3/hooks", "https://localhost/hooks",
                                 "https://[::1]/hooks", "https://169.254.169.254/latest"])
def test_a_private_address_is_refused_when_saved(app: Flask, url: str) -> None:
    position = create_position()
    admin = create_user(Role.ADMIN)
    with pytest.raises(webhooks.WebhookError, match="private or reserved address"):
        webhooks.create_endpoint(db.session, position,
                                 EndpointSettings(url, ALL_EVENTS, "", False), admin)


def test_plain_http_is_refused_unless_the_development_setting_is_on(app: Flask) -> None:
    position = create_position()
    admin = create_user(Role.ADMIN)
    settings = EndpointSettings("http://127.0.0.1:9/hooks", ALL_EVENTS, "", False)
    with pytest.raises(webhooks.WebhookError, match="must use https://"):
        webhooks.create_endpoint(db.session, position, settings, admin)
    endpoint, _ = webhooks.create_endpoint(db.session, position, settings, admin,
                                           allow_loopback_http=True)
    assert endpoint.url == "http://127.0.0.1:9/hooks"


def test_a_private_address_is_refused_at_delivery_and_the_reason_logged(
    app: Flask, receiver: Receiver
) -> None:
    """A host that resolved to a public address when saved and to a private one now (a DNS
    change) is refused at the delivery; so is loopback http without the development setting."""
    position = create_position()
    endpoint, _ = endpoint_for(position, receiver.url)
    endpoint.url = receiver.url.replace("http://127.0.0.1", "https://localhost")
    db.session.commit()
    create_invitation(position)
    [ran] = run_all(development(app))
    assert ran.status is JobStatus.DEAD
    assert "resolves to a private or reserved address (127.0.0.1" in ran.error
    [delivery] = deliveries()
    assert delivery.status is DeliveryStatus.FAILED
    assert "private or reserved address" in delivery.last_error

    endpoint.url = receiver.url
    db.session.commit()
    create_invitation(position)
    [ran] = run_all(app.config)  # the development setting is off
    assert ran.status is JobStatus.DEAD and "must use https://" in ran.error
    assert receiver.received == []


def test_a_dead_delivery_redelivered_leaves_the_dead_letter_list(
    app: Flask, receiver: Receiver
) -> None:
    position = create_position()
    _, secret = endpoint_for(position, receiver.url)
    create_invitation(position)
    [ran] = run_all(app.config)  # plain http without the development setting: refused
    assert ran.status is JobStatus.DEAD and jobs.problem_count(db.session) == 1
    [delivery] = deliveries()
    webhooks.redeliver(db.session, delivery, create_user(Role.ADMIN))
    db.session.commit()
    assert jobs.problem_count(db.session) == 0
    [again] = run_all(development(app))
    assert again.job_id == ran.job_id and again.status is JobStatus.DONE
    [request] = receiver.wait_for(1)
    assert request.headers["webhook-id"] == delivery.message_id
    assert signature_valid(secret, request.headers, request.body)
    assert [d.status for d in deliveries()] == [DeliveryStatus.DELIVERED]


def test_an_admin_may_allow_a_private_address(app: Flask) -> None:
    position = create_position()
    admin = create_user(Role.ADMIN)
    endpoint, _ = webhooks.create_endpoint(
        db.session, position, EndpointSettings("https://10.1.2.3/hooks", ALL_EVENTS, "", True),
        admin)
    assert endpoint.allow_private


def test_after_a_rotation_both_secrets_sign_until_the_grace_period_ends(
    app: Flask, receiver: Receiver
) -> None:
    position = create_position()
    endpoint, old_secret = endpoint_for(position, receiver.url)
    admin = create_user(Role.ADMIN)
    new_secret = webhooks.rotate_secret(db.session, endpoint, admin)
    db.session.commit()
    create_invitation(position)
    run_all(development(app))
    [during] = receiver.wait_for(1)
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert signature_valid(old_secret, during.headers, during.body)
    assert signature_valid(new_secret, during.headers, during.body)

    # Rotated a day and an hour ago: the grace period is over.
    webhooks.rotate_secret(db.session, endpoint, admin, now=utcnow() - timedelta(hours=25))
    newest = endpoint.secret
    db.session.commit()
    create_invitation(position)
    run_all(development(app))
    after = receiver.wait_for(2)[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    assert signature_valid(newest, after.headers, after.body)
    assert not signature_valid(new_secret, after.headers, after.body)


def test_a_410_gone_switches_the_endpoint_off(app: Flask, receiver: Receiver) -> None:
    position = create_position()
    endpoint, _ = endpoint_for(position, receiver.url)
    receiver.statuses = [410]
    create_invitation(position)
    [ran] = run_all(development(app))
    assert ran.status is JobStatus.DONE  # nothing more to try
    db.session.refresh(endpoint)
    assert not endpoint.active and "410 Gone" in endpoint.disabled_reason
    assert deliveries()[0].status is DeliveryStatus.FAILED
    create_invitation(position)
    assert len(deliveries()) == 1  # an endpoint that is off is sent nothing new


def test_other_answers_are_retried_and_the_last_failure_is_final(
    app: Flask, receiver: Receiver
) -> None:
    position = create_position()
    endpoint_for(position, receiver.url)
    receiver.statuses = [400] * 20
    create_invitation(position)
    config = development(app)
    [ran] = run_all(config)
    while ran.status is JobStatus.PENDING:
        ran = jobs.run(db.session, ran.job_id, config, now=ran.retry_at)
    assert ran.status is JobStatus.DEAD
    [delivery] = deliveries()
    assert delivery.attempts == 14 == len(receiver.received)
    assert delivery.status is DeliveryStatus.FAILED and delivery.last_status_code == 400
    assert len({r.headers["webhook-id"] for r in receiver.received}) == 1


#: A worker in a process of its own: builds the app and runs one job.
WORKER = """
import json, sys
from screening.app import create_app
from screening.extensions import db
from screening.services import jobs
app = create_app(json.loads(sys.argv[1]))
with app.app_context():
    jobs.run(db.session, int(sys.argv[2]), app.config)
"""


@pytest.mark.commits
def test_a_worker_killed_mid_delivery_loses_nothing(
    app: Flask, receiver: Receiver, tmp_path: Path
) -> None:
    """The worker is killed while the receiver holds its request: the job's claim goes
    stale, and the next run delivers the message again with the same webhook-id."""
    position = create_position()
    _, secret = endpoint_for(position, receiver.url)
    create_invitation(position)
    [delivery] = deliveries()
    delivery_id, job_id, message_id = delivery.id, delivery.job_id, delivery.message_id
    db.session.commit()  # end the read: on SQLite it holds the write lock the worker needs
    receiver.hold = threading.Event()
    log = tmp_path / "worker.log"
    settings = {"TESTING": True, "DATABASE_URL": app.config["DATABASE_URL"],
                "INSTANCE_PATH": str(tmp_path / "worker"), "SECRET_KEY": "test-secret-key",
                "BASE_URL": app.config["BASE_URL"], "PDF_PRERENDER": 0,
                "WEBHOOKS_ALLOW_LOOPBACK_HTTP": 1}
    with log.open("wb") as worker_errors:
        worker = subprocess.Popen(
            [sys.executable, "-c", WORKER, json.dumps(settings), str(job_id)],
            cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=worker_errors)
        try:
            received = receiver.wait_for(1, seconds=60)
        finally:
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
    assert len(received) == 1, log.read_text()[-3000:]
    held, receiver.hold = receiver.hold, None
    held.set()
    assert db.session.get_one(Job, job_id).status is JobStatus.RUNNING
    assert db.session.get_one(WebhookDelivery, delivery_id).attempts == 1  # recorded

    assert run_all(development(app)) == []  # the claim is fresh: the worker may be alive
    later = utcnow() + jobs.STALE_CLAIM + timedelta(minutes=1)
    ran = jobs.run(db.session, job_id, development(app), now=later)
    assert ran.status is JobStatus.DONE
    first, second = receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == message_id
    assert json.loads(first.body) == json.loads(second.body)
    assert signature_valid(secret, second.headers, second.body)
    db.session.expire_all()
    kept = db.session.get_one(WebhookDelivery, delivery_id)
    assert kept.status is DeliveryStatus.DELIVERED and kept.attempts == 2
