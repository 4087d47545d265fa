"""A position's summaries (or summaries with full records) in one ZIP, prepared by a worker.

Rendering every applicant's PDF takes longer than a web request may, so the manager asks
for the ZIP and a ``position.zip`` job renders it with the batch code (one renderer
process: a worker shares its machine). The ZIP is kept in the report cache, one row per
position and kind, so every app server can serve it.

It holds personal data, so it is kept short: served for ``KEEP_FOR`` after its data was
read, deleted by ``delete_expired`` (hourly, and after every preparation), and deleted
whenever any applicant of the position is erased or purged (services.retention). A ZIP
whose data was read before such an erasure is never stored or served.
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from screening.models import Applicant, Job, JobStatus, Position, ReportCache, utcnow
from screening.reports import batch
from screening.services import jobs, reports

KIND = "position.zip"
#: ReportCache.kind of each ZIP of a position: the summaries, or with full records too.
SUMMARIES = "zip-summaries"
WITH_RECORDS = "zip-records"
FILE_KINDS = (SUMMARIES, WITH_RECORDS)
KEEP_FOR = timedelta(hours=24)


@dataclass(frozen=True)
class PreparedZip:
    """What the position page says of one kind of ZIP."""

    kind: str
    preparing: bool
    #: the latest preparation failed (its dead job says why, on the Background jobs page)
    failed: bool
    size: int | None = None
    prepared_at: datetime | None = None

    @property
    def ready(self) -> bool:
        return self.size is not None

    @property
    def full_record(self) -> bool:
        return self.kind == WITH_RECORDS


def _describe(payload: Mapping[str, Any]) -> str:
    words = "summaries and full records" if payload.get("file") == WITH_RECORDS else "summaries"
    return f"ZIP of the {words} of position {payload.get('position_id')}"


def _cache_key(position_id: int, kind: str) -> str:
    """One row per position and kind: a new ZIP replaces the old one."""
    return hashlib.sha256(f"{kind}:position:{position_id}".encode()).hexdigest()


def request_zip(session: Session, position: Position, kind: str) -> bool:
    """Queue the preparation in the caller's transaction; False if one is waiting already."""
    if kind not in FILE_KINDS:
        raise ValueError(f"unknown kind of ZIP: {kind!r}")
    return jobs.enqueue(session, KIND, {"position_id": position.id, "file": kind},
                        dedupe_key=f"{KIND}:{position.id}:{kind}") is not None


def _latest_job(session: Session, position_id: int, kind: str) -> Job | None:
    return session.scalar(
        select(Job).where(Job.kind == KIND,
                          Job.payload["position_id"].as_integer() == position_id,
                          Job.payload["file"].as_string() == kind)
        .order_by(Job.id.desc()).limit(1))


def _erased_since(session: Session, position_id: int, since: datetime) -> bool:
    """Whether an applicant of the position was erased or purged after ``since``."""
    return session.scalar(select(func.count(Applicant.id)).where(
        Applicant.position_id == position_id, Applicant.anonymised_at >= since)) != 0


def _servable(position_id: int, kind: str, now: datetime) -> Any:
    return select(ReportCache).where(ReportCache.position_id == position_id,
                                     ReportCache.kind == kind,
                                     ReportCache.created_at > now - KEEP_FOR)


def status(session: Session, position: Position, now: datetime | None = None
           ) -> list[PreparedZip]:
    """Each kind of ZIP of the position: being prepared, failed, and/or ready to download."""
    now = now or utcnow()
    found = []
    for kind in FILE_KINDS:
        job = _latest_job(session, position.id, kind)
        row = session.execute(
            _servable(position.id, kind, now)
            .with_only_columns(func.length(ReportCache.pdf), ReportCache.created_at)).first()
        if row is not None and _erased_since(session, position.id, row.created_at):
            row = None
        found.append(PreparedZip(
            kind=kind,
            preparing=job is not None and job.status in (JobStatus.PENDING, JobStatus.RUNNING),
            failed=job is not None and job.status == JobStatus.DEAD,
            size=None if row is None else int(row[0]),
            prepared_at=None if row is None else row.created_at,
        ))
    return found


def prepared_zip(session: Session, position: Position, kind: str,
                 now: datetime | None = None) -> bytes | None:
    """The ZIP's bytes, if one was prepared less than KEEP_FOR ago and nobody in it erased."""
    row = session.scalar(_servable(position.id, kind, now or utcnow()))
    if row is None or _erased_since(session, position.id, row.created_at):
        return None
    return row.pdf


def delete_expired(session: Session, now: datetime | None = None) -> int:
    """Delete every position's ZIP older than KEEP_FOR; the caller commits."""
    return session.execute(delete(ReportCache).where(
        ReportCache.position_id.is_not(None),
        ReportCache.created_at <= (now or utcnow()) - KEEP_FOR)).rowcount


# A batch that fails twice (a report past its CPU limit) will not pass by waiting.
@jobs.handler(KIND, max_attempts=2, describe=_describe, dedupe_while_pending=True)
def prepare_zip(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    """Render the position's current summaries into a ZIP and keep it in the report cache."""
    position_id, kind = int(job.payload["position_id"]), str(job.payload["file"])
    position = session.get(Position, position_id)
    if position is None:  # deleted since: nothing to prepare
        return
    read_at = utcnow()
    contents = reports.position_reports(session, position)
    if not contents:
        raise jobs.GiveUp("the position has no submitted applicant, so there is no summary")
    session.commit()  # no read transaction held while rendering
    with tempfile.TemporaryDirectory(prefix="screening-zip-") as folder:
        path = Path(folder) / "summaries.zip"
        try:
            batch.write_zip(contents, path, page_size=config["PDF_PAGE_SIZE"], jobs=1,
                            full_record=kind == WITH_RECORDS)
        except batch.BatchError as error:
            raise jobs.GiveUp(str(error)) from error
        data = path.read_bytes()
    if _erased_since(session, position_id, read_at):
        # Someone in it was erased while it rendered: render again without them.
        raise jobs.RetryLater("an applicant of the position was erased while it rendered",
                              after=timedelta(seconds=1))
    store(session, position_id, kind, data, read_at)


def store(session: Session, position_id: int, kind: str, data: bytes,
          read_at: datetime) -> None:
    """Keep a prepared ZIP (read from the database at ``read_at``) in place of the last
    one, and sweep expired ones; the caller commits."""
    session.execute(delete(ReportCache).where(ReportCache.position_id == position_id,
                                              ReportCache.kind == kind))
    session.add(ReportCache(cache_key=_cache_key(position_id, kind), position_id=position_id,
                            kind=kind, pdf=data, created_at=read_at))
    delete_expired(session)
