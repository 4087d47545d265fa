"""The wide and long layouts, built from hand-written stored results."""

from __future__ import annotations

from datetime import timedelta

from screening.exports.results import LONG_COLUMNS, WIDE_COLUMNS, long_rows, wide_rows
from screening.scoring import NormGroup
from tests.unit.exports.factories import DECIDED, STARTED, SUBMITTED, record, stored_result


def test_wide_row_has_every_column_with_native_values() -> None:
    (row,) = wide_rows([record()])
    values = dict(zip(WIDE_COLUMNS, row, strict=True))
    assert values == {
        "submission_id": 7, "applicant_id": 3, "applicant_name": "Robin Example",
        "applicant_email": "robin@example.com", "position_id": 2, "position": "Front desk",
        "questionnaire_version": "frontline-short@abababababab",
        "started_at": STARTED, "submitted_at": SUBMITTED, "status": "submitted",
        "warmth_raw": 6, "warmth_max": 8, "warmth_percent": 75.0, "warmth_percentile": None,
        "common_sense_raw": 2, "common_sense_max": 4, "common_sense_percent": 50.0,
        "common_sense_percentile": None,
        "respect_raw": 4, "respect_max": 4, "respect_percent": 100.0, "respect_percentile": None,
        "overall_percent": 75.0, "overall_percentile": None, "norm_group_size": None,
        "result_status": "scored", "answered": 3, "item_count": 3,
        "band": "probe", "band_label": "Probe in interview", "band_cap": "one_red_flag",
        "close_to_line": "overall; respect", "scoring_method": 2, "provisional": True,
        "red_flags": "R1:d", "quality_flags": "too_fast; straight_lining",
        "decision": "advance", "decision_label": "Advance to front line", "decided_at": DECIDED,
        "synthetic": False, "language": None, "came_in_via": None,
        "seconds_taken": 1335,  # 09:30:00 to 09:52:15
        "decision_note": None, "decided_by": None, "free_text_ratings": None,
        "quality_flag_counts": "too_fast×1; straight_lining×1",
        # No page reported integrity signals: 0 questions, and no counts rather than zeros.
        "integrity_items": 0, "left_page_items": None, "left_page_times": None,
        "paste_items": None, "paste_times": None,
        "adjustment": None,
        "attempt_number": 1, "retake_of": None, "retake_allowed_by": None,
        "retake_allowed_at": None,
    }


def test_analyst_columns_name_people_count_flags_and_time() -> None:
    result = stored_result()
    result["quality_flags"] = (
        [{"kind": "straight_lining", "item_id": None, "seconds": None}]
        + [{"kind": "too_fast", "item_id": f"W{n}", "seconds": 1.0} for n in range(19)])
    (row,) = wide_rows([record(
        result=result, language="es", via_open_link=True,
        decision_note="Warm on the phone.", decided_by="Ana Ruiz",
        free_text_ratings=(("C13", 3, "Ana Ruiz"), ("C13", 4, "Ben Okafor")),
        started_at=SUBMITTED - timedelta(minutes=12, seconds=30.4))])
    values = dict(zip(WIDE_COLUMNS, row, strict=True))
    assert values["language"] == "es" and values["came_in_via"] == "open_link"
    assert values["seconds_taken"] == 750
    assert values["decision_note"] == "Warm on the phone."
    assert values["decided_by"] == "Ana Ruiz"
    assert values["free_text_ratings"] == "C13:3 by Ana Ruiz; C13:4 by Ben Okafor"
    assert values["quality_flag_counts"] == "too_fast×19; straight_lining×1"
    assert values["quality_flags"].count("too_fast") == 19  # the list stays one by one
    (invited,) = wide_rows([record(via_open_link=False)])
    assert dict(zip(WIDE_COLUMNS, invited, strict=True))["came_in_via"] == "invitation"


