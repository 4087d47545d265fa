"""Voluntary self-identification and the adverse-impact report per position.

Self-identification is read only here, for HR's aggregate report: never for a
manager's page, a per-applicant PDF or an export of individual results.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import exists, false, func, select
from sqlalchemy.orm import Session, aliased

from screening.models import (
    Applicant,
    Invitation,
    JobOutcome,
    Outcome,
    Position,
    SelfIdentification,
    Submission,
    SubmissionStatus,
)
from screening.scoring.fairness import (
    CHARACTERISTICS,
    DEFAULT_MINIMUM_GROUP,
    NOT_ANSWERED,
    PREFER_NOT_TO_SAY,
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
    ImpactReport,
    adverse_impact,
)
from screening.services.exports import latest_decision_outcome
from screening.services.questionnaires import questionnaire_for


class SelectionBasis(enum.StrEnum):
    #: selected = the latest decision is "advance"; undecided applicants are left out.
    DECISION = "decision"
    #: selected = overall band at or above a chosen band.
    BAND = "band"
    #: the whole process, the Uniform Guidelines' "bottom line" (29 CFR 1607.4(C)): every
    #: applicant of the position, whether they finished the screen or not; selected = the
    #: latest decision is "advance" or they were hired (job outcomes were imported).
    BOTTOM_LINE = "bottom_line"


class FairnessError(Exception):
    """The report cannot be built with these settings; the message is shown as is."""


@dataclass(frozen=True)
class PositionImpact:
    position_id: int
    basis: SelectionBasis
    band_id: str | None
    minimum_group: int
    #: applicants counted in the report: submitted ones, or (bottom line) all who applied.
    applicants: int
    #: submitted applicants left out: no decision yet (decision basis only).
    undecided: int
    reports: tuple[ImpactReport, ...]
    #: the report is of simulated applicants (`flask demo`): there are no real ones yet.
    demo: bool = False


def save_self_identification(
    session: Session, submission: Submission, *, sex: str | None, race_ethnicity: str | None
) -> SelfIdentification:
    """Store (or replace) the applicant's answers; a blank answer means prefer not to say."""
    sex = sex or PREFER_NOT_TO_SAY
    race_ethnicity = race_ethnicity or PREFER_NOT_TO_SAY
    if sex not in SEX_CATEGORIES or race_ethnicity not in RACE_ETHNICITY_CATEGORIES:
        raise ValueError("not a self-identification category")
    row = session.scalar(
        select(SelfIdentification).where(SelfIdentification.submission_id == submission.id)
    )
    if row is None:
        row = SelfIdentification(submission_id=submission.id)
        session.add(row)
    row.sex = sex
    row.race_ethnicity = race_ethnicity
    session.flush()
    return row


def self_identification_of(session: Session, submission: Submission) -> SelfIdentification | None:
    return session.scalar(
        select(SelfIdentification).where(SelfIdentification.submission_id == submission.id)
    )


def band_choices(position: Position) -> list[tuple[str, str]]:
    """(band id, label) of the position's questionnaire, best band first."""
    questionnaire = questionnaire_for(position.questionnaire_version)
    return [(band.id, band.label) for band in questionnaire.bands]


