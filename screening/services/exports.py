"""Exports of results: submissions read in batches, filtered and scoped to the user's
positions, turned into (headers, rows) once and handed to the writer of the chosen
format. The web (HR, managers), the CLI, the API and the benchmark all call this.

Rows are streamed: ``yield_per`` makes SQLAlchemy use a server-side cursor on
PostgreSQL (stream_results) and fetch BATCH_SIZE rows at a time on SQLite, so
an export of 100,000 submissions holds one batch in memory, not the table."""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import IO, Any

from sqlalchemy import JSON, Float, Integer, Select, Text, column, func, select, true
from sqlalchemy.orm import Session

from screening.exports.results import (
    LONG_COLUMNS,
    WIDE_COLUMNS,
    SubmissionRecord,
    long_rows,
    wide_rows,
)
from screening.exports.spreadsheets import csv_stream, json_stream, write_xlsx
from screening.models import (
    OUTCOME_LABELS,
    Applicant,
    Decision,
    FreeTextRating,
    Invitation,
    Position,
    QuestionnaireVersion,
    Submission,
    SubmissionStatus,
    User,
    position_managers,
)
from screening.reports.integrity import NOT_RECORDED, IntegritySummary
from screening.services import integrity, norms
from screening.services.periods import within_days

BATCH_SIZE = 1000
#: outcome value -> label; a dict lookup per row instead of an Enum construction.
_OUTCOME_LABELS = {outcome.value: label for outcome, label in OUTCOME_LABELS.items()}

#: What the wide layout reads of the stored result: everything but the trace, which
#: is nine tenths of its size and is needed only by the long layout. ("provisional"
#: comes from its boolean column: SQLite's JSON_EXTRACT would turn true into 1.)
SUMMARY_KEYS = ("dimensions", "overall", "band", "red_flags", "quality_flags", "method",
                "status", "answered", "item_count", "band_cap", "close_to_line",
                "overall_error")


@dataclass(frozen=True)
class ExportFilters:
    """Which submissions an export holds; None means no restriction."""

    position_id: int | None = None
    #: first and last day (UTC, inclusive) of the submission date, or of the start
    #: date for a submission still in progress.
    since: date | None = None
    until: date | None = None
    status: SubmissionStatus | None = None
    band: str | None = None

    def describe(self) -> dict[str, Any]:
        """The filters as plain values, for the audit log."""
        return {
            "position_id": self.position_id,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "status": self.status.value if self.status else None,
            "band": self.band,
        }


def latest_decision_outcome() -> Any:
    """The outcome of the submission's newest decision, as a correlated scalar subquery."""
    return _latest_decision(Decision.outcome)


