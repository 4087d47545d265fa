"""The ``webhook.deliver`` job: send one delivery, signed at send time, and log the attempt.

Idempotent: a delivery already delivered is not sent again. Every attempt carries the
delivery's one ``webhook-id``, so a receiver can drop a repeat (a worker that died after
sending but before recording it makes the job run again: at least once, never lost).

The URL is checked again on every attempt (services.destinations): an address that turned
private since it was saved is refused. The answer decides what happens next, as the
Standard Webhooks spec suggests: 2xx delivered; 410 Gone switches the endpoint off; any
other answer, a timeout or a refused connection is tried again with back-off (honouring
Retry-After); a refused address gives up at once, with the reason for the admin.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from sqlalchemy.orm import Session

from screening.models import DeliveryStatus, Job, WebhookDelivery, WebhookEndpoint, utcnow
from screening.services import destinations, jobs, webhook_signatures

DELIVER_KIND = "webhook.deliver"
#: With the back-off of services.jobs (30 s doubling, capped at 6 h): about 32 hours of
#: tries, so a receiver down for a day still gets every event.
MAX_ATTEMPTS = 14
TIMEOUT_SECONDS = 10.0
#: How long a receiver may ask us to wait (Retry-After) before the back-off cap applies.
LONGEST_RETRY_AFTER = timedelta(hours=6)


def secrets_in_use(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    """The current secret, and the previous one while its grace period lasts."""
    found = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        found.append(endpoint.previous_secret)
    return found


def body_of(payload: Mapping[str, Any], base_url: str) -> bytes:
    """The JSON sent: the stored envelope with its links made absolute on BASE_URL."""
    envelope = dict(payload)
    data = dict(envelope.get("data") or {})
    if isinstance(data.get("links"), dict):
        base = base_url.rstrip("/")
        data["links"] = {name: base + path for name, path in data["links"].items()}
    envelope["data"] = data
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A Retry-After header (seconds or an HTTP date) as a wait, capped; None if absent."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        wait = timedelta(seconds=int(value))
    else:
        try:
            wait = parsedate_to_datetime(value) - now
        except (TypeError, ValueError):
            return None
    return min(max(wait, timedelta()), LONGEST_RETRY_AFTER)


def _describe(payload: Mapping[str, Any]) -> str:
    return f"webhook delivery {payload.get('delivery_id')}"


@jobs.handler(DELIVER_KIND, max_attempts=MAX_ATTEMPTS, describe=_describe)
def deliver(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    delivery = session.get(WebhookDelivery, job.payload["delivery_id"])
    if delivery is None or delivery.status is DeliveryStatus.DELIVERED:
        return  # deleted with its endpoint, or done by an earlier run of this job
    endpoint = delivery.endpoint
    if not endpoint.active:
        _finish(delivery, DeliveryStatus.FAILED, "Not sent: the endpoint is switched off.")
        return
    now = utcnow()
    body = body_of(delivery.payload, config["BASE_URL"])
    headers = webhook_signatures.headers(secrets_in_use(endpoint, now), delivery.message_id,
                                         int(now.timestamp()), body)
    url, allow_private = endpoint.url, endpoint.allow_private
    last_try = job.attempts >= job.max_attempts
    delivery.attempts += 1
    delivery.last_attempt_at = now
    # Record the attempt before the call: it survives a worker killed mid-send, and no
    # transaction (on SQLite, the write lock) stays open while the other side answers.
    session.commit()
    try:
        answer = destinations.send(
            "POST", url, body, headers, timeout=TIMEOUT_SECONDS, allow_private=allow_private,
            allow_loopback_http=bool(config.get("WEBHOOKS_ALLOW_LOOPBACK_HTTP")))
    except destinations.UnsafeDestination as refused:
        _fail(session, delivery, None, str(refused), "", final=True)
        raise jobs.GiveUp(str(refused)) from None
    except (OSError, http.client.HTTPException) as error:
        reason = f"Could not reach the endpoint: {error or type(error).__name__}"
        _fail(session, delivery, None, reason, "", final=last_try)
        raise jobs.RetryLater(reason) from None
    if 200 <= answer.status < 300:
        _record(delivery, answer.status, "", answer.body_excerpt)
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = utcnow()
        return
    if answer.status == 410:
        reason = "The endpoint answered 410 Gone, so it was switched off."
        endpoint.active = False
        endpoint.disabled_reason = reason
        _record(delivery, answer.status, reason, answer.body_excerpt)
        delivery.status = DeliveryStatus.FAILED
        return
    reason = f"The endpoint answered {answer.status}."
    _fail(session, delivery, answer.status, reason, answer.body_excerpt, final=last_try)
    raise jobs.RetryLater(reason, after=retry_after(answer.headers.get("retry-after"), now))


def _record(delivery: WebhookDelivery, status_code: int | None, error: str,
            answer: str) -> None:
    delivery.last_status_code = status_code
    delivery.last_error = error[:1000]
    delivery.last_answer = answer


def _finish(delivery: WebhookDelivery, status: DeliveryStatus, reason: str) -> None:
    delivery.status = status
    delivery.last_error = reason


def _fail(session: Session, delivery: WebhookDelivery, status_code: int | None, error: str,
          answer: str, *, final: bool) -> None:
    """Log a failed attempt and commit it: the runner rolls back what the handler left."""
    _record(delivery, status_code, error, answer)
    delivery.status = DeliveryStatus.FAILED if final else DeliveryStatus.RETRYING
    session.commit()
