"""Adjustments for applicants: what they may ask for, what staff may grant, and the
one computation of an applicant's time limit.

Plain Python (no Flask, no SQLAlchemy): the stored data holds the codes below; the
layer that shows them words them (screening/web and the templates).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta


class Need(enum.StrEnum):
    """What an applicant may ask for on the welcome page."""

    EXTRA_TIME = "extra_time"
    BREAK = "break"
    SCREEN_READER = "screen_reader"
    ALTERNATIVE = "alternative"


class Adjustment(enum.StrEnum):
    """What managers and HR may grant per invitation; at most one at a time."""

    EXTRA_25 = "extra_25"
    EXTRA_50 = "extra_50"
    EXTRA_100 = "extra_100"
    UNTIMED = "untimed"
    #: another way to be assessed was offered; the online screen keeps its usual limit.
    ALTERNATIVE_PROCESS = "alternative_process"


#: How much longer the time limit is, per extra-time grant.
TIME_FACTORS: dict[Adjustment, float] = {
    Adjustment.EXTRA_25: 1.25,
    Adjustment.EXTRA_50: 1.5,
    Adjustment.EXTRA_100: 2.0,
}


def parse(code: str | None) -> Adjustment | None:
    """The adjustment a stored or posted code names; None for none or an unknown code."""
    try:
        return Adjustment(code) if code else None
    except ValueError:
        return None


def parse_needs(codes: Iterable[str]) -> tuple[Need, ...]:
    """The known needs among ``codes``, each once, in the order of ``Need``."""
    given = set(codes)
    return tuple(need for need in Need if need.value in given)


def time_limit_minutes(standard: int | None, adjustment: str | None) -> float | None:
    """The applicant's time limit in minutes; None means no time limit.

    A questionnaire without a limit stays without one; untimed removes the limit;
    extra time multiplies it; anything else leaves the standard limit.
    """
    if standard is None:
        return None
    granted = parse(adjustment)
    if granted is Adjustment.UNTIMED:
        return None
    return standard * TIME_FACTORS.get(granted, 1.0) if granted else float(standard)


def deadline(started_at: datetime, standard: int | None, adjustment: str | None) -> datetime | None:
    """When the applicant's time runs out, counted from ``started_at``; None when untimed."""
    minutes = time_limit_minutes(standard, adjustment)
    return None if minutes is None else started_at + timedelta(minutes=minutes)
