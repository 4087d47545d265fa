"""The applicant's path through a questionnaire: start, autosave, resume, submit once."""

from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening import scoring
from screening.bank import Item, Questionnaire
from screening.bank.ordering import item_order, option_order
from screening.models import (
    Answer,
    Invitation,
    Submission,
    SubmissionStatus,
    utcnow,
)
from screening.services.questionnaires import questionnaire_for
from screening.services.results import store_result, stored_answers

#: Extra time after the stated limit: a slow connection must not cost the last answer.
TIME_LIMIT_GRACE = timedelta(seconds=60)


class LinkState(enum.StrEnum):
    OPEN = "open"
    EXPIRED = "expired"
    REVOKED = "revoked"
    SUBMITTED = "submitted"


class JourneyError(Exception):
    """The applicant cannot do this now; the message is shown to them."""


def invitation_by_token(session: Session, token: str) -> Invitation | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(select(Invitation).where(Invitation.token == token))


def link_state(invitation: Invitation, now: datetime | None = None) -> LinkState:
    now = now or utcnow()
    submission = invitation.submission
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        return LinkState.SUBMITTED
    if invitation.revoked_at is not None:
        return LinkState.REVOKED
    if invitation.expires_at <= now and submission is None:
        return LinkState.EXPIRED
    return LinkState.OPEN


def start(session: Session, invitation: Invitation, language: str = "en") -> Submission:
    """The invitation's submission, created on consent; a second start returns the first."""
    if invitation.submission is not None:
        return invitation.submission
    version = invitation.applicant.position.questionnaire_version
    questionnaire = questionnaire_for(version)
    now = utcnow()
    submission = Submission(
        # ids, not relationships: the row must not join the session before the savepoint.
        invitation_id=invitation.id,
        questionnaire_version_id=version.id,
        language=language,
        order_seed=secrets.randbits(31),
        consented_at=now,
        started_at=now,
        deadline_at=(
            now + timedelta(minutes=questionnaire.time_limit_minutes)
            if questionnaire.time_limit_minutes
            else None
        ),
    )
    try:
        with session.begin_nested():
            session.add(submission)
    except IntegrityError:
        # Two tabs consented at once: the unique invitation_id let only one through.
        pass
    session.expire(invitation, ["submission"])
    existing = invitation.submission
    assert existing is not None
    return existing


@dataclass(frozen=True)
class Sequence:
    """What the applicant sees, in their own stored order."""

    questionnaire: Questionnaire
    items: tuple[Item, ...]
    seed: int

    def options(self, item: Item) -> tuple[str, ...]:
        return option_order(self.questionnaire, item, self.seed)

    def position_of(self, item_id: str) -> int:
        return next(i for i, item in enumerate(self.items) if item.id == item_id)


def sequence_for(submission: Submission) -> Sequence:
    questionnaire = questionnaire_for(submission.questionnaire_version)
    order = item_order(questionnaire, submission.order_seed)
    return Sequence(
        questionnaire, tuple(questionnaire.item(i) for i in order), submission.order_seed
    )


def first_unanswered(submission: Submission) -> int | None:
    """Index of the first item without an answer, where a resumed sitting continues."""
    answers = stored_answers(submission)
    for index, item in enumerate(sequence_for(submission).items):
        answer = answers.get(item.id)
        if answer is None or not answer.is_answered(item):
            return index
    return None


def time_is_up(submission: Submission, now: datetime | None = None) -> bool:
    if submission.deadline_at is None:
        return False
    return (now or utcnow()) > submission.deadline_at + TIME_LIMIT_GRACE


def save_answer(session: Session, submission: Submission, answer: scoring.Answer) -> Answer:
    """Store (or replace) one answer; frozen after submit, refused after the time limit."""
    if submission.status == SubmissionStatus.SUBMITTED:
        raise JourneyError("Your answers were already submitted and can no longer change.")
    if time_is_up(submission):
        raise JourneyError("The time for this questionnaire has run out.")
    row = session.scalar(
        select(Answer).where(Answer.submission_id == submission.id, Answer.item_id == answer.item_id)
    )
    # Time on an item accumulates across visits (back and next), for response-quality flags.
    seconds = (answer.seconds or 0.0) + ((row.seconds or 0.0) if row is not None else 0.0)
    response = replace(answer, seconds=round(seconds, 2)).to_dict()
    if row is None:
        row = Answer(submission=submission, item_id=answer.item_id, response=response)
        session.add(row)
    else:
        row.response = response
    row.seconds = round(seconds, 2)
    session.flush()
    return row


def submit(session: Session, submission: Submission) -> bool:
    """Freeze and score the submission; True if this call submitted it, False if done before."""
    # Lock the row so two simultaneous submits (two tabs, a retry) serialise on PostgreSQL;
    # on SQLite the IMMEDIATE transaction already holds the write lock.
    locked = session.scalar(
        select(Submission).where(Submission.id == submission.id).with_for_update()
    )
    assert locked is not None
    session.refresh(locked)
    if locked.status == SubmissionStatus.SUBMITTED:
        return False
    locked.status = SubmissionStatus.SUBMITTED
    locked.submitted_at = utcnow()
    store_result(session, locked)
    return True
