"""Feedback every applicant keeps: a page and a one-page PDF on their own link.

Managers preview it and may switch it off per position.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from screening.extensions import db, limiter
from screening.reports import render
from screening.reports.pdf import RenderError
from screening.services import audit, journey, positions
from screening.services.applicant_feedback import feedback_for
from screening.web import language
from screening.web.manage.forms import FeedbackSwitchForm

bp = Blueprint("feedback", __name__)
limiter.limit("240 per minute")(bp)


def _applicant_feedback(token: str):
    invitation = journey.invitation_by_token(db.session, token)
    if invitation is None:
        abort(404)
    feedback = feedback_for(invitation.submission)
    if feedback is None:
        abort(404)
    language.use(feedback.language)
    return invitation, feedback


@bp.get("/apply/<token>/feedback")
def applicant_page(token: str) -> str:
    invitation, feedback = _applicant_feedback(token)
    return render_template("feedback/page.html", invitation=invitation, feedback=feedback,
                           token=token, page_language=feedback.language)


@bp.get("/apply/<token>/feedback.pdf")
def applicant_pdf(token: str) -> Response:
    invitation, feedback = _applicant_feedback(token)
    try:
        pdf = render.feedback_pdf(feedback, invitation.applicant.name,
                                  invitation.applicant.position.title,
                                  current_app.config["PDF_PAGE_SIZE"])
    except RenderError:
        abort(503)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="feedback.pdf"'})


@bp.get("/manage/submissions/<int:submission_id>/feedback-preview")
@login_required
def preview(submission_id: int) -> str:
    submission = positions.submission_for(db.session, current_user, submission_id)
    feedback = feedback_for(submission, preview=True)
    if submission is None or feedback is None:
        abort(404)
    position = submission.invitation.applicant.position
    return render_template("feedback/preview.html", submission=submission, feedback=feedback,
                           position=position, form=FeedbackSwitchForm(
                               enabled=position.feedback_enabled))


@bp.post("/manage/positions/<int:position_id>/feedback")
@login_required
def switch(position_id: int) -> Response:
    position = positions.position_for(db.session, current_user, position_id)
    if position is None:
        abort(404)
    form = FeedbackSwitchForm()
    if form.validate_on_submit():
        position.feedback_enabled = bool(form.enabled.data)
        audit.record(db.session, current_user, "position.feedback_switched", position,
                     enabled=position.feedback_enabled)
        db.session.commit()
        flash("Applicants of this position now see feedback once a decision is recorded."
              if position.feedback_enabled else
              "Feedback is off for this position: applicants will not see it.", "success")
    return redirect(url_for("manage.position", position_id=position.id))
