"""What an applicant answered, and whether that answer can be scored.

An :class:`Answer` stores option *ids*, never positions on the page, so the
score does not depend on the order in which options were shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from screening.bank.model import RATING_MAX, RATING_MIN, Item, ResponseFormat

#: Free-text answers shorter than this cannot show a behaviour a manager could rate.
FREE_TEXT_MIN = 20
#: Long enough for a considered answer, short enough to read in a minute.
FREE_TEXT_MAX = 2000


@dataclass(frozen=True)
class Answer:
    """One applicant's response to one item; only the fields of its format are used."""

    item_id: str
    #: best_choice: the chosen option id.
    choice: str | None = None
    #: most_least: the option judged most effective, and the one judged least effective.
    most: str | None = None
    least: str | None = None
    #: rate_each: option id -> effectiveness rating 1..5.
    ratings: Mapping[str, int] = field(default_factory=dict)
    #: rank: option ids, most effective first.
    ranking: tuple[str, ...] = ()
    #: free_text: the written answer.
    text: str | None = None
    #: time spent on the item page, for response-quality checks.
    seconds: float | None = None

    def __post_init__(self) -> None:
        # Freeze the containers too: a stored answer must not change after scoring.
        object.__setattr__(self, "ratings", MappingProxyType(dict(self.ratings)))
        object.__setattr__(self, "ranking", tuple(self.ranking))

    def is_answered(self, item: Item) -> bool:
        """Did the applicant give anything for this item's format (valid or not)?"""
        fmt = item.format
        if fmt is ResponseFormat.BEST_CHOICE:
            return self.choice is not None
        if fmt is ResponseFormat.MOST_LEAST:
            return self.most is not None or self.least is not None
        if fmt is ResponseFormat.RATE_EACH:
            return bool(self.ratings)
        if fmt is ResponseFormat.RANK:
            return bool(self.ranking)
        return bool(self.text and self.text.strip())

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "choice": self.choice,
            "most": self.most,
            "least": self.least,
            "ratings": dict(self.ratings),
            "ranking": list(self.ranking),
            "text": self.text,
            "seconds": self.seconds,
        }

    @classmethod
    def from_dict(cls, stored: Mapping[str, Any]) -> Answer:
        seconds = stored.get("seconds")
        return cls(
            item_id=str(stored["item_id"]),
            choice=stored.get("choice"),
            most=stored.get("most"),
            least=stored.get("least"),
            ratings=dict(stored.get("ratings") or {}),
            ranking=tuple(stored.get("ranking") or ()),
            text=stored.get("text"),
            seconds=None if seconds is None else float(seconds),
        )


def _is_rating(value: object) -> bool:
    # bool is an int subclass; True must not pass as a rating of 1.
    return (
        isinstance(value, int) and not isinstance(value, bool) and RATING_MIN <= value <= RATING_MAX
    )


def answer_problems(item: Item, answer: Answer) -> list[str]:
    """Messages an applicant can act on; empty when the answer can be scored.

    An empty answer is not a problem: skipping is allowed (it scores 0), so
    callers that require an answer check :meth:`Answer.is_answered` as well.
    """
    if answer.item_id != item.id:
        return ["This answer belongs to a different question. Please answer it again."]
    if not answer.is_answered(item):
        return []
    option_ids = {option.id for option in item.options}
    fmt = item.format
    problems: list[str] = []
    if fmt is ResponseFormat.BEST_CHOICE:
        if answer.choice not in option_ids:
            problems.append("Please choose one of the options shown.")
    elif fmt is ResponseFormat.MOST_LEAST:
        if answer.most is None:
            problems.append("Please choose the option you think is most effective.")
        elif answer.most not in option_ids:
            problems.append("Please choose the most effective option from the options shown.")
        if answer.least is None:
            problems.append("Please choose the option you think is least effective.")
        elif answer.least not in option_ids:
            problems.append("Please choose the least effective option from the options shown.")
        if answer.most is not None and answer.most == answer.least:
            problems.append(
                "Please choose different options as most effective and least effective."
            )
    elif fmt is ResponseFormat.RATE_EACH:
        if set(answer.ratings) - option_ids:
            problems.append("Please rate only the options shown.")
        missing = option_ids - set(answer.ratings)
        if missing:
            problems.append(f"Please rate every option: {len(missing)} still to rate.")
        if not all(_is_rating(value) for value in answer.ratings.values()):
            problems.append(f"Please rate each option from {RATING_MIN} to {RATING_MAX}.")
    elif fmt is ResponseFormat.RANK:
        if set(answer.ranking) - option_ids:
            problems.append("Please rank only the options shown.")
        elif len(answer.ranking) != len(option_ids) or set(answer.ranking) != option_ids:
            problems.append("Please put every option in order, using each option once.")
    else:
        length = len((answer.text or "").strip())
        if length < FREE_TEXT_MIN:
            problems.append(
                f"Please write at least {FREE_TEXT_MIN} characters so a manager can "
                "understand what you would do."
            )
        elif length > FREE_TEXT_MAX:
            problems.append(
                f"Please keep your answer to {FREE_TEXT_MAX:,} characters or fewer "
                f"(it has {length:,})."
            )
    return problems
