"""Reads submissions for exports in batches, scoped to the user's positions."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.exports.results import SubmissionRecord
from screening.models import (
    OUTCOME_LABELS,
    Applicant,
    Decision,
    Invitation,
    Position,
    QuestionnaireVersion,
    Submission,
)

BATCH_SIZE = 500


def latest_decision_outcome():  # noqa: ANN201 - a correlated scalar subquery
    return (
        select(Decision.outcome)
        .where(Decision.submission_id == Submission.id)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def position_records(session: Session, position: Position) -> Iterator[SubmissionRecord]:
    """Every submission of ``position``, oldest first, read BATCH_SIZE rows at a time."""
    statement = (
        select(
            Submission.id,
            Applicant.name,
            Applicant.email,
            Position.title,
            QuestionnaireVersion.questionnaire_key,
            QuestionnaireVersion.content_hash,
            Submission.started_at,
            Submission.submitted_at,
            Submission.status,
            Submission.result,
            latest_decision_outcome(),
        )
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .join(Applicant.position)
        .join(Submission.questionnaire_version)
        .where(Position.id == position.id)
        .order_by(Submission.id)
        .execution_options(yield_per=BATCH_SIZE)
    )
    for row in session.execute(statement):
        outcome = row[10]
        yield SubmissionRecord(
            submission_id=row[0],
            applicant_name=row[1],
            applicant_email=row[2],
            position=row[3],
            questionnaire_version=f"{row[4]}@{row[5][:12]}",
            started_at=row[6],
            submitted_at=row[7],
            status=str(row[8]),
            result=row[9],
            decision=OUTCOME_LABELS[outcome] if outcome else "",
        )
