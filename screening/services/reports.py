"""PDF reports from stored submissions: build the content, render it, cache the bytes.

The content comes from the stored result (what the engine derived at submit or
rating time), the frozen questionnaire snapshot it was scored against, and the
norm group and reliability figures of that questionnaire version (services.norms). The
applicant summary and the applicant's own feedback PDF are cached in the
``report_cache`` table, shared by every app server, each under a key that changes
whenever anything printed in it could change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from screening import database, scoring
from screening.formatting import iso
from screening.models import (
    OUTCOME_LABELS,
    Applicant,
    Invitation,
    Position,
    ReportCache,
    Submission,
    SubmissionStatus,
    utcnow,
)
from screening.reports import batch, render
from screening.reports.applicant import (
    ApplicantFacts,
    ApplicantReport,
    RecordedDecision,
    build_applicant_report,
)
from screening.reports.cohort import CohortEntry, CohortReport, build_cohort_report
from screening.reports.feedback import Feedback
from screening.reports.pdf import RENDER_TIME_LIMIT_SECONDS
from screening.services import applicants, integrity
from screening.services import norms as norm_service
from screening.services.questionnaires import questionnaire_for
from screening.services.results import stored_result

#: More chosen applicants than this would be a listing, not a comparison.
MAX_COMPARE = 20
#: ReportCache.kind of each cached report of a submission (one of each is kept).
APPLICANT_KIND = "applicant"
#: the full record: every answer's trace and the methodology, downloaded apart.
RECORD_KIND = "record"
FEEDBACK_KIND = "feedback"


class ReportUnavailable(LookupError):
    """There is nothing to report: not submitted yet, or not part of this position."""


@dataclass(frozen=True)
class ReportFile:
    pdf: bytes
    filename: str
    #: served from the shared cache rather than rendered for this request.
    cached: bool


# -- the applicant summary --------------------------------------------------------------


def _facts(submission: Submission) -> ApplicantFacts:
    applicant = submission.invitation.applicant
    return ApplicantFacts(
        submission_id=submission.id,
        applicant_name=applicant.name,
        position_title=applicant.position.title,
        position_location=applicant.position.location,
        started_at=submission.started_at,
        submitted_at=submission.submitted_at,
        synthetic=submission.synthetic,
        order_seed=submission.order_seed,
        language=submission.language,
        adjustment=submission.adjustment or "",
    )


def _decision(submission: Submission) -> RecordedDecision | None:
    """The latest decision as plain data; its wording is the manager's (OUTCOME_LABELS)."""
    decision = submission.latest_decision
    if decision is None:
        return None
    return RecordedDecision(
        outcome=decision.outcome.value,
        label=OUTCOME_LABELS[decision.outcome],
        decided_by=decision.decided_by.name,
        decided_at=decision.created_at,
        note=decision.note,
    )


def _submitted_result(submission: Submission) -> scoring.SubmissionResult:
    result = stored_result(submission)
    if submission.status != SubmissionStatus.SUBMITTED or result is None:
        raise ReportUnavailable("this applicant has not submitted yet")
    return result


def applicant_report(
    session: Session,
    submission: Submission,
    *,
    norms: scoring.NormGroup | None = None,
    psychometrics: scoring.PsychometricReport | None = None,
    generated_at: datetime | None = None,
) -> ApplicantReport:
    """The summary's content; pass ``norms``/``psychometrics`` to share them across reports."""
    result = _submitted_result(submission)
    version = submission.questionnaire_version
    if norms is None:
        norms = norm_service.norm_group(session, version, synthetic=submission.synthetic)
    if psychometrics is None:
        psychometrics = norm_service.psychometrics(session, version,
                                                   synthetic=submission.synthetic)
    return build_applicant_report(
        facts=_facts(submission),
        questionnaire=questionnaire_for(version),
        result=result,
        norms=norms,
        psychometrics=psychometrics,
        generated_at=generated_at or utcnow(),
        decision=_decision(submission),
        integrity=integrity.summary(session, submission.id),
    )


