"""How a scored result reads: the words for its rubric lines, answers and quality flags.

The engine stores codes and numbers (``RubricRole``, the rating or place given, the
keyed value, points); this module turns them into the sentences a manager reads, on
the page, in the PDF and in the long export alike. Rewording happens here and never
changes a stored result. Pure: the frozen questionnaire supplies what the wording
needs (an item's scale, its reading time).
"""

from __future__ import annotations

from collections.abc import Mapping

from screening.bank.model import DIMENSION_LABELS, RATING_MAX, Item, ResponseFormat
from screening.formatting import ordinal
from screening.scoring import QualityFlag, RubricLine, RubricRole, SubmissionResult, TraceLine
from screening.scoring.quality import (
    MANY_TOO_FAST,
    STRAIGHT_LINING,
    TOO_FAST,
    UNANSWERED,
    too_fast_threshold,
)
from screening.scoring.rules import rank_maximum

NOT_ANSWERED = "Not answered"
PENDING_NOTE = "Waiting for a manager's rating; left out of the score until rated."

_NOTES = {
    ResponseFormat.BEST_CHOICE.value: "The chosen option's points.",
    ResponseFormat.RATE_EACH.value:
        "Each option earns 4 minus the distance between the rating and the key.",
    ResponseFormat.FREE_TEXT.value: "Rating minus 1.",
}


def role_text(rubric: RubricLine) -> str:
    """'chosen', 'most effective', 'rated 4', 'placed 2nd', ..."""
    match rubric.role:
        case RubricRole.RATED:
            return f"rated {rubric.value}"
        case RubricRole.PLACED:
            return f"placed {ordinal(rubric.value or 0)}"
        case _:
            return rubric.role.value.replace("_", " ")


def points_text(points: Mapping[str, int]) -> str:
    """'Warmth 4, Common sense 3'."""
    return ", ".join(f"{DIMENSION_LABELS.get(d, d)} {v}" for d, v in points.items())


def key_text(rubric: RubricLine, line: TraceLine, item: Item | None) -> str:
    """The key a rubric line was scored against, in words."""
    match rubric.role:
        case RubricRole.CHOSEN | RubricRole.MOST_EFFECTIVE:
            return points_text(rubric.points)
        case RubricRole.LEAST_EFFECTIVE:
            scale_max = item.scale_max if item else 0
            own = {d: scale_max - earned for d, earned in rubric.points.items()}
            return f"{points_text(own)}; rejecting it earns {scale_max} minus these"
        case RubricRole.RATED:
            agreement = next(iter(rubric.points.values()), 0)
            return f"keyed effectiveness {rubric.keyed}; agreement {agreement} of 4"
        case RubricRole.PLACED:
            off = abs((rubric.value or 0) - (rubric.keyed or 0))
            return f"keyed {ordinal(rubric.keyed or 0)}; {off} place{'s' if off != 1 else ''} off"
        case RubricRole.RANKING:
            best, score = _ranking(line)
            return f"{best} − {best - score} places off = {score}"
        case RubricRole.MANAGER_RATING:
            return f"rating {rubric.value} of {RATING_MAX}"
    return ""


def rubric_words(rubric: RubricLine, line: TraceLine) -> tuple[str, str]:
    """(text, rationale) of a rubric line; the lines the engine adds get theirs here."""
    if rubric.role is RubricRole.RANKING:
        best, _ = _ranking(line)
        return ("Agreement with the keyed order",
                f"The keyed order earns {best} (the most places the order could be off); "
                "every place an option is off costs one point.")
    if rubric.role is RubricRole.MANAGER_RATING:
        return rubric.text, "The manager's rating on the behavioural anchors."
    return rubric.text, rubric.rationale


def _ranking(line: TraceLine) -> tuple[int, int]:
    """(the most a ranking can earn, what this one earned)."""
    placed = sum(1 for rubric in line.rubric if rubric.role is RubricRole.PLACED)
    return rank_maximum(placed), next(iter(line.points.values()), 0)


def answer_summary(line: TraceLine) -> str:
    """The answer in words: 'Chose b: "..."', 'Ranked c, a, b, d', the written answer."""
    if not line.answered:
        return NOT_ANSWERED
    rubric = line.rubric
    match line.format:
        case ResponseFormat.BEST_CHOICE.value:
            return f'Chose {rubric[0].option_id}: "{rubric[0].text}"'
        case ResponseFormat.MOST_LEAST.value:
            return f"Most effective: {rubric[0].option_id}; least effective: {rubric[1].option_id}"
        case ResponseFormat.RATE_EACH.value:
            return "Rated " + ", ".join(f"{r.option_id}={r.value}" for r in rubric)
        case ResponseFormat.RANK.value:
            return "Ranked " + ", ".join(
                str(r.option_id) for r in rubric if r.role is RubricRole.PLACED)
    return f'"{line.answer_text or ""}"'


def note(line: TraceLine, item: Item | None) -> str:
    """How the item's rubric lines combine, in one plain sentence."""
    if not line.answered:
        return "Not answered: 0 points, and the item still counts towards the maximum."
    if line.pending:
        return PENDING_NOTE
    if line.format == ResponseFormat.MOST_LEAST.value:
        scale_max = item.scale_max if item else 0
        return ("The most-effective pick earns its points; the least-effective pick "
                f"earns {scale_max} minus its points.")
    if line.format == ResponseFormat.RANK.value:
        best, _ = _ranking(line)
        return f"{best} minus the places each option is away from its keyed rank."
    return _NOTES.get(line.format, "")


def quality_text(flag: QualityFlag, result: SubmissionResult, items: Mapping[str, Item]) -> str:
    """A response-quality flag as the manager reads it."""
    line = next((t for t in result.trace if t.item_id == flag.item_id), None)
    title = line.title if line is not None else (flag.item_id or "")
    if flag.kind == UNANSWERED:
        return f"Not answered: {title}."
    if flag.kind == STRAIGHT_LINING:
        rating = line.rubric[0].value if line is not None and line.rubric else None
        return (f"Gave every option the same rating ({rating}) in {title!r}; "
                "the ratings may not reflect real judgement.")
    if flag.kind == TOO_FAST:
        item = items.get(flag.item_id or "")
        limit = too_fast_threshold(item) if item is not None else 0.0
        return (f"Answered {title!r} in {flag.seconds or 0.0:.1f} s, faster than the "
                f"{limit:.0f} s it takes just to read it.")
    if flag.kind == MANY_TOO_FAST:
        fast = sum(1 for other in result.quality_flags if other.kind == TOO_FAST)
        total = len(result.trace)
        share = 100 * fast / total if total else 0.0
        return (f"{fast} of {total} items ({share:.0f}%) were answered faster than they "
                "can be read; treat the whole result with caution.")
    return flag.kind.replace("_", " ")
