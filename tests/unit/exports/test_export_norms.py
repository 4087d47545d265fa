"""The export's sorted norm groups give exactly scoring.percentile_rank's figures."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from screening.exports.norms import NormGroup, NormGroupBuilder
from screening.scoring import percentile_rank

percents = st.floats(min_value=0, max_value=100, allow_nan=False).map(lambda v: round(v, 4))


@given(group=st.lists(percents, min_size=0, max_size=80), value=percents)
def test_same_as_percentile_rank(group: list[float], value: float) -> None:
    assert NormGroup({"warmth": group}).percentile("warmth", value) == percentile_rank(value, group)


@given(group=st.lists(st.sampled_from([40.0, 60.0, 80.0]), min_size=30, max_size=60))
def test_same_as_percentile_rank_with_many_ties(group: list[float]) -> None:
    for value in (40.0, 50.0, 60.0, 80.0, 90.0):
        assert NormGroup({"x": group}).percentile("x", value) == percentile_rank(value, group)


def test_builder_keeps_dimensions_apart_and_skips_missing_scores() -> None:
    builder = NormGroupBuilder()
    for value in range(30):
        builder.add({"warmth": float(value), "respect": None})
    group = builder.build()
    assert group.size("warmth") == 30 and group.size("respect") == 0
    assert group.percentile("warmth", 10.0) == 35.0  # (10 below + ½) / 30
    assert group.percentile("respect", 10.0) is None
    assert group.percentile("warmth", None) is None
