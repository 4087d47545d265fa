"""Scoring method 2: each item weighs the same, rate-each free of rating style, bands
that red flags cap, and a status instead of a band where the answers cannot carry one.

The hand-worked figures below are computed on paper from the item definitions in
factories.py, not by the engine.
"""

from __future__ import annotations

import itertools
import json
import statistics
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screening.bank.model import CURRENT_SCORING_METHOD, DIMENSIONS, Item
from screening.scoring import Answer, SubmissionResult, score_submission
from screening.scoring.bands import (
    INCOMPLETE_SHARE,
    close_to_line,
    decide,
    status_of,
)
from screening.scoring.result import BandCap, ResultStatus
from tests.unit.scoring.factories import (
    B01,
    BEST,
    K01,
    M01,
    R01,
    RATE,
    answers_for,
    hand_answers,
    hand_questionnaire,
    keyed_best,
    keyed_items,
    make_item,
    make_questionnaire,
    opt,
    standard_bands,
)

V2 = CURRENT_SCORING_METHOD
READ = 60.0  # seconds: slower than any item's too-fast threshold


def v2(items, **kwargs):
    return make_questionnaire(items, scoring_method=V2, **kwargs)


# -- the hand-worked submission ----------------------------------------------------


def test_hand_worked_submission_under_method_2() -> None:
    """Each item's share of its own maximum, averaged per dimension.

    B01 chose a: warmth 4/4, common sense 3/3.
    M01 most b, least d: respect (2 + 4 − 0)/8 = 0.75, warmth (2 + 4 − 0)/7.
    R01 ratings a4 b2 c5 d1 against keys a5 b2 c1 d4: deviations (1, −1, 2, −2) and
        (2, −1, −2, 1), r = (2 + 1 − 4 − 2)/10 = −0.3, so 2 + 2r = 1.4 of 4 = 0.35.
    K01 ranked a c b d against keyed c a d b: footrule 4 of 8, so 0.5.
    F01 written answer not rated yet: left out, result provisional.
    """
    result = score_submission(hand_questionnaire(V2), hand_answers())
    percents = result.percents
    assert percents["warmth"] == pytest.approx(100 * (1 + 6 / 7) / 2, abs=1e-3)
    assert percents["common_sense"] == pytest.approx(100 * (1 + 0.35 + 0.5) / 3, abs=1e-3)
    assert percents["respect"] == pytest.approx(100 * (0.75 + 0.5) / 2, abs=1e-3)
    assert result.dimension("common_sense").maximum == 3  # three items, one each
    assert result.provisional and result.method == V2
    rate_each = next(line for line in result.trace if line.item_id == R01.id)
    assert rate_each.points["common_sense"] == pytest.approx(1.4)


def test_a_rate_each_item_weighs_what_a_best_choice_item_weighs() -> None:
    """Method 1 let one rate-each item (16 points) outweigh a best-choice item (4) four
    to one; under method 2 keyed on one and worst on the other is 50% either way."""
    best_choice = make_item("B02-two", BEST, ["common_sense"], [
        opt("a", points={"common_sense": 4}), opt("b", points={"common_sense": 1}),
        opt("c", points={"common_sense": 0})])
    questionnaire = v2([best_choice, R01])
    rate_keyed = Answer(R01.id, ratings={"a": 5, "b": 2, "c": 1, "d": 4}, seconds=READ)
    rate_reversed = Answer(R01.id, ratings={"a": 1, "b": 4, "c": 5, "d": 2}, seconds=READ)
    one_way = score_submission(questionnaire, {
        best_choice.id: Answer(best_choice.id, choice="c", seconds=READ),
        R01.id: rate_keyed})
    other_way = score_submission(questionnaire, {
        best_choice.id: Answer(best_choice.id, choice="a", seconds=READ),
        R01.id: rate_reversed})
    assert one_way.percents["common_sense"] == pytest.approx(50.0)
    assert other_way.percents["common_sense"] == pytest.approx(50.0)


# -- rate-each against response style ----------------------------------------------


def _rate_points(item: Item, ratings: dict[str, int]) -> float:
    result = score_submission(v2([item]), {item.id: Answer(item.id, ratings=ratings)})
    return result.trace[0].points[item.primary_dimension]


@pytest.mark.parametrize("value", [1, 2, 3, 4, 5])
def test_rating_every_option_alike_earns_what_chance_earns(value: int) -> None:
    assert _rate_points(R01, dict.fromkeys("abcd", value)) == pytest.approx(2.0)


