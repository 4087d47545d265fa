"""Date filters typed by people ("from", "until"), as conditions on a UTC timestamp.

Days are whole UTC days and both ends are inclusive: "until 3 March" keeps
everything before 4 March 00:00 UTC. The last representable day has no day after
it, so it sets no upper bound rather than overflowing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def within_days(column: Any, since: date | None, until: date | None) -> list[ColumnElement[bool]]:
    """The conditions that keep ``column`` between ``since`` and ``until``, both inclusive."""
    conditions = []
    if since is not None:
        conditions.append(column >= start_of(since))
    if until is not None and until < date.max:
        conditions.append(column < start_of(until + timedelta(days=1)))
    return conditions
