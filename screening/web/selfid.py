"""Voluntary self-identification, offered to an applicant after they have submitted.

The answers feed only HR's aggregate adverse-impact report: they are asked
after the answers are final (so they cannot affect them), stored apart from
the answers, and never shown to managers, in PDFs or in exports.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, render_template, request
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import RadioField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from screening.extensions import db, limiter
from screening.models import Invitation
from screening.scoring.fairness import (
    PREFER_NOT_TO_SAY,
    RACE_ETHNICITY_CATEGORIES,
    SEX_CATEGORIES,
)
from screening.services import fairness, journey
from screening.services.journey import LinkState
from screening.web import language
from screening.web.apply.forms import ApplicantForm

bp = Blueprint("selfid", __name__, url_prefix="/apply")
limiter.limit("120 per minute")(bp)


#: What the applicant reads for each category, in their language. The core keeps the
#: categories (and HR's English labels); a category added there without a label here
#: fails at import instead of showing an untranslated option.
_SEX_LABELS: Mapping[str, LazyString] = {
    "female": _l("Female"),
    "male": _l("Male"),
    "another": _l("Another sex or gender (for example non-binary)"),
    PREFER_NOT_TO_SAY: _l("Prefer not to say"),
}
_RACE_ETHNICITY_LABELS: Mapping[str, LazyString] = {
    "hispanic_or_latino": _l("Hispanic or Latino"),
    "white": _l("White"),
    "black_or_african_american": _l("Black or African American"),
    "native_hawaiian_or_pacific_islander": _l("Native Hawaiian or Other Pacific Islander"),
    "asian": _l("Asian"),
    "american_indian_or_alaska_native": _l("American Indian or Alaska Native"),
    "two_or_more_races": _l("Two or More Races"),
    PREFER_NOT_TO_SAY: _l("Prefer not to say"),
}


def _choices(categories: Mapping[str, str], labels: Mapping[str, LazyString]) -> list[SelectChoice]:
    if set(labels) != set(categories):
        raise RuntimeError(f"self-identification labels {sorted(labels)} do not match the "
                           f"categories {sorted(categories)}")
    return [SelectChoice(key, labels[key]) for key in categories]


class SelfIdentificationForm(ApplicantForm):
    # Optional: skipping a question is the same as "prefer not to say". Only a truly empty
    # value counts as skipped: Optional's whitespace stripping would clear the "not a valid
    # choice" error of a value like " " and pass it on to be stored.
    # ApplicantForm: WTForms' own messages ("Not a valid choice.") in the page's language.
    sex = RadioField(_l("Sex"), validators=[Optional(strip_whitespace=False)],
                     choices=_choices(SEX_CATEGORIES, _SEX_LABELS))
    race_ethnicity = RadioField(
        _l("Race/ethnicity"), validators=[Optional(strip_whitespace=False)],
        choices=_choices(RACE_ETHNICITY_CATEGORIES, _RACE_ETHNICITY_LABELS),
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
    language.use(submission.language)
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
