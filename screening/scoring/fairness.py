"""Adverse impact: selection rates per group and the four-fifths rule. Pure, no database.

The EEOC's Uniform Guidelines (29 CFR 1607.4(D)) treat a group's selection
rate below four-fifths (80%) of the highest group's rate as evidence of
adverse impact; bias audits of automated hiring tools (NYC Local Law 144)
report the same impact ratios. A rate from a handful of people says nothing,
and showing it could identify them, so groups under a minimum size are
suppressed: no counts, no rate, and never the reference group. The minimum is
never below five (MINIMUM_GROUP_FLOOR), and while groups are hidden an empty
one is listed as hidden too, so "not shown" never tells that somebody is there.

Hiding a cell is not enough when the others and the total are shown: subtraction
gives it back. So the undisclosed count is hidden with the small groups
(complementary suppression), and the total less the shown groups is then a sum
of several unknowns; tests/unit/scoring/test_fairness_disclosure.py checks every
cohort of up to 12 that no hidden cell can be worked out. Selected counts need
no such step: no total of selected people is shown, so a hidden group's
selections stay unknown.

Self-identification is voluntary: "prefer not to say" and no answer at all
are counted as undisclosed and left out of the comparison.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

#: The four-fifths rule: an impact ratio below this flags possible adverse impact.
#: Exact, so that a ratio of exactly 4/5 is never flagged by a rounding error.
FOUR_FIFTHS = Fraction(4, 5)
#: Groups with fewer applicants than this are suppressed.
DEFAULT_MINIMUM_GROUP = 5
#: Nobody can set a smaller minimum: below five, people can be recognised.
MINIMUM_GROUP_FLOOR = 5

PREFER_NOT_TO_SAY = "prefer_not_to_say"
#: A submission without any self-identification (the applicant skipped the form).
NOT_ANSWERED = "not_answered"
UNDISCLOSED = frozenset({PREFER_NOT_TO_SAY, NOT_ANSWERED})

SEX_CATEGORIES: Mapping[str, str] = {
    "female": "Female",
    "male": "Male",
    "another": "Another sex or gender (for example non-binary)",
    PREFER_NOT_TO_SAY: "Prefer not to say",
}

#: The EEO-1 race/ethnicity categories, in the order of the EEO-1 report.
RACE_ETHNICITY_CATEGORIES: Mapping[str, str] = {
    "hispanic_or_latino": "Hispanic or Latino",
    "white": "White",
    "black_or_african_american": "Black or African American",
    "native_hawaiian_or_pacific_islander": "Native Hawaiian or Other Pacific Islander",
    "asian": "Asian",
    "american_indian_or_alaska_native": "American Indian or Alaska Native",
    "two_or_more_races": "Two or More Races",
    PREFER_NOT_TO_SAY: "Prefer not to say",
}

CHARACTERISTICS: Mapping[str, tuple[str, Mapping[str, str]]] = {
    "sex": ("Sex", SEX_CATEGORIES),
    "race_ethnicity": ("Race/ethnicity", RACE_ETHNICITY_CATEGORIES),
}


@dataclass(frozen=True)
class GroupImpact:
    """One group's line of the report; counts and rates are None when suppressed."""

    group: str
    label: str
    applicants: int | None
    selected: int | None
    selection_rate: float | None
    #: this group's rate divided by the highest group's rate.
    impact_ratio: float | None
    #: True when the impact ratio is below four-fifths.
    adverse: bool
    suppressed: bool
    reference: bool


@dataclass(frozen=True)
class ImpactReport:
    characteristic: str
    label: str
    minimum_group: int
    groups: tuple[GroupImpact, ...]
    #: applicants who preferred not to say or did not answer: not compared;
    #: None when hidden so that a small group cannot be worked out by subtraction.
    undisclosed: int | None
    reference_group: str | None
    warnings: tuple[str, ...]

    @property
    def adverse_groups(self) -> tuple[GroupImpact, ...]:
        return tuple(group for group in self.groups if group.adverse)


