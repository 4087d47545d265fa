"""Each format's rule against values worked out by hand from the rubric."""

from __future__ import annotations

import pytest

from screening.scoring import (
    ScoringError,
    item_maximum,
    score_best_choice,
    score_free_text,
    score_most_least,
    score_rank,
    score_rate_each,
    score_unanswered,
)
from screening.scoring.rules import footrule, rank_maximum
from tests.unit.scoring.factories import B01, F01, K01, M01, R01, make_item, opt


def test_best_choice_gives_the_chosen_options_points() -> None:
    # option b: warmth 2, common sense 2; the maxima are option a's 4 and 3
    rule = score_best_choice(B01, "b")
    assert rule.points == {"warmth": 2, "common_sense": 2}
    assert rule.maximum == {"warmth": 4, "common_sense": 3}


def test_best_choice_maximum_is_per_dimension_not_per_option() -> None:
    item = make_item(
        "B02-split",
        B01.format,
        ["warmth", "respect"],
        [
            opt("a", points={"warmth": 4, "respect": 1}),
            opt("b", points={"warmth": 0, "respect": 3}),
            opt("c", points={"warmth": 2, "respect": 2}),
        ],
    )
    assert item_maximum(item) == {"warmth": 4, "respect": 3}


def test_most_least_adds_the_reward_for_rejecting_the_least() -> None:
    # most b: respect 2, warmth 2; least c (respect 1, warmth 2) earns 4 − 1 = 3 and 4 − 2 = 2
    rule = score_most_least(M01, "b", "c")
    assert rule.points == {"respect": 2 + 3, "warmth": 2 + 2}
    # max: best 4 + 4 − worst 0 = 8 on respect; 3 + 4 − 0 = 7 on warmth
    assert rule.maximum == {"respect": 8, "warmth": 7}
    assert score_most_least(M01, "a", "d").points == {"respect": 8, "warmth": 7}
    # keyed worst as most (0, 0) and keyed best as least (4 − 4, 4 − 3)
    assert score_most_least(M01, "d", "a").points == {"respect": 0, "warmth": 1}


def test_most_least_uses_the_items_own_scale() -> None:
    item = make_item(
        "M02-scale",
        M01.format,
        ["warmth"],
        [opt(i, points={"warmth": p}) for i, p in zip("abcd", [6, 3, 2, 0], strict=True)],
        scale_max=6,
    )
    assert score_most_least(item, "b", "c").points == {"warmth": 3 + (6 - 2)}
    assert item_maximum(item) == {"warmth": 6 + 6 - 0}


def test_rate_each_sums_agreement_with_the_key() -> None:
    # keys a5 b2 c1 d4; ratings 4, 2, 5, 1 → agreements 3 + 4 + 0 + 1 = 8
    rule = score_rate_each(R01, {"a": 4, "b": 2, "c": 5, "d": 1})
    assert rule.points == {"common_sense": 8}
    assert rule.maximum == {"common_sense": 16}
    assert score_rate_each(R01, {"a": 5, "b": 2, "c": 1, "d": 4}).points == {"common_sense": 16}


def test_rate_each_scores_every_dimension_of_the_item_alike() -> None:
    item = make_item(
        "R02-two-dims",
        R01.format,
        ["respect", "warmth"],
        [opt(i, effectiveness=k) for i, k in zip("abcd", [3, 3, 3, 3], strict=True)],
    )
    # every rating 1 is 2 away from 3: 4 × (4 − 2) = 8
    assert score_rate_each(item, dict.fromkeys("abcd", 1)).points == {"respect": 8, "warmth": 8}


def test_rank_is_the_largest_footrule_minus_the_applicants() -> None:
    # keyed c1 a2 d3 b4; applicant a, c, b, d: |1−2| + |2−1| + |3−4| + |4−3| = 4
    assert footrule(K01, ("a", "c", "b", "d")) == 4
    rule = score_rank(K01, ("a", "c", "b", "d"))
    assert rule.points == {"respect": 8 - 4, "common_sense": 8 - 4}
    assert rule.maximum == {"respect": 8, "common_sense": 8}
    assert score_rank(K01, ("c", "a", "d", "b")).points["respect"] == 8
    # reversed: |1−4| + |2−3| + |3−2| + |4−1| = 8, the largest footrule
    assert score_rank(K01, ("b", "d", "a", "c")).points["respect"] == 0


@pytest.mark.parametrize(("options", "expected"), [(4, 8), (5, 12), (3, 4), (2, 2)])
def test_rank_maximum_is_floor_of_n_squared_over_two(options: int, expected: int) -> None:
    assert rank_maximum(options) == expected


def test_free_text_rating_minus_one_on_every_dimension() -> None:
    assert score_free_text(F01, 4).points == {"warmth": 3, "respect": 3}
    assert score_free_text(F01, 1).points == {"warmth": 0, "respect": 0}
    assert score_free_text(F01, 5).maximum == {"warmth": 4, "respect": 4}


@pytest.mark.parametrize("rating", [0, 6, True, 3.0, "4"])
def test_free_text_refuses_a_rating_off_the_anchors(rating: object) -> None:
    with pytest.raises(ScoringError, match="rating"):
        score_free_text(F01, rating)  # type: ignore[arg-type]


@pytest.mark.parametrize("item", [B01, M01, R01, K01, F01], ids=lambda item: item.id)
def test_unanswered_scores_zero_but_keeps_the_maximum(item) -> None:
    rule = score_unanswered(item)
    assert set(rule.points.values()) == {0}
    assert rule.maximum == item_maximum(item)
    assert all(value > 0 for value in rule.maximum.values())
