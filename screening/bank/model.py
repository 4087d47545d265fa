"""Plain data for the question bank: items, their rubrics and questionnaires.

Everything here is frozen and free of Flask and SQLAlchemy, so the scoring
engine, reports, exports and the CLI can share one picture of the bank.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

#: The three constructs every item probes (see ../shared/constructs.md).
DIMENSIONS: tuple[str, ...] = ("warmth", "common_sense", "respect")

DIMENSION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "warmth": "Warmth",
        "common_sense": "Common sense",
        "respect": "Respect under pressure",
    }
)

#: The language the bank is written in; translations are of this.
SOURCE_LANGUAGE = "en"

#: How answers become a result; each questionnaire version names its method, and every
#: result records the one it was scored with, so old results keep their rules.
#: 1: dimension = Σ points / Σ maxima (an item weighs as many points as its format
#:    gives); rate-each by distance from the key; bands by thresholds alone.
#: 2: every item weighs the same on its dimension; rate-each by agreement with the key
#:    beyond the applicant's own rating style; red flags cap the band; incomplete or
#:    too-fast results get a status, not a band (README, "Scoring").
SCORING_METHODS: Mapping[int, str] = MappingProxyType({
    1: "points: each item weighs the points its format gives",
    2: "balanced: each item weighs the same; red flags cap the band",
})
LEGACY_SCORING_METHOD = 1
CURRENT_SCORING_METHOD = 2

#: Effectiveness ratings an applicant gives in rate-each items, and the
#: behaviourally anchored ratings a manager gives free-text answers.
RATING_MIN, RATING_MAX = 1, 5


class ResponseFormat(StrEnum):
    BEST_CHOICE = "best_choice"  # "What would you most likely do?"
    MOST_LEAST = "most_least"  # pick the most and the least effective option
    RATE_EACH = "rate_each"  # rate every option's effectiveness 1..5
    RANK = "rank"  # order all options from most to least effective
    FREE_TEXT = "free_text"  # written answer, rated by a manager on anchors 1..5


@dataclass(frozen=True)
class Option:
    """One response option and its rubric line."""

    id: str
    text: str
    rationale: str  # one sentence a manager reads next to the points
    #: best_choice / most_least: points per dimension of the item, on the item's scale.
    points: Mapping[str, int] = field(default_factory=dict)
    #: rate_each: the keyed effectiveness, 1 (very ineffective) .. 5 (very effective).
    effectiveness: int | None = None
    #: rank: the keyed position, 1 = most effective .. n = least effective.
    rank: int | None = None
    #: shows hostility, contempt or dishonesty.
    red_flag: bool = False
    #: the mean effectiveness (1..5) a practitioners' keying panel gave the option,
    #: written by `flask bank apply-panel`; None until a panel has rated it.
    panel_effectiveness: float | None = None


@dataclass(frozen=True)
class Anchor:
    """A behavioural anchor for rating a free-text answer."""

    rating: int  # 1..5
    description: str


@dataclass(frozen=True)
class ItemText:
    """A translation of an item's applicant-facing wording."""

    title: str
    scenario: str
    prompt: str
    options: Mapping[str, str]  # option id -> text


@dataclass(frozen=True)
class Review:
    """One review of an item: who looked at it, on which day, and what changed or was checked."""

    who: str
    on: str  # ISO date, YYYY-MM-DD; "" only in a snapshot stored before reviews were records
    change: str


@dataclass(frozen=True)
class Item:
    id: str
    title: str
    #: dimensions the item measures; the first is the one it mainly measures.
    dimensions: tuple[str, ...]
    scenario: str
    prompt: str
    format: ResponseFormat
    options: tuple[Option, ...] = ()
    #: the points scale of options (best_choice, most_least), e.g. 0..4.
    scale_min: int = 0
    scale_max: int = 4
    anchors: tuple[Anchor, ...] = ()  # free_text only, one per rating 1..5
    #: follow-up questions an interviewer can ask to probe this item's dimension.
    interview_questions: tuple[str, ...] = ()
    author: str = ""
    #: the item's review record, oldest first (questions/README.md, "Reviewing a change").
    reviewed_by: tuple[Review, ...] = ()
    revision: int = 1
    #: why the item also scores a second dimension; "" when it measures one.
    second_dimension_reason: str = ""
    translations: Mapping[str, ItemText] = field(default_factory=dict)
    #: path of the YAML file relative to the bank root; not part of the content hash,
    #: nor of equality: the same item read from another checkout is the same item.
    source: str = field(default="", compare=False)

    @property
    def primary_dimension(self) -> str:
        return self.dimensions[0]

    def option(self, option_id: str) -> Option:
        for candidate in self.options:
            if candidate.id == option_id:
                return candidate
        raise KeyError(f"item {self.id} has no option {option_id!r}")


@dataclass(frozen=True)
class Band:
    """A result band; bands are ordered from best to worst, the last catches all."""

    id: str
    label: str  # decision-support wording, e.g. "Strong fit for front-line work"
    description: str
    overall_min: float  # percent, 0..100
    dimension_min: Mapping[str, float] = field(default_factory=dict)  # percent per dimension


@dataclass(frozen=True)
class Questionnaire:
    id: str
    title: str
    description: str
    items: tuple[Item, ...]
    weights: Mapping[str, float]  # dimension -> weight of the overall score
    bands: tuple[Band, ...]
    time_limit_minutes: int | None = None
    randomise_items: bool = False
    randomise_options: bool = False
    practice_item: Item | None = None  # shown before the scored items, never scored
    #: languages the questionnaire is offered in; every item is translated into each,
    #: the source language (English) first.
    languages: tuple[str, ...] = (SOURCE_LANGUAGE,)
    #: the scoring method (SCORING_METHODS) every result of this questionnaire uses.
    scoring_method: int = CURRENT_SCORING_METHOD
    #: sha256 over the canonical snapshot: changes with any wording, key or rationale.
    content_hash: str = ""
    #: sha256 over what scoring depends on only (items, options, keys, points, bands,
    #: weights, method), not wording: a typo fix or a translation keeps the norm group.
    scoring_hash: str = ""
    #: path of the YAML file relative to the bank root; like Item.source, not compared.
    source: str = field(default="", compare=False)

    def item(self, item_id: str) -> Item:
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        raise KeyError(f"questionnaire {self.id} has no item {item_id!r}")

    @property
    def version_label(self) -> str:
        return f"{self.id}@{self.content_hash[:12]}"


@dataclass(frozen=True)
class Bank:
    items: Mapping[str, Item]
    questionnaires: Mapping[str, Questionnaire]
