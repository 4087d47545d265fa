"""The scored submission: plain frozen data that survives a JSON round trip.

Floats are rounded to 4 decimals when the result is built, so
``SubmissionResult.from_dict(result.to_dict()) == result`` holds exactly and
a stored result compares equal to a re-derived one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Decimals kept for percentages; enough for display and exact JSON round trips.
PERCENT_DECIMALS = 4


@dataclass(frozen=True)
class DimensionScore:
    dimension: str
    label: str
    raw: int
    maximum: int
    #: 100·raw/maximum, 0 when nothing on this dimension could be scored yet.
    percent: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "label": self.label,
            "raw": self.raw,
            "maximum": self.maximum,
            "percent": self.percent,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> DimensionScore:
        return cls(
            dimension=stored["dimension"],
            label=stored["label"],
            raw=int(stored["raw"]),
            maximum=int(stored["maximum"]),
            percent=float(stored["percent"]),
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
    """A reason to doubt that the answers reflect the applicant's real judgement."""

    kind: str  # straight_lining | too_fast | unanswered | many_too_fast
    item_id: str | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "item_id": self.item_id, "message": self.message}

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> QualityFlag:
        return cls(kind=stored["kind"], item_id=stored.get("item_id"), message=stored["message"])


@dataclass(frozen=True)
class RubricLine:
    """One line of the rubric that produced points, as a manager reads it."""

    #: the option the line is about; None for a free-text anchor or a rank summary.
    option_id: str | None
    #: option text, or the anchor description for free text.
    text: str
    rationale: str
    #: how the applicant used it: "chosen", "most effective", "rated 4", "placed 2nd", ...
    role: str
    #: the rubric key: points per dimension, keyed effectiveness or keyed rank.
    key: str
    #: points this line contributes per dimension (empty for lines that only explain).
    points: Mapping[str, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "option_id": self.option_id,
            "text": self.text,
            "rationale": self.rationale,
            "role": self.role,
            "key": self.key,
            "points": dict(self.points),
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> RubricLine:
        return cls(
            option_id=stored.get("option_id"),
            text=stored["text"],
            rationale=stored["rationale"],
            role=stored["role"],
            key=stored["key"],
            points={d: int(v) for d, v in stored["points"].items()},
        )


@dataclass(frozen=True)
class TraceLine:
    """How one item was scored: the answer, the rubric lines used and the points."""

    item_id: str
    title: str
    format: str
    primary_dimension: str
    answer_summary: str
    rubric: tuple[RubricLine, ...]
    points: Mapping[str, int]
    #: what the item added to the maximum; zero while a free-text answer is pending.
    maximum: Mapping[str, int]
    pending: bool
    answered: bool
    #: how the rubric lines combine, in one plain sentence.
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "title": self.title,
            "format": self.format,
            "primary_dimension": self.primary_dimension,
            "answer_summary": self.answer_summary,
            "rubric": [line.to_dict() for line in self.rubric],
            "points": dict(self.points),
            "maximum": dict(self.maximum),
            "pending": self.pending,
            "answered": self.answered,
            "note": self.note,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> TraceLine:
        return cls(
            item_id=stored["item_id"],
            title=stored["title"],
            format=stored["format"],
            primary_dimension=stored["primary_dimension"],
            answer_summary=stored["answer_summary"],
            rubric=tuple(RubricLine.from_dict(line) for line in stored["rubric"]),
            points={d: int(v) for d, v in stored["points"].items()},
            maximum={d: int(v) for d, v in stored["maximum"].items()},
            pending=bool(stored["pending"]),
            answered=bool(stored["answered"]),
            note=stored.get("note", ""),
        )


@dataclass(frozen=True)
class SubmissionResult:
    questionnaire_id: str
    #: the questionnaire version the answers were scored against.
    content_hash: str
    dimensions: tuple[DimensionScore, ...]
    overall: float
    band: BandResult
    #: True while any free-text answer waits for a manager's rating.
    provisional: bool
    pending_items: tuple[str, ...]
    red_flags: tuple[RedFlag, ...]
    quality_flags: tuple[QualityFlag, ...]
    trace: tuple[TraceLine, ...]

    def dimension(self, dimension: str) -> DimensionScore:
        for score in self.dimensions:
            if score.dimension == dimension:
                return score
        raise KeyError(dimension)

    @property
    def percents(self) -> dict[str, float]:
        return {score.dimension: score.percent for score in self.dimensions}

    def to_dict(self) -> dict[str, Any]:
        return {
            "questionnaire_id": self.questionnaire_id,
            "content_hash": self.content_hash,
            "dimensions": [score.to_dict() for score in self.dimensions],
            "overall": self.overall,
            "band": self.band.to_dict(),
            "provisional": self.provisional,
            "pending_items": list(self.pending_items),
            "red_flags": [flag.to_dict() for flag in self.red_flags],
            "quality_flags": [flag.to_dict() for flag in self.quality_flags],
            "trace": [line.to_dict() for line in self.trace],
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> SubmissionResult:
        return cls(
            questionnaire_id=stored["questionnaire_id"],
            content_hash=stored["content_hash"],
            dimensions=tuple(DimensionScore.from_dict(s) for s in stored["dimensions"]),
            overall=float(stored["overall"]),
            band=BandResult.from_dict(stored["band"]),
            provisional=bool(stored["provisional"]),
            pending_items=tuple(stored["pending_items"]),
            red_flags=tuple(RedFlag.from_dict(f) for f in stored["red_flags"]),
            quality_flags=tuple(QualityFlag.from_dict(f) for f in stored["quality_flags"]),
            trace=tuple(TraceLine.from_dict(line) for line in stored["trace"]),
        )
