"""The integrity summary: how a posted count is read, how visits add up, what managers read."""

from __future__ import annotations

import pytest
from conftest import GENERATED_AT, facts

from screening.bank.model import Questionnaire
from screening.reports import applicant
from screening.reports.integrity import (
    MAX_COUNT,
    NOT_RECORDED,
    NOT_RECORDED_TEXT,
    ItemSignals,
    add_counts,
    reported_count,
    summarise,
)
from screening.scoring import NormGroup, SubmissionResult


@pytest.mark.parametrize(("posted", "count"), [
    ("0", 0), ("3", 3), ("007", 7), ("999", 999), ("1000", MAX_COUNT), ("999999", MAX_COUNT),
])
def test_a_posted_count_is_read_and_capped(posted: str, count: int) -> None:
    assert reported_count(posted) == count


@pytest.mark.parametrize("posted", [None, "", "-1", "+1", "1.0", " 1", "1 ", "1\n", "abc",
                                    "1e3", "²", "١", "1234567", 3, ["1"]])
def test_anything_else_is_not_reported(posted: object) -> None:
    assert reported_count(posted) is None


@pytest.mark.parametrize(("stored", "reported", "total"), [
    (None, None, None),  # never reported: stays "not recorded"
    (None, 0, 0),        # reported, nothing happened: 0, not "not recorded"
    (2, None, 2),        # a visit without JavaScript takes nothing away
    (2, 3, 5),
    (998, 5, MAX_COUNT),
])
def test_visits_add_up(stored: int | None, reported: int | None, total: int | None) -> None:
    assert add_counts(stored, reported) == total


def test_nothing_reported_reads_not_recorded() -> None:
    summary = summarise([ItemSignals(None, None)] * 20)
    assert summary == NOT_RECORDED
    assert summary.text == NOT_RECORDED_TEXT
    assert "JavaScript was off" in summary.text
    assert summary.to_json() is None
    assert summary.export_cells() == [0, None, None, None, None]


def test_the_summary_counts_questions_and_times() -> None:
    items = ([ItemSignals(0, 0)] * 16 + [ItemSignals(1, 0), ItemSignals(3, 0),
             ItemSignals(1, 2), ItemSignals(None, None), ItemSignals(0, None)])
    summary = summarise(items)
    # 20 questions reported (one item reported nothing), 3 left (5 times), 1 pasted into (2).
    assert summary.text == ("Left the page during 3 of 20 questions (5 times in all); "
                            "pasted text into 1 answer (2 pastes).")
    assert summary.to_json() == {"recorded_items": 20, "left_page_items": 3,
                                 "left_page_times": 5, "paste_items": 1, "paste_times": 2}
    assert summary.export_cells() == [20, 3, 5, 1, 2]


def test_a_quiet_sitting_says_so() -> None:
    assert summarise([ItemSignals(0, 0)]).text == (
        "Did not leave the page during any of 1 question; pasted no text.")
    assert summarise([ItemSignals(1, 0), ItemSignals(0, 3), ItemSignals(0, 1)]).text == (
        "Left the page during 1 of 3 questions (1 time in all); pasted text into 2 answers "
        "(4 pastes).")


def test_the_applicant_report_carries_the_summary_beside_the_same_result(
    questionnaire: Questionnaire, mixed_result: SubmissionResult
) -> None:
    summary = summarise([ItemSignals(2, 1)])
    common = dict(facts=facts(), questionnaire=questionnaire, result=mixed_result,
                  norms=NormGroup({}), psychometrics=None, generated_at=GENERATED_AT)
    with_signals = applicant.build_applicant_report(**common, integrity=summary)
    without = applicant.build_applicant_report(**common)
    assert with_signals.integrity is summary
    assert without.integrity == NOT_RECORDED
    # The signals change nothing else the report says.
    assert with_signals == applicant.ApplicantReport(
        **{**without.__dict__, "integrity": summary})
