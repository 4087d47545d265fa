"""No hidden group size can be worked out from the figures the adverse-impact report shows.

The reader here knows everything but the hidden cells: the total the page states,
every figure shown, which rows are hidden, and the suppression rule itself. So we
take every cohort of that total, build its report with the real code, and group
the cohorts by what their reports show. Within each group, every hidden cell must
take at least two values: otherwise the shown numbers give that cell away. The
check never looks inside the suppression code, only at what it shows.
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from collections.abc import Iterator

import pytest

from screening.scoring.fairness import (
    CHARACTERISTICS,
    MINIMUM_GROUP_FLOOR,
    UNDISCLOSED,
    ImpactReport,
    adverse_impact,
)

UNDISCLOSED_CELL = "undisclosed"


def cells_of(characteristic: str) -> list[str]:
    return [*(g for g in CHARACTERISTICS[characteristic][1] if g not in UNDISCLOSED),
            UNDISCLOSED_CELL]


def report_for(characteristic: str, sizes: dict[str, int]) -> ImpactReport:
    outcomes = []
    for cell, size in sizes.items():
        group = "prefer_not_to_say" if cell == UNDISCLOSED_CELL else cell
        outcomes += [(group, n % 2 == 0) for n in range(size)]
    return adverse_impact(characteristic, outcomes)


def shown(report: ImpactReport) -> tuple:
    """Every applicant count the report shows (None where hidden); missing rows too."""
    return (tuple((g.group, g.applicants) for g in report.groups), report.undisclosed)


def hidden_cells(report: ImpactReport) -> list[str]:
    cells = [g.group for g in report.groups if g.applicants is None]
    return cells + ([UNDISCLOSED_CELL] if report.undisclosed is None else [])


def cohorts(cells: list[str], total: int) -> Iterator[dict[str, int]]:
    """Every way of splitting ``total`` applicants over ``cells``."""
    for cuts in itertools.combinations_with_replacement(range(total + 1), len(cells) - 1):
        sizes = [b - a for a, b in zip((0, *cuts), (*cuts, total), strict=True)]
        yield dict(zip(cells, sizes, strict=True))


def recoverable(characteristic: str, total: int) -> list[str]:
    """Each (cohort, cell) whose hidden value the shown numbers pin down."""
    seen: dict[tuple, list[tuple[dict[str, int], list[str]]]] = defaultdict(list)
    for sizes in cohorts(cells_of(characteristic), total):
        report = report_for(characteristic, sizes)
        seen[shown(report)].append((sizes, hidden_cells(report)))
    found = []
    for alike in seen.values():
        hidden = alike[0][1]  # the same display hides the same cells
        for cell in hidden:
            values = {sizes[cell] for sizes, _ in alike}
            if len(values) < 2:
                found += [f"{cell} = {sizes[cell]} in {sizes}" for sizes, _ in alike]
    return found


def test_the_case_found_on_the_page_is_protected() -> None:
    # 2 decided: one woman, one who preferred not to say. Before: "Female" hidden,
    # "preferred not to say: 1" shown, so Female = 2 - 1 = 1.
    report = report_for("sex", {"female": 1, UNDISCLOSED_CELL: 1})
    female = next(g for g in report.groups if g.group == "female")
    assert female.applicants is None
    assert report.undisclosed is None or report.undisclosed == 0
    assert not [line for line in recoverable("sex", 2) if "female" in line]


@pytest.mark.parametrize("total", range(2, 13))
def test_every_split_by_sex_of_2_to_12_applicants(total: int) -> None:
    assert recoverable("sex", total) == []


@pytest.mark.parametrize("total", range(2, 13))
def test_every_split_by_race_and_ethnicity_of_2_to_12_applicants(total: int) -> None:
    assert recoverable("race_ethnicity", total) == []


def test_a_seeded_sample_of_larger_sex_cohorts() -> None:
    # Bigger totals, where a hidden group sits beside large shown ones: every split of
    # a random total, so the grouping by what is shown stays complete.
    rng = random.Random(22)
    for total in rng.sample(range(13, 41), 4):
        assert recoverable("sex", total) == [], total


def test_the_minimum_group_cannot_go_below_five() -> None:
    assert MINIMUM_GROUP_FLOOR == 5
    with pytest.raises(ValueError, match="at least 5"):
        adverse_impact("sex", [("female", True)] * 3, minimum_group=4)
