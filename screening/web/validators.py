"""Form validators shared by every audience's forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms.validators import ValidationError

from screening.single_line import unsafe_characters

#: Said wherever one-line text (a name, a title) holds a line break or control character.
ONE_LINE_MESSAGE = _l("Please write this on one line, without line breaks or control "
                      "characters.")


def visible_text(message: Any) -> Callable[[Any, Any], None]:
    """Refuse text with no letter or digit (spaces, invisible characters, punctuation).

    A name such as "\\x1f" passes a "required" check, yet is stored as nothing once
    trimmed; people and staff must be able to tell records apart by name.
    """

    def check(_form: Any, field: Any) -> None:
        if not any(char.isalnum() for char in field.data or ""):
            raise ValidationError(message)

    return check


def one_line(_form: Any, field: Any) -> None:
    """Refuse a line break or control character in text that can reach an email header
    (see screening.single_line): one such name once stopped all email."""
    if unsafe_characters(field.data or ""):
        raise ValidationError(ONE_LINE_MESSAGE)
