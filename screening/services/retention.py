"""Retention and erasure: remove an applicant's personal data, keep the anonymous scores.

What counts as personal data, and where it lives (models.py keeps it in few places):

* Applicant.name and .email, and their folded copies for search (search_name, search_email,
  which the model rewrites with them);
* free text inside Answer.response, and its copy in the stored result's trace;
* the integrity counts on each Answer (left the page, pasted): set to NULL, "not
  recorded", since they describe how the person behaved and no score depends on them;
* the Invitation token (the applicant's own link): rotated, and the link revoked;
* Decision.note (a manager's words about the person);
* ApplicantRequest.message and .answer (their request about the result, and HR's answer);
* SelfIdentification: deleted;
* JobOutcome (how they did in the job, imported by HR): deleted;
* rendered PDF reports (ReportCache) and the applicant's OutgoingEmail rows: deleted,
  and so is every prepared ZIP of their position's summaries (services.position_zips);
  other emails (a manager's notice): their name, email or link token replaced by
  REMOVED; AuditEvent.detail: every value that mentions them replaced by REMOVED.

After the database commits, the data is also made unrecoverable from its files as far
as the database allows (``database.forget_deleted_rows``): SQLite zeroes deleted rows
(secure_delete) and its write-ahead log is emptied; on PostgreSQL the purge runs VACUUM
on the tables it changed (see the README for what that does and does not guarantee).

Scores, bands, ratings and decision outcomes stay, without anyone's name, so
norms and psychometrics keep their history. A free-text answer is replaced by
a fixed sentence rather than removed, so the stored result can still be
re-derived (the manager's rating scores it, not the words).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from markupsafe import escape
from sqlalchemy import Text, cast, delete, func, or_, select
from sqlalchemy.orm import Session, joinedload

from screening import database
from screening.folding import folded
from screening.ids import MAX_ID, parse_id
from screening.models import (
    Answer,
    Applicant,
    ApplicantRequest,
    AuditEvent,
    Decision,
    Invitation,
    JobOutcome,
    OutgoingEmail,
    ReportCache,
    SelfIdentification,
    Submission,
    User,
    utcnow,
)
from screening.services import audit
from screening.services.positions import new_token

ANONYMISED_NAME = "Anonymised applicant"
#: Stands in for a written answer; long enough to pass the free-text length check.
REMOVED_TEXT = "This written answer was removed with the applicant's personal data."
REMOVED_NOTE = "(note removed with the applicant's personal data)"
REMOVED_REQUEST_TEXT = "(removed with the applicant's personal data)"
REMOVED = "[removed]"
#: Applicants anonymised per transaction during a purge.
PURGE_BATCH = 100
#: Every table anonymise() deletes or overwrites rows in: vacuumed after a purge.
ERASED_TABLES = tuple(model.__tablename__ for model in (
    Applicant, Invitation, Submission, Answer, Decision, SelfIdentification, ReportCache,
    OutgoingEmail, AuditEvent, ApplicantRequest, JobOutcome))

logger = logging.getLogger(__name__)


class ErasureError(Exception):
    """The applicant cannot be erased (unknown id); the message is shown as is."""


@dataclass(frozen=True)
class PurgeReport:
    cutoff: datetime
    applicant_ids: tuple[int, ...]
    dry_run: bool


def find_applicants(session: Session, query: str, *, limit: int = 50) -> list[Applicant]:
    """Applicants whose name or email contains ``query`` (case and accents ignored),
    or whose number it is."""
    text = folded(query.strip())
    if not text:
        return []
    conditions = [
        Applicant.search_name.contains(text, autoescape=True),
        Applicant.search_email.contains(text, autoescape=True),
    ]
    applicant_id = parse_id(text)
    if applicant_id is not None:
        conditions.append(Applicant.id == applicant_id)
    statement = (
        select(Applicant)
        .options(joinedload(Applicant.position))
        .where(or_(*conditions))
        .order_by(Applicant.id.desc())
        .limit(limit)
    )
    return list(session.scalars(statement))


def purge_cutoff(retention_days: int, now: datetime | None = None) -> datetime:
    if retention_days < 1:
        raise ValueError("the retention period must be at least one day")
    return (now or utcnow()) - timedelta(days=retention_days)


def due_for_purge(session: Session, cutoff: datetime) -> list[int]:
    """Applicants not yet anonymised whose submission (or, never submitted, invitation)
    is older than ``cutoff``."""
    reference = func.coalesce(
        Submission.submitted_at, Invitation.created_at, Applicant.created_at
    )
    statement = (
        select(Applicant.id)
        .outerjoin(Invitation, Invitation.applicant_id == Applicant.id)
        .outerjoin(Submission, Submission.invitation_id == Invitation.id)
        .where(Applicant.anonymised_at.is_(None), reference < cutoff)
        .order_by(Applicant.id)
    )
    return list(session.scalars(statement))


def purge(
    session: Session, retention_days: int, *, now: datetime | None = None, dry_run: bool = False
) -> PurgeReport:
    """Anonymise every applicant past the retention period, committing per batch.

    One audit event records the run (ids only, no personal data).
    """
    cutoff = purge_cutoff(retention_days, now)
    ids = due_for_purge(session, cutoff)
    if dry_run:
        session.rollback()
        return PurgeReport(cutoff, tuple(ids), dry_run=True)
    for batch in _batches(ids, PURGE_BATCH):
        for applicant in session.scalars(select(Applicant).where(Applicant.id.in_(batch))):
            anonymise(session, applicant)
        session.commit()
    audit.record(session, None, "retention.purged", None, cutoff=cutoff.isoformat(),
                 retention_days=retention_days, applicants=len(ids), applicant_ids=ids)
    session.commit()
    if ids:
        _forget_on_disk(session, vacuum_tables=ERASED_TABLES)
    return PurgeReport(cutoff, tuple(ids), dry_run=False)


def erase(session: Session, applicant_id: int, actor: User | None, *, via: str) -> Applicant:
    """Erase one applicant on request (HR on the web, or the CLI), log it and commit.

    On PostgreSQL the dead row versions wait for autovacuum or the next purge: VACUUM
    is not run in a web request.
    """
    applicant = session.get(Applicant, applicant_id) if 0 < applicant_id <= MAX_ID else None
    if applicant is None:
        raise ErasureError(f"There is no applicant {applicant_id}.")
    already = applicant.anonymised_at is not None
    if not already:
        anonymise(session, applicant)
    audit.record(session, actor, "applicant.erased", applicant, via=via, already_anonymised=already)
    session.commit()
    _forget_on_disk(session)
    return applicant


def _forget_on_disk(session: Session, vacuum_tables: Sequence[str] = ()) -> None:
    """After the commit: the erased rows out of the database's files, where it can."""
    if not database.forget_deleted_rows(session.get_bind(), vacuum_tables):
        logger.warning("Erased personal data may remain in the SQLite write-ahead log until "
                       "the next erasure or purge: the database stayed busy.")


