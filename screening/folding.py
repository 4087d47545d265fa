"""Text without accents, and text folded for matching: the one place for each.

Plain Python, used by search (a stored folded column, so SQLite and PostgreSQL
match identically) and by download filenames (their ASCII fallback).
"""

from __future__ import annotations

import unicodedata


def without_accents(text: str) -> str:
    """'María José' -> 'Maria Jose': compatibility-decomposed, combining marks dropped."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def folded(text: str) -> str:
    """What a search compares: case and accents ignored ('María' and 'MARIA' -> 'maria').

    Case-folded first (ß -> ss, İ -> i + dot), then the marks go, then recomposed
    (NFKD also splits letters that carry no mark, such as Hangul syllables).
    """
    return unicodedata.normalize("NFC", without_accents(text.casefold()))
