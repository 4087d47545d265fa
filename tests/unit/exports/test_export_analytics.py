"""Analytics helpers: hand-worked distributions; slim results give the same psychometrics."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.bank import load_bank
from screening.exports.analytics import LeanResults, distribution, percents_by_dimension
from screening.scoring import analyse_results, score_submission, simulate_answers

BANK = Path(__file__).resolve().parents[3] / "questions"


def test_distribution_by_hand() -> None:
    values = [0.0, 5.0, 10.0, 55.0, 59.9, 100.0, 95.0]
    summary = distribution("warmth", "Warmth", values)
    counts = [b.count for b in summary.bins]
    # 0 and 5 in 0–10; 10 in 10–20; 55 and 59.9 in 50–60; 95 and 100 in 90–100.
    assert counts == [2, 1, 0, 0, 0, 2, 0, 0, 0, 2]
    assert summary.bins[0].share == pytest.approx(2 / 7)
    assert summary.mean == pytest.approx(sum(values) / 7)
    assert summary.median == 55.0
    assert summary.count == 7 and summary.warnings == ()


def test_ceiling_effect_is_explained() -> None:
    summary = distribution("respect", "Respect under pressure", [95.0] * 8 + [40.0, 60.0])
    assert any("ceiling effect" in w for w in summary.warnings)
    assert any("one 10-point range" in w for w in summary.warnings)
    assert distribution("respect", "Respect", []).mean is None


def test_lean_results_give_the_same_psychometrics_as_full_results() -> None:
    questionnaire = load_bank(BANK).questionnaires["frontline-standard"]
    stored = []
    for applicant in simulate_answers(questionnaire, 60, seed=11):
        ratings = applicant.free_text_ratings if len(stored) % 3 else {}  # some pending
        stored.append(score_submission(questionnaire, applicant.answers, ratings))
    lean = LeanResults()
    slim = [lean.result(result.to_dict()) for result in stored]
    assert analyse_results(questionnaire, slim) == analyse_results(questionnaire, stored)
    assert percents_by_dimension(slim) == percents_by_dimension(stored)
    # Equal trace lines are shared, and no answer wording is kept.
    assert len({id(line) for result in slim for line in result.trace}) < 60 * 20 / 3
    assert all(line.answer_text is None for result in slim for line in result.trace)
