"""Asking for an adjustment from the welcome page, before starting."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, url_for
from flask_babel import gettext
from werkzeug.wrappers import Response

from screening.adjustments import time_limit_minutes
from screening.bank import Questionnaire
from screening.extensions import db, limiter
from screening.models import Invitation
from screening.services import adjustments, journey
from screening.services.journey import LinkState
from screening.web.apply import bp
from screening.web.apply.forms import AdjustmentRequestForm
from screening.web.apply.links import closed_link_page, invitation_or_404


def welcome_context(invitation: Invitation, questionnaire: Questionnaire) -> dict[str, Any]:
    """What the welcome page shows of adjustments: the form, the time this applicant has."""
    return {
        "adjustment_form": adjustment_form(),
        "adjustment_pending": invitation.adjustment_awaiting_reply,
        # The same computation that sets the deadline at the start (screening.adjustments).
        "time_limit": time_limit_minutes(questionnaire.time_limit_minutes, invitation.adjustment),
    }


def adjustment_form() -> AdjustmentRequestForm:
    """The request form; a prefix keeps its ids apart from the consent form beside it."""
    return AdjustmentRequestForm(prefix="adjustment")


@bp.post("/<token>/adjustment")
@limiter.limit("10 per hour")
def request_adjustment(token: str) -> str | Response:
    invitation = invitation_or_404(token)
    state = journey.link_state(invitation)
    if state is not LinkState.OPEN:
        return closed_link_page(invitation, state)
    form = adjustment_form()
    if not form.validate_on_submit():
        for field in form:
            for message in field.errors:
                flash(str(message), "error")
        return redirect(url_for("apply.welcome", token=token) + "#adjustments-heading")
    adjustments.request_adjustment(db.session, invitation, form.needs.data or [],
                                   form.details.data or "")
    db.session.commit()
    flash(gettext("Thank you: we have sent your request to the hiring team. They will "
                  "contact you about it; you can wait for their answer before you start."),
          "success")
    return redirect(url_for("apply.welcome", token=token))
