"""Greenhouse's Assessment Partner API, our side: list tests, send a test, test status.

Field names, shapes and the "complete" status follow Greenhouse's published spec
(developers.greenhouse.io/assessment.html). A "test" is one of our open positions (its
questionnaire): ``partner_test_id`` is the position's id as text, stable for its life.
A sent test is an invitation made exactly as a manager's (services.invitations, the
invitation email queued through the outbox), recorded on an ``AtsRequest`` whose random
``public_id`` is the ``partner_interview_id`` Greenhouse keeps.

The spec defines no error body; ours is ``{"errors": [...]}``, the shape of the spec's
own ``response_error`` request, with the HTTP status saying what kind of error it is.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.formatting import iso
from screening.ids import parse_id
from screening.models import AtsConnection, AtsRequest, Position
from screening.services import ats_connections, audit, destinations, invitations, messages
from screening.services import reports as report_service
from screening.single_line import one_line_refusal, unsafe_characters

#: Greenhouse stops polling when it reads this (spec: "this value should be 'complete'").
COMPLETE = "complete"
MAX_NAME_LENGTH = 200
MAX_URL_LENGTH = 2000


class PartnerError(Exception):
    """A request we refuse; ``status`` is the HTTP status, the messages say why."""

    def __init__(self, status: int, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.status = status
        self.messages = list(messages)


def test_name(position: Position) -> str:
    return f"{position.title} — {position.questionnaire_version.title}"


def list_tests(session: Session, connection: AtsConnection) -> list[dict[str, str]]:
    """The spec's list: ``[{"partner_test_id", "partner_test_name"}]``, one per position."""
    return [{"partner_test_id": str(position.id), "partner_test_name": test_name(position)}
            for position in ats_connections.usable_positions(session, connection)]


@dataclass(frozen=True)
class SendTestRequest:
    partner_test_id: str
    name: str
    email: str
    callback_url: str


def _text(body: dict[str, Any], name: str, errors: list[str], where: str = "") -> str:
    value = body.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)  # the spec's own example sends partner_test_id as a number
    if not isinstance(value, str) or not value.strip():
        errors.append(f"{where}{name} is required and must be a string.")
        return ""
    if "\x00" in value:  # PostgreSQL cannot store it, and no real name or URL holds one
        errors.append(f"{where}{name} contains a NUL character.")
        return ""
    return value.strip()


def parse_send_test(body: Any, *, allow_loopback_http: bool) -> SendTestRequest:
    """Check a send_test body as the spec defines it; every problem is listed."""
    if not isinstance(body, dict):
        raise PartnerError(400, "The body must be a JSON object (Content-Type: "
                                "application/json).")
    errors: list[str] = []
    test_id = _text(body, "partner_test_id", errors)
    candidate = body.get("candidate")
    if not isinstance(candidate, dict):
        errors.append("candidate is required and must be an object.")
        candidate = {}
    first = _text(candidate, "first_name", errors, "candidate.")
    last = _text(candidate, "last_name", errors, "candidate.")
    email = _text(candidate, "email", errors, "candidate.")
    _text(candidate, "greenhouse_profile_url", errors, "candidate.")
    url = _text(body, "url", errors)
    name = f"{first} {last}".strip()
    if len(name) > MAX_NAME_LENGTH:
        errors.append(f"The candidate's name is longer than {MAX_NAME_LENGTH} characters.")
    elif unsafe := unsafe_characters(name):
        errors.append(one_line_refusal("candidate's name", unsafe))
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            errors.append(f"candidate.email is not a valid email address: {error}")
    if url:
        if len(url) > MAX_URL_LENGTH:
            errors.append(f"url is longer than {MAX_URL_LENGTH} characters.")
        else:
            try:
                destinations.parse(url, allow_loopback_http=allow_loopback_http)
            except destinations.UnsafeDestination as error:
                errors.append(f"url cannot receive the completion callback: {error}")
    if errors:
        raise PartnerError(400, *errors)
    return SendTestRequest(test_id, name, email, url)


