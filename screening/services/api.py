"""What the read-only API returns: positions, submissions and results as plain JSON data.

Self-identification never appears here. Percentiles come from the one norm group
of each questionnaire version (screening.services.norms), as on every page and PDF.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.bank.model import DIMENSION_LABELS
from screening.exports.results import SubmissionRecord
from screening.formatting import iso
from screening.models import Position, Submission
from screening.reports.applicant import DECISION_SUPPORT
from screening.reports.integrity import IntegritySummary
from screening.scoring import OVERALL, NormGroup
from screening.services import norms
from screening.services.exports import ExportFilters, submission_records

DEFAULT_LIMIT = 100
MAX_LIMIT = 500


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    next_after_id: int | None

    def to_json(self) -> dict[str, Any]:
        return {"items": self.items, "next_after_id": self.next_after_id}


def position_json(position: Position) -> dict[str, Any]:
    version = position.questionnaire_version
    return {
        "id": position.id,
        "title": position.title,
        "location": position.location,
        "archived": position.archived,
        "questionnaire": {"id": version.questionnaire_key, "title": version.title,
                          "version": version.version_label},
        "created_at": iso(position.created_at),
    }


def positions_page(session: Session, *, after_id: int, limit: int) -> Page:
    rows = list(session.scalars(
        select(Position).where(Position.id > after_id).order_by(Position.id).limit(limit + 1)
    ))
    return _page([position_json(p) for p in rows], limit)


def _page(items: list[dict[str, Any]], limit: int) -> Page:
    more = len(items) > limit
    items = items[:limit]
    return Page(items, items[-1]["id"] if more and items else None)


def submissions_page(
    session: Session, filters: ExportFilters, *,
    submitted_since: datetime | None, after_id: int, limit: int,
) -> Page:
    records = list(submission_records(session, filters, after_id=after_id, limit=limit + 1,
                                      submitted_since=submitted_since))
    groups = norms.norm_groups_by_label(session, {r.questionnaire_version for r in records})
    return _page([submission_json(r, groups) for r in records], limit)


def submission_detail(session: Session, submission_id: int) -> dict[str, Any] | None:
    records = list(submission_records(session, ExportFilters(), submission_id=submission_id))
    if not records:
        return None
    groups = norms.norm_groups_by_label(session, {records[0].questionnaire_version})
    return submission_json(records[0], groups)


def submission_json(
    record: SubmissionRecord, groups: Mapping[tuple[str, bool], NormGroup]
) -> dict[str, Any]:
    group = (groups.get((record.questionnaire_version, record.synthetic))
             if record.status == "submitted" else None)
    return {
        "id": record.submission_id,
        "applicant": {
            "id": record.applicant_id,
            "name": record.applicant_name,
            "email": record.applicant_email,
        },
        "position_id": record.position_id,
        "synthetic": record.synthetic,
        "questionnaire_version": record.questionnaire_version,
        "status": record.status,
        "started_at": iso(record.started_at),
        "submitted_at": iso(record.submitted_at),
        "adjustment": record.adjustment or None,
        "result": _result_summary(record.result, group, record.integrity),
        "decision": (
            {"outcome": record.decision, "label": record.decision_label,
             "decided_at": iso(record.decided_at)}
            if record.decision else None
        ),
    }


def _percentiles(group: NormGroup | None, result: Mapping[str, Any]) -> dict[str, float | None]:
    scores = {entry["dimension"]: entry["percent"] for entry in result.get("dimensions", ())}
    scores[OVERALL] = result.get("overall")
    if group is None:
        return dict.fromkeys(scores)
    return group.percentiles_of(result.get("status"), scores)


def _result_summary(
    result: Mapping[str, Any] | None, group: NormGroup | None, signals: IntegritySummary
) -> Any:
    if not result:
        return None
    band = result.get("band") or {}
    percentiles = _percentiles(group, result)
    return {
        "dimensions": [
            {"dimension": entry["dimension"],
             "label": DIMENSION_LABELS.get(entry["dimension"], entry["dimension"]),
             "raw": entry["raw"],
             "maximum": entry["maximum"], "percent": entry["percent"],
             "percentile": percentiles[entry["dimension"]]}
            for entry in result.get("dimensions", ())
        ],
        "overall": result.get("overall"),
        "overall_percentile": percentiles[OVERALL],
        "norm_group_size": group.size if group is not None else None,
        "status": result.get("status"),
        "answered": result.get("answered"),
        "item_count": result.get("item_count"),
        "band": {"id": band.get("id"), "label": band.get("label")} if band else None,
        "band_cap": result.get("band_cap"),
        "close_to_line": list(result.get("close_to_line") or ()),
        "scoring_method": result.get("method"),
        "advisory": DECISION_SUPPORT,
        "provisional": bool(result.get("provisional")),
        "red_flags": [{"item_id": f["item_id"], "option_id": f["option_id"]}
                      for f in result.get("red_flags", ())],
        "quality_flags": [{"kind": f["kind"], "item_id": f.get("item_id")}
                          for f in result.get("quality_flags", ())],
        # Beside the quality flags, as on the manager's page; never part of the score.
        "integrity": signals.to_json(),
    }


def full_result(session: Session, submission_id: int) -> dict[str, Any] | None:
    """The stored result with its per-item trace; None if unknown or not scored yet."""
    submission = session.get(Submission, submission_id)
    if submission is None or submission.result is None:
        return None
    return {"submission_id": submission.id, "result": submission.result}
