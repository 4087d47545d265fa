"""Local validation figures, against hand-worked and published values written here."""

from __future__ import annotations

import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from screening.scoring import score_submission
from screening.scoring.validity import (
    COMPLAINTS,
    CUSTOMER_SATISFACTION,
    DEMO_WARNING,
    RANGE_RESTRICTION_WARNING,
    STILL_EMPLOYED,
    SUPERVISOR_RATING,
    Correlation,
    HiredRecord,
    correlation,
    expectancy,
    fisher_interval,
    good_or_poor,
    key_check,
    keyed_choices,
    plain_reading,
    validity_report,
)
from tests.unit.scoring.factories import (
    B01,
    K01,
    M01,
    hand_answers,
    hand_questionnaire,
    make_questionnaire,
)

# -- correlation, point-biserial and Fisher's interval ----------------------------------------


def test_pearson_r_of_a_hand_worked_example() -> None:
    # x: 1..5, y: 2 4 5 4 5. Deviations from the means (3 and 4): x −2 −1 0 1 2,
    # y −2 0 1 0 1; Σxy = 4 + 2 = 6, Σx² = 10, Σy² = 6, r = 6 / √60 = 0.774597.
    found = correlation([1, 2, 3, 4, 5], [2, 4, 5, 4, 5], minimum=5)
    assert found.n == 5
    assert found.r == pytest.approx(0.774597, abs=1e-6)


def test_point_biserial_r_of_a_hand_worked_example() -> None:
    # Scores 10..60, stayed (1) for 30, 50 and 60. The textbook formula
    # r_pb = (M1 − M0) / s_n · √(pq) = (46.667 − 23.333) / 17.078 · 0.5 = 0.6831
    # (s_n the population SD of the scores, √(1750/6); p = q = 0.5).
    scores = [10, 20, 30, 40, 50, 60]
    stayed = [0, 0, 1, 0, 1, 1]
    found = correlation(scores, stayed, minimum=6)
    assert found.r == pytest.approx(0.6831, abs=1e-4)


def test_fisher_interval_of_the_issues_example() -> None:
    # z = atanh(0.21) = 0.21317; ± 1.96 / √139 = ± 0.16625; tanh back: 0.0469 and 0.3622.
    low, high = fisher_interval(0.21, 142)
    assert (round(low, 2), round(high, 2)) == (0.05, 0.36)
    assert low == pytest.approx(0.0469, abs=2e-4)
    assert high == pytest.approx(0.3622, abs=2e-4)


def test_the_plain_reading_of_the_issues_example() -> None:
    low, high = fisher_interval(0.21, 142)
    reading = plain_reading("overall", STILL_EMPLOYED, Correlation(142, 0.21, low, high))
    assert reading == ("The screen's overall score tells apart who stayed 90 days: "
                       "r = 0.21, 95% CI 0.05 to 0.36, n = 142.")


def test_the_plain_reading_says_when_the_interval_includes_zero_or_points_the_wrong_way() -> None:
    unclear = plain_reading("warmth", SUPERVISOR_RATING, Correlation(40, 0.1, -0.22, 0.40))
    assert unclear == ("The warmth score has not shown a clear relationship with supervisor "
                       "ratings yet: r = 0.10, 95% CI −0.22 to 0.40, n = 40; the interval "
                       "includes zero.")
    # Fewer complaints is the good direction: a negative r is a finding for the screen.
    fewer = plain_reading("overall", COMPLAINTS, Correlation(90, -0.3, -0.47, -0.10))
    assert fewer.startswith("The screen's overall score goes with fewer complaints: r = −0.30")
    wrong = plain_reading("respect", COMPLAINTS, Correlation(90, 0.3, 0.10, 0.47))
    assert wrong.startswith("The respect under pressure score points the wrong way: higher "
                            "scores went with more complaints")


def test_figures_are_withheld_below_thirty_people() -> None:
    found = correlation(list(range(12)), [0, 1] * 6)
    assert (found.r, found.low, found.high) == (None, None, None)
    assert found.withheld == "not enough data yet (n = 12; 30 needed)"
    reading = plain_reading("overall", STILL_EMPLOYED, found)
    assert reading == ("The screen's overall score and who stayed 90 days: not enough data yet "
                       "(n = 12; 30 needed).")


def test_an_outcome_everyone_shares_has_no_r() -> None:
    found = correlation(list(range(40)), [1] * 40)
    assert found.r is None
    assert "same value" in found.withheld


finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False, allow_infinity=False)


