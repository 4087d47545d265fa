"""Signed webhooks: admins register another system's URL per position with the events it
wants; each event becomes one delivery per endpoint, sent by the job queue.

``emit`` adds the delivery rows and their jobs in the caller's transaction, so an event
whose change is rolled back is never sent, and one that commits is sent even if the queue
or the receiver is down at the time (services.jobs, services.webhook_delivery).

Payloads are versioned JSON (``data.version``) holding ids, codes and links, not names
or emails: the receiver reads personal data through the authenticated API, so a leaked
webhook log or a misdirected endpoint reveals no one. The band and its wording come from
the stored result, the same one every page, PDF and the API show.

The secrets cannot be hashed like API tokens: every delivery is signed with them, so they
are stored as given, shown to the admin only when made, and never written to the audit
log. Rotating one keeps the previous secret signing for ``ROTATION_GRACE``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from screening.formatting import iso
from screening.models import (
    OUTCOME_LABELS,
    Decision,
    DeliveryStatus,
    Invitation,
    Job,
    JobStatus,
    Position,
    Submission,
    User,
    WebhookDelivery,
    WebhookEndpoint,
    utcnow,
)
from screening.reports.applicant import DECISION_SUPPORT
from screening.services import audit, destinations, jobs, webhook_signatures
from screening.services.webhook_delivery import DELIVER_KIND, secrets_in_use

#: The payload's shape; raised only for a change a receiver must adapt to.
PAYLOAD_VERSION = 1
#: How long the previous secret keeps signing after a rotation.
ROTATION_GRACE = timedelta(hours=24)
#: Delivery log lines shown per endpoint.
LOG_SIZE = 50
#: How long a finished delivery (delivered, or failed for good) stays in the log.
LOG_KEPT = timedelta(days=90)
MAX_URL_LENGTH = 2000


class EventType(enum.StrEnum):
    INVITATION_SENT = "invitation.sent"
    SUBMISSION_COMPLETED = "submission.completed"
    RESULT_RATED = "result.rated"
    DECISION_RECORDED = "decision.recorded"
    #: sent only by "Send test event", to one endpoint; nobody subscribes to it
    TEST = "webhook.test"


#: The events an admin can subscribe an endpoint to, in the words of the admin page.
EVENT_LABELS: dict[EventType, str] = {
    EventType.INVITATION_SENT: "Invitation sent",
    EventType.SUBMISSION_COMPLETED: "Submission completed",
    EventType.RESULT_RATED: "Result rated (a written answer was rated)",
    EventType.DECISION_RECORDED: "Decision recorded",
}


class WebhookError(ValueError):
    """An endpoint cannot be saved or changed as asked; the message says why."""


# -- the events ------------------------------------------------------------------------


def emit(session: Session, position_id: int, event_type: EventType,
         data: Mapping[str, Any]) -> list[WebhookDelivery]:
    """One delivery and one job per active endpoint of the position that wants the event."""
    endpoints = session.scalars(
        select(WebhookEndpoint).where(WebhookEndpoint.position_id == position_id,
                                      WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id))
    return [_queue(session, endpoint, event_type, data)
            for endpoint in endpoints if event_type.value in endpoint.events]


def _queue(session: Session, endpoint: WebhookEndpoint, event_type: EventType,
           data: Mapping[str, Any]) -> WebhookDelivery:
    envelope = {"type": event_type.value, "timestamp": iso(utcnow()),
                "data": {"version": PAYLOAD_VERSION, **data}}
    delivery = WebhookDelivery(message_id=webhook_signatures.new_message_id(),
                               endpoint=endpoint, event_type=event_type.value, payload=envelope)
    session.add(delivery)
    session.flush()
    _enqueue(session, delivery)
    return delivery


def _enqueue(session: Session, delivery: WebhookDelivery) -> None:
    job = jobs.enqueue(session, DELIVER_KIND, {"delivery_id": delivery.id})
    assert job is not None  # no dedupe key: a job is always added
    delivery.job_id = job.id


def _position(position: Position) -> dict[str, Any]:
    return {"id": position.id, "title": position.title}


def _result(submission: Submission) -> dict[str, Any] | None:
    """The stored result's band and standing, with the advisory every report carries."""
    result = submission.result
    if not result:
        return None
    band = result.get("band") or {}
    return {
        "status": result.get("status"),
        "band": {"id": band.get("id"), "label": band.get("label")} if band else None,
        "overall_percent": result.get("overall"),
        "provisional": bool(result.get("provisional")),
        "advisory": DECISION_SUPPORT,
    }


