"""Re-derive every stored result from its frozen snapshot and report any difference."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from screening.models import Submission, SubmissionStatus
from screening.services.results import derive_result

BATCH = 500


@dataclass(frozen=True)
class Difference:
    submission_id: int
    field: str
    stored: object
    derived: object


def rescore_differences(session: Session) -> Iterator[tuple[int, list[Difference]]]:
    """For every submitted submission, the top-level result fields that no longer agree."""
    statement = (
        select(Submission)
        .where(Submission.status == SubmissionStatus.SUBMITTED)
        .order_by(Submission.id)
        .options(selectinload(Submission.answers), selectinload(Submission.ratings))
        .execution_options(yield_per=BATCH)
    )
    for submission in session.scalars(statement):
        derived = derive_result(submission).to_dict()
        stored = submission.result or {}
        differences = [
            Difference(submission.id, key, stored.get(key), derived.get(key))
            for key in sorted(set(stored) | set(derived))
            if stored.get(key) != derived.get(key)
        ]
        yield submission.id, differences