@st.composite
def pairs(draw: st.DrawFn) -> tuple[list[float], list[float]]:
    n = draw(st.integers(min_value=4, max_value=40))
    xs = draw(st.lists(finite, min_size=n, max_size=n))
    ys = draw(st.lists(finite, min_size=n, max_size=n))
    return xs, ys


@given(pairs())
def test_r_lies_between_minus_one_and_one_and_its_interval_holds_it(
        data: tuple[list[float], list[float]]) -> None:
    xs, ys = data
    found = correlation(xs, ys, minimum=4)
    assume(found.r is not None)
    assert -1 - 1e-9 <= found.r <= 1 + 1e-9
    assert found.low is not None and found.high is not None
    assert found.low <= found.r + 1e-9 and found.r <= found.high + 1e-9


@given(pairs())
def test_r_is_symmetric(data: tuple[list[float], list[float]]) -> None:
    xs, ys = data
    one, other = correlation(xs, ys, minimum=4), correlation(ys, xs, minimum=4)
    assume(one.r is not None)
    assert other.r == pytest.approx(one.r, abs=1e-9)


@given(pairs(), st.floats(min_value=0.01, max_value=100), st.floats(min_value=-100,
                                                                      max_value=100))
def test_r_is_unchanged_by_a_linear_change_of_scale(
        data: tuple[list[float], list[float]], scale: float, shift: float) -> None:
    xs, ys = data
    before = correlation(xs, ys, minimum=4)
    assume(before.r is not None and abs(before.r) < 0.999)
    # Values far apart in size lose the small ones to rounding; keep the spread sensible.
    assume(max(xs) - min(xs) > 1e-3 and max(ys) - min(ys) > 1e-3)
    after = correlation([scale * x + shift for x in xs], ys, minimum=4)
    flipped = correlation([-scale * x + shift for x in xs], ys, minimum=4)
    assert after.r is not None and flipped.r is not None
    assert after.r == pytest.approx(before.r, abs=1e-6)
    assert flipped.r == pytest.approx(-before.r, abs=1e-6)


# -- expectancy table ---------------------------------------------------------------------------


def _record(band: str | None, *, overall: float = 50.0, keyed: dict[str, bool] | None = None,
            **outcomes: object) -> HiredRecord:
    return HiredRecord(overall=overall, dimensions={"warmth": overall, "common_sense": overall,
                                                    "respect": overall},
                       band_id=band, outcomes=outcomes, keyed_choices=keyed or {})


BANDS = [("front_line", "Strong fit"), ("probe", "Probe"), ("secondary", "Secondary")]


def test_expectancy_table_of_a_hand_worked_cohort() -> None:
    # 10 in the top band (8 stayed), 12 in the middle (6 stayed), 8 in the last (2 stayed):
    # 80%, 50% and 25%. Two without a band and one without the outcome are not counted.
    records = (
        [_record("front_line", still_employed_90_days=s) for s in [True] * 8 + [False] * 2]
        + [_record("probe", still_employed_90_days=s) for s in [True] * 6 + [False] * 6]
        + [_record("secondary", still_employed_90_days=s) for s in [True] * 2 + [False] * 6]
        + [_record(None, still_employed_90_days=True)] * 2
        + [_record("front_line", supervisor_rating=5)]
    )
    table = expectancy(STILL_EMPLOYED, BANDS, records)
    assert table.withheld == ""
    assert table.n == 30
    assert [(b.band_id, b.n, b.value) for b in table.bands] == [
        ("front_line", 10, 0.8), ("probe", 12, 0.5), ("secondary", 8, 0.25)]
    assert [b.few for b in table.bands] == [False, False, True]


def test_expectancy_of_a_rating_is_its_mean_per_band_and_empty_bands_have_none() -> None:
    # Ratings 5,5,4,4,3 repeated: top band mean 4.2; 25 in the middle with 3,2,2,3,3: 2.6.
    records = ([_record("front_line", supervisor_rating=r) for r in [5, 5, 4, 4, 3]]
               + [_record("probe", supervisor_rating=r) for r in [3, 2, 2, 3, 3] * 5])
    table = expectancy(SUPERVISOR_RATING, BANDS, records)
    values = {b.band_id: (b.n, b.value) for b in table.bands}
    assert values["front_line"] == (5, pytest.approx(4.2))
    assert values["probe"] == (25, pytest.approx(2.6))
    assert values["secondary"] == (0, None)


def test_expectancy_is_withheld_below_thirty() -> None:
    records = [_record("probe", still_employed_90_days=True)] * 29
    table = expectancy(STILL_EMPLOYED, BANDS, records)
    assert table.bands == ()
    assert table.withheld == "not enough data yet (n = 29; 30 needed)"


