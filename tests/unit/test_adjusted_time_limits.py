"""The one computation of an applicant's time limit, from the grant on their invitation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from screening import adjustments
from screening.adjustments import Need

START = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("granted", "minutes"), [
    (None, 20.0),
    ("", 20.0),
    ("extra_25", 25.0),
    ("extra_50", 30.0),
    ("extra_100", 40.0),
    ("untimed", None),
    # Another way to be assessed was offered; the online screen keeps the usual limit.
    ("alternative_process", 20.0),
    # A code nobody can grant changes nothing.
    ("extra_500", 20.0),
])
def test_time_limit_of_a_twenty_minute_questionnaire(granted: str | None,
                                                     minutes: float | None) -> None:
    assert adjustments.time_limit_minutes(20, granted) == minutes


@pytest.mark.parametrize("granted", [None, "extra_50", "untimed"])
def test_a_questionnaire_without_a_limit_stays_without_one(granted: str | None) -> None:
    assert adjustments.time_limit_minutes(None, granted) is None
    assert adjustments.deadline(START, None, granted) is None


def test_the_deadline_counts_the_adjusted_limit_from_the_start() -> None:
    assert adjustments.deadline(START, 8, None) == START + timedelta(minutes=8)
    assert adjustments.deadline(START, 8, "extra_50") == START + timedelta(minutes=12)
    assert adjustments.deadline(START, 8, "extra_25") == START + timedelta(minutes=10)
    assert adjustments.deadline(START, 8, "untimed") is None


def test_needs_are_known_codes_each_once_in_a_fixed_order() -> None:
    assert adjustments.parse_needs(["alternative", "nonsense", "extra_time", "extra_time"]) == (
        Need.EXTRA_TIME, Need.ALTERNATIVE)
    assert adjustments.parse_needs([""]) == ()