def position_impact(
    session: Session,
    position: Position,
    *,
    basis: SelectionBasis = SelectionBasis.DECISION,
    band_id: str | None = None,
    minimum_group: int = DEFAULT_MINIMUM_GROUP,
    demo: bool = False,
) -> PositionImpact:
    """Adverse impact by sex and by race/ethnicity among the position's submitted applicants.

    Real applicants only; when a position has none but simulated ones, the report of
    those, marked as demo data (``demo``), so a first look shows how the page works.
    """
    if basis is SelectionBasis.BOTTOM_LINE:
        return _bottom_line(session, position, minimum_group, demo)
    band_rank: dict[str, int] = {}
    if basis is SelectionBasis.BAND:
        order = [band for band, _ in band_choices(position)]
        if band_id not in order:
            raise FairnessError("Choose one of the questionnaire's bands.")
        band_rank = {band: rank for rank, band in enumerate(order)}
    cut = band_rank.get(band_id or "", 0)

    statement = (
        select(
            Submission.band_id,
            latest_decision_outcome(),
            SelfIdentification.sex,
            SelfIdentification.race_ethnicity,
        )
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .outerjoin(SelfIdentification, SelfIdentification.submission_id == Submission.id)
        .where(
            Applicant.position_id == position.id,
            Submission.status == SubmissionStatus.SUBMITTED,
            Submission.synthetic.is_(demo),
        )
    )
    outcomes: dict[str, list[tuple[str, bool]]] = {name: [] for name in CHARACTERISTICS}
    undecided = 0
    for band, outcome, sex, race in session.execute(statement):
        if basis is SelectionBasis.DECISION:
            if outcome is None:
                undecided += 1
                continue
            selected = outcome == Outcome.ADVANCE
        else:
            selected = band in band_rank and band_rank[band] <= cut
        outcomes["sex"].append((sex or NOT_ANSWERED, selected))
        outcomes["race_ethnicity"].append((race or NOT_ANSWERED, selected))
    if not demo and not outcomes["sex"] and undecided == 0:
        shown = position_impact(session, position, basis=basis, band_id=band_id,
                                minimum_group=minimum_group, demo=True)
        if shown.applicants or shown.undecided:
            return shown
    reports = tuple(
        adverse_impact(name, rows, minimum_group=minimum_group)
        for name, rows in outcomes.items()
    )
    return PositionImpact(
        position_id=position.id,
        basis=basis,
        band_id=band_id if basis is SelectionBasis.BAND else None,
        minimum_group=minimum_group,
        applicants=len(outcomes["sex"]),
        undecided=undecided,
        reports=reports,
        demo=demo,
    )


def _bottom_line(
    session: Session, position: Position, minimum_group: int, demo: bool
) -> PositionImpact:
    """Adverse impact of the whole process: everyone who applied to the position (the
    latest attempt of a retake), selected when advanced by the latest decision or hired.

    Applicants who never submitted answered no self-identification: they are counted as
    undisclosed, so the figures compare the people who told their group.
    """
    retake = aliased(Applicant)
    hired = exists().where(JobOutcome.submission_id == Submission.id)
    statement = (
        select(latest_decision_outcome(), hired, Submission.status, SelfIdentification.sex,
               SelfIdentification.race_ethnicity)
        .select_from(Applicant)
        .outerjoin(Invitation, Invitation.applicant_id == Applicant.id)
        .outerjoin(Submission, Submission.invitation_id == Invitation.id)
        .outerjoin(SelfIdentification, SelfIdentification.submission_id == Submission.id)
        .where(
            Applicant.position_id == position.id,
            ~exists().where(retake.retake_of_id == Applicant.id),
            func.coalesce(Submission.synthetic, false()).is_(demo),
        )
    )
    outcomes: dict[str, list[tuple[str, bool]]] = {name: [] for name in CHARACTERISTICS}
    submitted = 0
    for outcome, was_hired, status, sex, race in session.execute(statement):
        selected = outcome == Outcome.ADVANCE or bool(was_hired)
        submitted += status == SubmissionStatus.SUBMITTED
        outcomes["sex"].append((sex or NOT_ANSWERED, selected))
        outcomes["race_ethnicity"].append((race or NOT_ANSWERED, selected))
    if not demo and submitted == 0:
        shown = _bottom_line(session, position, minimum_group, demo=True)
        if shown.applicants:
            return shown
    return PositionImpact(
        position_id=position.id,
        basis=SelectionBasis.BOTTOM_LINE,
        band_id=None,
        minimum_group=minimum_group,
        applicants=len(outcomes["sex"]),
        undecided=0,
        reports=tuple(adverse_impact(name, rows, minimum_group=minimum_group)
                      for name, rows in outcomes.items()),
        demo=demo,
    )
