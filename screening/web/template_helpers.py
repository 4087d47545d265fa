"""Small helpers the templates call; presentation only, no business rules."""

from __future__ import annotations

from typing import Any

from flask import Flask

from screening import formatting
from screening.adjustments import Need
from screening.bank.model import DIMENSION_LABELS
from screening.models import OUTCOME_LABELS
from screening.reports import wording
from screening.reports.applicant import DECISION_SUPPORT
from screening.reports.wording import ADJUSTMENT_LABELS

NEED_LABELS = {
    Need.EXTRA_TIME: "Extra time",
    Need.BREAK: "A break",
    Need.SCREEN_READER: "A screen-reader-friendly layout",
    Need.ALTERNATIVE: "An alternative to the online screen",
}


def field_attrs(field: Any, hint: str | None, autocomplete: str | None = None
                ) -> dict[str, str]:
    """aria attributes tying a control to its hint and error message, and its autofill token.

    No token, no attribute: WTForms would write ``autocomplete="None"``, an invalid token.
    """
    described_by = []
    if hint:
        described_by.append(f"{field.id}-hint")
    if field.errors:
        described_by.append(f"{field.id}-error")
    attrs = {"aria-describedby": " ".join(described_by)} if described_by else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if autocomplete:
        attrs["autocomplete"] = autocomplete
    return attrs


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        field_attrs=field_attrs,
        result_headline=wording.headline,
        decision_support=DECISION_SUPPORT,
        dimension_labels=DIMENSION_LABELS,
        outcome_labels=OUTCOME_LABELS,
        adjustment_labels=ADJUSTMENT_LABELS,
        need_labels=NEED_LABELS,
    )
    app.jinja_env.filters["datetime"] = formatting.date_time
