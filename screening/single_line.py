"""Text that must stay on one line: names, titles and addresses that can reach an email
header (a subject, a recipient) or a one-line listing.

Python's email package refuses a header holding any character ``str.splitlines`` breaks
at (CR, LF, VT, FF, the file/group/record separators, NEL U+0085, and the line and
paragraph separators U+2028/U+2029), so one such name once stalled every email queued
behind it. Input forms refuse these characters with ``unsafe_characters``; where a header
is built, ``one_line`` removes them in case a value came in some other way.

Refused: every control character (Unicode category Cc), the line and paragraph
separators (Zl, Zp), lone surrogates (Cs), and the invisible format characters (Cf)
except the few that writing systems need inside names: the zero-width joiner and
non-joiner (Persian, Indic scripts, emoji), the left-to-right, right-to-left and Arabic
letter marks, and the soft hyphen. The bidirectional overrides and isolates
(U+202A–U+202E, U+2066–U+2069) are refused: they make text display in another order
than it is stored.
"""

from __future__ import annotations

import unicodedata
from itertools import groupby

REFUSED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
#: Format characters that names may need; every other Cf character is refused.
ALLOWED_FORMAT_CHARACTERS = frozenset("\u00ad\u061c\u200c\u200d\u200e\u200f")


def is_unsafe(character: str) -> bool:
    category = unicodedata.category(character)
    if category == "Cf":
        return character not in ALLOWED_FORMAT_CHARACTERS
    return category in REFUSED_CATEGORIES


def unsafe_characters(text: str) -> list[str]:
    """The refused characters in ``text``, each named once in order, e.g. "U+2028 LINE
    SEPARATOR", so a message can say what was found."""
    found = dict.fromkeys(char for char in text if is_unsafe(char))
    return [f"U+{ord(char):04X} {unicodedata.name(char, 'control character')}" for char in found]


def one_line(text: str) -> str:
    """``text`` with each run of refused characters made one space, then trimmed."""
    runs = groupby(text, is_unsafe)
    return "".join(" " if unsafe else "".join(run) for unsafe, run in runs).strip()


def one_line_refusal(what: str, unsafe: list[str]) -> str:
    """Staff's message for a refused ``what`` ("name"), naming the characters found."""
    return f"The {what} has a line break or control character ({', '.join(unsafe)})."