def anonymise(session: Session, applicant: Applicant) -> None:
    """Remove ``applicant``'s personal data everywhere it is stored (see module docstring)."""
    email = applicant.email
    found = [applicant.name, email]
    invitation = applicant.invitation
    submission = invitation.submission if invitation is not None else None
    targets: list[tuple[str, int]] = [("Applicant", applicant.id)]

    if invitation is not None:
        found.append(invitation.token)
        if invitation.adjustment_details:
            found.append(invitation.adjustment_details)
            invitation.adjustment_details = ""
        targets.append(("Invitation", invitation.id))
        invitation.token = new_token()
        invitation.revoked_at = invitation.revoked_at or utcnow()
    if submission is not None:
        targets.append(("Submission", submission.id))
        found += _scrub_submission(session, submission)

    applicant.name = ANONYMISED_NAME
    applicant.email = ""
    applicant.open_link_email = None
    if applicant.retake_reason:
        applicant.retake_reason = REMOVED_NOTE
    applicant.anonymised_at = utcnow()
    # A ZIP of the position's summaries may hold them: the simplest rule that is sure.
    session.execute(delete(ReportCache).where(ReportCache.position_id == applicant.position_id))
    session.flush()

    needles = _needles(found)
    _scrub_emails(session, invitation, email, needles)
    _scrub_audit(session, targets, needles)
    session.flush()


def _scrub_submission(session: Session, submission: Submission) -> list[str]:
    """Free text and integrity counts out of answers, free text out of the trace,
    decision notes and requests about the result; self-id, job outcomes and PDFs deleted."""
    texts: list[str] = []
    for answer in submission.answers:
        answer.left_page_count = answer.paste_count = None
        text = (answer.response or {}).get("text")
        if text and text != REMOVED_TEXT:
            texts.append(text)
            # A new dict: JSON columns do not notice changes made inside the old one.
            answer.response = {**answer.response, "text": REMOVED_TEXT}
    if submission.result:
        trace = [
            {**line, "answer_text": REMOVED_TEXT}
            if line.get("format") == "free_text" and line.get("answered")
            else line
            for line in submission.result.get("trace", ())
        ]
        submission.result = {**submission.result, "trace": trace}
    for decision in submission.decisions:
        if decision.note and decision.note != REMOVED_NOTE:
            texts.append(decision.note)
            decision.note = REMOVED_NOTE
    texts += _scrub_requests(session, submission)
    session.execute(
        delete(SelfIdentification).where(SelfIdentification.submission_id == submission.id)
    )
    session.execute(delete(JobOutcome).where(JobOutcome.submission_id == submission.id))
    session.execute(delete(ReportCache).where(ReportCache.submission_id == submission.id))
    return texts


