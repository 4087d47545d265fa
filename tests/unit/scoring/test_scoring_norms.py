"""The one norm group: percentile ranks, medians and the small-group rule."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screening.scoring import (
    NORM_MIN_GROUP,
    OVERALL,
    NormGroup,
    NormGroupBuilder,
    percentile_rank,
    score_submission,
)
from tests.unit.scoring.factories import F01

percents = st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 4))


def counted_by_hand(value: float, group: list[float]) -> float | None:
    """The published rule, written out plainly: 100·(below + ½·equal)/N, 1 decimal."""
    if len(group) < 30:
        return None
    below = sum(1 for score in group if score < value)
    equal = sum(1 for score in group if score == value)
    return round(100 * (below + 0.5 * equal) / len(group), 1)


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


@given(group=st.lists(percents, min_size=0, max_size=80), value=percents)
def test_bisection_counts_as_the_rule_says(group: list[float], value: float) -> None:
    assert NormGroup({"warmth": group}).percentile("warmth", value) == counted_by_hand(value, group)


@given(group=st.lists(st.sampled_from([40.0, 60.0, 80.0]), min_size=30, max_size=60))
def test_ties_count_half(group: list[float]) -> None:
    for value in (40.0, 50.0, 60.0, 80.0, 90.0):
        assert NormGroup({"x": group}).percentile("x", value) == counted_by_hand(value, group)


def test_percentiles_of_a_result(questionnaire, answers) -> None:
    result = score_submission(questionnaire, answers, {F01.id: 4})
    # warmth 86.6667: 30 of 40 below → 75.0; common sense group too small; respect missing
    group = NormGroup({
        "warmth": [50.0] * 30 + [90.0] * 10,
        "common_sense": [50.0] * 29,
        OVERALL: [69.0741] * 40,
    })
    assert group.percentiles(result) == {
        "warmth": 75.0,
        "common_sense": None,
        "respect": None,
        OVERALL: 50.0,
    }
    assert group.size == 40 and group.size_of("common_sense") == 29 and group.enough


def test_builder_keeps_dimensions_apart_and_skips_missing_scores() -> None:
    builder = NormGroupBuilder()
    for value in range(30):
        builder.add({"warmth": float(value), "respect": None})
    group = builder.build()
    assert group.size_of("warmth") == 30 and group.size_of("respect") == 0
    assert group.percentile("warmth", 10.0) == 35.0  # (10 below + ½) / 30
    assert group.percentile("respect", 10.0) is None
    assert group.percentile("warmth", None) is None
    assert group.size == 0 and not group.enough  # no overall scores: nobody is counted


def test_median_only_from_a_large_enough_group() -> None:
    assert NormGroup({"x": [float(v) for v in range(29)]}).median("x") is None
    assert NormGroup({"x": [float(v) for v in range(30)]}).median("x") == 14.5
    assert NormGroup({"x": [float(v) for v in range(31)]}).median("x") == 15.0


def test_of_results_reads_overall_and_every_dimension(questionnaire, answers) -> None:
    result = score_submission(questionnaire, answers, {F01.id: 4})
    group = NormGroup.of_results([result] * 30)
    assert group.size == 30
    assert list(group.values(OVERALL)) == [result.overall] * 30
    assert list(group.values("warmth")) == [result.dimension("warmth").percent] * 30