# -- key check ----------------------------------------------------------------------------------


def test_keyed_choices_read_from_a_scored_result() -> None:
    # Hand answers: B01 chose a (keyed best); M01 called b most effective (the key says a);
    # K01 placed a first (the key places c first). Rate-each and free text have no one choice.
    questionnaire = hand_questionnaire()
    result = score_submission(questionnaire, hand_answers(), {"F01-bad-morning": 3})
    assert keyed_choices(questionnaire, result) == {B01.id: True, M01.id: False, K01.id: False}


def test_key_check_compares_good_and_poor_performers_per_item() -> None:
    # Stayed: 20 people, 15 chose the keyed option of B01 (75%), 10 of M01 (50%).
    # Left: 10 people, 4 chose the key of B01 (40%), 8 of M01 (80%).
    questionnaire = make_questionnaire([B01, M01])
    stayed = [_record("probe", still_employed_90_days=True,
                      keyed={B01.id: n < 15, M01.id: n < 10}) for n in range(20)]
    left = [_record("probe", still_employed_90_days=False,
                    keyed={B01.id: n < 4, M01.id: n < 8}) for n in range(10)]
    check = key_check(STILL_EMPLOYED, questionnaire, stayed + left)
    assert (check.good, check.poor, check.withheld) == (20, 10, "")
    first, second = check.items
    assert (first.item_id, first.good_n, first.good_keyed, first.poor_n, first.poor_keyed) == \
        (B01.id, 20, 15, 10, 4)
    assert first.difference == pytest.approx(0.35)
    assert second.difference == pytest.approx(-0.30)  # the poor performers chose the key more


def test_key_check_is_withheld_below_thirty_in_the_two_groups() -> None:
    questionnaire = make_questionnaire([B01])
    # A rating of 3 is neither good (4–5) nor poor (1–2): 40 people, but only 20 compared.
    records = ([_record("probe", supervisor_rating=3, keyed={B01.id: True})] * 20
               + [_record("probe", supervisor_rating=5, keyed={B01.id: True})] * 10
               + [_record("probe", supervisor_rating=1, keyed={B01.id: False})] * 10)
    check = key_check(SUPERVISOR_RATING, questionnaire, records)
    assert check.items == ()
    assert check.withheld == "not enough data yet (n = 20; 30 needed)"


def test_good_and_poor_groups_of_each_outcome() -> None:
    assert good_or_poor(STILL_EMPLOYED, [True, False, None]) == [True, False, None]
    assert good_or_poor(SUPERVISOR_RATING, [5, 4, 3, 2, 1]) == [True, True, None, False, False]
    assert good_or_poor(COMPLAINTS, [0, 1, 4, None]) == [True, False, False, None]
    # Median of 60, 70, 80, 90, 95 is 80: above good, below poor, the median itself neither.
    assert good_or_poor(CUSTOMER_SATISFACTION, [60, 70, 80, 90, 95]) == \
        [False, False, None, True, True]


# -- the whole report ---------------------------------------------------------------------------


def test_report_always_warns_of_range_restriction_and_labels_demo_data() -> None:
    questionnaire = make_questionnaire([B01])
    real = validity_report(questionnaire, [])
    assert RANGE_RESTRICTION_WARNING in real.warnings and DEMO_WARNING not in real.warnings
    demo = validity_report(questionnaire, [], demo=True)
    assert demo.warnings[0] == DEMO_WARNING


def test_report_correlates_every_score_with_every_outcome() -> None:
    # 30 people whose overall score is ten times their rating: r = 1 exactly.
    records = [_record("probe", overall=10.0 * (1 + n % 5), supervisor_rating=1 + n % 5)
               for n in range(30)]
    report = validity_report(make_questionnaire([B01]), records)
    assert len(report.correlations) == 4 * 4
    overall = next(row for row in report.correlations
                   if row.predictor == "overall" and row.measure is SUPERVISOR_RATING)
    assert overall.correlation.r == pytest.approx(1.0)
    assert overall.correlation.n == 30
    assert math.isclose(overall.correlation.low or 0, 1.0)
    kept = next(row for row in report.correlations
                if row.predictor == "overall" and row.measure is STILL_EMPLOYED)
    assert kept.correlation.withheld == "not enough data yet (n = 0; 30 needed)"


def test_r_of_tiny_but_varying_values_is_computed_not_a_division_by_zero() -> None:
    # Found by hypothesis: the two sums of squares (about 1e-222 each) multiply to 0.
    tiny = [0.0, 0.0, 0.0, 4.343544970277919e-111]
    assert correlation(tiny, tiny, minimum=4).r == pytest.approx(1.0)
