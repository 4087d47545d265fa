"""The completion callback owed to Greenhouse when an applicant it sent us submits.

Greenhouse's Assessment Partner API ("PATCH - Mark Test as Completed"): "When a
candidate completes a test, send this request to the URL sent in the initial Send Test
request to signal Greenhouse that the test has been completed. Upon this, Greenhouse
will send a request to your Test Status endpoint." The request is ``PATCH <url>`` with
``Authorization: Basic <the customer's API key and a colon, Base64>`` (the header of the
spec's example, the same as Greenhouse sends us) and "no parameters": an empty body.

The job is queued in the submit's own transaction, so a submission that rolls back owes
nothing, and runs in the background (services.jobs), retried with back-off until a 2xx.
Each attempt is recorded on the request row (committed before a failure is raised, so
the count survives the runner's rollback).
"""

from __future__ import annotations

import base64
import http.client
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.models import AtsRequest, Job, Submission, utcnow
from screening.services import ats_connections, destinations, jobs

KIND = "greenhouse.callback"
#: Greenhouse's answer is only a status code; a slow one is retried, not waited on.
TIMEOUT_SECONDS = 10.0


def _describe(payload: Mapping[str, Any]) -> str:
    return f"Greenhouse completion callback for ATS request {payload.get('ats_request_id')}"


def queue_completion_callback(session: Session, submission: Submission) -> Job | None:
    """In the submit's transaction: the callback, if an ATS sent this applicant's test."""
    request_id = session.scalar(select(AtsRequest.id)
                                .where(AtsRequest.invitation_id == submission.invitation_id))
    if request_id is None:
        return None
    return jobs.enqueue(session, KIND, {"ats_request_id": request_id},
                        dedupe_key=f"{KIND}:{request_id}")


def basic_authorization(key: str) -> str:
    """The spec's header: the API key as the user name, an empty password."""
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode("ascii")


@jobs.handler(KIND, max_attempts=12, describe=_describe)
def deliver(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    """PATCH the callback URL; a 2xx is done, anything else is tried again later."""
    row = session.get(AtsRequest, job.payload.get("ats_request_id"))
    if row is None:
        raise jobs.GiveUp("the ATS request is gone")
    if row.callback_delivered_at is not None:
        return  # delivered by an earlier attempt whose "done" was never recorded
    connection = row.connection
    if connection.revoked_at is not None:
        raise jobs.GiveUp(f"the ATS connection {connection.name!r} was revoked")
    try:
        key = ats_connections.callback_key(connection, config["SECRET_KEY"])
    except ats_connections.KeyNoLongerDerivable as error:
        raise jobs.GiveUp(str(error)) from None
    row.callback_attempts += 1
    row.callback_last_at = utcnow()
    try:
        answer = destinations.send(
            "PATCH", row.callback_url, b"", {"Authorization": basic_authorization(key)},
            timeout=TIMEOUT_SECONDS,
            allow_loopback_http=bool(config.get("ATS_ALLOW_LOOPBACK_HTTP")))
    except destinations.UnsafeDestination as error:
        row.callback_last_status = 0
        session.commit()
        raise jobs.GiveUp(f"refused to call the callback URL: {error}") from None
    except (OSError, http.client.HTTPException) as error:
        row.callback_last_status = 0
        session.commit()
        raise jobs.RetryLater(f"Greenhouse could not be reached: {error}") from None
    row.callback_last_status = answer.status
    if 200 <= answer.status < 300:
        row.callback_delivered_at = utcnow()
        return
    session.commit()
    raise jobs.RetryLater(f"Greenhouse answered {answer.status}",
                          after=_retry_after(answer.headers.get("retry-after")))


def _retry_after(header: str | None) -> timedelta | None:
    """A Retry-After in seconds (a 429 or 503), capped at a day; dates are left to back-off."""
    if header and header.strip().isascii() and header.strip().isdigit():
        return timedelta(seconds=min(int(header.strip()), 86_400))
    return None
