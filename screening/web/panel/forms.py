"""The panellist's form: a 1..5 rating per option of one situation and a comment."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from screening.bank import RATING_MAX, RATING_MIN, Item
from screening.services.panels import MAX_COMMENT

#: Scale words, so a screen reader says more than a bare number.
RATING_WORDS = {1: "very ineffective", 2: "ineffective", 3: "neither effective nor ineffective",
                4: "effective", 5: "very effective"}
NOT_RATED = "Rate every response from 1 (very ineffective) to 5 (very effective)."


class PanelItemForm(FlaskForm):
    comment = TextAreaField("Comment on this situation (optional)",
                            validators=[Optional(), Length(max=MAX_COMMENT)])

    option_ids: tuple[str, ...] = ()

    def ratings(self) -> dict[str, int | None]:
        return {option_id: self[f"rate_{option_id}"].data for option_id in self.option_ids}

    def missing(self) -> list[str]:
        return [option_id for option_id, rating in self.ratings().items() if rating is None]


def panel_item_form(item: Item, **kwargs: Any) -> PanelItemForm:
    """A form with one radio group per option, named ``rate_<option id>``."""
    fields: dict[str, Any] = {
        f"rate_{option.id}": RadioField(
            option.text, coerce=int, validators=[Optional()],
            choices=[SelectChoice(rating, f"{rating}, {RATING_WORDS[rating]}")
                     for rating in range(RATING_MIN, RATING_MAX + 1)])
        for option in item.options
    }
    form_class = type("PanelItemFormFor", (PanelItemForm,),
                      {**fields, "option_ids": tuple(option.id for option in item.options)})
    return form_class(**kwargs)


class PanelSubmitForm(FlaskForm):
    """Only the CSRF token: submitting sends the ratings already saved."""