def test_random_ratings_earn_half_on_average_and_extreme_style_no_more() -> None:
    """Over all 5⁴ rating patterns the mean is exactly the midpoint 2 of 4: for any set
    of ratings, the correlation with the key averages 0 over its orders."""
    every = [_rate_points(R01, dict(zip("abcd", values, strict=True)))
             for values in itertools.product(range(1, 6), repeat=4)]
    assert statistics.fmean(every) == pytest.approx(2.0, abs=1e-3)
    extreme = [_rate_points(R01, dict(zip("abcd", values, strict=True)))
               for values in itertools.product((1, 5), repeat=4)]
    assert statistics.fmean(extreme) == pytest.approx(2.0, abs=1e-3)


def test_keyed_ratings_earn_the_maximum_and_reversed_ones_nothing() -> None:
    assert _rate_points(R01, {"a": 5, "b": 2, "c": 1, "d": 4}) == pytest.approx(4.0)
    assert _rate_points(R01, {"a": 1, "b": 4, "c": 5, "d": 2}) == pytest.approx(0.0)


@settings(max_examples=60, deadline=None)
@given(keyed_items(RATE), st.data())
def test_rate_each_ignores_a_shift_in_rating_style(item: Item, data) -> None:
    """Rating everything one step higher or lower (a lenient or a harsh rater) changes
    nothing: only the order of the ratings against the key counts."""
    values = data.draw(st.lists(st.integers(1, 4), min_size=len(item.options),
                                max_size=len(item.options)))
    ratings = {o.id: v for o, v in zip(item.options, values, strict=True)}
    shifted = {oid: v + 1 for oid, v in ratings.items()}
    points = _rate_points(item, ratings)
    assert 0.0 <= points <= 4.0
    assert _rate_points(item, shifted) == pytest.approx(points, abs=1e-3)


# -- properties over any questionnaire -----------------------------------------------


@st.composite
def v2_submissions(draw: st.DrawFn):
    count = draw(st.integers(1, 8))
    items = [draw(keyed_items(index=i)) for i in range(count)]
    questionnaire = v2(items, weights={d: draw(st.sampled_from([0.5, 1.0, 2.0]))
                                       for d in DIMENSIONS})
    answers, ratings = {}, {}
    for item in items:
        answer = draw(answers_for(item))
        if answer is not None:
            answers[item.id] = answer
        if item.format.value == "free_text" and draw(st.booleans()):
            ratings[item.id] = draw(st.integers(1, 5))
    return questionnaire, answers, ratings


@given(v2_submissions())
def test_scores_stay_in_range_and_survive_storage(case) -> None:
    questionnaire, answers, ratings = case
    result = score_submission(questionnaire, answers, ratings)
    for score in result.dimensions:
        assert 0.0 <= score.percent <= 100.0
        assert 0.0 <= score.raw <= score.maximum
        if score.error is not None:
            assert score.error >= 0.0
    assert 0.0 <= result.overall <= 100.0
    assert SubmissionResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result


@given(v2_submissions(), st.randoms(use_true_random=False))
def test_item_order_does_not_matter(case, rng) -> None:
    questionnaire, answers, ratings = case
    items = list(questionnaire.items)
    rng.shuffle(items)
    shuffled = score_submission(replace(questionnaire, items=tuple(items)), answers, ratings)
    original = score_submission(questionnaire, answers, ratings)
    assert shuffled.percents == pytest.approx(original.percents)
    assert shuffled.band == original.band and shuffled.status == original.status


@given(v2_submissions())
def test_no_band_without_enough_answers_and_red_flags_always_cap(case) -> None:
    questionnaire, answers, ratings = case
    result = score_submission(questionnaire, answers, ratings)
    bands = [band.id for band in questionnaire.bands]
    if result.answered < INCOMPLETE_SHARE * result.item_count:
        assert result.status is ResultStatus.INCOMPLETE and result.band is None
    if result.band is None:
        assert result.status is not ResultStatus.SCORED
        return
    index = bands.index(result.band.id)
    if len(result.red_flags) == 1:
        assert index >= 1
    if len(result.red_flags) >= 2:
        assert index == len(bands) - 1


@given(v2_submissions(), st.data())
def test_skipping_an_answered_item_never_raises_a_score(case, data) -> None:
    questionnaire, answers, ratings = case
    if not answers:
        return
    skipped = data.draw(st.sampled_from(sorted(answers)))
    fewer = {k: v for k, v in answers.items() if k != skipped}
    before = score_submission(questionnaire, answers, ratings).percents
    after = score_submission(questionnaire, fewer, ratings).percents
    for dimension in DIMENSIONS:
        assert after[dimension] <= before[dimension] + 1e-9


# -- bands that hold ---------------------------------------------------------------