def _scrub_requests(session: Session, submission: Submission) -> list[str]:
    """The applicant's messages and HR's answers replaced; kinds and dates stay, so the
    record that a request was made and answered on time survives."""
    texts: list[str] = []
    requests = session.scalars(
        select(ApplicantRequest).where(ApplicantRequest.submission_id == submission.id))
    for request in requests:
        for field in ("message", "answer"):
            text = getattr(request, field)
            if text and text != REMOVED_REQUEST_TEXT:
                texts.append(text)
                setattr(request, field, REMOVED_REQUEST_TEXT)
    return texts


def _needles(found: Iterable[str]) -> list[str]:
    """The strings to look for; two characters or fewer would match inside other words."""
    return [needle for needle in dict.fromkeys(n.strip() for n in found if n) if len(needle) > 2]


def _spellings(needle: str) -> set[str]:
    """How ``needle`` may appear in stored text: as is, JSON-escaped, HTML-escaped; lower case."""
    return {needle.lower(), str(escape(needle)).lower(), json.dumps(needle)[1:-1].lower()}


def _patterns(needles: Iterable[str]) -> list[re.Pattern[str]]:
    spellings = {spelling for needle in needles for spelling in _spellings(needle)}
    # Longest first, so a name inside a longer free text does not leave the rest behind.
    return [re.compile(re.escape(s), re.IGNORECASE) for s in sorted(spellings, key=len,
                                                                      reverse=True)]


def scrub(value: Any, patterns: Sequence[re.Pattern[str]], *, whole: bool = False) -> Any:
    """``value`` (a JSON value) with every match of ``patterns`` replaced by REMOVED.

    ``whole``: a string that mentions the person is replaced entirely, since the rest
    of it is about them too (it may quote part of their answer, say).
    """
    if isinstance(value, str):
        if whole and any(pattern.search(value) for pattern in patterns):
            return REMOVED
        for pattern in patterns:
            value = pattern.sub(REMOVED, value)
        return value
    if isinstance(value, dict):
        return {scrub(key, patterns): scrub(item, patterns, whole=whole)
                for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, patterns, whole=whole) for item in value]
    return value


def _mentions(column: Any, needles: Sequence[str]) -> list[Any]:
    """SQL conditions: ``column`` contains a spelling of a needle, ignoring case."""
    lowered = func.lower(column)
    return [
        lowered.contains(spelling, autoescape=True)
        for needle in needles
        for spelling in _spellings(needle)
    ]


def _scrub_emails(
    session: Session, invitation: Invitation | None, email: str, needles: Sequence[str]
) -> None:
    mine = []
    if invitation is not None:
        mine.append(OutgoingEmail.invitation_id == invitation.id)
    if email:
        mine.append(func.lower(OutgoingEmail.recipient) == email.lower())
    if mine:
        session.execute(delete(OutgoingEmail).where(or_(*mine)))
    if not needles:
        return
    patterns = _patterns(needles)
    mentions = [
        condition
        for column in (OutgoingEmail.subject, OutgoingEmail.body_text, OutgoingEmail.body_html)
        for condition in _mentions(column, needles)
    ]
    for message in session.scalars(select(OutgoingEmail).where(or_(*mentions))):
        message.subject = scrub(message.subject, patterns)
        message.body_text = scrub(message.body_text, patterns)
        message.body_html = scrub(message.body_html, patterns)


def _scrub_audit(
    session: Session, targets: Sequence[tuple[str, int]], needles: Sequence[str]
) -> None:
    """Scrub the detail of events about the applicant's records, and of any event whose
    detail mentions them (found by a text search of the stored JSON)."""
    if not needles:
        return
    about_them = [
        (AuditEvent.target_type == kind) & (AuditEvent.target_id == target_id)
        for kind, target_id in targets
    ]
    detail_text = cast(AuditEvent.detail, Text)
    statement = select(AuditEvent).where(
        detail_text != "{}", or_(*about_them, *_mentions(detail_text, needles))
    )
    patterns = _patterns(needles)
    for event in session.scalars(statement):
        cleaned = scrub(event.detail, patterns, whole=True)
        if cleaned != event.detail:
            event.detail = cleaned


def _batches(ids: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]
