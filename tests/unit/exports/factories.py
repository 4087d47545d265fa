"""Hand-built stored results for the export tests (the shape of SubmissionResult.to_dict())."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from screening.exports.results import SubmissionRecord

STARTED = datetime(2024, 3, 1, 9, 30, tzinfo=UTC)
SUBMITTED = datetime(2024, 3, 1, 9, 52, 15, tzinfo=UTC)
DECIDED = datetime(2024, 3, 4, 16, 0, tzinfo=UTC)


def stored_result(warmth: float = 75.0, common_sense: float = 50.0, respect: float = 100.0,
                  overall: float = 75.0) -> dict[str, Any]:
    return {
        "questionnaire_id": "frontline-short",
        "content_hash": "ab" * 32,
        "dimensions": [
            {"dimension": "warmth", "raw": 6, "maximum": 8, "percent": warmth},
            {"dimension": "common_sense", "raw": 2, "maximum": 4,
             "percent": common_sense},
            {"dimension": "respect", "raw": 4, "maximum": 4,
             "percent": respect},
        ],
        "overall": overall,
        "method": 2,
        "status": "scored",
        "answered": 3,
        "item_count": 3,
        "overall_error": 4.2,
        "band_cap": "one_red_flag",
        "close_to_line": ["overall", "respect"],
        "band": {"id": "probe", "label": "Probe in interview", "description": "..."},
        "provisional": True,
        "pending_items": ["F1"],
        "red_flags": [{"item_id": "R1", "item_title": "t", "option_id": "d", "option_text": "x",
                       "rationale": "r"}],
        "quality_flags": [{"kind": "too_fast", "item_id": "W1", "seconds": 1.5},
                          {"kind": "straight_lining", "item_id": None, "seconds": None}],
        "trace": [
            {"item_id": "W1", "title": "Phone rings", "format": "best_choice",
             "primary_dimension": "warmth",
             "rubric": [{"option_id": "c", "text": "Answer it", "rationale": "r", "role": "chosen",
                         "value": None, "keyed": None,
                         "points": {"warmth": 4, "common_sense": 2}}],
             "points": {"warmth": 4, "common_sense": 2},
             "maximum": {"warmth": 4, "common_sense": 4},
             "pending": False, "answered": True, "answer_text": None},
            {"item_id": "R1", "title": "Rude customer", "format": "most_least",
             "primary_dimension": "respect",
             "rubric": [{"option_id": "a", "text": "A", "rationale": "r", "role": "most_effective",
                         "value": None, "keyed": None, "points": {"respect": 2}},
                        {"option_id": "d", "text": "D", "rationale": "r", "role": "least_effective",
                         "value": None, "keyed": None, "points": {"respect": 2}}],
             "points": {"respect": 4}, "maximum": {"respect": 4},
             "pending": False, "answered": True, "answer_text": None},
            {"item_id": "F1", "title": "Wrong address", "format": "free_text",
             "primary_dimension": "common_sense", "answer_text": "=HYPERLINK(1)",
             "rubric": [], "points": {"common_sense": 0}, "maximum": {"common_sense": 0},
             "pending": True, "answered": True},
        ],
    }


def record(**fields: Any) -> SubmissionRecord:
    values: dict[str, Any] = {
        "submission_id": 7, "applicant_id": 3, "applicant_name": "Robin Example",
        "applicant_email": "robin@example.com", "position_id": 2, "position": "Front desk",
        "questionnaire_version": "frontline-short@abababababab", "started_at": STARTED,
        "submitted_at": SUBMITTED, "status": "submitted", "result": stored_result(),
        "decision": "advance", "decision_label": "Advance to front line", "decided_at": DECIDED,
    }
    values.update(fields)
    return SubmissionRecord(**values)
