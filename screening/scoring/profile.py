"""What a result says about the applicant's profile across the three dimensions.

A "weakest dimension" steers the interview guide and the applicant's feedback, so it
is named only when the data says so: lower than every other dimension by more than
the standard error of the difference. Otherwise there is no clear weak area.
"""

from __future__ import annotations

import math

from .result import DimensionScore, SubmissionResult


def clear_weakest_dimension(result: SubmissionResult) -> str | None:
    """The dimension clearly below the others, or None when none is.

    Method 2 results carry each dimension's standard error; the lowest is named only
    when it trails every other by more than √(error₁² + error₂²). Method 1 results
    have no errors, and keep that method's rule: the lowest percent.
    """
    scored = [score for score in result.dimensions if score.maximum > 0]
    if not scored:
        return None
    lowest = min(scored, key=lambda score: score.percent)  # ties: questionnaire order
    if result.method == 1:
        return lowest.dimension
    return lowest.dimension if all(
        _clearly_below(lowest, other) for other in scored if other is not lowest
    ) else None


def _clearly_below(low: DimensionScore, other: DimensionScore) -> bool:
    if low.error is None or other.error is None:
        return False
    return other.percent - low.percent > math.hypot(low.error, other.error)
