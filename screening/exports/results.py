"""The results table HR and managers export: one row per submission (the wide layout)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from screening.bank.model import DIMENSIONS

WIDE_COLUMNS: tuple[str, ...] = (
    "submission_id",
    "applicant_name",
    "applicant_email",
    "position",
    "questionnaire_version",
    "started_at",
    "submitted_at",
    "status",
    *(f"{dimension}_{part}" for dimension in DIMENSIONS for part in ("raw", "max", "percent")),
    "overall_percent",
    "band",
    "provisional",
    "red_flags",
    "quality_flags",
    "decision",
)


@dataclass(frozen=True)
class SubmissionRecord:
    """What an export needs of one submission, read from the database by the adapter."""

    submission_id: int
    applicant_name: str
    applicant_email: str
    position: str
    questionnaire_version: str
    started_at: datetime | None
    submitted_at: datetime | None
    status: str
    result: Mapping[str, Any] | None  # SubmissionResult.to_dict()
    decision: str


def wide_rows(records: Iterable[SubmissionRecord]) -> Iterator[list[Any]]:
    for record in records:
        yield _wide_row(record)


def _wide_row(record: SubmissionRecord) -> list[Any]:
    result = record.result or {}
    by_dimension = {entry["dimension"]: entry for entry in result.get("dimensions", ())}
    scores: list[Any] = []
    for dimension in DIMENSIONS:
        entry = by_dimension.get(dimension)
        scores += [entry["raw"], entry["maximum"], entry["percent"]] if entry else [None] * 3
    band = result.get("band") or {}
    return [
        record.submission_id,
        record.applicant_name,
        record.applicant_email,
        record.position,
        record.questionnaire_version,
        _iso(record.started_at),
        _iso(record.submitted_at),
        record.status,
        *scores,
        result.get("overall"),
        band.get("id", ""),
        result.get("provisional", "") if result else "",
        "; ".join(f"{flag['item_id']}:{flag['option_id']}" for flag in result.get("red_flags", ())),
        "; ".join(flag["kind"] for flag in result.get("quality_flags", ())),
        record.decision,
    ]


def _iso(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else ""
