"""Integrity signals: whether the applicant left the page or pasted text while answering.

With JavaScript on, each question page counts two things while it is open
(screening/static/js/integrity.js) and posts the counts with the answer:

* **left the page**: the page became hidden (the document's ``visibilitychange`` to
  ``hidden``): another tab or app brought to the front, the window minimised, the
  phone locked. A window that merely loses focus (a click in the address bar, a
  second screen) does not count: that says too little to show a manager.
* **pasted**: a paste into a text field of the page, that is into a written answer.

The applicant is told so on the welcome page. Managers see the counts beside the
response-quality flags, with what they can and cannot mean; scoring never reads them
(they are not part of ``scoring.Answer``), and nothing about them can refuse or delay
an answer. A page without JavaScript reports nothing: "not recorded", never 0.

This module is the one definition of what is counted, how a posted count is read,
how visits add up and how a submission's counts are summed and worded; the page,
the PDF, the exports and the API all use it. Pure: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

#: A count past this per item says nothing more; it also bounds what a forged form stores.
MAX_COUNT = 999
#: ASCII digits only (``str.isdigit`` would accept "²"), at most six of them.
_COUNT = re.compile(r"[0-9]{1,6}")

#: Beside the counts wherever a manager reads them.
EXPLANATION = (
    "Counted by the question pages while they were open, as the applicant was told "
    "before starting; never part of the score. Leaving the page can be innocent (a call, "
    "a message, a look at the job advert): ask, do not assume."
)
NOT_RECORDED_TEXT = "Not recorded (JavaScript was off, so the pages could not count them)."


def reported_count(posted: object) -> int | None:
    """The count a page posted, capped at MAX_COUNT; None (not reported) for anything else.

    Malformed, negative, empty or missing values are never an error to the applicant.
    """
    if not isinstance(posted, str) or not _COUNT.fullmatch(posted):
        return None
    return min(int(posted), MAX_COUNT)


def add_counts(stored: int | None, reported: int | None) -> int | None:
    """A visit's count added to the item's earlier visits; unreported visits add nothing."""
    if reported is None:
        return stored
    return min((stored or 0) + reported, MAX_COUNT)


@dataclass(frozen=True)
class ItemSignals:
    """What the page reported for one item; None where it reported nothing."""

    left_page: int | None
    pastes: int | None

    @property
    def recorded(self) -> bool:
        return self.left_page is not None or self.pastes is not None


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


@dataclass(frozen=True)
class IntegritySummary:
    """A submission's signals, summed over the items whose page reported them."""

    #: questions whose page reported the signals (0: not recorded at all).
    recorded_items: int = 0
    #: questions during which the applicant left the page at least once, and how often.
    left_page_items: int = 0
    left_page_times: int = 0
    #: questions into whose text field the applicant pasted at least once, and how often.
    paste_items: int = 0
    paste_times: int = 0

    @property
    def recorded(self) -> bool:
        return self.recorded_items > 0

    @property
    def text(self) -> str:
        """'Left the page during 3 of 20 questions (5 times in all); pasted text into ...'"""
        if not self.recorded:
            return NOT_RECORDED_TEXT
        of = _plural(self.recorded_items, "question", "questions")
        if self.left_page_items:
            left = (f"Left the page during {self.left_page_items} of {of} "
                    f"({_plural(self.left_page_times, 'time', 'times')} in all)")
        else:
            left = f"Did not leave the page during any of {of}"
        if self.paste_items:
            pasted = (f"pasted text into {_plural(self.paste_items, 'answer', 'answers')} "
                      f"({_plural(self.paste_times, 'paste', 'pastes')})")
        else:
            pasted = "pasted no text"
        return f"{left}; {pasted}."

    @property
    def explanation(self) -> str:
        return EXPLANATION

    def to_json(self) -> dict[str, int] | None:
        """The counts for the API; None when nothing was recorded."""
        if not self.recorded:
            return None
        return {
            "recorded_items": self.recorded_items,
            "left_page_items": self.left_page_items,
            "left_page_times": self.left_page_times,
            "paste_items": self.paste_items,
            "paste_times": self.paste_times,
        }

    def export_cells(self) -> list[Any]:
        """integrity_items, left_page_items, left_page_times, paste_items, paste_times:
        empty cells, not zeros, when nothing was recorded."""
        if not self.recorded:
            return [0, None, None, None, None]
        return [self.recorded_items, self.left_page_items, self.left_page_times,
                self.paste_items, self.paste_times]


NOT_RECORDED = IntegritySummary()


def summarise(signals: Iterable[ItemSignals]) -> IntegritySummary:
    """The submission's summary from each item's reported counts."""
    recorded = left_items = left_times = paste_items = paste_times = 0
    for item in signals:
        if not item.recorded:
            continue
        recorded += 1
        if item.left_page:
            left_items += 1
            left_times += item.left_page
        if item.pastes:
            paste_items += 1
            paste_times += item.pastes
    return IntegritySummary(recorded, left_items, left_times, paste_items, paste_times)
