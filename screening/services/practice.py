"""Feedback on the practice question: how the applicant's answer compares with the key.

The practice answer is never stored or scored; the applicant sees the response the key
rates most effective, so the scored questions hold no surprise about what is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening import scoring
from screening.bank import Item, Option, ResponseFormat
from screening.bank.cues import keyed_options


@dataclass(frozen=True)
class PracticeFeedback:
    #: the applicant put first an option the key rates most effective.
    matches_key: bool
    #: the option(s) the key rates most effective, in the item's wording.
    most_effective: tuple[Option, ...]


def practice_feedback(item: Item, answer: scoring.Answer) -> PracticeFeedback | None:
    """How ``answer`` compares with the key; None for a format without a key (free text)."""
    keyed = keyed_options(item)
    if not keyed:
        return None
    keyed_ids = {option.id for option in keyed}
    return PracticeFeedback(matches_key=bool(_put_first(item, answer) & keyed_ids),
                            most_effective=keyed)


def _put_first(item: Item, answer: scoring.Answer) -> set[str]:
    """The option(s) the applicant rated most effective."""
    if item.format is ResponseFormat.BEST_CHOICE:
        return {answer.choice} if answer.choice else set()
    if item.format is ResponseFormat.MOST_LEAST:
        return {answer.most} if answer.most else set()
    if item.format is ResponseFormat.RANK:
        return set(answer.ranking[:1])
    if item.format is ResponseFormat.RATE_EACH and answer.ratings:
        top = max(answer.ratings.values())
        return {option_id for option_id, rating in answer.ratings.items() if rating == top}
    return set()
