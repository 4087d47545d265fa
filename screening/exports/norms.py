"""Percentiles for a whole export at once, with the same figures as scoring.norms.

``scoring.percentile_rank`` counts the norm group for every value: fine for one
report, quadratic for an export of 100,000 rows. Here each norm group is sorted
once and counted by bisection; the formula, rounding and minimum group size are
the scoring engine's, so a row shows the percentile its PDF report would show.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping

from screening.scoring.norms import NORM_MIN_GROUP

#: The norm group key for the overall score, beside the dimension names.
OVERALL = "overall"


class NormGroup:
    """Sorted scores of one questionnaire version's completed submissions, per dimension."""

    def __init__(self, scores: Mapping[str, Iterable[float]]) -> None:
        # array('d'): 8 bytes a score, so 100,000 submissions cost ~3 MB, not ~30 MB.
        self._sorted = {name: array("d", sorted(values)) for name, values in scores.items()}

    def size(self, name: str) -> int:
        return len(self._sorted.get(name, ()))

    def percentile(self, name: str, value: float | None) -> float | None:
        """scoring.percentile_rank(value, group): None for a group under NORM_MIN_GROUP."""
        group = self._sorted.get(name)
        if value is None or group is None or len(group) < NORM_MIN_GROUP:
            return None
        below = bisect_left(group, value)
        equal = bisect_right(group, value) - below
        return round(100 * (below + 0.5 * equal) / len(group), 1)


class NormGroupBuilder:
    """Collects one version's scores row by row, then sorts them once."""

    def __init__(self) -> None:
        self._scores: dict[str, array[float]] = {}

    def add(self, percents: Mapping[str, float | None]) -> None:
        for name, value in percents.items():
            if value is not None:
                self._scores.setdefault(name, array("d")).append(float(value))

    def build(self) -> NormGroup:
        return NormGroup(self._scores)
