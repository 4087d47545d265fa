"""Local validation per position and questionnaire version: the hired applicants' scores
next to the job outcomes HR imported, and the adverse impact of the whole process.

The figures are computed by the pure core (scoring/validity.py) from what is stored
once: the overall and dimension percents and the band on each submission, and the
keyed choices in its result's trace; nothing is rescored here. Who counts: submitted,
final results (scored, not provisional) with at least one imported outcome; per
outcome, the latest value imported (by date) is used. Real and demo applicants are
kept apart; a position whose only outcomes are simulated (`flask demo`) shows those,
marked as demo data.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.bank.model import DIMENSIONS
from screening.models import (
    Applicant,
    Invitation,
    JobOutcome,
    Position,
    QuestionnaireVersion,
    Submission,
    SubmissionStatus,
    User,
)
from screening.scoring.result import ResultStatus, SubmissionResult
from screening.scoring.validity import HiredRecord, ValidityReport, keyed_choices, validity_report
from screening.services import fairness
from screening.services.outcome_file import MEASURE_COLUMNS
from screening.services.positions import visible_positions
from screening.services.questionnaires import questionnaire_for

_DIMENSION_COLUMNS = {
    "warmth": Submission.warmth_percent,
    "common_sense": Submission.common_sense_percent,
    "respect": Submission.respect_percent,
}


@dataclass(frozen=True)
class VersionValidation:
    version: QuestionnaireVersion
    report: ValidityReport


@dataclass(frozen=True)
class PositionValidation:
    position: Position
    #: one report per questionnaire version the hired applicants answered, newest first.
    versions: tuple[VersionValidation, ...]
    #: the adverse impact of the whole process (screen, then decision).
    bottom_line: fairness.PositionImpact
    demo: bool


@dataclass(frozen=True)
class PositionOutcomeCount:
    position: Position
    #: hired applicants with a final result and at least one imported outcome (real ones).
    hired: int


def _final_results(position: Position, synthetic: bool) -> Any:
    return (
        select(Submission)
        .join(Submission.invitation).join(Invitation.applicant)
        .where(
            Applicant.position_id == position.id,
            Submission.status == SubmissionStatus.SUBMITTED,
            Submission.result_status == ResultStatus.SCORED.value,
            Submission.provisional.is_(False),
            Submission.overall_percent.is_not(None),
            Submission.synthetic.is_(synthetic),
            select(JobOutcome.id).where(JobOutcome.submission_id == Submission.id).exists(),
        )
        .order_by(Submission.id)
    )


def _latest_outcomes(session: Session, submission_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per submission, each measure's latest value imported (the newest date giving it)."""
    latest: dict[int, dict[str, Any]] = defaultdict(dict)
    if not submission_ids:
        return latest
    rows = session.scalars(
        select(JobOutcome).where(JobOutcome.submission_id.in_(submission_ids))
        .order_by(JobOutcome.submission_id, JobOutcome.recorded_on))
    for outcome in rows:
        for column in MEASURE_COLUMNS:
            value = getattr(outcome, column)
            if value is not None:
                latest[outcome.submission_id][column] = value
    return latest


def _reports(session: Session, position: Position, synthetic: bool
             ) -> tuple[VersionValidation, ...]:
    submissions = list(session.scalars(_final_results(position, synthetic)))
    outcomes = _latest_outcomes(session, [s.id for s in submissions])
    by_version: dict[int, list[Submission]] = defaultdict(list)
    for submission in submissions:
        by_version[submission.questionnaire_version_id].append(submission)
    reports = []
    for version_id in sorted(by_version, reverse=True):
        version = session.get(QuestionnaireVersion, version_id)
        assert version is not None  # a foreign key
        questionnaire = questionnaire_for(version)
        records = []
        for submission in by_version[version_id]:
            assert submission.result is not None and submission.overall_percent is not None
            result = SubmissionResult.from_dict(submission.result)
            records.append(HiredRecord(
                overall=submission.overall_percent,
                dimensions={d: float(getattr(submission, f"{d}_percent") or 0.0)
                            for d in DIMENSIONS},
                band_id=submission.band_id,
                outcomes=outcomes[submission.id],
                keyed_choices=keyed_choices(questionnaire, result),
            ))
        reports.append(VersionValidation(
            version, validity_report(questionnaire, records, demo=synthetic)))
    return tuple(reports)


def position_validation(
    session: Session, position: Position, *, minimum_group: int
) -> PositionValidation:
    """The validation figures of every questionnaire version the position's hires answered.

    Real applicants only; when none has an outcome but simulated ones do, those,
    marked as demo data.
    """
    versions = _reports(session, position, synthetic=False)
    demo = False
    if not versions:
        simulated = _reports(session, position, synthetic=True)
        if simulated:
            versions, demo = simulated, True
    bottom_line = fairness.position_impact(
        session, position, basis=fairness.SelectionBasis.BOTTOM_LINE,
        minimum_group=minimum_group)
    return PositionValidation(position, versions, bottom_line, demo)


def positions_with_outcomes(session: Session, user: User) -> list[PositionOutcomeCount]:
    """Every position the user may see, with how many real hires have outcomes."""
    counted = (
        select(Applicant.position_id, func.count(func.distinct(Submission.id)))
        .select_from(JobOutcome)
        .join(Submission, Submission.id == JobOutcome.submission_id)
        .join(Submission.invitation).join(Invitation.applicant)
        .where(Submission.synthetic.is_(False))
        .group_by(Applicant.position_id)
    )
    counts: dict[int, int] = {position_id: count for position_id, count in session.execute(counted)}
    return [PositionOutcomeCount(position, counts.get(position.id, 0))
            for position in session.scalars(visible_positions(user))]
