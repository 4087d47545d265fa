"""One applicant's submission: the result page, rating written answers, the decision,
and a preview of the feedback the applicant will see."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from screening.extensions import db
from screening.models import Outcome, Submission, SubmissionStatus
from screening.services import attempts, audit, prerender, reports, reviews
from screening.services.feedback import feedback_for
from screening.web.manage import bp
from screening.web.manage.forms import DecisionForm, FeedbackSwitchForm, RatingForm, RetakeForm
from screening.web.manage.scope import submission_or_404


@bp.get("/submissions/<id:submission_id>")
def submission(submission_id: int) -> tuple[str, int]:
    found = submission_or_404(submission_id)
    audit.record_in_own_transaction(db.session, current_user, "submission.viewed", found)
    return render_submission(found, DecisionForm())


def render_submission(
    found: Submission, decision_form: DecisionForm, status: int = 200
) -> tuple[str, int]:
    """The applicant detail page; a rejected decision form comes back with its input kept.

    The result is the applicant summary's own report model, so the page and the PDF
    show the same band, scores, percentiles, flags and trace.
    """
    report = (reports.applicant_report(db.session, found)
              if found.status is SubmissionStatus.SUBMITTED and found.result else None)
    views = [(view, _rating_form(view)) for view in reviews.rater_views(found, current_user)]
    return render_template(
        "manage/submission.html", submission=found, report=report,
        applicant=found.invitation.applicant,
        attempts=attempts.history(db.session, found.invitation.applicant),
        retake_form=RetakeForm(),
        # What this manager has still to rate comes before the decision; the rest folds away.
        to_rate=[(view, form) for view, form in views if view.mine is None],
        rated=[(view, form) for view, form in views if view.mine is not None],
        decision_form=decision_form,
        decisions=list(reversed(found.decisions)),
    ), status


def _rating_form(view: reviews.RaterView) -> RatingForm:
    """This manager's rating of one written answer, on that item's behavioural anchors."""
    form = RatingForm(formdata=None, item_id=view.item.id, rating=view.mine)
    form.rating.choices = [SelectChoice(anchor.rating, f"{anchor.rating} — {anchor.description}")
                           for anchor in view.item.anchors]
    form.rating.id = f"rate-{view.item.id}"  # one form per written answer on the page
    return form


@bp.post("/submissions/<id:submission_id>/ratings")
def rate(submission_id: int) -> Response:
    found = submission_or_404(submission_id)
    form = RatingForm()
    if not form.validate_on_submit():
        flash("Choose a rating from 1 to 5 before saving.", "error")
    else:
        try:
            reviews.rate_free_text(
                db.session, found, form.item_id.data or "", current_user, form.rating.data
            )
        except reviews.ReviewError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            prerender.queue_summary(db.session, current_app.config, found.id)
            db.session.commit()
            flash("Rating saved; the scores now include it.", "success")
    return redirect(url_for("manage.submission", submission_id=found.id) + "#ratings")


@bp.post("/submissions/<id:submission_id>/decision")
def decide(submission_id: int) -> tuple[str, int] | Response:
    found = submission_or_404(submission_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            reviews.record_decision(
                db.session, found, current_user, Outcome(form.outcome.data), form.note.data or ""
            )
        except reviews.ReviewError as error:
            db.session.rollback()
            form.note.errors = [*form.note.errors, str(error)]
        else:
            prerender.queue_summary(db.session, current_app.config, found.id)
            db.session.commit()
            flash("Decision recorded.", "success")
            return redirect(url_for("manage.submission", submission_id=found.id))
    # Re-render with what the manager typed, and the reasons next to the fields.
    return render_submission(found, form, status=422)


@bp.get("/submissions/<id:submission_id>/feedback-preview")
def feedback_preview(submission_id: int) -> str:
    found = submission_or_404(submission_id)
    feedback = feedback_for(found, preview=True)
    if feedback is None:
        abort(404)
    position = found.invitation.applicant.position
    return render_template("manage/feedback_preview.html", submission=found, feedback=feedback,
                           position=position,
                           form=FeedbackSwitchForm(enabled=position.feedback_enabled))
