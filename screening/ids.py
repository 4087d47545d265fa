"""Row ids typed or passed in by people: only what can name a row reaches the database."""

from __future__ import annotations

#: The largest id an integer column holds on PostgreSQL; a larger one from a URL names
#: nothing, and passing it to the database would fail instead of finding no row.
MAX_ID = 2**31 - 1


def parse_id(text: str) -> int | None:
    """``text`` as a row id, or None if it cannot be one.

    ASCII digits only: ``str.isdigit`` also accepts characters such as "²" that
    ``int`` refuses.
    """
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > len(str(MAX_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
