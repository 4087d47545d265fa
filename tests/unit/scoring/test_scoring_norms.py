"""Percentile ranks against a norm group, and the small-group rule."""

from __future__ import annotations

from scoring_builders import F01

from screening.scoring import (
    NORM_MIN_GROUP,
    dimension_percentiles,
    percentile_rank,
    score_submission,
)


def test_fewer_than_thirty_is_not_enough_data() -> None:
    assert NORM_MIN_GROUP == 30
    assert percentile_rank(50.0, [float(v) for v in range(29)]) is None
    assert percentile_rank(50.0, []) is None
    assert percentile_rank(50.0, [float(v) for v in range(30)]) is not None


def test_hand_worked_percentiles() -> None:
    # 10 applicants at 40, 20 at 60, 10 at 80
    group = [40.0] * 10 + [60.0] * 20 + [80.0] * 10
    assert percentile_rank(60.0, group) == 50.0  # (10 below + ½·20 equal) / 40
    assert percentile_rank(70.0, group) == 75.0  # 30 below / 40
    assert percentile_rank(40.0, group) == 12.5  # ½·10 / 40
    assert percentile_rank(10.0, group) == 0.0
    assert percentile_rank(99.0, group) == 100.0
    # 0..29: 10 has 10 below and 1 equal → 10.5 / 30 = 35.0; 10.2 → 11/30 = 36.67 → 36.7
    thirty = [float(v) for v in range(30)]
    assert percentile_rank(10.0, thirty) == 35.0
    assert percentile_rank(10.2, thirty) == 36.7


def test_dimension_percentiles(questionnaire, answers) -> None:
    result = score_submission(questionnaire, answers, {F01.id: 4})
    # warmth 86.6667: 30 of 40 below → 75.0; common sense group too small; respect missing
    groups = {
        "warmth": [50.0] * 30 + [90.0] * 10,
        "common_sense": [50.0] * 29,
        "overall": [69.0741] * 40,
    }
    assert dimension_percentiles(result, groups) == {
        "warmth": 75.0,
        "common_sense": None,
        "respect": None,
        "overall": 50.0,
    }
