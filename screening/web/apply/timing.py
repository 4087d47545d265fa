"""Time on an item page: the server's own record, refined by a clock carried in the form.

The server records when it serves each item page (screening.services.page_views), so
an answer is timed even when the form arrives without its clock. The page also carries
the moment it was first shown, signed with the app's secret for that submission and
item: it survives a re-render after an error or a lost session, and may only shorten
the server's measure, never lengthen it or stand in for it. The applicant's device
clock plays no part; a forged or copied value is ignored.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from itsdangerous import BadSignature, Signer

from screening.services.page_views import MAX_SECONDS_PER_VISIT

Secret = str | bytes


def now() -> datetime:
    """The server's time, from the one clock this module reads (tests may stand in for it)."""
    return datetime.fromtimestamp(time.time(), UTC)


def page_clock(secret: Secret, submission_id: int, item_id: str, now: float | None = None) -> str:
    """The signed moment an item page is shown, for its hidden ``shown_at`` field."""
    milliseconds = int((time.time() if now is None else now) * 1000)
    return _signer(secret, submission_id, item_id).sign(str(milliseconds)).decode()


def shown_at(secret: Secret, submission_id: int, item_id: str, posted: str | None) -> float | None:
    """When the page was shown, if ``posted`` is a clock this server signed for this item."""
    if not posted or len(posted) > 100:
        return None
    try:
        milliseconds = int(_signer(secret, submission_id, item_id).unsign(posted))
    except (BadSignature, ValueError):
        return None
    return milliseconds / 1000


def seconds_on_page(
    secret: Secret, submission_id: int, item_id: str, posted: str | None, now: float | None = None
) -> float | None:
    """Seconds since the page was shown, capped; None when the clock is missing or forged."""
    started = shown_at(secret, submission_id, item_id, posted)
    if started is None:
        return None
    elapsed = (time.time() if now is None else now) - started
    return round(min(max(elapsed, 0.0), MAX_SECONDS_PER_VISIT), 3)


def _signer(secret: Secret, submission_id: int, item_id: str) -> Signer:
    # The salt binds a clock to one item of one submission: it cannot be replayed elsewhere.
    return Signer(secret, salt=f"apply.shown_at:{submission_id}:{item_id}")
