"""Where a score stands among earlier applicants: the norm group and its percentiles.

The one definition of a percentile in the product: pages, PDFs, exports and the
API all ask a ``NormGroup``. Which submissions belong in the group is decided in
one place too (``screening.services.norms``); this module only counts.

A percentile from a handful of applicants would look precise and mean little,
so below NORM_MIN_GROUP applicants there is no percentile (and no median) at all.
Nor is there one for a result that is not a judgement (incomplete or unreliable): the
group holds only scored results, and a part-answered sitting compared with them would
read as a low rank when it is no rank at all.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence

from .result import ResultStatus, SubmissionResult

#: Fewer applicants than this and a percentile moves by several points per person.
NORM_MIN_GROUP = 30
#: What a report shows instead of a percentile for a small norm group.
NOT_ENOUGH_DATA = "not enough data yet"
#: The norm group's key for the overall score, beside the dimension names.
OVERALL = "overall"


def compared(status: str | None) -> bool:
    """Whether a result of this status is compared with the norm group at all.

    Results stored before statuses existed have none, and were all scored.
    """
    return status in (None, ResultStatus.SCORED, ResultStatus.SCORED.value)


class NormGroup:
    """The scores of one comparison group, overall and per dimension, sorted once.

    Percentile rank = 100·(count below + ½·count equal)/N, to 1 decimal: ties count
    half, so an applicant level with everyone sits at 50, not 0 or 100. Counting is
    by bisection, so an export of 100,000 rows costs N·log N, not N².
    """

    __slots__ = ("_sorted",)

    def __init__(self, scores: Mapping[str, Iterable[float]] | None = None) -> None:
        # array('d'): 8 bytes a score, so 100,000 submissions cost ~3 MB, not ~30 MB.
        self._sorted = {name: array("d", sorted(values)) for name, values in (scores or {}).items()}

    @classmethod
    def of_results(cls, results: Iterable[SubmissionResult]) -> NormGroup:
        builder = NormGroupBuilder()
        for result in results:
            builder.add_result(result)
        return builder.build()

    @property
    def size(self) -> int:
        """How many applicants are in the group (those with an overall score)."""
        return self.size_of(OVERALL)

    def size_of(self, name: str) -> int:
        return len(self._sorted.get(name, ()))

    @property
    def enough(self) -> bool:
        """Whether the group is large enough to give percentiles at all."""
        return self.size >= NORM_MIN_GROUP

    def values(self, name: str) -> Sequence[float]:
        """The group's scores on ``name``, ascending."""
        return self._sorted.get(name, array("d"))

    def percentile(self, name: str, value: float | None) -> float | None:
        """The percentile rank of ``value`` on ``name``; None for a group under the minimum."""
        group = self._sorted.get(name)
        if value is None or group is None or len(group) < NORM_MIN_GROUP:
            return None
        below = bisect_left(group, value)
        equal = bisect_right(group, value) - below
        return round(100 * (below + 0.5 * equal) / len(group), 1)

    def percentiles(self, result: SubmissionResult) -> dict[str, float | None]:
        """The percentile of each dimension's percent and of the overall score."""
        scores: dict[str, float | None] = dict(result.percents)
        scores[OVERALL] = result.overall
        return self.percentiles_of(result.status, scores)

    def percentiles_of(
        self, status: str | None, scores: Mapping[str, float | None]
    ) -> dict[str, float | None]:
        """Percentiles of a result's ``scores`` (by name) given its status, as stored.

        None for every score of a result that is not a judgement (``compared``).
        """
        if not compared(status):
            return dict.fromkeys(scores)
        return {name: self.percentile(name, value) for name, value in scores.items()}

    def median(self, name: str) -> float | None:
        """The group's median on ``name``; None below the minimum group, like percentiles."""
        group = self._sorted.get(name, ())
        if len(group) < NORM_MIN_GROUP:
            return None
        middle = len(group) // 2
        return group[middle] if len(group) % 2 else (group[middle - 1] + group[middle]) / 2


class NormGroupBuilder:
    """Collects a group's scores row by row (a streamed query), then sorts them once."""

    def __init__(self) -> None:
        self._scores: dict[str, array[float]] = {}

    def add(self, scores: Mapping[str, float | None]) -> None:
        """One applicant: ``overall`` and each dimension's percent (None is left out)."""
        for name, value in scores.items():
            if value is not None:
                self._scores.setdefault(name, array("d")).append(float(value))

    def add_result(self, result: SubmissionResult) -> None:
        self.add({OVERALL: result.overall, **result.percents})

    def build(self) -> NormGroup:
        return NormGroup(self._scores)


def percentile_rank(value: float, norm_group: Sequence[float]) -> float | None:
    """The percentile rank of ``value`` among ``norm_group``; None for fewer than 30 scores."""
    return NormGroup({OVERALL: norm_group}).percentile(OVERALL, value)
