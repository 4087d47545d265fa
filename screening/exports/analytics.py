"""Plain summaries for HR's analytics page: score distributions, and stored results
slimmed for psychometrics. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from screening.scoring import (
    BandResult,
    DimensionScore,
    RubricLine,
    RubricRole,
    SubmissionResult,
    TraceLine,
)

#: Percent scores are binned 0–10, 10–20, ..., 90–100 (100 falls in the last bin).
BIN_WIDTH = 10


@dataclass(frozen=True)
class Bin:
    low: int
    high: int
    count: int
    share: float  # of all scores, 0..1


@dataclass(frozen=True)
class Distribution:
    name: str
    label: str
    count: int
    mean: float | None
    sd: float | None
    median: float | None
    bins: tuple[Bin, ...]
    #: the plain-language reading of the shape, e.g. a ceiling effect.
    warnings: tuple[str, ...]


def distribution(name: str, label: str, values: Sequence[float]) -> Distribution:
    """Counts per 10-point bin, mean, SD and median of percent scores (0..100)."""
    counts = [0] * (100 // BIN_WIDTH)
    for value in values:
        counts[min(max(int(value // BIN_WIDTH), 0), len(counts) - 1)] += 1
    total = len(values)
    bins = tuple(
        Bin(i * BIN_WIDTH, (i + 1) * BIN_WIDTH, count, count / total if total else 0.0)
        for i, count in enumerate(counts)
    )
    warnings = []
    if total >= 10:
        top = counts[-1] / total
        if top >= 0.5:
            warnings.append(
                f"{top:.0%} of applicants score 90 or more on {label.lower()}: the items are "
                "too easy to tell strong applicants apart (a ceiling effect)."
            )
        if max(counts) / total >= 0.8:
            warnings.append(
                f"Most {label.lower()} scores fall in one 10-point range, so small differences "
                "between applicants carry little meaning."
            )
    return Distribution(
        name=name,
        label=label,
        count=total,
        mean=statistics.fmean(values) if values else None,
        sd=statistics.stdev(values) if total >= 2 else None,
        median=statistics.median(values) if values else None,
        bins=bins,
        warnings=tuple(warnings),
    )


class LeanResults:
    """Stored results rebuilt with only what psychometrics reads, sharing equal trace lines.

    A full result carries ~27 KB of wording; thousands of them would not fit in
    a web worker. Item analysis needs only each line's points, maximum, flags and
    the options used, and most applicants' lines repeat, so equal lines are one
    object here. Free text never enters these objects.
    """

    def __init__(self) -> None:
        self._lines: dict[Any, TraceLine] = {}

    def result(self, stored: Mapping[str, Any]) -> SubmissionResult:
        band = stored.get("band") or {}
        return SubmissionResult(
            questionnaire_id=stored["questionnaire_id"],
            content_hash=stored["content_hash"],
            dimensions=tuple(DimensionScore.from_dict(entry) for entry in stored["dimensions"]),
            overall=float(stored["overall"]),
            band=BandResult(band.get("id", ""), band.get("label", ""), ""),
            provisional=bool(stored.get("provisional")),
            pending_items=tuple(stored.get("pending_items", ())),
            red_flags=(),
            quality_flags=(),
            trace=tuple(self._line(line) for line in stored.get("trace", ())),
        )

    def _line(self, line: Mapping[str, Any]) -> TraceLine:
        rubric = tuple(
            (entry.get("option_id"), entry["role"], entry.get("value"),
             _frozen_items(entry.get("points", {})))
            for entry in line.get("rubric", ())
        )
        key = (
            line["item_id"], line["format"], line["primary_dimension"],
            _frozen_items(line["points"]), _frozen_items(line["maximum"]),
            bool(line["pending"]), bool(line["answered"]), rubric,
        )
        cached = self._lines.get(key)
        if cached is None:
            cached = TraceLine(
                item_id=line["item_id"],
                title="",
                format=line["format"],
                primary_dimension=line["primary_dimension"],
                rubric=tuple(
                    RubricLine(option_id, "", "", RubricRole(role), value, None, dict(points))
                    for option_id, role, value, points in rubric
                ),
                points=dict(key[3]),
                maximum=dict(key[4]),
                pending=key[5],
                answered=key[6],
            )
            self._lines[key] = cached
        return cached


def _frozen_items(mapping: Mapping[str, Any]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(mapping.items()))


def percents_by_dimension(results: Iterable[SubmissionResult]) -> dict[str, list[float]]:
    """Each dimension's percents, and "overall", over ``results``."""
    values: dict[str, list[float]] = {}
    for result in results:
        for score in result.dimensions:
            values.setdefault(score.dimension, []).append(score.percent)
        values.setdefault("overall", []).append(result.overall)
    return values
