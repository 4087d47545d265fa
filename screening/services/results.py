"""Scoring stored submissions: one path for submit, rating, rescore and reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from screening import scoring
from screening.models import Submission, SubmissionStatus
from screening.services.questionnaires import questionnaire_for


def stored_answers(submission: Submission) -> dict[str, scoring.Answer]:
    return {row.item_id: scoring.Answer.from_dict(row.response) for row in submission.answers}


def agreed_free_text_ratings(submission: Submission) -> dict[str, int]:
    """One rating per free-text item: the raters' mean, rounded half up (3 and 4 give 4)."""
    by_item: dict[str, list[int]] = defaultdict(list)
    for rating in submission.ratings:
        by_item[rating.item_id].append(rating.rating)
    return {
        item_id: int((Decimal(sum(values)) / len(values)).quantize(Decimal(1), ROUND_HALF_UP))
        for item_id, values in by_item.items()
    }


def derive_result(submission: Submission, method: int | None = None) -> scoring.SubmissionResult:
    """Score a submission from its frozen snapshot, its answers and its ratings.

    With the method its stored result was made with (else its questionnaire's): old
    results keep their rules. ``method`` asks what another method would make of it.
    """
    if method is None and submission.scoring_method is not None:
        method = submission.scoring_method
    return scoring.score_submission(
        questionnaire_for(submission.questionnaire_version),
        stored_answers(submission),
        agreed_free_text_ratings(submission),
        method=method,
    )


def store_result(session: Session, submission: Submission) -> scoring.SubmissionResult:
    result = derive_result(submission)
    submission.result = result.to_dict()
    submission.overall_percent = result.overall
    for dimension in result.dimensions:
        setattr(submission, f"{dimension.dimension}_percent", dimension.percent)
    submission.band_id = result.band.id if result.band is not None else None
    submission.result_status = result.status.value
    submission.scoring_method = result.method
    submission.provisional = result.provisional
    session.flush()
    return result


def stored_result(submission: Submission) -> scoring.SubmissionResult | None:
    if submission.result is None:
        return None
    return scoring.SubmissionResult.from_dict(submission.result)


BATCH = 500


@dataclass(frozen=True)
class Difference:
    submission_id: int
    field: str
    stored: object
    derived: object


def rescore_differences(
    session: Session, method: int | None = None
) -> Iterator[tuple[int, list[Difference]]]:
    """For every submitted submission, the top-level result fields that no longer agree.

    Each is re-derived with its own method unless ``method`` is given (what would the
    current rules change?)."""
    statement = (
        select(Submission)
        .where(Submission.status == SubmissionStatus.SUBMITTED)
        .order_by(Submission.id)
        .options(selectinload(Submission.answers), selectinload(Submission.ratings))
        .execution_options(yield_per=BATCH)
    )
    for submission in session.scalars(statement):
        derived = derive_result(submission, method).to_dict()
        stored = submission.result or {}
        differences = [
            Difference(submission.id, key, stored.get(key), derived.get(key))
            for key in sorted(set(stored) | set(derived))
            if stored.get(key) != derived.get(key)
        ]
        yield submission.id, differences