def _submission_links(submission: Submission) -> dict[str, str]:
    # Paths here; the sender puts BASE_URL in front (services.webhook_delivery.body_of).
    return {"api": f"/api/v1/submissions/{submission.id}",
            "result_api": f"/api/v1/submissions/{submission.id}/result",
            "page": f"/manage/submissions/{submission.id}"}


def invitation_data(invitation: Invitation, *, reissued: bool = False) -> dict[str, Any]:
    applicant = invitation.applicant
    return {
        "position": _position(applicant.position),
        "applicant": {"id": applicant.id, "attempt": applicant.attempt_number},
        "invitation": {"id": invitation.id, "expires_at": iso(invitation.expires_at),
                       "via_open_link": invitation.via_open_link, "reissued": reissued},
        "links": {"position_api": f"/api/v1/positions/{applicant.position_id}"},
    }


def submission_data(submission: Submission) -> dict[str, Any]:
    applicant = submission.invitation.applicant
    return {
        "position": _position(applicant.position),
        "applicant": {"id": applicant.id, "attempt": applicant.attempt_number},
        "submission": {"id": submission.id, "submitted_at": iso(submission.submitted_at),
                       "synthetic": submission.synthetic},
        "result": _result(submission),
        "links": _submission_links(submission),
    }


def rated_data(submission: Submission, item_id: str) -> dict[str, Any]:
    return {**submission_data(submission), "rated_item_id": item_id}


def decision_data(decision: Decision) -> dict[str, Any]:
    # The outcome's code and label; the note is the manager's free text, so it stays here.
    return {**submission_data(decision.submission),
            "decision": {"id": decision.id, "outcome": decision.outcome.value,
                         "label": OUTCOME_LABELS[decision.outcome],
                         "decided_at": iso(decision.created_at)}}


# -- endpoints, for admins ---------------------------------------------------------------


@dataclass(frozen=True)
class EndpointSettings:
    url: str
    events: frozenset[str]
    description: str
    allow_private: bool


def check_settings(settings: EndpointSettings, *, allow_loopback_http: bool) -> str:
    """The URL to store, stripped; raises WebhookError naming what is wrong."""
    url = settings.url.strip()
    if not url:
        raise WebhookError("Enter the endpoint's URL.")
    if len(url) > MAX_URL_LENGTH:
        raise WebhookError(f"The URL is longer than {MAX_URL_LENGTH} characters.")
    try:
        destinations.parse(url, allow_loopback_http=allow_loopback_http)
    except destinations.UnsafeDestination as refused:
        raise WebhookError(str(refused)) from None
    unknown = settings.events - {event.value for event in EVENT_LABELS}
    if not settings.events or unknown:
        raise WebhookError("Choose at least one of the listed events.")
    return url


def check_address(url: str, *, allow_private: bool, allow_loopback_http: bool) -> None:
    """Refuse a host that resolves to a private address unless allowed: checked on saving
    as well as on every delivery, so the admin hears of it at once."""
    try:
        destination = destinations.parse(url, allow_loopback_http=allow_loopback_http)
        destinations.resolve(destination, allow_private=allow_private)
    except destinations.UnsafeDestination as refused:
        raise WebhookError(str(refused)) from None


