"""What managers record about a submission: free-text ratings and decisions."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.bank import Item, ResponseFormat
from screening.bank.model import RATING_MAX, RATING_MIN
from screening.models import (
    Decision,
    FreeTextRating,
    Outcome,
    Submission,
    SubmissionStatus,
    User,
)
from screening.services import audit, webhooks
from screening.services.questionnaires import questionnaire_for
from screening.services.results import store_result

DECISION_NOTE_MIN = 10
#: Raters this many points apart should talk it through before the mean counts.
DISAGREEMENT_TO_DISCUSS = 2


class RaterAgreement(enum.StrEnum):
    """How the ratings of one written answer compare; the page words each case."""

    SINGLE = "single"  # none or one rating: nothing to compare
    SAME = "same"
    CLOSE = "close"  # apart by less than DISAGREEMENT_TO_DISCUSS: the mean counts
    DISCUSS = "discuss"  # apart by DISAGREEMENT_TO_DISCUSS or more


class ReviewError(ValueError):
    """The rating or decision cannot be recorded; the message says why."""


def free_text_items(submission: Submission) -> list[Item]:
    questionnaire = questionnaire_for(submission.questionnaire_version)
    return [item for item in questionnaire.items if item.format is ResponseFormat.FREE_TEXT]


def rate_free_text(
    session: Session, submission: Submission, item_id: str, rater: User, rating: int
) -> FreeTextRating:
    """Record (or change) this rater's anchored rating and rescore the submission."""
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ReviewError("Only submitted answers can be rated.")
    if item_id not in {item.id for item in free_text_items(submission)}:
        raise ReviewError("That question has no written answer to rate.")
    if not RATING_MIN <= rating <= RATING_MAX:
        raise ReviewError(f"Ratings run from {RATING_MIN} to {RATING_MAX}.")
    existing = session.scalar(
        select(FreeTextRating).where(
            FreeTextRating.submission_id == submission.id,
            FreeTextRating.item_id == item_id,
            FreeTextRating.rater_id == rater.id,
        )
    )
    previous = existing.rating if existing else None
    if existing is None:
        existing = FreeTextRating(
            submission=submission, item_id=item_id, rater=rater, rating=rating
        )
        session.add(existing)
    else:
        existing.rating = rating
    session.flush()
    session.refresh(submission, ["ratings"])
    store_result(session, submission)
    webhooks.emit(session, submission.invitation.applicant.position_id,
                  webhooks.EventType.RESULT_RATED, webhooks.rated_data(submission, item_id))
    audit.record(
        session,
        rater,
        "free_text.rated",
        submission,
        item_id=item_id,
        rating=rating,
        previous=previous,
    )
    return existing


@dataclass(frozen=True)
class RaterView:
    """The ratings of one free-text answer, and whether the raters disagree."""

    item: Item
    text: str
    ratings: tuple[tuple[str, int], ...]  # (rater name, rating)
    mine: int | None

    @property
    def disagreement(self) -> int:
        """The distance between the highest and the lowest rating."""
        values = [rating for _, rating in self.ratings]
        return max(values) - min(values) if len(values) > 1 else 0

    @property
    def agreement(self) -> RaterAgreement:
        if len(self.ratings) < 2:
            return RaterAgreement.SINGLE
        if self.disagreement == 0:
            return RaterAgreement.SAME
        if self.disagreement < DISAGREEMENT_TO_DISCUSS:
            return RaterAgreement.CLOSE
        return RaterAgreement.DISCUSS


def rater_views(submission: Submission, viewer: User) -> list[RaterView]:
    answers = {answer.item_id: answer.response for answer in submission.answers}
    views = []
    for item in free_text_items(submission):
        ratings = sorted(
            ((r.rater.name, r.rating) for r in submission.ratings if r.item_id == item.id),
        )
        mine = next(
            (
                r.rating
                for r in submission.ratings
                if r.item_id == item.id and r.rater_id == viewer.id
            ),
            None,
        )
        views.append(
            RaterView(item, (answers.get(item.id) or {}).get("text") or "", tuple(ratings), mine)
        )
    return views


def record_decision(
    session: Session, submission: Submission, decided_by: User, outcome: Outcome, note: str
) -> Decision:
    if submission.status != SubmissionStatus.SUBMITTED:
        raise ReviewError("A decision can be recorded once the applicant has submitted.")
    note = note.strip()
    if len(note) < DECISION_NOTE_MIN:
        raise ReviewError(
            f"Please explain the decision in at least {DECISION_NOTE_MIN} characters."
        )
    decision = Decision(submission=submission, decided_by=decided_by, outcome=outcome, note=note)
    session.add(decision)
    session.flush()
    webhooks.emit(session, submission.invitation.applicant.position_id,
                  webhooks.EventType.DECISION_RECORDED, webhooks.decision_data(decision))
    audit.record(
        session,
        decided_by,
        "decision.recorded",
        submission,
        outcome=outcome.value,
        decision_id=decision.id,
    )
    return decision

