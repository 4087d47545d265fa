"""From scores to a band, and when a result gets a status instead (scoring method 2).

A band is a claim about a result, so it is given only when the result can carry
it: most items answered (INCOMPLETE_SHARE), and not mostly answered faster than the
items can be read (UNRELIABLE_SHARE). Red flags cap the band whatever the scores:
one red flag at most the middle band, two or more the lowest. A result within one
standard error of a cut score is "close to the line". Pure, like the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from screening.bank.model import Band

from .result import BandCap, ResultStatus
from .rules import ScoringError

#: Below this share of items answered the result is incomplete: no band.
INCOMPLETE_SHARE = 0.8
#: Above this share of the answers given too fast to read, the result is unreliable.
UNRELIABLE_SHARE = 0.5
#: One red flag caps the band at this one (0 = best), two or more at the last.
ONE_RED_FLAG_CAP = 1


def status_of(answered: int, item_count: int, too_fast: int) -> ResultStatus:
    if item_count == 0 or answered < INCOMPLETE_SHARE * item_count:
        return ResultStatus.INCOMPLETE
    if too_fast > UNRELIABLE_SHARE * answered:
        return ResultStatus.UNRELIABLE
    return ResultStatus.SCORED


@dataclass(frozen=True)
class BandDecision:
    index: int
    cap: BandCap | None


def thresholds_met(band: Band, overall: float, percents: Mapping[str, float]) -> bool:
    return overall >= band.overall_min and all(
        percents.get(d, 0.0) >= minimum for d, minimum in band.dimension_min.items()
    )


def reached(bands: Sequence[Band], overall: float, percents: Mapping[str, float]) -> int:
    """The index of the best band whose thresholds the scores meet (the last catches all)."""
    for index, band in enumerate(bands):
        if thresholds_met(band, overall, percents):
            return index
    raise ScoringError("no band matches; the last band must have no thresholds")


def decide(
    bands: Sequence[Band], overall: float, percents: Mapping[str, float], red_flags: int
) -> BandDecision:
    """The band the scores reach, lowered by red flags where they call for it."""
    index = reached(bands, overall, percents)
    last = len(bands) - 1
    if red_flags >= 2 and index < last:
        return BandDecision(last, BandCap.RED_FLAGS)
    cap = min(ONE_RED_FLAG_CAP, last)
    if red_flags == 1 and index < cap:
        return BandDecision(cap, BandCap.ONE_RED_FLAG)
    return BandDecision(index, None)


def close_to_line(
    bands: Sequence[Band],
    overall: float,
    overall_error: float | None,
    percents: Mapping[str, float],
    errors: Mapping[str, float | None],
) -> tuple[str, ...]:
    """Which scores sit within one standard error of a cut score that separates bands."""
    near: list[str] = []
    if overall_error is not None and any(
        band.overall_min > 0 and abs(overall - band.overall_min) <= overall_error
        for band in bands
    ):
        near.append("overall")
    for dimension, percent in percents.items():
        error = errors.get(dimension)
        if error is not None and any(
            abs(percent - band.dimension_min[dimension]) <= error
            for band in bands if dimension in band.dimension_min
        ):
            near.append(dimension)
    return tuple(near)