def create_endpoint(session: Session, position: Position, settings: EndpointSettings,
                    actor: User, *, allow_loopback_http: bool = False,
                    ) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (shown to the admin once)."""
    url = check_settings(settings, allow_loopback_http=allow_loopback_http)
    check_address(url, allow_private=settings.allow_private,
                  allow_loopback_http=allow_loopback_http)
    secret = webhook_signatures.new_secret()
    endpoint = WebhookEndpoint(
        position=position, url=url, events=sorted(settings.events),
        description=settings.description.strip()[:200],
        allow_private=settings.allow_private, secret=secret, created_by_id=actor.id)
    session.add(endpoint)
    session.flush()
    # No URL in the audit: it may carry the receiver's own token in its query.
    audit.record(session, actor, "webhook.created", endpoint, position_id=position.id,
                 events=endpoint.events, allow_private=endpoint.allow_private)
    return endpoint, secret


def rotate_secret(session: Session, endpoint: WebhookEndpoint, actor: User,
                  now: datetime | None = None) -> str:
    """A new secret; the old one keeps signing beside it for ROTATION_GRACE."""
    now = now or utcnow()
    secret = webhook_signatures.new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = now + ROTATION_GRACE
    endpoint.secret = secret
    endpoint.secret_created_at = now
    audit.record(session, actor, "webhook.secret_rotated", endpoint,
                 previous_valid_until=iso(endpoint.previous_secret_expires_at))
    return secret


def previous_secret_signs(endpoint: WebhookEndpoint, now: datetime | None = None) -> bool:
    """Whether the secret before the last rotation still signs (its grace period lasts)."""
    return len(secrets_in_use(endpoint, now or utcnow())) > 1


def set_active(session: Session, endpoint: WebhookEndpoint, active: bool, actor: User) -> None:
    endpoint.active = active
    endpoint.disabled_reason = ""
    audit.record(session, actor, "webhook.enabled" if active else "webhook.disabled", endpoint)


def delete_endpoint(session: Session, endpoint: WebhookEndpoint, actor: User) -> None:
    """Delete it and its delivery log; jobs still queued for it find nothing to send."""
    audit.record(session, actor, "webhook.deleted", endpoint, position_id=endpoint.position_id,
                 deliveries=len(endpoint.deliveries))
    session.delete(endpoint)


def send_test(session: Session, endpoint: WebhookEndpoint, actor: User) -> WebhookDelivery:
    """A ``webhook.test`` event to this endpoint only, through the queue like any other."""
    if not endpoint.active:
        raise WebhookError("Switch the endpoint on before sending it a test event.")
    delivery = _queue(session, endpoint, EventType.TEST, {
        "position": _position(endpoint.position), "endpoint_id": endpoint.id,
        "message": "A test event, sent by an admin from the webhooks page."})
    audit.record(session, actor, "webhook.test_sent", endpoint, delivery_id=delivery.id)
    return delivery


def redeliver(session: Session, delivery: WebhookDelivery, actor: User) -> None:
    """Send a failed delivery again, with its own id: a receiver can still tell a repeat."""
    if delivery.status is not DeliveryStatus.FAILED:
        raise WebhookError(f"Delivery {delivery.message_id} is {delivery.status.value}, "
                           "not failed, so it was left as it is.")
    if not delivery.endpoint.active:
        raise WebhookError("Switch the endpoint on before redelivering to it.")
    delivery.status = DeliveryStatus.PENDING
    job = session.get(Job, delivery.job_id) if delivery.job_id else None
    if job is not None and job.status is JobStatus.DEAD:
        jobs.retry(session, job, actor)  # off the dead-letter list, so it is not run twice
    else:
        _enqueue(session, delivery)
    audit.record(session, actor, "webhook.redelivered", delivery.endpoint,
                 delivery_id=delivery.id)


@dataclass(frozen=True)
class PositionEndpoints:
    position: Position
    endpoints: list[WebhookEndpoint]


def by_position(session: Session) -> list[PositionEndpoints]:
    """Every position, by title, with its endpoints (oldest first)."""
    found: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)):
        found.setdefault(endpoint.position_id, []).append(endpoint)
    return [PositionEndpoints(position, found.get(position.id, []))
            for position in session.scalars(select(Position).order_by(Position.title))]


@dataclass(frozen=True)
class LogLine:
    delivery: WebhookDelivery
    #: when the queue tries it next; None when it is not waiting for another attempt
    next_attempt_at: datetime | None


def delivery_log(session: Session, endpoint: WebhookEndpoint,
                 size: int = LOG_SIZE) -> list[LogLine]:
    """The newest deliveries of ``endpoint`` with their next attempt."""
    deliveries = list(session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id)
        .order_by(WebhookDelivery.id.desc()).limit(size)))
    waiting = _next_attempts(session, [d.job_id for d in deliveries if d.job_id
                                       and d.status in _WAITING])
    return [LogLine(d, waiting.get(d.job_id) if d.job_id else None) for d in deliveries]


_WAITING = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING)


def _next_attempts(session: Session, job_ids: Iterable[int]) -> dict[int, datetime]:
    ids = list(job_ids)
    if not ids:
        return {}
    rows = session.execute(select(Job.id, Job.next_attempt_at).where(
        Job.id.in_(ids), Job.status == JobStatus.PENDING))
    return {job_id: due_at for job_id, due_at in rows}


def event_choices() -> Sequence[tuple[str, str]]:
    return [(event.value, label) for event, label in EVENT_LABELS.items()]


def prune_log(session: Session, *, older_than: timedelta = LOG_KEPT,
              now: datetime | None = None) -> int:
    """Delete log lines of deliveries finished ``older_than`` ago: delivered ones by
    when they arrived, failed ones by their last attempt (long enough for an admin to
    redeliver). Waiting ones always stay. The caller commits."""
    cutoff = (now or utcnow()) - older_than
    return session.execute(delete(WebhookDelivery).where(
        ((WebhookDelivery.status == DeliveryStatus.DELIVERED)
         & (WebhookDelivery.delivered_at < cutoff))
        | ((WebhookDelivery.status == DeliveryStatus.FAILED)
           & (WebhookDelivery.last_attempt_at < cutoff)))).rowcount
