"""Time on an item page, measured by the server's clock and carried in the form.

The page carries the moment it was shown, signed with the app's secret for that
submission and item: the applicant's device clock plays no part, a forged or
copied value is ignored (no time recorded) rather than trusted, and the value
survives a lost session, a re-render after an error, or a second server.
"""

from __future__ import annotations

import time

from itsdangerous import BadSignature, Signer

Secret = str | bytes

#: Time spent on a page beyond this is not "time on the item" but a break.
MAX_SECONDS_PER_VISIT = 3600.0


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