def _all_keyed(items, seconds=READ):
    return {item.id: replace(keyed_best(item), seconds=seconds) for item in items}


def test_one_red_flag_with_every_other_answer_keyed_is_not_the_top_band() -> None:
    items = [B01, M01, R01, K01]
    answers = _all_keyed(items)
    clean = score_submission(v2(items), answers)
    assert clean.band.id == "front_line" and clean.band_cap is None
    # Rate the red-flagged option c of R01 at 5, everything else as keyed.
    flagged = dict(answers, **{R01.id: Answer(R01.id, ratings={"a": 5, "b": 2, "c": 5, "d": 4},
                                              seconds=READ)})
    result = score_submission(v2(items), flagged)
    assert len(result.red_flags) == 1
    assert result.overall >= 70  # the scores alone would reach the top band
    assert result.band.id == "probe" and result.band_cap is BandCap.ONE_RED_FLAG


def test_two_red_flags_hold_the_band_at_the_lowest() -> None:
    items = [B01, M01, R01, K01]
    answers = dict(_all_keyed(items),
                   **{B01.id: Answer(B01.id, choice="c", seconds=READ),
                      M01.id: Answer(M01.id, most="d", least="c", seconds=READ)})
    result = score_submission(v2(items), answers)
    assert len(result.red_flags) >= 2
    assert result.band.id == "secondary" and result.band_cap is BandCap.RED_FLAGS


def test_decide_leaves_a_band_already_at_or_below_the_cap_alone() -> None:
    bands = standard_bands()
    low = {d: 0.0 for d in DIMENSIONS}
    assert decide(bands, 10.0, low, 1).cap is None  # already the lowest
    assert decide(bands, 55.0, {**low, "respect": 45.0}, 1).cap is None  # already middle
    assert decide(bands, 55.0, {**low, "respect": 45.0}, 2).cap is BandCap.RED_FLAGS


def test_status_thresholds() -> None:
    assert status_of(16, 20, 0) is ResultStatus.SCORED  # 80% answered is enough
    assert status_of(15, 20, 0) is ResultStatus.INCOMPLETE
    assert status_of(4, 20, 0) is ResultStatus.INCOMPLETE
    assert status_of(20, 20, 10) is ResultStatus.SCORED  # half too fast: still read
    assert status_of(20, 20, 11) is ResultStatus.UNRELIABLE
    assert status_of(0, 0, 0) is ResultStatus.INCOMPLETE


def test_incomplete_and_too_fast_results_have_a_status_and_no_band() -> None:
    items = [B01, M01, R01, K01]
    partial = score_submission(v2(items), {B01.id: _all_keyed([B01])[B01.id]})
    assert partial.status is ResultStatus.INCOMPLETE and partial.band is None
    assert (partial.answered, partial.item_count) == (1, 4)
    hurried = score_submission(v2(items), _all_keyed(items, seconds=1.0))
    assert hurried.status is ResultStatus.UNRELIABLE and hurried.band is None
    assert hurried.overall == pytest.approx(100.0)  # the scores stay, the band does not


def test_close_to_the_line_is_within_one_error_of_a_cut_score() -> None:
    bands = standard_bands()  # top band: overall 70, every dimension 60
    percents = {"warmth": 90.0, "common_sense": 90.0, "respect": 64.0}
    errors = {"warmth": 3.0, "common_sense": 3.0, "respect": 5.0}
    assert close_to_line(bands, 72.0, 3.0, percents, errors) == ("overall", "respect")
    assert close_to_line(bands, 80.0, 3.0, percents, {**errors, "respect": 3.0}) == ()
    assert close_to_line(bands, 72.0, None, percents, errors) == ("respect",)


def test_under_a_red_flag_cap_only_the_capped_bands_cuts_are_close_to_the_line() -> None:
    """A result held at the middle band by a red flag cannot rise above it, so being near
    the top band's cuts says nothing; with two red flags no cut can change the band."""
    items = [B01, M01, R01, K01]
    answers = _all_keyed(items)
    # Keyed everywhere but the red-flagged c of R01 rated 5: overall far above every cut.
    flagged = dict(answers, **{R01.id: Answer(R01.id, ratings={"a": 5, "b": 2, "c": 5, "d": 4},
                                              seconds=READ)})
    one = score_submission(v2(items), flagged)
    assert one.band_cap is BandCap.ONE_RED_FLAG
    assert one.close_to_line == ()
    two = dict(flagged, **{B01.id: Answer(B01.id, choice="c", seconds=READ)})
    capped = score_submission(v2(items), two)
    assert capped.band_cap is BandCap.RED_FLAGS and capped.close_to_line == ()