@dataclass(frozen=True)
class SentTest:
    request: AtsRequest
    #: False when this Greenhouse test was sent before: nothing new was made.
    created: bool


def _callback_key(url: str) -> str:
    return hashlib.sha256(url.encode("utf-8")).hexdigest()


def _sent_before(session: Session, connection: AtsConnection, key: str) -> AtsRequest | None:
    return session.scalar(select(AtsRequest).where(AtsRequest.connection_id == connection.id,
                                                   AtsRequest.callback_key == key))


def _usable_position(session: Session, connection: AtsConnection,
                     partner_test_id: str) -> Position:
    position_id = parse_id(partner_test_id)
    for position in ats_connections.usable_positions(session, connection):
        if position.id == position_id:
            return position
    # The same answer for a test that does not exist and one this connection may not use.
    raise PartnerError(404, f"There is no test {partner_test_id!r} for this API key; "
                            "list_tests gives the tests it may send.")


def send_test(session: Session, connection: AtsConnection, sent: SendTestRequest, *,
              valid_days: int) -> SentTest:
    """Invite the candidate to the position, once per Greenhouse test.

    Greenhouse names each test it sends by the callback ``url`` it gives (one per
    candidate's test), so a repeat of that url, a retry after a lost answer, returns the
    first ``partner_interview_id`` and makes no second invitation.
    """
    key = _callback_key(sent.callback_url)
    existing = _sent_before(session, connection, key)
    if existing is not None:
        return SentTest(existing, created=False)
    position = _usable_position(session, connection, sent.partner_test_id)
    try:
        with session.begin_nested():
            invitation = invitations.invite(session, position, name=sent.name,
                                            email=sent.email, valid_days=valid_days)
            row = AtsRequest(public_id=secrets.token_urlsafe(24), connection_id=connection.id,
                             invitation_id=invitation.id,
                             partner_test_id=sent.partner_test_id,
                             callback_url=sent.callback_url, callback_key=key)
            session.add(row)
    except IntegrityError:
        # The same test sent twice at once: the other request made it; answer with its id.
        existing = _sent_before(session, connection, key)
        if existing is None:
            raise
        return SentTest(existing, created=False)
    audit.record(session, None, "greenhouse.test_sent", invitation,
                 connection_id=connection.id, ats_request_id=row.id, position_id=position.id)
    messages.queue_invitation(session, invitation)
    return SentTest(row, created=True)


def test_status(session: Session, connection: AtsConnection, partner_interview_id: str, *,
                pdf_link: Callable[[int], str]) -> dict[str, Any]:
    """The spec's status object for one sent test.

    Until the applicant submits, ``partner_status`` is our invitation's state (invited,
    started, expired, revoked). Once submitted it is "complete", with the overall result
    as advisory text and the band from the one applicant report model (never recomputed
    here), and ``partner_profile_url`` the summary PDF, which asks for a staff sign-in.
    No ``partner_score``: a bare number invites sorting and cut-offs in the ATS, and the
    screen must never be the sole basis of a decision.
    """
    row = session.scalar(select(AtsRequest).where(
        AtsRequest.public_id == partner_interview_id,
        AtsRequest.connection_id == connection.id))
    if row is None:
        raise PartnerError(404, "There is no test with this partner_interview_id for this "
                                "API key.")
    invitation = row.invitation
    state = invitations.status_of(invitation)
    if state is not invitations.InvitationStatus.SUBMITTED:
        return {"partner_status": state.value}
    submission = invitation.submission
    assert submission is not None  # SUBMITTED means there is one
    report = report_service.applicant_report(session, submission)
    return {
        "partner_status": COMPLETE,
        "partner_profile_url": pdf_link(submission.id),
        # The spec: "A non-nested object ... All of the values must be Javascript primitives."
        "metadata": {
            "Result": report.band_line,
            "Band": report.band_label,
            "Status": report.status_label,
            "Advisory": report.decision_support,
            "Completed At": iso(submission.submitted_at),
        },
    }
