"""Text without accents, and text folded for matching: the one place for each.

Plain Python, used by search (a stored folded column, so SQLite and PostgreSQL
match identically) and by download filenames (their ASCII fallback).
"""

from __future__ import annotations

import unicodedata

#: Letters whose mark is drawn into the letter (a stroke, a bar, a ligature), which
#: Unicode does not decompose: spelled as someone without the key types them
#: ("Łukasz" is searched as "lukasz", "Øster" as "oster", "Æsa" as "aesa").
_DRAWN_IN = str.maketrans({
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ð": "D", "ð": "d", "Ø": "O", "ø": "o",
    "Ħ": "H", "ħ": "h", "Ŧ": "T", "ŧ": "t", "ı": "i", "Æ": "AE", "æ": "ae",
    "Œ": "OE", "œ": "oe", "Þ": "TH", "þ": "th",
})


def without_accents(text: str) -> str:
    """'María José' -> 'Maria Jose': compatibility-decomposed, combining marks dropped,
    and letters with a drawn-in mark spelled plain ('Łódź' -> 'Lodz')."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_DRAWN_IN))
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def folded(text: str) -> str:
    """What a search compares: case and accents ignored ('María' and 'MARIA' -> 'maria').

    Case-folded first (ß -> ss, İ -> i + dot), then the marks go, then recomposed
    (NFKD also splits letters that carry no mark, such as Hangul syllables).
    """
    return unicodedata.normalize("NFC", without_accents(text.casefold()))
