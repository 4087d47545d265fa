"""Admins register webhook endpoints per position, see the secret once, rotate it, switch
an endpoint off, delete it, send a test event and redeliver a failure; nobody else can."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import AuditEvent, DeliveryStatus, Role, WebhookDelivery, WebhookEndpoint
from screening.services import jobs
from tests.factories import create_invitation, create_position, create_user, sign_in, visible_text
from tests.webhook_receiver import Receiver, signature_valid

PAGE = "/admin/webhooks"


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    """Development: endpoints may be plain http to 127.0.0.1, where the test receiver is."""
    return {**app_config, "WEBHOOKS_ALLOW_LOOPBACK_HTTP": 1}


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    running = Receiver()
    running.start()
    yield running
    running.stop()


@pytest.fixture
def staff(app: Flask) -> dict[str, object]:
    with app.app_context():
        admin = create_user(Role.ADMIN, email="ada@example.com")
        hr = create_user(Role.HR, email="hal@example.com")
        manager = create_user(Role.MANAGER, email="max@example.com")
        position = create_position(managers=[manager], title="Front desk")
        return {"admin": admin.email, "hr": hr.email, "manager": manager.email,
                "position": position.id}


def secret_on(page: str) -> str:
    found = re.findall(r"whsec_[A-Za-z0-9+/=]+", page)
    assert len(found) == 1, found
    return found[0]


def create(client: FlaskClient, position: object, url: str, **extra: object):
    return client.post(PAGE, data={"position": position, "url": url,
                                   "events": ["invitation.sent", "decision.recorded"],
                                   "description": "Workday", **extra})


def deliver_all(app: Flask) -> None:
    with app.app_context():
        jobs.run_due(db.session, app.config)


def test_an_admin_registers_an_endpoint_and_sees_its_secret_once(
    app: Flask, client: FlaskClient, staff: dict[str, object], receiver: Receiver
) -> None:
    sign_in(client, str(staff["admin"]))
    made = create(client, staff["position"], receiver.url)
    assert made.status_code == 200
    secret = secret_on(made.text)
    with app.app_context():
        endpoint = db.session.scalar(select(WebhookEndpoint))
        assert (endpoint.url, endpoint.events, endpoint.description) == (
            receiver.url, ["decision.recorded", "invitation.sent"], "Workday")
        endpoint_id = endpoint.id
        [event] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "webhook.created")).all()
        assert secret not in json.dumps(event.detail) and receiver.url not in json.dumps(
            event.detail)
    listing = client.get(PAGE).text
    assert receiver.url in listing and secret not in listing
    page = client.get(f"{PAGE}/{endpoint_id}").text
    assert "whsec_" not in page
    assert "Events Decision recorded (decision.recorded); Invitation sent (invitation.sent)" \
        in visible_text(page)

    # Its events reach it, signed with the secret shown.
    with app.app_context():
        create_invitation(db.session.get(type(endpoint), endpoint_id).position)
    deliver_all(app)
    [request] = receiver.wait_for(1)
    assert signature_valid(secret, request.headers, request.body)
    log = visible_text(client.get(f"{PAGE}/{endpoint_id}").text)
    assert re.search(r"invitation\.sent msg_\S+ .*Delivered .* 1 204", log)


@pytest.mark.parametrize(("url", "events", "message"), [
    ("https://10.0.0.7/hooks", ["invitation.sent"],
     "resolves to a private or reserved address (10.0.0.7)"),
    ("ftp://example.com/hooks", ["invitation.sent"], "The URL must start with https://"),
    ("https://user:pw@example.com/", ["invitation.sent"], "must not hold a user name"),
    ("https://hooks.example.com/x", [], "Choose at least one event."),
])
def test_a_bad_endpoint_is_refused_with_what_was_typed_kept(
    app: Flask, client: FlaskClient, staff: dict[str, object], url: str,
    events: list[str], message: str
) -> None:
    sign_in(client, str(staff["admin"]))
    refused = client.post(PAGE, data={"position": staff["position"], "url": url,
                                      "events": events, "description": "Our ATS"})
    assert refused.status_code == 422
    assert message in visible_text(refused.text)
    assert f'value="{url.replace("&", "&amp;")}"' in refused.text
    assert 'value="Our ATS"' in refused.text
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint)) is None


def test_a_private_address_is_accepted_only_when_the_admin_allows_it(
    app: Flask, client: FlaskClient, staff: dict[str, object]
) -> None:
    sign_in(client, str(staff["admin"]))
    made = create(client, staff["position"], "https://10.0.0.7/hooks", allow_private="y")
    assert made.status_code == 200
    assert "Private addresses allowed" in client.get(PAGE).text


def test_send_test_event_reaches_that_endpoint_only(
    app: Flask, client: FlaskClient, staff: dict[str, object], receiver: Receiver
) -> None:
    sign_in(client, str(staff["admin"]))
    first = secret_on(create(client, staff["position"], receiver.url).text)
    create(client, staff["position"], receiver.url.replace("/hooks/", "/other/"))
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id).order_by(WebhookEndpoint.id))
    sent = client.post(f"{PAGE}/{endpoint_id}/test")
    assert (sent.status_code, sent.location) == (302, f"{PAGE}/{endpoint_id}")
    when = r"\d\d \w+ \d{4}, \d\d:\d\d UTC"
    queued = visible_text(client.get(f"{PAGE}/{endpoint_id}").text)
    assert re.search(rf"webhook\.test msg_\S+ {when} Queued 0 — {when} —", queued), queued
    assert "A test event (msg_" in queued
    deliver_all(app)
    [request] = receiver.wait_for(1)
    assert request.path == "/hooks/screening"
    assert json.loads(request.body)["type"] == "webhook.test"
    assert signature_valid(first, request.headers, request.body)
    delivered = visible_text(client.get(f"{PAGE}/{endpoint_id}").text)
    assert re.search(rf"webhook\.test msg_\S+ {when} Delivered {when} 1 204", delivered)


def test_rotating_shows_the_new_secret_once_and_both_sign_for_a_day(
    app: Flask, client: FlaskClient, staff: dict[str, object], receiver: Receiver
) -> None:
    sign_in(client, str(staff["admin"]))
    old = secret_on(create(client, staff["position"], receiver.url).text)
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    rotated = client.post(f"{PAGE}/{endpoint_id}/rotate")
    assert rotated.status_code == 200
    new = secret_on(rotated.text)
    assert new != old
    assert "For the next 24 hours every message is signed with both" in rotated.text
    assert "the previous secret also signs until" in client.get(f"{PAGE}/{endpoint_id}").text
    client.post(f"{PAGE}/{endpoint_id}/test")
    deliver_all(app)
    [request] = receiver.wait_for(1)
    assert signature_valid(old, request.headers, request.body)
    assert signature_valid(new, request.headers, request.body)
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.startswith("webhook."))).all()
        assert actions == ["webhook.created", "webhook.secret_rotated", "webhook.test_sent"]
        details = json.dumps(db.session.scalars(select(AuditEvent.detail)).all())
        assert old not in details and new not in details


def test_switched_off_nothing_is_sent_and_deleting_removes_the_log(
    app: Flask, client: FlaskClient, staff: dict[str, object], receiver: Receiver
) -> None:
    sign_in(client, str(staff["admin"]))
    create(client, staff["position"], receiver.url)
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    client.post(f"{PAGE}/{endpoint_id}/active", data={"active": "0"})
    page = client.get(f"{PAGE}/{endpoint_id}").text
    assert "The endpoint is off" in page and "Switch on" in page
    with app.app_context():
        create_invitation(db.session.get_one(WebhookEndpoint, endpoint_id).position)
        assert db.session.scalar(select(WebhookDelivery)) is None
    refused = client.post(f"{PAGE}/{endpoint_id}/test")
    assert refused.status_code == 302
    assert "Switch the endpoint on before sending it a test event." in client.get(
        f"{PAGE}/{endpoint_id}").text

    client.post(f"{PAGE}/{endpoint_id}/active", data={"active": "1"})
    client.post(f"{PAGE}/{endpoint_id}/test")
    deleted = client.post(f"{PAGE}/{endpoint_id}/delete")
    assert deleted.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint)) is None
        assert db.session.scalar(select(WebhookDelivery)) is None
    deliver_all(app)  # the queued test event finds nothing to send
    assert receiver.received == []
    assert client.get(f"{PAGE}/{endpoint_id}").status_code == 404


def test_a_failed_delivery_is_redelivered_with_the_same_id(
    app: Flask, client: FlaskClient, staff: dict[str, object], receiver: Receiver
) -> None:
    sign_in(client, str(staff["admin"]))
    create(client, staff["position"], receiver.url)
    with app.app_context():
        endpoint_id = db.session.scalar(select(WebhookEndpoint.id))
    receiver.statuses = [410]  # gone: switched off, the delivery failed
    client.post(f"{PAGE}/{endpoint_id}/test")
    deliver_all(app)
    with app.app_context():
        delivery = db.session.scalar(select(WebhookDelivery))
        assert delivery.status is DeliveryStatus.FAILED
        delivery_id, message_id = delivery.id, delivery.message_id
    page = visible_text(client.get(f"{PAGE}/{endpoint_id}").text)
    assert "State Off : The endpoint answered 410 Gone, so it was switched off." in page
    redeliver = f"{PAGE}/{endpoint_id}/deliveries/{delivery_id}/redeliver"
    client.post(redeliver)
    assert "Switch the endpoint on before redelivering" in client.get(
        f"{PAGE}/{endpoint_id}").text
    client.post(f"{PAGE}/{endpoint_id}/active", data={"active": "1"})
    assert client.post(redeliver).status_code == 302
    deliver_all(app)
    first, again = receiver.wait_for(2)
    assert first.headers["webhook-id"] == again.headers["webhook-id"] == message_id
    with app.app_context():
        assert db.session.get_one(WebhookDelivery, delivery_id).status is \
            DeliveryStatus.DELIVERED
    # Delivered now: not redelivered again.
    client.post(redeliver)
    assert "is delivered, not failed" in client.get(f"{PAGE}/{endpoint_id}").text


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_only_admins_reach_the_webhook_pages(
    app: Flask, client: FlaskClient, staff: dict[str, object], role: str
) -> None:
    sign_in(client, str(staff[role]))
    assert client.get(PAGE).status_code == 403
    assert create(client, staff["position"], "https://10.0.0.7/x",
                  allow_private="y").status_code == 403
    with app.app_context():
        assert db.session.scalar(select(WebhookEndpoint)) is None
