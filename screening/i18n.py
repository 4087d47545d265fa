"""The Babel catalogue outside a request: the one translation mechanism for applicant text.

Pages get their strings through Flask-Babel; the feedback builder, its PDF and
anything else made outside a request ask here for the same catalogue
(screening/translations), so adding a language (README, "Languages") reaches all of
them at once. Pure Babel: no Flask.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

from babel.support import NullTranslations, Translations

TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DEFAULT_LANGUAGE = "en"

Gettext = Callable[[str], str]


def N_(message: str) -> str:
    """Mark ``message`` for extraction where it is written; translated where it is shown."""
    return message


def offered_languages() -> tuple[str, ...]:
    """English and every language with a compiled catalogue."""
    compiled = sorted(path.parent.parent.name
                      for path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.mo"))
    return (DEFAULT_LANGUAGE, *(code for code in compiled if code != DEFAULT_LANGUAGE))


@functools.cache  # one catalogue per language offered: a handful, read once per process
def _catalogue(language: str) -> NullTranslations:
    if language == DEFAULT_LANGUAGE:
        return NullTranslations()
    return Translations.load(str(TRANSLATIONS_DIR), [language], "messages")


def translator(language: str) -> Gettext:
    """``gettext`` in ``language``; English (the msgids themselves) for one not offered."""
    if language not in offered_languages():
        language = DEFAULT_LANGUAGE
    return _catalogue(language).gettext
