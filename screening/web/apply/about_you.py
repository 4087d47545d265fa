"""Voluntary self-identification, offered to an applicant after they have submitted.

The answers feed only HR's aggregate adverse-impact report: they are asked
after the answers are final (so they cannot affect them), stored apart from
the answers, and never shown to managers, in PDFs or in exports.
"""

from __future__ import annotations

from flask import render_template, request
from werkzeug.wrappers import Response

from screening.extensions import db, limiter
from screening.services import fairness
from screening.web.apply import bp
from screening.web.apply.forms import SelfIdentificationForm
from screening.web.apply.links import submitted_invitation_or_404


@bp.route("/<token>/about-you", methods=["GET", "POST"])
@limiter.limit("120 per minute")
def about_you(token: str) -> str | Response:
    invitation = submitted_invitation_or_404(token)
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
        return render_template("apply/about_you_thanks.html", invitation=invitation)
    return render_template("apply/about_you.html", form=form, invitation=invitation,
                           token=token)
