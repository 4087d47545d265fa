"""Form validators shared by every audience's forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from wtforms.validators import ValidationError


def visible_text(message: Any) -> Callable[[Any, Any], None]:
    """Refuse text with no letter or digit (spaces, invisible characters, punctuation).

    A name such as "\\x1f" passes a "required" check, yet is stored as nothing once
    trimmed; people and staff must be able to tell records apart by name.
    """

    def check(_form: Any, field: Any) -> None:
        if not any(char.isalnum() for char in field.data or ""):
            raise ValidationError(message)

    return check
