"""The applicant list of one position: filter, sort, search, paginate, with percentiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from screening import scoring
from screening.bank.model import DIMENSIONS
from screening.folding import folded
from screening.models import (
    Applicant,
    Decision,
    Invitation,
    Position,
    Submission,
    SubmissionStatus,
    utcnow,
)
from screening.reports.applicant import quality_messages
from screening.services import norms
from screening.services.invitations import InvitationStatus, status_of
from screening.services.periods import within_days
from screening.services.questionnaires import questionnaire_for
from screening.services.results import stored_result

PAGE_SIZE = 25

SORTS = {
    "name": Applicant.name,
    "submitted": Submission.submitted_at,
    "overall": Submission.overall_percent,
    **{dimension: getattr(Submission, f"{dimension}_percent") for dimension in DIMENSIONS},
}


@dataclass(frozen=True)
class ListQuery:
    search: str = ""
    status: str = ""
    band: str = ""
    submitted_from: date | None = None
    submitted_to: date | None = None
    sort: str = "submitted"
    descending: bool = True
    page: int = 1


@dataclass(frozen=True)
class ApplicantRow:
    applicant: Applicant
    invitation: Invitation | None
    submission: Submission | None
    status: InvitationStatus
    result: scoring.SubmissionResult | None
    percentiles: dict[str, float | None] = field(default_factory=dict)
    decision: str | None = None
    #: the response-quality flags in words (filled where a page shows them).
    quality_notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ApplicantPage:
    rows: list[ApplicantRow]
    total: int
    page: int
    pages: int
    norm_group_size: int


def _status_condition(status: str, now: datetime):
    submitted = Submission.status == SubmissionStatus.SUBMITTED
    not_submitted = or_(Submission.id.is_(None), Submission.status != SubmissionStatus.SUBMITTED)
    live = and_(Invitation.revoked_at.is_(None), Invitation.expires_at > now)
    return (
        {
            InvitationStatus.SUBMITTED: submitted,
            InvitationStatus.REVOKED: and_(not_submitted, Invitation.revoked_at.is_not(None)),
            InvitationStatus.EXPIRED: and_(
                not_submitted, Invitation.revoked_at.is_(None), Invitation.expires_at <= now
            ),
            InvitationStatus.STARTED: and_(Submission.status == SubmissionStatus.IN_PROGRESS, live),
            InvitationStatus.INVITED: and_(Submission.id.is_(None), live),
        }.get(InvitationStatus(status))
        if status in set(InvitationStatus)
        else None
    )


def _filtered(position: Position, query: ListQuery) -> Select[tuple[Applicant]]:
    statement = (
        select(Applicant)
        .outerjoin(Applicant.invitation)
        .outerjoin(Invitation.submission)
        .where(Applicant.position_id == position.id)
    )
    wanted = folded(query.search.strip())
    if wanted:
        statement = statement.where(Applicant.search_name.contains(wanted, autoescape=True))
    condition = _status_condition(query.status, utcnow())
    if condition is not None:
        statement = statement.where(condition)
    if query.band:
        statement = statement.where(Submission.band_id == query.band)
    return statement.where(
        *within_days(Submission.submitted_at, query.submitted_from, query.submitted_to))


def list_applicants(session: Session, position: Position, query: ListQuery) -> ApplicantPage:
    statement = _filtered(position, query)
    total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(query.page, 1), pages)
    column = SORTS.get(query.sort, Submission.submitted_at)
    order = column.desc().nulls_last() if query.descending else column.asc().nulls_last()
    applicants = session.scalars(
        statement.order_by(order, Applicant.id.desc())
        .limit(PAGE_SIZE)
        .offset((page - 1) * PAGE_SIZE)
        .options(selectinload(Applicant.invitation).selectinload(Invitation.submission))
    ).all()
    groups = _Groups(session, position)
    rows = [_row(applicant, groups) for applicant in applicants]
    return ApplicantPage(rows, total, page, pages, groups.of(False).size)


class _Groups:
    """The position's norm groups, read when a row needs one: real, and demo for demo rows."""

    def __init__(self, session: Session, position: Position) -> None:
        self._session, self._version = session, position.questionnaire_version
        self._groups: dict[bool, scoring.NormGroup] = {}

    def of(self, synthetic: bool) -> scoring.NormGroup:
        if synthetic not in self._groups:
            self._groups[synthetic] = norms.norm_group(self._session, self._version,
                                                       synthetic=synthetic)
        return self._groups[synthetic]


def _row(applicant: Applicant, groups: _Groups) -> ApplicantRow:
    invitation = applicant.invitation
    submission = invitation.submission if invitation else None
    result = stored_result(submission) if submission else None
    latest = submission.latest_decision if submission is not None else None
    decision = latest.outcome if latest is not None else None
    return ApplicantRow(
        applicant=applicant,
        invitation=invitation,
        submission=submission,
        status=status_of(invitation) if invitation else InvitationStatus.INVITED,
        result=result,
        percentiles=(groups.of(submission.synthetic).percentiles(result)
                     if result is not None and submission is not None else {}),
        decision=decision,
    )


def compare(
    session: Session, position: Position, submission_ids: Sequence[int]
) -> list[ApplicantRow]:
    """2 to 5 submissions of this position, side by side, in the order asked for."""
    found = session.scalars(
        select(Submission)
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .where(Applicant.position_id == position.id, Submission.id.in_(list(submission_ids)))
        .options(selectinload(Submission.decisions).selectinload(Decision.decided_by))
    ).all()
    by_id = {submission.id: submission for submission in found}
    groups = _Groups(session, position)
    rows = []
    for submission_id in submission_ids:
        if submission_id not in by_id:
            continue
        submission = by_id[submission_id]
        row = _row(submission.invitation.applicant, groups)
        if row.result is not None:
            questionnaire = questionnaire_for(submission.questionnaire_version)
            row = replace(row, quality_notes=quality_messages(questionnaire, row.result))
        rows.append(row)
    return rows