def test_new_columns_only_ever_go_at_the_end() -> None:
    # "synthetic" was the last column published before the analyst columns (docs/exports.md).
    assert WIDE_COLUMNS.index("synthetic") == 39
    assert WIDE_COLUMNS[40:47] == ("language", "came_in_via", "seconds_taken", "decision_note",
                                   "decided_by", "free_text_ratings", "quality_flag_counts")
    assert WIDE_COLUMNS[47:52] == ("integrity_items", "left_page_items", "left_page_times",
                                   "paste_items", "paste_times")
    assert WIDE_COLUMNS[52:53] == ("adjustment",)
    assert WIDE_COLUMNS[53:] == ("attempt_number", "retake_of", "retake_allowed_by",
                                 "retake_allowed_at")


def test_the_adjustment_sat_with_is_a_column() -> None:
    (adjusted,) = wide_rows([record(adjustment="extra_50")])
    assert dict(zip(WIDE_COLUMNS, adjusted, strict=True))["adjustment"] == "extra_50"
    (untimed,) = wide_rows([record(adjustment="untimed")])
    assert dict(zip(WIDE_COLUMNS, untimed, strict=True))["adjustment"] == "untimed"


def test_percentiles_come_from_the_version_norm_group() -> None:
    # 10 at 50, 20 at 75, 10 at 100 (40 applicants): 75 sits at (10 + ½·20)/40 = 50.0;
    # 50 at ½·10/40 = 12.5; 100 at (30 + ½·10)/40 = 87.5.
    scores = [50.0] * 10 + [75.0] * 20 + [100.0] * 10
    group = NormGroup({"warmth": scores, "common_sense": scores, "respect": scores[:29],
                       "overall": scores})
    (row,) = wide_rows([record()], {("frontline-short@abababababab", False): group})
    values = dict(zip(WIDE_COLUMNS, row, strict=True))
    assert values["warmth_percentile"] == 50.0
    assert values["common_sense_percentile"] == 12.5
    assert values["respect_percentile"] is None  # 29 completed submissions: not enough
    assert values["overall_percentile"] == 50.0
    assert values["norm_group_size"] == 40


def test_no_percentile_for_another_version_or_an_unfinished_submission() -> None:
    group = NormGroup({"warmth": [75.0] * 40})
    norms = {("frontline-standard@cdcdcdcdcdcd", False): group}
    (other,) = wide_rows([record()], norms)
    assert dict(zip(WIDE_COLUMNS, other, strict=True))["warmth_percentile"] is None
    (unfinished,) = wide_rows([record(status="in_progress", result=None, submitted_at=None,
                                      decision="", decision_label="", decided_at=None)],
                              {("frontline-short@abababababab", False): group})
    values = dict(zip(WIDE_COLUMNS, unfinished, strict=True))
    assert values["warmth_percent"] is None and values["warmth_percentile"] is None
    assert values["band"] is None and values["decision"] is None and values["provisional"] is None


def test_long_layout_has_one_row_per_scored_item() -> None:
    rows = [dict(zip(LONG_COLUMNS, row, strict=True)) for row in long_rows([record()])]
    assert [row["item_id"] for row in rows] == ["W1", "R1", "F1"]
    first, second, third = rows
    assert first["options"] == "c=chosen"
    assert (first["warmth_points"], first["warmth_max"]) == (4, 4)
    assert (first["common_sense_points"], first["common_sense_max"]) == (2, 4)
    assert (first["respect_points"], first["respect_max"]) == (None, None)  # not measured
    assert second["options"] == "a=most effective; d=least effective"
    assert second["respect_points"] == 4 and second["warmth_points"] is None
    assert third["pending"] is True and third["options"] == ""
    assert third["response"] == '"=HYPERLINK(1)"'
    assert {row["submission_id"] for row in rows} == {7}
    assert {row["applicant_id"] for row in rows} == {3}


def test_long_layout_skips_submissions_without_a_result() -> None:
    assert list(long_rows([record(status="in_progress", result=None)])) == []
