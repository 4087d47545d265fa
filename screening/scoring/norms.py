"""Where a score stands among earlier applicants (the norm group).

A percentile from a handful of applicants would look precise and mean
little, so below NORM_MIN_GROUP applicants there is no percentile at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .result import SubmissionResult

#: Fewer applicants than this and a percentile moves by several points per person.
NORM_MIN_GROUP = 30
#: What a report shows instead of a percentile for a small norm group.
NOT_ENOUGH_DATA = "not enough data yet"


def percentile_rank(value: float, norm_group: Sequence[float]) -> float | None:
    """100·(count below + ½·count equal)/N, to 1 decimal; None for fewer than 30 scores.

    Ties count half, so an applicant level with everyone sits at 50, not 0 or 100.
    """
    size = len(norm_group)
    if size < NORM_MIN_GROUP:
        return None
    below = sum(1 for score in norm_group if score < value)
    equal = sum(1 for score in norm_group if score == value)
    return round(100 * (below + 0.5 * equal) / size, 1)


def dimension_percentiles(
    result: SubmissionResult, norm_groups: Mapping[str, Sequence[float]]
) -> dict[str, float | None]:
    """Percentile of each dimension's percent (and of ``overall`` when a group is given).

    ``norm_groups`` maps a dimension (or "overall") to earlier applicants'
    percents on it; a missing or small group gives None.
    """
    percentiles: dict[str, float | None] = {
        score.dimension: percentile_rank(score.percent, norm_groups.get(score.dimension, ()))
        for score in result.dimensions
    }
    if "overall" in norm_groups:
        percentiles["overall"] = percentile_rank(result.overall, norm_groups["overall"])
    return percentiles