def _latest_decision(column: Any, *joined: Any) -> Any:
    return (
        select(column)
        .where(Decision.submission_id == Submission.id, *joined)
        .order_by(Decision.created_at.desc(), Decision.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def activity_date() -> Any:
    """The date filters apply to: submitted, or started for an unfinished submission."""
    return func.coalesce(Submission.submitted_at, Submission.started_at)


def filtered(statement: Select[Any], filters: ExportFilters, user: User | None) -> Select[Any]:
    """Apply the filters and, for a manager, the positions they are assigned to."""
    if filters.position_id is not None:
        statement = statement.where(Applicant.position_id == filters.position_id)
    statement = statement.where(*within_days(activity_date(), filters.since, filters.until))
    if filters.status is not None:
        statement = statement.where(Submission.status == filters.status)
    if filters.band is not None:
        statement = statement.where(Submission.band_id == filters.band)
    if user is not None and not user.sees_all_positions:
        statement = statement.join(
            position_managers, position_managers.c.position_id == Applicant.position_id
        ).where(position_managers.c.user_id == user.id)
    return statement


def _summary_on_postgresql() -> Any:
    """json_to_record: one parse of the stored result for all the summary keys.

    A ``result -> 'key'`` per key would each de-TOAST and parse ~27 KB of JSON again
    (about 5x slower); SQLite caches its parse, so there plain paths are fine.
    """
    return (
        func.json_to_record(Submission.result)
        .table_valued(
            column("dimensions", JSON), column("overall", Float), column("band", JSON),
            column("red_flags", JSON), column("quality_flags", JSON), column("method", Integer),
            column("status", Text), column("answered", Integer), column("item_count", Integer),
            column("band_cap", Text), column("close_to_line", JSON),
            column("overall_error", Float),
        )
        .render_derived(name="result_summary", with_types=True)
    )


def _records_statement(
    filters: ExportFilters, user: User | None, *, trace: bool, dialect: str = "sqlite"
) -> Select[Any]:
    summary = _summary_on_postgresql() if not trace and dialect == "postgresql" else None
    if trace:
        result_columns: list[Any] = [Submission.result]
    elif summary is not None:
        result_columns = [summary.c[key] for key in SUMMARY_KEYS]
    else:
        # SQLite: one json_extract with several paths returns one JSON array, so each
        # row costs one parse in Python instead of one per key.
        result_columns = [
            func.json_extract(Submission.result, *(f"$.{key}" for key in SUMMARY_KEYS),
                              type_=JSON).label("result_summary")
        ]
    statement = (
        select(
            Submission.id,
            Applicant.id,
            Applicant.name,
            Applicant.email,
            Position.id,
            Position.title,
            QuestionnaireVersion.questionnaire_key,
            QuestionnaireVersion.content_hash,
            Submission.started_at,
            Submission.submitted_at,
            Submission.status,
            _latest_decision(Decision.outcome),
            _latest_decision(Decision.created_at),
            Submission.provisional,
            Submission.synthetic,
            Submission.language,
            Invitation.via_open_link,
            _latest_decision(Decision.note),
            _latest_decision(User.name, User.id == Decision.decided_by_id),
            Submission.adjustment,
            Applicant.attempt_number,
            Applicant.retake_of_id,
            select(User.name).where(User.id == Applicant.retake_allowed_by_id)
            .correlate(Applicant).scalar_subquery(),
            Applicant.retake_allowed_at,
            *result_columns,
        )
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .join(Applicant.position)
        .join(Submission.questionnaire_version)
        .order_by(Submission.id)
        .execution_options(yield_per=BATCH_SIZE)
    )
    if summary is not None:
        # LEFT JOIN: an unfinished submission has no result, and json_to_record(NULL) no row.
        statement = statement.outerjoin(summary, true())
    return filtered(statement, filters, user)


def submission_records(
    session: Session,
    filters: ExportFilters,
    user: User | None = None,
    *,
    trace: bool = False,
    after_id: int | None = None,
    limit: int | None = None,
    submitted_since: datetime | None = None,
    submission_id: int | None = None,
) -> Iterator[SubmissionRecord]:
    """Every matching submission, oldest first, read BATCH_SIZE rows at a time.

    ``trace=False`` leaves the per-item trace out of ``record.result`` (the wide
    layout does not need it); the long layout asks for it. ``after_id`` and
    ``limit`` page through the rows (the API); ``submission_id`` picks one.
    The query is built now (the user's rights are read now); rows are read
    only as the returned iterator is consumed, e.g. while a response streams.
    """
    dialect = session.get_bind().dialect.name
    statement = _records_statement(filters, user, trace=trace, dialect=dialect)
    if after_id is not None:
        statement = statement.where(Submission.id > after_id)
    if submitted_since is not None:
        statement = statement.where(Submission.submitted_at >= submitted_since)
    if submission_id is not None:
        statement = statement.where(Submission.id == submission_id)
    if limit is not None:
        statement = statement.limit(limit)
    return _records(session, statement, trace=trace, summary_array=dialect != "postgresql")


#: Where the stored result starts in a row of _records_statement.
_RESULT = 24


def _records(
    session: Session, statement: Select[Any], *, trace: bool, summary_array: bool
) -> Iterator[SubmissionRecord]:
    for batch in session.execute(statement).partitions():
        ids = [row[0] for row in batch]
        ratings = _free_text_ratings(session, ids)
        signals = integrity.summaries(session, ids)
        for row in batch:
            yield _record(row, ratings.get(row[0], ()), signals.get(row[0], NOT_RECORDED),
                          trace=trace, summary_array=summary_array)


def _record(
    row: Any,
    ratings: tuple[tuple[str, int, str], ...],
    signals: IntegritySummary,
    *,
    trace: bool,
    summary_array: bool,
) -> SubmissionRecord:
    outcome = row[11]
    if trace:
        result = row[_RESULT]
    else:
        parts = row[_RESULT] if summary_array else row[_RESULT:]
        result = None if parts is None or parts[0] is None else {
            **dict(zip(SUMMARY_KEYS, parts, strict=True)), "provisional": bool(row[13])}
    return SubmissionRecord(
        submission_id=row[0],
        applicant_id=row[1],
        applicant_name=row[2],
        applicant_email=row[3],
        position_id=row[4],
        position=row[5],
        questionnaire_version=f"{row[6]}@{row[7][:12]}",
        started_at=row[8],
        submitted_at=row[9],
        status=str(row[10]),
        result=result,
        decision=str(outcome) if outcome else "",
        decision_label=_OUTCOME_LABELS.get(str(outcome), "") if outcome else "",
        decided_at=_as_utc(row[12]),
        synthetic=bool(row[14]),
        language=row[15] or "",
        via_open_link=bool(row[16]),
        decision_note=row[17] or "",
        decided_by=row[18] or "",
        attempt_number=row[20] or 1,
        retake_of=row[21],
        retake_allowed_by=row[22] or "",
        retake_allowed_at=_as_utc(row[23]),
        free_text_ratings=ratings,
        integrity=signals,
        adjustment=row[19] or "",
    )


def _free_text_ratings(
    session: Session, submission_ids: list[int]
) -> dict[int, tuple[tuple[str, int, str], ...]]:
    """(item, rating, rater's name) per submission of one batch: one query per batch."""
    found: dict[int, list[tuple[str, int, str]]] = {}
    statement = (
        select(FreeTextRating.submission_id, FreeTextRating.item_id, FreeTextRating.rating,
               User.name)
        .join(User, User.id == FreeTextRating.rater_id)
        .where(FreeTextRating.submission_id.in_(submission_ids))
        .order_by(FreeTextRating.submission_id, FreeTextRating.item_id, FreeTextRating.id)
    )
    for submission_id, item_id, rating, rater in session.execute(statement):
        found.setdefault(submission_id, []).append((item_id, rating, rater))
    return {submission_id: tuple(rows) for submission_id, rows in found.items()}


def _as_utc(moment: Any) -> datetime | None:
    # A scalar subquery's column loses the UTCDateTime type on some dialects.
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def export_versions(
    session: Session, filters: ExportFilters, user: User | None = None
) -> list[QuestionnaireVersion]:
    """The questionnaire versions of the submissions an export holds."""
    ids = (
        select(Submission.questionnaire_version_id)
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .distinct()
    )
    return list(session.scalars(select(QuestionnaireVersion).where(
        QuestionnaireVersion.id.in_(filtered(ids, filters, user).scalar_subquery()))))


def wide_table(
    session: Session, filters: ExportFilters, user: User | None = None
) -> tuple[tuple[str, ...], Iterator[list[Any]]]:
    """(headers, rows) of the wide layout, percentiles included."""
    groups = norms.norm_groups(session, export_versions(session, filters, user))
    return WIDE_COLUMNS, wide_rows(submission_records(session, filters, user), groups)


def long_table(
    session: Session, filters: ExportFilters, user: User | None = None
) -> tuple[tuple[str, ...], Iterator[list[Any]]]:
    """(headers, rows) of the long layout: one row per scored answer."""
    return LONG_COLUMNS, long_rows(submission_records(session, filters, user, trace=True))


#: Bytes per chunk when a finished XLSX file is sent back.
FILE_CHUNK_BYTES = 256 * 1024


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class Layout(enum.StrEnum):
    WIDE = "wide"
    LONG = "long"


MIMETYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


@dataclass(frozen=True)
class ExportRequest:
    format: ExportFormat = ExportFormat.CSV
    layout: Layout = Layout.WIDE
    filters: ExportFilters = field(default_factory=ExportFilters)
    #: start a CSV with a byte-order mark so Excel reads it as UTF-8.
    bom: bool = False

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.format]

    def describe(self) -> dict[str, Any]:
        """What was exported, for the audit log (no personal data)."""
        return {"format": self.format.value, "layout": self.layout.value,
                **self.filters.describe()}


def export_table(
    session: Session, request: ExportRequest, user: User | None = None
) -> tuple[tuple[str, ...], Iterator[list[Any]]]:
    if request.layout is Layout.LONG:
        return long_table(session, request.filters, user)
    return wide_table(session, request.filters, user)


def stream_export(
    session: Session, request: ExportRequest, user: User | None = None
) -> Iterator[bytes]:
    """The export file as byte chunks, for a streamed HTTP response.

    CSV and JSON go out as they are written. An XLSX file is a zip whose index
    comes last, so it is written to a temporary file first and then streamed.
    """
    headers, rows = export_table(session, request, user)
    if request.format is ExportFormat.CSV:
        return (chunk.encode("utf-8") for chunk in csv_stream(headers, rows, bom=request.bom))
    if request.format is ExportFormat.JSON:
        return (chunk.encode("utf-8") for chunk in json_stream(headers, rows))
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _file_chunks
    write_xlsx(headers, rows, spool, sheet_name=f"results {request.layout.value}")
    spool.seek(0)
    return _file_chunks(spool)


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(FILE_CHUNK_BYTES):
            yield chunk


def write_export(
    session: Session, request: ExportRequest, target: IO[bytes], user: User | None = None
) -> None:
    """Write the export file to an open binary file (the CLI and the benchmark)."""
    if request.format is ExportFormat.XLSX:
        headers, rows = export_table(session, request, user)
        write_xlsx(headers, rows, target, sheet_name=f"results {request.layout.value}")
        return
    for chunk in stream_export(session, request, user):
        target.write(chunk)
