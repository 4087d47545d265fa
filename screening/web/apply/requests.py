"""The applicant's rights over the result: ask for a person to review the decision, or
ask how their answers were used. Only on their own link, only once they have submitted;
HR answers from /hr/requests."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response
from wtforms import RadioField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from screening.extensions import db, limiter
from screening.models import RequestKind
from screening.services import applicant_requests
from screening.web.apply import bp, retry_after_expiry, session_expired_notice
from screening.web.apply.forms import ApplicantForm
from screening.web.apply.links import submitted_invitation_or_404


class ResultRequestForm(ApplicantForm):
    kind = RadioField(
        _l("What would you like to ask?"),
        choices=[
            SelectChoice(RequestKind.REVIEW.value,
                         _l("Ask for a person to review the decision")),
            SelectChoice(RequestKind.EXPLANATION.value, _l("Ask how my answers were used")),
        ],
        validators=[InputRequired(_l("Please choose what you would like to ask."))],
    )
    message = TextAreaField(
        _l("Anything you would like us to know (optional)"),
        validators=[Length(max=applicant_requests.MESSAGE_MAX, message=_l(
            "Please enter at most %(max)d characters.", max=applicant_requests.MESSAGE_MAX))],
    )


@bp.route("/<token>/requests", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def requests(token: str) -> str | Response:
    return _requests_page(token)


def _requests_page(token: str) -> str | Response:
    invitation = submitted_invitation_or_404(token)
    submission = invitation.submission
    assert submission is not None  # SUBMITTED implies a submission
    form = ResultRequestForm()
    if session_expired_notice() is None and form.validate_on_submit():
        _, made = applicant_requests.make_request(
            db.session, submission, RequestKind(form.kind.data), form.message.data or "",
            answer_within_days=int(current_app.config["REQUEST_ANSWER_DAYS"]),
        )
        db.session.commit()
        flash(gettext("We have your request. HR will answer it by email by the date shown "
                      "below.") if made else
              gettext("You have already asked this; HR will answer the request shown below."),
              "success")
        return redirect(url_for("apply.requests", token=token))
    return render_template("apply/requests.html", form=form, invitation=invitation,
                           token=token,
                           sent=applicant_requests.requests_of(db.session, submission))


# Undecorated: the refused post was never counted, and must not trip the limiter here.
retry_after_expiry("requests", _l("Your session had expired; check your request and send it "
                                  "again."), _requests_page)
