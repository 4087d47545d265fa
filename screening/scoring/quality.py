"""Response-quality flags: signs that answers may not reflect real judgement.

The flags never change a score. They tell the hiring manager where to look
before trusting a result (and what to probe in the interview).
"""

from __future__ import annotations

from collections.abc import Mapping

from screening.bank.model import Item, Questionnaire, ResponseFormat

from .answers import Answer
from .result import QualityFlag

#: No item can be read and answered in under 3 s, however short it is.
MIN_SECONDS = 3.0
#: 0.1 s per word is 600 words a minute, faster than even skimming (adults read
#: about 240 words a minute); an answer given faster than that was given
#: before the item could have been read.
SECONDS_PER_WORD = 0.1
#: From a quarter of the items answered unread, the whole result is doubtful.
MANY_TOO_FAST_SHARE = 0.25

STRAIGHT_LINING = "straight_lining"
TOO_FAST = "too_fast"
UNANSWERED = "unanswered"
MANY_TOO_FAST = "many_too_fast"


def item_word_count(item: Item) -> int:
    """Words an applicant has to read: scenario, prompt and every option."""
    words = len(item.scenario.split()) + len(item.prompt.split())
    for option in item.options:
        words += len(option.text.split())
    return words


def too_fast_threshold(item: Item) -> float:
    """Seconds below which the item cannot have been read: max(3, 0.1 × words)."""
    return max(MIN_SECONDS, SECONDS_PER_WORD * item_word_count(item))


def unanswered_flag(item: Item) -> QualityFlag:
    return QualityFlag(UNANSWERED, item.id)


def straight_lining_flag(item: Item, answer: Answer) -> QualityFlag | None:
    """A rate-each item where every option got the same rating.

    The options of an item are written to differ in effectiveness, so one
    rating for all of them suggests the applicant was not weighing them.
    """
    if item.format is not ResponseFormat.RATE_EACH or len(answer.ratings) < 2:
        return None
    values = set(answer.ratings.values())
    if len(values) != 1:
        return None
    return QualityFlag(STRAIGHT_LINING, item.id)


def too_fast_flag(item: Item, answer: Answer, threshold: float | None = None) -> QualityFlag | None:
    """An answer given faster than the item can be read (``threshold`` may be precomputed)."""
    if answer.seconds is None:
        return None
    limit = too_fast_threshold(item) if threshold is None else threshold
    if answer.seconds >= limit:
        return None
    return QualityFlag(TOO_FAST, item.id, answer.seconds)


def item_quality_flags(item: Item, answer: Answer | None) -> list[QualityFlag]:
    """Flags for one item: unanswered, or straight-lining and too fast."""
    if answer is None or not answer.is_answered(item):
        return [unanswered_flag(item)]
    flags = [straight_lining_flag(item, answer), too_fast_flag(item, answer)]
    return [flag for flag in flags if flag is not None]


def many_too_fast_flag(too_fast: int, item_count: int) -> QualityFlag | None:
    """The summary flag, raised when at least a quarter of the items were too fast."""
    if item_count == 0 or too_fast < MANY_TOO_FAST_SHARE * item_count:
        return None
    return QualityFlag(MANY_TOO_FAST, None)


def quality_flags(
    questionnaire: Questionnaire, answers: Mapping[str, Answer]
) -> tuple[QualityFlag, ...]:
    """All quality flags of a submission, in questionnaire order, summary last."""
    flags: list[QualityFlag] = []
    too_fast = 0
    for item in questionnaire.items:
        item_flags = item_quality_flags(item, answers.get(item.id))
        too_fast += sum(1 for flag in item_flags if flag.kind == TOO_FAST)
        flags.extend(item_flags)
    summary = many_too_fast_flag(too_fast, len(questionnaire.items))
    if summary is not None:
        flags.append(summary)
    return tuple(flags)
