"""URL converters registered by the factory: `<id:...>` for every row id in a URL."""

from __future__ import annotations

from werkzeug.routing import BaseConverter

from screening.ids import MAX_ID


def numbers_up_to(limit: int) -> str:
    """A regular expression matching exactly the decimal numbers 1..limit, no leading zero.

    The range lives in the pattern, not in ``to_python``: Werkzeug picks a rule by its
    pattern before converting, so a converter that refused 2**31 would turn
    ``POST /x/2147483648`` into "405 method not allowed" (the GET rule matched).
    """
    digits = str(limit)
    shorter = f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = []
    for index, digit in enumerate(digits):
        rest = len(digits) - index - 1
        lowest = "1" if index == 0 else "0"
        if int(digit) > int(lowest):
            upper = str(int(digit) - 1)
            same_length.append(
                f"{digits[:index]}[{lowest}-{upper}]" + (f"[0-9]{{{rest}}}" if rest else ""))
    same_length.append(digits)
    return "|".join(part for part in (shorter, *same_length) if part)


class IdConverter(BaseConverter):
    """A row id: 1..MAX_ID in ASCII digits; anything else (0, '²', 2**40) is a 404.

    One guard for every route, so no view passes an id PostgreSQL's integer column
    cannot hold (which would be a 500, not a missing row).
    """

    regex = f"(?:{numbers_up_to(MAX_ID)})"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: object) -> str:
        return str(int(value))  # type: ignore[call-overload]
