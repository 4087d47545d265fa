"""Adverse impact against a hand-worked example (EEOC four-fifths rule)."""

from __future__ import annotations

import pytest

from screening.scoring.fairness import (
    IMPACT_COLUMNS,
    adverse_impact,
    impact_rows,
)


def _outcomes(group: str, applicants: int, selected: int) -> list[tuple[str, bool]]:
    return [(group, True)] * selected + [(group, False)] * (applicants - selected)


# Worked by hand:
#   male    50 applicants, 25 selected: rate 25/50 = 0.50  -> highest, ratio 1.00
#   female  40 applicants, 12 selected: rate 12/40 = 0.30  -> ratio 0.30/0.50 = 0.60 < 0.8: flagged
#   another  3 applicants,  3 selected: fewer than 5 -> suppressed, and NOT the reference even
#            though 3/3 = 1.00 would be the highest rate
#   prefer not to say 6 + no answer 4 = 10 undisclosed, not compared, and hidden with
#   "another": shown, 93 - 40 - 50 = 3 would give "another" away
SEX = (_outcomes("male", 50, 25) + _outcomes("female", 40, 12) + _outcomes("another", 3, 3)
       + _outcomes("prefer_not_to_say", 6, 1) + _outcomes("not_answered", 4, 4))


def test_hand_worked_sex_example() -> None:
    report = adverse_impact("sex", SEX)
    by_group = {group.group: group for group in report.groups}
    assert [g.group for g in report.groups] == ["female", "male", "another"]
    female, male, another = by_group["female"], by_group["male"], by_group["another"]
    assert (female.applicants, female.selected) == (40, 12)
    assert female.selection_rate == pytest.approx(0.30)
    assert female.impact_ratio == pytest.approx(0.60)
    assert female.adverse and not female.reference
    assert (male.applicants, male.selected, male.selection_rate) == (50, 25, 0.5)
    assert male.impact_ratio == 1.0 and male.reference and not male.adverse
    assert another.suppressed and another.applicants is None and another.selection_rate is None
    assert not another.adverse
    assert report.reference_group == "male"
    assert report.undisclosed is None
    assert [g.group for g in report.adverse_groups] == ["female"]
    assert any("fewer than 5" in w for w in report.warnings)
    assert any("Female" in w and "four-fifths" in w for w in report.warnings)


# Race/ethnicity, by hand:
#   white    30 applicants, 15 selected: 0.50 -> reference
#   black    25 applicants, 10 selected: 0.40 -> 0.40/0.50 = 0.80 exactly: NOT below four-fifths
#   asian    20 applicants,  7 selected: 0.35 -> 0.70: flagged
#   hispanic 10 applicants,  4 selected: 0.40 -> 0.80: not flagged
#   two or more races 4 applicants: suppressed, like the two empty groups (Native
#   Hawaiian, American Indian), and the 2 who preferred not to say are hidden with them
RACE = (_outcomes("white", 30, 15) + _outcomes("black_or_african_american", 25, 10)
        + _outcomes("asian", 20, 7) + _outcomes("hispanic_or_latino", 10, 4)
        + _outcomes("two_or_more_races", 4, 1) + _outcomes("prefer_not_to_say", 2, 0))


def test_hand_worked_race_example_with_a_ratio_of_exactly_four_fifths() -> None:
    report = adverse_impact("race_ethnicity", RACE)
    ratios = {g.group: g.impact_ratio for g in report.groups if not g.suppressed}
    assert ratios == pytest.approx({"hispanic_or_latino": 0.8, "white": 1.0,
                                    "black_or_african_american": 0.8, "asian": 0.7})
    assert [g.group for g in report.adverse_groups] == ["asian"]
    assert report.reference_group == "white"
    assert report.undisclosed is None
    assert [g.group for g in report.groups if g.suppressed] == [
        "native_hawaiian_or_pacific_islander", "american_indian_or_alaska_native",
        "two_or_more_races"]


def test_nothing_is_hidden_when_the_small_groups_are_empty() -> None:
    # female 6, male 5, another 0, nobody undisclosed: 11 - 6 - 5 = 0 leaves nothing to hide.
    report = adverse_impact("sex", _outcomes("female", 6, 3) + _outcomes("male", 5, 1))
    assert [g.group for g in report.groups] == ["female", "male"]
    assert report.undisclosed == 0
    assert not any("not shown" in w for w in report.warnings)


def test_minimum_group_size_is_a_parameter_of_at_least_five() -> None:
    report = adverse_impact("sex", SEX, minimum_group=45)
    assert [g.group for g in report.groups if g.suppressed] == ["female", "another"]
    male = next(g for g in report.groups if g.group == "male")
    assert male.reference and male.applicants == 50
    assert any("fewer than 45" in w for w in report.warnings)
    with pytest.raises(ValueError, match="at least 5"):
        adverse_impact("sex", SEX, minimum_group=4)


def test_nothing_to_compare() -> None:
    only_one = adverse_impact("sex", _outcomes("female", 9, 3) + _outcomes("male", 2, 0))
    assert only_one.reference_group == "female"
    assert not only_one.adverse_groups
    assert any("nothing to compare" in w for w in only_one.warnings)
    none_selected = adverse_impact("sex", _outcomes("female", 9, 0) + _outcomes("male", 8, 0))
    assert all(g.impact_ratio is None and not g.adverse for g in none_selected.groups)
    assert any("Nobody has been selected" in w for w in none_selected.warnings)


def test_unknown_groups_are_refused() -> None:
    with pytest.raises(ValueError, match="not a sex category"):
        adverse_impact("sex", [("martian", True)])
    with pytest.raises(ValueError, match="unknown characteristic"):
        adverse_impact("age", [])


def test_rows_for_the_csv_export() -> None:
    rows = [dict(zip(IMPACT_COLUMNS, row, strict=True))
            for row in impact_rows([adverse_impact("sex", SEX)])]
    assert rows[0] == {"characteristic": "sex", "group": "female", "group_label": "Female",
                       "applicants": 40, "selected": 12, "selection_rate": 0.3,
                       "impact_ratio": 0.6, "below_four_fifths": True,
                       "reference_group": False, "suppressed": False}
    assert rows[2]["suppressed"] is True and rows[2]["applicants"] is None
    assert rows[-1]["group"] == "undisclosed" and rows[-1]["applicants"] is None
    assert rows[-1]["suppressed"] is True
