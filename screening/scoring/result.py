"""The scored submission: plain frozen data that survives a JSON round trip.

Floats are rounded to 4 decimals when the result is built, so
``SubmissionResult.from_dict(result.to_dict()) == result`` holds exactly and
a stored result compares equal to a re-derived one.

A result holds codes and numbers, never wording the engine made up: how a rubric
line or a quality flag reads is decided where it is shown (screening.reports.wording),
so rewording a page never makes a stored result differ from its re-derivation.
Texts copied from the bank (item titles, option texts, rationales, band labels)
are kept: they are what the applicant saw and the key said, frozen with the result.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from screening.bank.model import DIMENSION_LABELS

#: Decimals kept for percentages; enough for display and exact JSON round trips.
PERCENT_DECIMALS = 4


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    #: method 1: rubric points earned and available. Method 2: the items' shares of their
    #: own maximum, summed, and how many items count (each item weighs the same).
    raw: float
    maximum: float
    #: 100·raw/maximum, 0 when nothing on this dimension could be scored yet.
    percent: float
    #: one standard error, in percentage points: how far the percent could move by the
    #: luck of which items were asked (method 2; None when it cannot be estimated).
    error: float | None = None

    @property
    def label(self) -> str:
        return DIMENSION_LABELS.get(self.dimension, self.dimension)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "raw": self.raw,
            "maximum": self.maximum,
            "percent": self.percent,
            "error": self.error,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> DimensionScore:
        return cls(
            dimension=stored["dimension"],
            raw=stored["raw"],
            maximum=stored["maximum"],
            percent=float(stored["percent"]),
            error=stored.get("error"),
        )


@dataclass(frozen=True)
class BandResult:
    id: str
    label: str
    description: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "description": self.description}

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> BandResult:
        return cls(id=stored["id"], label=stored["label"], description=stored["description"])


@dataclass(frozen=True)
class RedFlag:
    """The applicant endorsed an option that shows hostility, contempt or dishonesty."""

    item_id: str
    item_title: str
    option_id: str
    option_text: str
    rationale: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "item_title": self.item_title,
            "option_id": self.option_id,
            "option_text": self.option_text,
            "rationale": self.rationale,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> RedFlag:
        return cls(**{key: stored[key] for key in _RED_FLAG_KEYS})


_RED_FLAG_KEYS = ("item_id", "item_title", "option_id", "option_text", "rationale")


@dataclass(frozen=True)
class QualityFlag:
    """A reason to doubt that the answers reflect the applicant's real judgement.

    Codes and figures only; the wording is made where the flag is shown (the rating
    of a straight-lined item is on its trace line).
    """

    kind: str  # straight_lining | too_fast | unanswered | many_too_fast
    item_id: str | None
    #: too_fast: the seconds the applicant spent on the item.
    seconds: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "item_id": self.item_id, "seconds": self.seconds}

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> QualityFlag:
        return cls(kind=stored["kind"], item_id=stored.get("item_id"),
                   seconds=stored.get("seconds"))


class RubricRole(enum.StrEnum):
    """How the applicant used the option a rubric line is about."""

    CHOSEN = "chosen"  # best choice
    MOST_EFFECTIVE = "most_effective"
    LEAST_EFFECTIVE = "least_effective"
    RATED = "rated"  # rate each: ``value`` is the rating given
    PLACED = "placed"  # rank: ``value`` is the place given, 1 = first
    RANKING = "ranking"  # rank: the line that sums up the whole order
    BASE = "base"  # rate each (method 2): half the item for a complete set of ratings
    MANAGER_RATING = "manager_rating"  # free text: ``value`` is the agreed rating


@dataclass(frozen=True)
class RubricLine:
    """One line of the rubric that produced points."""

    #: the option the line is about; None for a free-text rating or a rank summary.
    option_id: str | None
    #: the option's text, or the anchor's description for a free-text rating.
    text: str
    rationale: str
    role: RubricRole
    #: the rating given (rated, manager rating) or the place given (placed).
    value: int | None
    #: the key: the keyed effectiveness (rated) or the keyed place (placed).
    keyed: int | None
    #: points this line contributes per dimension (empty for lines that only explain).
    points: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "option_id": self.option_id,
            "text": self.text,
            "rationale": self.rationale,
            "role": self.role.value,
            "value": self.value,
            "keyed": self.keyed,
            "points": dict(self.points),
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> RubricLine:
        return cls(
            option_id=stored.get("option_id"),
            text=stored["text"],
            rationale=stored["rationale"],
            role=RubricRole(stored["role"]),
            value=stored.get("value"),
            keyed=stored.get("keyed"),
            points=dict(stored["points"]),
        )


@dataclass(frozen=True)
class TraceLine:
    """How one item was scored: the answer, the rubric lines used and the points."""

    item_id: str
    title: str
    format: str
    primary_dimension: str
    rubric: tuple[RubricLine, ...]
    points: Mapping[str, int]
    #: what the item added to the maximum; zero while a free-text answer is pending.
    maximum: Mapping[str, int]
    pending: bool
    answered: bool
    #: the written answer of a free-text item; None for every other format.
    answer_text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "format": self.format,
            "primary_dimension": self.primary_dimension,
            "rubric": [line.to_dict() for line in self.rubric],
            "points": dict(self.points),
            "maximum": dict(self.maximum),
            "pending": self.pending,
            "answered": self.answered,
            "answer_text": self.answer_text,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> TraceLine:
        return cls(
            item_id=stored["item_id"],
            title=stored["title"],
            format=stored["format"],
            primary_dimension=stored["primary_dimension"],
            rubric=tuple(RubricLine.from_dict(line) for line in stored["rubric"]),
            points=dict(stored["points"]),
            maximum=dict(stored["maximum"]),
            pending=bool(stored["pending"]),
            answered=bool(stored["answered"]),
            answer_text=stored.get("answer_text"),
        )


class ResultStatus(enum.StrEnum):
    """Whether a result can be read as a judgement at all (method 2)."""

    SCORED = "scored"
    #: fewer than INCOMPLETE_SHARE of the items answered (timed out, left): no band.
    INCOMPLETE = "incomplete"
    #: most answers given faster than the items can be read: no band.
    UNRELIABLE = "unreliable"


class BandCap(enum.StrEnum):
    """Why a result sits below the band its scores reach (method 2)."""

    ONE_RED_FLAG = "one_red_flag"  # at most the middle band
    RED_FLAGS = "red_flags"  # two or more: the lowest band


@dataclass(frozen=True)
class SubmissionResult:
    questionnaire_id: str
    #: the questionnaire version the answers were scored against.
    content_hash: str
    dimensions: tuple[DimensionScore, ...]
    overall: float
    #: None when the status says the result cannot be read as a judgement.
    band: BandResult | None
    #: True while any free-text answer waits for a manager's rating.
    provisional: bool
    pending_items: tuple[str, ...]
    red_flags: tuple[RedFlag, ...]
    quality_flags: tuple[QualityFlag, ...]
    trace: tuple[TraceLine, ...]
    #: the scoring method (screening.bank.model.SCORING_METHODS) this result was made with.
    method: int = 1
    status: ResultStatus = ResultStatus.SCORED
    #: items answered, of ``item_count``.
    answered: int = 0
    item_count: int = 0
    #: set when red flags hold the band below what the scores reach.
    band_cap: BandCap | None = None
    #: the cut scores ("overall" or a dimension) the result is within one error of.
    close_to_line: tuple[str, ...] = ()
    #: one standard error of the overall percent, in percentage points (method 2).
    overall_error: float | None = None

    def dimension(self, dimension: str) -> DimensionScore:
        for score in self.dimensions:
            if score.dimension == dimension:
                return score
        raise KeyError(dimension)

    @property
    def percents(self) -> dict[str, float]:
        return {score.dimension: score.percent for score in self.dimensions}

    @property
    def banded(self) -> bool:
        """Whether the result has a band (a scored result of any method)."""
        return self.band is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire_id": self.questionnaire_id,
            "content_hash": self.content_hash,
            "method": self.method,
            "status": self.status.value,
            "answered": self.answered,
            "item_count": self.item_count,
            "dimensions": [score.to_dict() for score in self.dimensions],
            "overall": self.overall,
            "overall_error": self.overall_error,
            "band": self.band.to_dict() if self.band is not None else None,
            "band_cap": self.band_cap.value if self.band_cap is not None else None,
            "close_to_line": list(self.close_to_line),
            "provisional": self.provisional,
            "pending_items": list(self.pending_items),
            "red_flags": [flag.to_dict() for flag in self.red_flags],
            "quality_flags": [flag.to_dict() for flag in self.quality_flags],
            "trace": [line.to_dict() for line in self.trace],
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> SubmissionResult:
        band = stored.get("band")
        cap = stored.get("band_cap")
        return cls(
            questionnaire_id=stored["questionnaire_id"],
            content_hash=stored["content_hash"],
            dimensions=tuple(DimensionScore.from_dict(s) for s in stored["dimensions"]),
            overall=float(stored["overall"]),
            band=BandResult.from_dict(band) if band else None,
            provisional=bool(stored["provisional"]),
            pending_items=tuple(stored["pending_items"]),
            red_flags=tuple(RedFlag.from_dict(f) for f in stored["red_flags"]),
            quality_flags=tuple(QualityFlag.from_dict(f) for f in stored["quality_flags"]),
            trace=tuple(TraceLine.from_dict(line) for line in stored["trace"]),
            method=int(stored.get("method", 1)),
            status=ResultStatus(stored.get("status", ResultStatus.SCORED.value)),
            answered=int(stored.get("answered", 0)),
            item_count=int(stored.get("item_count", 0)),
            band_cap=BandCap(cap) if cap else None,
            close_to_line=tuple(stored.get("close_to_line", ())),
            overall_error=stored.get("overall_error"),
        )
