"""Applicants' requests about their result: a person to review the decision, or an
explanation of how their answers were used. Made from the applicant's own link, answered
by HR from a staff page by a due date, and audited both ways."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session, joinedload

from screening.models import (
    Applicant,
    ApplicantRequest,
    Invitation,
    RequestKind,
    Submission,
    SubmissionStatus,
    User,
    position_managers,
    utcnow,
)
from screening.services import audit, messages

#: Longest message an applicant or an answer may hold; a page of text, not a file.
MESSAGE_MAX = 2000
ANSWER_MAX = 5000


class RequestError(Exception):
    """The request cannot be made or answered as asked; the message says why."""


def make_request(
    session: Session, submission: Submission, kind: RequestKind, message: str, *,
    answer_within_days: int,
) -> tuple[ApplicantRequest, bool]:
    """Record the applicant's request, audit it and tell HR; (request, made now).

    An open request of the same kind is returned as it is, so a resent form or a second
    click never asks HR twice.
    """
    if submission.status != SubmissionStatus.SUBMITTED:
        raise RequestError("requests can be made once the answers are submitted")
    waiting = session.scalar(
        select(ApplicantRequest).where(ApplicantRequest.submission_id == submission.id,
                                       ApplicantRequest.kind == kind,
                                       ApplicantRequest.answered_at.is_(None))
    )
    if waiting is not None:
        return waiting, False
    now = utcnow()
    request = ApplicantRequest(submission=submission, kind=kind, message=message.strip(),
                               created_at=now, due_at=now + timedelta(days=answer_within_days))
    session.add(request)
    session.flush()
    # Codes and ids only: the message is personal data and stays on the request row.
    audit.record(session, None, "applicant_request.received", submission,
                 request_id=request.id, kind=kind.value, due=request.due_at.date().isoformat())
    messages.queue_request_notices(session, request)
    return request, True


def answer_request(session: Session, request: ApplicantRequest, user: User, text: str) -> None:
    """Record HR's answer, audit it, and email it to the applicant."""
    now = utcnow()
    # A guarded update: of two people answering at once, one answer is recorded and sent.
    recorded = session.execute(
        update(ApplicantRequest)
        .where(ApplicantRequest.id == request.id, ApplicantRequest.answered_at.is_(None))
        .values(answer=text.strip(), answered_at=now, answered_by_id=user.id)
        .execution_options(synchronize_session=False)
    )
    if recorded.rowcount != 1:
        raise RequestError("This request was answered already; the answer shown is the one "
                           "sent.")
    session.refresh(request)
    audit.record(session, user, "applicant_request.answered", request.submission,
                 request_id=request.id, kind=request.kind.value,
                 late=request.answered_at > request.due_at)
    messages.queue_request_answer(session, request)


def requests_of(session: Session, submission: Submission) -> list[ApplicantRequest]:
    """One applicant's requests, newest first: the only ones their link shows."""
    return list(session.scalars(
        select(ApplicantRequest).where(ApplicantRequest.submission_id == submission.id)
        .order_by(ApplicantRequest.created_at.desc(), ApplicantRequest.id.desc())
    ))


def _visible(user: User) -> Select[tuple[ApplicantRequest]]:
    """Requests about applicants of positions ``user`` may see."""
    statement = (
        select(ApplicantRequest)
        .join(ApplicantRequest.submission)
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .options(joinedload(ApplicantRequest.submission).joinedload(Submission.invitation)
                 .joinedload(Invitation.applicant).joinedload(Applicant.position))
    )
    if not user.sees_all_positions:
        statement = statement.join(
            position_managers, position_managers.c.position_id == Applicant.position_id
        ).where(position_managers.c.user_id == user.id)
    return statement


def open_requests(session: Session, user: User) -> list[ApplicantRequest]:
    """Unanswered requests, the one due soonest first: overdue ones lead."""
    return list(session.scalars(
        _visible(user).where(ApplicantRequest.answered_at.is_(None))
        .order_by(ApplicantRequest.due_at, ApplicantRequest.id)
    ).unique())


def answered_requests(session: Session, user: User, *, limit: int = 50) -> list[ApplicantRequest]:
    """The most recently answered requests, for reference."""
    return list(session.scalars(
        _visible(user).where(ApplicantRequest.answered_at.is_not(None))
        .order_by(ApplicantRequest.answered_at.desc(), ApplicantRequest.id.desc()).limit(limit)
    ).unique())


def request_for(session: Session, user: User, request_id: int) -> ApplicantRequest | None:
    """One request ``user`` may see; None (a 404 for the view) for any other."""
    return session.scalars(_visible(user).where(ApplicantRequest.id == request_id)).first()