def applicant_cache_key(
    session: Session, submission: Submission, page_size: str, kind: str = APPLICANT_KIND
) -> str:
    """sha256 over everything the summary (or, by ``kind``, the full record) prints.

    Kind, submission, questionnaire snapshot, stored result, template version and
    page size, as the shared cache was designed; plus the printed facts (so an
    erased or corrected name is never served from the cache), the norm group's
    fingerprint (so percentiles and reliability are never stale), the recorded
    decision with who made it and when (the summary's first page carries it) and
    the integrity counts printed beside response quality.
    """
    facts = _facts(submission)
    decision = _decision(submission)
    payload = {
        "kind": kind,
        "submission": submission.id,
        "snapshot": submission.questionnaire_version.content_hash,
        "result": hashlib.sha256(
            json.dumps(submission.result, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest(),
        "template": render.template_version(),
        "page_size": render.page_size_css(page_size),
        "facts": [facts.applicant_name, facts.position_title, facts.position_location,
                  iso(facts.started_at), iso(facts.submitted_at), facts.synthetic,
                  facts.order_seed, facts.language, facts.adjustment],
        "decision": None if decision is None else [
            decision.outcome, decision.decided_by, iso(decision.decided_at), decision.note],
        "norms": norm_service.fingerprint(session, submission.questionnaire_version,
                                          synthetic=submission.synthetic),
        "integrity": integrity.summary(session, submission.id).to_json(),
    }
    return _digest(payload)


def _digest(payload: object) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def applicant_filename(submission_id: int) -> str:
    return f"applicant-{submission_id}.pdf"


def record_filename(submission_id: int) -> str:
    return batch.record_filename(applicant_filename(submission_id))


def _render_applicant_document(
    kind: str, report: ApplicantReport, page_size: str, time_limit: float | None
) -> bytes:
    renderer = render.record_pdf if kind == RECORD_KIND else render.applicant_pdf
    return renderer(report, page_size, time_limit=time_limit)


def applicant_report_file(
    session: Session,
    submission: Submission,
    *,
    page_size: str,
    time_limit: float | None = RENDER_TIME_LIMIT_SECONDS,
    kind: str = APPLICANT_KIND,
) -> ReportFile:
    """The summary PDF (or, with ``kind=RECORD_KIND``, the full record): from the shared
    cache when nothing printed in it has changed."""
    _submitted_result(submission)
    key = applicant_cache_key(session, submission, page_size, kind)
    filename = (record_filename if kind == RECORD_KIND else applicant_filename)(submission.id)
    cached = _cached(session, key, filename)
    if cached is not None:
        return cached
    report = applicant_report(session, submission)
    submission_id = submission.id
    # Close the read transaction: nobody should wait on the database while we render.
    session.commit()
    pdf = _render_applicant_document(kind, report, page_size, time_limit)
    _store(session, kind, key, submission_id, pdf)
    return ReportFile(pdf, filename, cached=False)


def feedback_report_file(
    session: Session,
    submission: Submission,
    feedback: Feedback,
    *,
    page_size: str,
    time_limit: float | None = RENDER_TIME_LIMIT_SECONDS,
) -> ReportFile:
    """The applicant's feedback PDF: from the shared cache while its HTML is unchanged.

    Its key hashes the HTML itself (name, position, every word in the applicant's
    language, page size) with the template version (templates, code, WeasyPrint), so
    whatever changes what is printed misses the cache: a link holder who reloads the
    link costs a lookup, not a render.
    """
    applicant = submission.invitation.applicant
    html = render.feedback_html(feedback, applicant.name, applicant.position.title, page_size)
    key = _digest({"kind": FEEDBACK_KIND, "submission": submission.id,
                   "html": hashlib.sha256(html.encode()).hexdigest(),
                   "template": render.template_version()})
    filename = "feedback.pdf"
    cached = _cached(session, key, filename)
    if cached is not None:
        return cached
    submission_id = submission.id
    session.commit()  # no read transaction held while rendering
    pdf = render.html_pdf(html, time_limit=time_limit)
    _store(session, FEEDBACK_KIND, key, submission_id, pdf)
    return ReportFile(pdf, filename, cached=False)


def _cached(session: Session, key: str, filename: str) -> ReportFile | None:
    cached = session.scalar(select(ReportCache.pdf).where(ReportCache.cache_key == key))
    return ReportFile(cached, filename, cached=True) if cached is not None else None


def _store(session: Session, kind: str, key: str, submission_id: int, pdf: bytes) -> None:
    """Keep one cached PDF of each kind per submission: the new one replaces a stale one."""
    session.commit()
    with database.immediate_transactions():
        session.execute(delete(ReportCache).where(ReportCache.submission_id == submission_id,
                                                  ReportCache.kind == kind,
                                                  ReportCache.cache_key != key))
        session.add(ReportCache(cache_key=key, submission_id=submission_id, kind=kind,
                                pdf=pdf))
        try:
            session.commit()
        except IntegrityError:
            # Another server rendered the same report at the same moment; theirs is ours.
            session.rollback()


# -- a position's reports ---------------------------------------------------------------


def _position_submissions(
    session: Session, position: Position, order: Sequence[ColumnElement[Any]] = ()
) -> list[Submission]:
    """The position's submitted applicants, oldest first unless ``order`` says otherwise."""
    return list(session.scalars(
        select(Submission)
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .where(Applicant.position_id == position.id,
               Submission.status == SubmissionStatus.SUBMITTED,
               Submission.result.is_not(None))
        .order_by(*(order or (Submission.submitted_at, Submission.id)))
        .options(selectinload(Submission.decisions),
                 selectinload(Submission.invitation).selectinload(Invitation.applicant),
                 selectinload(Submission.questionnaire_version))
    ).all())


def position_reports(
    session: Session, position: Position
) -> list[tuple[str, ApplicantReport]]:
    """Every submitted applicant's summary content, norms and reliability computed once."""
    generated_at = utcnow()
    shared: dict[tuple[int, bool],
                 tuple[scoring.NormGroup, scoring.PsychometricReport | None]] = {}
    reports = []
    for submission in _position_submissions(session, position):
        version = submission.questionnaire_version
        key = (version.id, submission.synthetic)  # demo applicants have a group of their own
        if key not in shared:
            shared[key] = (
                norm_service.norm_group(session, version, synthetic=submission.synthetic),
                norm_service.psychometrics(session, version, synthetic=submission.synthetic))
        norms, psychometrics = shared[key]
        reports.append((applicant_filename(submission.id), applicant_report(
            session, submission, norms=norms, psychometrics=psychometrics,
            generated_at=generated_at,
        )))
    return reports


def _decision_label(submission: Submission) -> str:
    decision = submission.latest_decision
    return OUTCOME_LABELS[decision.outcome] if decision is not None else ""


@dataclass(frozen=True)
class ListSort:
    """The manager's applicant list order (services.applicants.list_order), and its words."""

    sort: str = "submitted"
    descending: bool = True
    text: str = ""


def cohort_report(
    session: Session, position: Position, compare: Sequence[int] = (),
    sort: ListSort = ListSort(),
) -> CohortReport:
    """The position's cohort content, its table sorted as the manager's list is; every
    ``compare`` id must be a submitted applicant here."""
    if len(set(compare)) > MAX_COMPARE:
        raise ReportUnavailable(f"compare at most {MAX_COMPARE} applicants at once")
    submissions = _position_submissions(
        session, position, applicants.list_order(sort.sort, sort.descending))
    by_id = {submission.id: submission for submission in submissions}
    missing = [submission_id for submission_id in compare if submission_id not in by_id]
    if missing:
        raise ReportUnavailable(f"not a submitted applicant of this position: {missing[0]}")
    entries = [
        CohortEntry(_facts(s), _submitted_result(s), _decision_label(s))
        for s in submissions
    ]
    everyone = session.scalar(
        select(func.count(Applicant.id)).where(Applicant.position_id == position.id)
    ) or 0
    version = position.questionnaire_version
    return build_cohort_report(
        position_title=position.title,
        position_location=position.location,
        questionnaire=questionnaire_for(version),
        entries=entries,
        not_submitted=max(0, everyone - len(entries)),
        compare=compare,
        # A demo position compares its demo applicants with demo data; any other, real ones.
        norms=norm_service.norm_group(
            session, version, synthetic=bool(entries) and all(e.facts.synthetic for e in entries)),
        generated_at=utcnow(),
        order_text=sort.text,
    )


def cohort_report_file(
    session: Session,
    position: Position,
    compare: Sequence[int] = (),
    *,
    page_size: str,
    sort: ListSort = ListSort(),
    time_limit: float | None = RENDER_TIME_LIMIT_SECONDS,
) -> ReportFile:
    """The cohort PDF, rendered fresh: it changes with every applicant and decision."""
    report = cohort_report(session, position, compare, sort)
    session.commit()
    pdf = render.cohort_pdf(report, page_size, time_limit=time_limit)
    return ReportFile(pdf, f"position-{position.id}-cohort.pdf", cached=False)
