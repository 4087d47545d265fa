"""The keying panel's statistics against numbers worked out by hand, and their properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.bank import ResponseFormat
from screening.scoring.panel import (
    NotEnoughPanellists,
    icc2,
    item_consensus,
    keyed_value,
    panel_consensus,
    rwg_j,
    spearman,
)
from tests.unit.scoring.factories import make_item, opt

RATE = ResponseFormat.RATE_EACH


def test_rwg_j_of_three_raters_worked_by_hand() -> None:
    # Four options, three raters each. Ratings and sample variances (n - 1):
    #   a: 4, 5, 4 -> mean 13/3, squares 1/9 + 4/9 + 1/9 = 6/9, variance 6/9 / 2 = 1/3
    #   b: 2, 2, 2 -> 0
    #   c: 1, 2, 3 -> mean 2, squares 1 + 0 + 1 = 2, variance 1
    #   d: 3, 3, 4 -> 1/3 (as a)
    # Mean variance s̄² = (1/3 + 0 + 1 + 1/3) / 4 = 5/12. σ²_EU = (5² - 1) / 12 = 2.
    # s̄²/σ² = 5/24; J(1 - 5/24) = 4 * 19/24 = 19/6;
    # r_wg(J) = (19/6) / (19/6 + 5/24) = (76/24) / (81/24) = 76/81 = 0.93827...
    assert rwg_j([1 / 3, 0, 1, 1 / 3]) == pytest.approx(76 / 81)
    item = make_item("C01-x", RATE, ["common_sense"], [
        opt(option_id, effectiveness=value) for option_id, value in
        (("a", 5), ("b", 2), ("c", 1), ("d", 4))])
    ratings = [{"a": 4, "b": 2, "c": 1, "d": 3}, {"a": 5, "b": 2, "c": 2, "d": 3},
               {"a": 4, "b": 2, "c": 3, "d": 4}]
    consensus = item_consensus(item, ratings)
    assert consensus.rwg == pytest.approx(76 / 81)
    assert [round(o.mean, 4) for o in consensus.options] == [4.3333, 2.0, 2.0, 3.3333]
    assert consensus.consensus_order == ("a", "d", "b", "c")  # b before c: the bank's order


def test_rwg_j_is_zero_when_raters_disagree_more_than_random() -> None:
    # Ratings 1 and 5 on every option: variance 8 > σ²_EU = 2, truncated to 0.
    assert rwg_j([8.0, 8.0, 8.0, 8.0]) == 0.0


def test_spearman_on_a_small_tie_case_worked_by_hand() -> None:
    # x = 1, 2, 2, 3 -> ranks 1, 2.5, 2.5, 4; y = 1, 2, 3, 4 -> ranks 1, 2, 3, 4.
    # Means 2.5 and 2.5; deviations x: -1.5, 0, 0, 1.5; y: -1.5, -0.5, 0.5, 1.5.
    # Σdxdy = 2.25 + 0 + 0 + 2.25 = 4.5; Σdx² = 4.5; Σdy² = 5.
    # ρ = 4.5 / √(4.5 * 5) = 4.5 / √22.5 = 0.948683...
    assert spearman([1, 2, 2, 3], [1, 2, 3, 4]) == pytest.approx(4.5 / 22.5**0.5)
    assert spearman([3, 3, 3], [1, 2, 3]) is None  # a constant side has no order


def test_icc2_worked_by_hand() -> None:
    # Three targets rated by two raters: (1, 2), (3, 4), (5, 5). Grand mean 20/6 = 10/3.
    # Row means 1.5, 3.5, 5; SSR = 2 * ((1.5-10/3)² + (3.5-10/3)² + (5-10/3)²)
    #   = 2 * (121/36 + 1/36 + 100/36) = 444/36 = 37/3; MSR = 37/6.
    # Column means 3, 11/3; SSC = 3 * ((3-10/3)² + (11/3-10/3)²) = 3 * 2/9 = 2/3 = MSC.
    # SST = Σ(x - 10/3)² = (49 + 16 + 1 + 4 + 25 + 25)/9 = 120/9 = 40/3.
    # SSE = 40/3 - 37/3 - 2/3 = 1/3; MSE = (1/3) / 2 = 1/6.
    # ICC(2,1) = (37/6 - 1/6) / (37/6 + 1/6 + 2 (2/3 - 1/6) / 3) = 6 / (19/3 + 1/3) = 0.9
    # ICC(2,k) = (37/6 - 1/6) / (37/6 + (2/3 - 1/6) / 3) = 6 / (37/6 + 1/6) = 36/38
    icc = icc2([[1, 2], [3, 4], [5, 5]])
    assert icc is not None
    assert icc.single == pytest.approx(0.9)
    assert icc.average == pytest.approx(36 / 38)


def test_keyed_values_follow_each_format() -> None:
    best = make_item("W01-x", ResponseFormat.BEST_CHOICE, ["warmth", "respect"], [
        opt("a", points={"warmth": 4, "respect": 3}), opt("b", points={"warmth": 1,
                                                                        "respect": 0})])
    ranked = make_item("W02-x", ResponseFormat.RANK, ["warmth"], [
        opt("a", rank=2), opt("b", rank=1), opt("c", rank=4), opt("d", rank=3)])
    assert [keyed_value(best, o) for o in best.options] == [7, 1]
    assert [keyed_value(ranked, o) for o in ranked.options] == [3, 4, 1, 2]


def _rate_each(keys: tuple[int, ...]) -> object:
    return make_item("R01-x", RATE, ["respect"], [
        opt(chr(ord("a") + index), effectiveness=key) for index, key in enumerate(keys)])


def test_a_consensus_that_demotes_the_keyed_best_contradicts_the_key() -> None:
    item = _rate_each((5, 4, 2, 1))
    # The panel agrees closely and orders b > c > a > d: ρ with the key 0.4, keyed best third.
    ratings = [{"a": 3, "b": 5, "c": 4, "d": 1}] * 3
    consensus = item_consensus(item, ratings)
    assert consensus.rwg == 1.0 and not consensus.low_agreement
    assert consensus.rho == pytest.approx(0.4)
    assert consensus.contradicts_key


def test_an_agreeing_consensus_in_the_keys_order_is_not_flagged() -> None:
    item = _rate_each((5, 4, 2, 1))
    ratings = [{"a": 5, "b": 4, "c": 2, "d": 1}, {"a": 5, "b": 3, "c": 2, "d": 1},
               {"a": 4, "b": 4, "c": 2, "d": 1}]
    consensus = item_consensus(item, ratings)
    assert consensus.rho == pytest.approx(1.0)
    assert not consensus.flagged


def test_flagged_items_come_first_and_three_panellists_are_needed() -> None:
    calm = _rate_each((5, 4, 2, 1))
    split = make_item("C02-y", RATE, ["common_sense"], [
        opt(option_id, effectiveness=key) for option_id, key in
        (("a", 5), ("b", 4), ("c", 2), ("d", 1))])
    panellists = [
        {"R01-x": {"a": 5, "b": 4, "c": 2, "d": 1}, "C02-y": {"a": 1, "b": 5, "c": 1, "d": 5}},
        {"R01-x": {"a": 5, "b": 4, "c": 2, "d": 1}, "C02-y": {"a": 5, "b": 1, "c": 5, "d": 1}},
        {"R01-x": {"a": 5, "b": 4, "c": 2, "d": 1}, "C02-y": {"a": 1, "b": 5, "c": 1, "d": 5}},
    ]
    consensus = panel_consensus([calm, split], panellists)
    assert [item.item_id for item in consensus.items] == ["C02-y", "R01-x"]
    assert consensus.items[0].low_agreement
    with pytest.raises(NotEnoughPanellists):
        panel_consensus([calm, split], panellists[:2])


ratings_of_options = st.lists(
    st.lists(st.integers(min_value=1, max_value=5), min_size=3, max_size=8),
    min_size=3, max_size=5,
).filter(lambda columns: len({len(column) for column in columns}) == 1)


@given(st.lists(st.integers(min_value=1, max_value=5), min_size=3, max_size=5),
       st.integers(min_value=3, max_value=9))
def test_identical_ratings_agree_fully(pattern: list[int], raters: int) -> None:
    item = _rate_each(tuple(range(len(pattern), 0, -1)))
    ratings = [{chr(ord("a") + i): value for i, value in enumerate(pattern)}] * raters
    assert item_consensus(item, ratings).rwg == 1.0


@given(ratings_of_options)
def test_rwg_j_stays_within_zero_and_one(columns: list[list[int]]) -> None:
    import statistics

    assert 0.0 <= rwg_j([statistics.variance(column) for column in columns]) <= 1.0


@given(st.lists(st.floats(min_value=1, max_value=5), min_size=2, max_size=6, unique=True))
def test_spearman_of_a_sequence_with_itself_is_one(values: list[float]) -> None:
    assert spearman(values, values) == pytest.approx(1.0)
