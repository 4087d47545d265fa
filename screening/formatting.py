"""How dates, times and ordinals are written for people: the one place for each.

Pure and English. Staff pages, PDFs, emails to staff and the CLI use these;
applicant pages in another language go through ``screening.web.language``,
which falls back to them for English.
"""

from __future__ import annotations

from datetime import datetime

#: What a missing date reads as in a table or a report.
NO_DATE = "—"


def date_time(moment: datetime | None) -> str:
    """'04 Dec 2026, 09:30 UTC' (times are stored in UTC and shown as such)."""
    return moment.strftime("%d %b %Y, %H:%M UTC") if moment else NO_DATE


def day(moment: datetime | None) -> str:
    """'2026-12-04', for tables that sort."""
    return moment.strftime("%Y-%m-%d") if moment else NO_DATE


def long_date(moment: datetime) -> str:
    """'04 December 2026', for letters and notices."""
    return moment.strftime("%d %B %Y")


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 for machines (JSON, cache keys); None stays None."""
    return moment.isoformat() if moment else None


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, ... 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
        number % 10, "th"
    )
    return f"{number}{suffix}"