def adverse_impact(
    characteristic: str,
    outcomes: Iterable[tuple[str, bool]],
    *,
    minimum_group: int = DEFAULT_MINIMUM_GROUP,
) -> ImpactReport:
    """Selection rate, impact ratio and four-fifths flag per group of ``characteristic``.

    ``outcomes`` holds one (group, selected) pair per applicant. Groups are
    reported in the category order of the characteristic; unknown groups are
    refused rather than silently merged.
    """
    if characteristic not in CHARACTERISTICS:
        raise ValueError(f"unknown characteristic {characteristic!r}")
    if minimum_group < MINIMUM_GROUP_FLOOR:
        raise ValueError(f"minimum_group must be at least {MINIMUM_GROUP_FLOOR}")
    label, categories = CHARACTERISTICS[characteristic]
    applicants: Counter[str] = Counter()
    selected: Counter[str] = Counter()
    undisclosed = 0
    for group, was_selected in outcomes:
        if group in UNDISCLOSED:
            undisclosed += 1
            continue
        if group not in categories:
            raise ValueError(f"{group!r} is not a {label.lower()} category")
        applicants[group] += 1
        selected[group] += bool(was_selected)

    listed = [g for g in categories if g not in UNDISCLOSED]
    small = [g for g in listed if applicants[g] < minimum_group]
    # The small groups and the undisclosed count are hidden together, so the total less
    # the shown groups is a sum of several unknowns. When that sum is 0 nobody is in a
    # small group and there is nothing to hide (the empty groups are left out, as ever).
    # The choice depends only on figures the reader has (which groups are small, the
    # total less the shown groups), so knowing the rule gives nothing away.
    hiding = bool(small) and sum(applicants[g] for g in small) + undisclosed > 0
    compared = [g for g in listed if g not in small]
    rates = {g: Fraction(selected[g], applicants[g]) for g in compared}
    reference = max(compared, key=lambda g: rates[g], default=None)
    highest = rates[reference] if reference is not None else Fraction(0)

    groups = []
    for group in listed:
        if group in small:
            if hiding:
                groups.append(GroupImpact(group, categories[group], None, None, None, None,
                                          adverse=False, suppressed=True, reference=False))
            continue
        ratio = rates[group] / highest if highest > 0 else None
        groups.append(GroupImpact(
            group, categories[group], applicants[group], selected[group], float(rates[group]),
            None if ratio is None else float(ratio),
            adverse=ratio is not None and ratio < FOUR_FIFTHS,
            suppressed=False, reference=group == reference,
        ))

    warnings = []
    if len(compared) < 2:
        warnings.append(
            f"Fewer than two {label.lower()} groups have at least {minimum_group} applicants, "
            "so there is nothing to compare yet."
        )
    elif highest == 0:
        warnings.append("Nobody has been selected yet, so impact ratios cannot be computed.")
    if hiding:
        warnings.append(
            f"Groups with fewer than {minimum_group} applicants (none included) are not shown, "
            "so that nobody can be identified and no one is judged on a handful of people; "
            "the undisclosed count is hidden with them, so that no hidden figure can be "
            "worked out by subtracting the shown ones from the total."
        )
    flagged = [group.label for group in groups if group.adverse]
    if flagged:
        warnings.append(
            "Below four-fifths of the highest selection rate: " + ", ".join(flagged) + ". "
            "This is a signal to investigate (the items, the band cut-offs, the decisions), "
            "not proof of discrimination; with small groups a single person moves the ratio."
        )
    return ImpactReport(
        characteristic=characteristic,
        label=label,
        minimum_group=minimum_group,
        groups=tuple(groups),
        undisclosed=None if hiding else undisclosed,
        reference_group=reference,
        warnings=tuple(warnings),
    )


IMPACT_COLUMNS: tuple[str, ...] = (
    "characteristic",
    "group",
    "group_label",
    "applicants",
    "selected",
    "selection_rate",
    "impact_ratio",
    "below_four_fifths",
    "reference_group",
    "suppressed",
)


def impact_rows(reports: Iterable[ImpactReport]) -> Iterable[list[Any]]:
    """The reports as rows of IMPACT_COLUMNS, for the CSV export."""
    for report in reports:
        for group in report.groups:
            yield [
                report.characteristic,
                group.group,
                group.label,
                group.applicants,
                group.selected,
                None if group.selection_rate is None else round(group.selection_rate, 4),
                None if group.impact_ratio is None else round(group.impact_ratio, 4),
                group.adverse,
                group.reference,
                group.suppressed,
            ]
        yield [report.characteristic, "undisclosed", "Preferred not to say or did not answer",
               report.undisclosed, None, None, None, False, False, report.undisclosed is None]
