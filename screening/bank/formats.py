"""Keying rules per response format (see questions/README.md, "Per format").

These run on option drafts, read leniently from YAML, so that an item with
several mistakes gets all of them reported in one pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .fields import FileReport
from .model import RATING_MAX, RATING_MIN, ResponseFormat

#: How many options each format takes (free_text takes none).
OPTION_COUNTS: dict[ResponseFormat, tuple[int, int]] = {
    ResponseFormat.BEST_CHOICE: (3, 5),
    ResponseFormat.MOST_LEAST: (4, 5),
    ResponseFormat.RATE_EACH: (4, 5),
    ResponseFormat.RANK: (4, 5),
}

#: The field of an option that carries the expert key, per format.
KEY_FIELDS: dict[ResponseFormat, str] = {
    ResponseFormat.BEST_CHOICE: "points",
    ResponseFormat.MOST_LEAST: "points",
    ResponseFormat.RATE_EACH: "effectiveness",
    ResponseFormat.RANK: "rank",
}

#: The one question each format asks, per language: every item asks for what is most
#: effective (not "what would you do" in some formats and "most effective" in others),
#: so an applicant answers one question throughout. Languages not listed are unchecked.
PROMPTS: dict[ResponseFormat, dict[str, str]] = {
    ResponseFormat.BEST_CHOICE: {
        "en": "Which response is the most effective?",
        "es": "¿Qué respuesta es la más eficaz?",
    },
    ResponseFormat.MOST_LEAST: {
        "en": "Which response is the most effective, and which is the least effective?",
        "es": "¿Qué respuesta es la más eficaz y cuál es la menos eficaz?",
    },
    ResponseFormat.RATE_EACH: {
        "en": "How effective is each response?",
        "es": "¿En qué medida es eficaz cada respuesta?",
    },
    ResponseFormat.RANK: {
        "en": "Put the responses in order, from most effective to least effective.",
        "es": "Ordene las respuestas de la más eficaz a la menos eficaz.",
    },
    ResponseFormat.FREE_TEXT: {
        "en": "What would you say and do? Write the most effective response you can.",
        "es": "¿Qué diría y qué haría? Escriba la respuesta más eficaz que se le ocurra.",
    },
}

#: A red-flag option rated this effective or better contradicts its own flag.
RED_FLAG_EFFECTIVENESS_LIMIT = 4


@dataclass
class OptionDraft:
    """An option as read from YAML; None where the value was missing or wrong."""

    path: str  # "options[2]"
    id: str | None = None
    text: str | None = None
    rationale: str | None = None
    #: only the well-typed entries; `points_valid` says whether there were others.
    points: dict[str, int] = field(default_factory=dict)
    points_valid: bool = True
    effectiveness: int | None = None
    rank: int | None = None
    red_flag: bool | None = False
    panel_effectiveness: float | None = None
    given: frozenset[str] = frozenset()  # keys present in the YAML

    @property
    def label(self) -> str:
        return self.id or self.path


@dataclass
class ItemDraft:
    """What the format rules need to know about an item."""

    format: ResponseFormat
    dimensions: tuple[str, ...] | None  # None when they could not be read
    scale: tuple[int, int] | None
    options: list[OptionDraft] | None  # None when absent or not a list
    has_anchors: bool


def check_format(report: FileReport, item: ItemDraft) -> None:
    """Record every way the item breaks the rules of its response format."""
    if item.format is ResponseFormat.FREE_TEXT:
        if item.options:
            report.add(
                "options", "a free_text item has no options; its answers are rated on anchors"
            )
        return
    if item.has_anchors:
        report.add("anchors", f"anchors are only for free_text items, not {item.format}")
    low, high = OPTION_COUNTS[item.format]
    options = item.options or []
    if not low <= len(options) <= high:
        report.add(
            "options", f"a {item.format} item needs {low}-{high} options, not {len(options)}"
        )
    if not options:
        return
    if not _key_fields_present(report, item.format, options):
        return
    if item.format is ResponseFormat.RATE_EACH:
        _check_effectiveness(report, options)
    elif item.format is ResponseFormat.RANK:
        _check_ranks(report, options)
    elif _check_points(report, item, options) and item.dimensions:
        best = _check_extreme(report, item.format, item.dimensions, options, best=True)
        if best is not None and best.red_flag:
            report.add(f"{best.path}.red_flag", "the keyed best option cannot be a red flag")
        if item.format is ResponseFormat.MOST_LEAST:
            _check_extreme(report, item.format, item.dimensions, options, best=False)


def check_dimensions(report: FileReport, item: ItemDraft) -> None:
    """A second dimension must be scored on its own evidence, not copied from the first.

    rate_each, rank and free_text items give every dimension the same number
    (agreement with the key, or the manager's rating), so they measure one
    dimension. In best_choice and most_least items, a dimension whose points
    equal another dimension's on every option only counts the same answer twice.
    """
    dimensions = item.dimensions
    if not dimensions or len(dimensions) < 2:
        return
    if KEY_FIELDS.get(item.format) != "points":
        report.add(
            "dimensions",
            f"a {item.format} item gives every dimension the same score, so it measures one "
            f"dimension; list only {dimensions[0]}",
        )
        return
    options = item.options or []
    if not options or not all(
        option.points_valid and all(d in option.points for d in dimensions) for option in options
    ):
        return  # the points rules report what is missing
    for later in range(1, len(dimensions)):
        other = dimensions[later]
        for earlier in dimensions[:later]:
            if all(option.points[other] == option.points[earlier] for option in options):
                report.add(
                    f"dimensions[{later}]",
                    f"every option has the same points on {other} as on {earlier}; score "
                    f"{other} on its own evidence, or drop it",
                )
                break


def _key_fields_present(
    report: FileReport, response_format: ResponseFormat, options: Sequence[OptionDraft]
) -> bool:
    """Each option carries its format's key field and none of the others."""
    key = KEY_FIELDS[response_format]
    complete = True
    for option in options:
        for other in sorted(set(KEY_FIELDS.values()) - {key}):
            if other in option.given:
                report.add(
                    f"{option.path}.{other}",
                    f"{other} does not belong in a {response_format} item, which is keyed by {key}",
                )
        if key not in option.given:
            report.add(f"{option.path}.{key}", f"{key} is required in a {response_format} item")
            complete = False
    return complete


def _check_points(report: FileReport, item: ItemDraft, options: Sequence[OptionDraft]) -> bool:
    """Points cover exactly the item's dimensions, within its scale; True if all are sound."""
    sound = all(option.points_valid for option in options)
    for option in options:
        if item.dimensions is not None:
            for dimension in item.dimensions:
                if dimension not in option.points and option.points_valid:
                    report.add(
                        f"{option.path}.points",
                        f"option {option.label} has no points for {dimension}; every option needs"
                        f" points for each dimension of the item ({', '.join(item.dimensions)})",
                    )
                    sound = False
            for dimension in option.points:
                if dimension not in item.dimensions:
                    report.add(
                        f"{option.path}.points.{dimension}",
                        f"points for {dimension}, which the item does not measure "
                        f"(dimensions: {', '.join(item.dimensions)})",
                    )
                    sound = False
        if item.scale is not None:
            low, high = item.scale
            for dimension, value in option.points.items():
                where = f"{option.path}.points.{dimension}"
                if value > high:
                    report.add(where, f"{value} is above the scale maximum {high}")
                    sound = False
                elif value < low:
                    report.add(where, f"{value} is below the scale minimum {low}")
                    sound = False
    return sound


def _check_extreme(
    report: FileReport,
    response_format: ResponseFormat,
    dimensions: Sequence[str],
    options: Sequence[OptionDraft],
    *,
    best: bool,
) -> OptionDraft | None:
    """The keyed best (or worst) is unique by total and leads on every dimension.

    Without this a manager could not say why an option is "the" answer: a
    best option beaten on warmth by another would reward the wrong behaviour.
    """
    pick = max if best else min
    role = "keyed best" if best else "keyed worst"
    totals = [sum(option.points[dimension] for dimension in dimensions) for option in options]
    target = pick(totals)
    holders = [option for option, total in zip(options, totals, strict=True) if total == target]
    if len(holders) > 1:
        report.add(
            "options",
            f"options {', '.join(option.label for option in holders)} tie for the "
            f"{'highest' if best else 'lowest'} total ({target}); "
            f"a {response_format} item needs exactly one {role}",
        )
        return None
    keyed = holders[0]
    for dimension in dimensions:
        extreme = pick(option.points[dimension] for option in options)
        if keyed.points[dimension] != extreme:
            rival = next(option for option in options if option.points[dimension] == extreme)
            report.add(
                f"{keyed.path}.points.{dimension}",
                f"the {role} option {keyed.label} has {keyed.points[dimension]} on {dimension} "
                f"but option {rival.label} has {extreme}; the {role} must hold the "
                f"{'maximum' if best else 'minimum'} on every dimension",
            )
    return keyed


def _check_effectiveness(report: FileReport, options: Sequence[OptionDraft]) -> None:
    for option in options:
        value = option.effectiveness
        if value is None:
            continue
        if not RATING_MIN <= value <= RATING_MAX:
            report.add(
                f"{option.path}.effectiveness",
                f"effectiveness {value} is outside {RATING_MIN}..{RATING_MAX}",
            )
        elif option.red_flag and value >= RED_FLAG_EFFECTIVENESS_LIMIT:
            report.add(
                f"{option.path}.red_flag",
                f"a red-flag option cannot be keyed effective (effectiveness {value})",
            )


def _check_ranks(report: FileReport, options: Sequence[OptionDraft]) -> None:
    """Ranks are a permutation of 1..n: each position used exactly once."""
    count = len(options)
    holder_of: dict[int, OptionDraft] = {}
    for option in options:
        rank = option.rank
        if rank is None:
            continue
        where = f"{option.path}.rank"
        if not 1 <= rank <= count:
            report.add(where, f"rank {rank} is outside 1..{count} (one rank per option)")
        elif rank in holder_of:
            unused = sorted(set(range(1, count + 1)) - {o.rank for o in options})
            report.add(
                where,
                f"rank {rank} is already given to option {holder_of[rank].label}; ranks must "
                f"use 1..{count} once each (unused: {', '.join(map(str, unused))})",
            )
        else:
            holder_of[rank] = option
            if rank == 1 and option.red_flag:
                report.add(f"{option.path}.red_flag", "the option ranked 1 cannot be a red flag")
