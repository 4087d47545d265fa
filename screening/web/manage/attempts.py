"""A retake a manager allows deliberately: a new attempt, linked to the submitted one."""

from __future__ import annotations

from flask import current_app, flash, redirect, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.services import attempts, messages
from screening.web.manage import bp
from screening.web.manage.forms import RetakeForm
from screening.web.manage.scope import applicant_link, submission_or_404


@bp.post("/submissions/<id:submission_id>/retake")
def allow_retake(submission_id: int) -> Response:
    found = submission_or_404(submission_id)
    form = RetakeForm()
    back = url_for("manage.submission", submission_id=found.id) + "#attempts"
    if not form.validate_on_submit():
        for message in form.reason.errors:
            flash(f"Retake not allowed: {message}", "error")
        return redirect(back)
    try:
        invitation = attempts.allow_retake(
            db.session, found.invitation.applicant, allowed_by=current_user,
            reason=form.reason.data or "", valid_days=current_app.config["INVITATION_DAYS"],
        )
    except attempts.RetakeError as error:
        db.session.rollback()
        flash(f"Retake not allowed: {error}", "error")
        return redirect(back)
    sent = messages.queue_invitation(db.session, invitation)
    db.session.commit()
    how = ("The new link was emailed to them." if sent else
           f"Send them the new link: {applicant_link(invitation.token)}")
    flash(f"Retake allowed: attempt {invitation.applicant.attempt_number}. {how}", "success")
    return redirect(back)
