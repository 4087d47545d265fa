"""Voluntary self-identification, offered to an applicant after they have submitted.

The answers feed only HR's aggregate adverse-impact report: they are asked
after the answers are final (so they cannot affect them), stored apart from
the answers, and never shown to managers, in PDFs or in exports.
"""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from screening.extensions import db, limiter
from screening.models import Invitation
from screening.scoring.fairness import RACE_ETHNICITY_CATEGORIES, SEX_CATEGORIES
from screening.services import fairness, journey
from screening.services.journey import LinkState

bp = Blueprint("selfid", __name__, url_prefix="/apply")
limiter.limit("120 per minute")(bp)


class SelfIdentificationForm(FlaskForm):
    # Optional: skipping a question is the same as "prefer not to say". Only a truly empty
    # value counts as skipped: Optional's whitespace stripping would clear the "not a valid
    # choice" error of a value like " " and pass it on to be stored.
    sex = RadioField("Sex", validators=[Optional(strip_whitespace=False)],
                     choices=[SelectChoice(k, v) for k, v in SEX_CATEGORIES.items()])
    race_ethnicity = RadioField(
        "Race/ethnicity", validators=[Optional(strip_whitespace=False)],
        choices=[SelectChoice(k, v) for k, v in RACE_ETHNICITY_CATEGORIES.items()],
    )


def _submitted_invitation_or_404(token: str) -> Invitation:
    """Only the applicant's own link, and only once their answers are submitted."""
    invitation = journey.invitation_by_token(db.session, token)
    if invitation is None or journey.link_state(invitation) is not LinkState.SUBMITTED:
        abort(404)
    return invitation


@bp.route("/<token>/about-you", methods=["GET", "POST"])
def about_you(token: str) -> str | Response:
    invitation = _submitted_invitation_or_404(token)
    submission = invitation.submission
    assert submission is not None  # SUBMITTED implies a submission
    # Prefill on GET only: on POST a question left blank means "prefer not to say",
    # not "keep what I said before".
    saved = fairness.self_identification_of(db.session, submission)
    form = SelfIdentificationForm(obj=saved if request.method == "GET" else None)
    if form.validate_on_submit():
        fairness.save_self_identification(
            db.session, submission, sex=form.sex.data, race_ethnicity=form.race_ethnicity.data
        )
        db.session.commit()
        return render_template("selfid/thanks.html", invitation=invitation)
    return render_template("selfid/about_you.html", form=form, invitation=invitation,
                           token=token)
