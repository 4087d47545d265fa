"""The questionnaire itself: welcome and consent, practice, one question per page,
review and submit, and the thank-you page."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from screening.database import immediate_transactions
from screening.extensions import db
from screening.models import Submission
from screening.services import journey, page_views, prerender
from screening.services.feedback import feedback_for
from screening.services.journey import InvalidAnswer, JourneyError, LinkState
from screening.services.practice import practice_feedback
from screening.services.questionnaires import questionnaire_for
from screening.services.results import stored_answers
from screening.web import language
from screening.web.apply import (
    adjustments,
    bp,
    renew_session,
    retry_after_expiry,
    session_expired,
    session_expired_notice,
    timing,
)
from screening.web.apply.forms import ConsentForm, SubmitForm, item_form
from screening.web.apply.links import closed_link_page, invitation_or_404, open_submission

_NAV_ACTIONS = ("next", "back", "review", "skip")


@bp.route("/<token>", methods=["GET", "POST"])
def welcome(token: str) -> str | Response:
    invitation = invitation_or_404(token)
    state = journey.link_state(invitation)
    if state is not LinkState.OPEN:
        return closed_link_page(invitation, state)
    if invitation.submission is not None:
        return _resume(invitation.submission, token)
    questionnaire = questionnaire_for(invitation.applicant.position.questionnaire_version)
    offered = language.offered_for(questionnaire.languages)
    # The language links on this page add ?lang=; the consent form posts the page's language.
    asked = request.args.get("lang") if request.method == "GET" else request.form.get("language")
    language.choose(asked, offered)
    form = ConsentForm()
    if session_expired_notice() is None and form.validate_on_submit():
        journey.start(db.session, invitation, language=language.current())
        db.session.commit()
        renew_session()
        return redirect(url_for("apply.practice", token=token))
    form.language.data = language.current()
    return render_template("apply/welcome.html", form=form, invitation=invitation,
                           questionnaire=questionnaire, token=token, languages=offered,
                           **adjustments.welcome_context(invitation, questionnaire))


def _resume(submission: Submission, token: str) -> Response:
    if not journey.scored_part_started(db.session, submission):
        # Consented but no scored question yet: the instructions and practice again.
        return redirect(url_for("apply.practice", token=token))
    index = journey.first_unanswered(submission)
    if index is None:
        return redirect(url_for("apply.review", token=token))
    return redirect(url_for("apply.question", token=token, number=index + 1))


@bp.route("/<token>/practice", methods=["GET", "POST"])
def practice(token: str) -> str | Response:
    loaded = open_submission(token)
    if not isinstance(loaded, tuple):
        return loaded
    _, submission = loaded
    sequence = journey.sequence_for(submission)
    practice_item = sequence.questionnaire.practice_item
    notice = session_expired_notice() if request.method == "POST" else None
    checking = request.form.get("action") == "check"
    if practice_item is None or (request.method == "POST" and notice is None and not checking):
        return redirect(url_for("apply.question", token=token, number=1))
    form = item_form(practice_item, tuple(o.id for o in practice_item.options))
    feedback = None
    if checking and notice is None and form.validate_on_submit():
        # Never stored: the practice answer only earns a word on how it compares.
        feedback = practice_feedback(practice_item, form.to_answer(None))
    return render_template("apply/practice.html", form=form, item=practice_item,
                           sequence=sequence, token=token, feedback=feedback)


@bp.route("/<token>/q/<int:number>", methods=["GET", "POST"])
def question(token: str, number: int) -> str | Response:
    loaded = open_submission(token)
    if not isinstance(loaded, tuple):
        return loaded
    _, submission = loaded
    sequence = journey.sequence_for(submission)
    total = len(sequence.items)
    if not 1 <= number <= total:
        abort(404)
    item = sequence.items[number - 1]
    journey.start_clock(db.session, submission, timing.now())
    if journey.time_is_up(submission):
        return _finish_after_time_limit(submission, token)

    form = item_form(item, sequence.options(item))
    secret = current_app.secret_key
    assert secret is not None
    if request.method == "POST" and _posted_action() == "skip":
        # "Skip for now" saves nothing (a saved answer stays as it was) and moves on.
        db.session.commit()
        return _navigate(token, number, total, "next")
    if request.method == "POST":
        action = _posted_action()
        key = journey.form_post_key(form.idempotency_key.data)
        if not session_expired() and form.validate_on_submit():
            seconds = _seconds_on_item(submission, item.id, form.shown_at.data)
            try:
                # False for a resent, double-clicked or retried post: the first one did the
                # work, so this one goes where it went.
                journey.save_answer_once(db.session, submission, form.to_answer(seconds), key,
                                         form.signals())
            except InvalidAnswer as error:
                # The form applies the same rules, so only a changed rule brings us here.
                db.session.rollback()
                form.form_errors.extend(error.problems)
            except JourneyError as error:
                db.session.rollback()
                flash(str(error), "error")
                return _resume(submission, token)
            else:
                db.session.commit()
                return _navigate(token, number, total, action)
        elif journey.form_post_used(db.session, key):
            # A resend whose session had expired meanwhile: the first post saved the answer.
            return _navigate(token, number, total, action)
        elif session_expired_notice() is None and action == "back":
            # Going back with an incomplete answer keeps the saved one; nothing saved is lost.
            return _navigate(token, number, total, action)
    else:
        answer = journey.saved_answer(db.session, submission, item.id)
        if answer is not None:
            form.fill(answer)
    # Keep the moment the page was first shown across re-renders (errors, lost session).
    if timing.shown_at(secret, submission.id, item.id, form.shown_at.data) is None:
        form.shown_at.data = timing.page_clock(secret, submission.id, item.id)
    form.idempotency_key.data = journey.new_form_post_key()
    page = render_template("apply/question.html", form=form, item=item, number=number,
                           total=total, sequence=sequence, token=token, submission=submission,
                           server_now=datetime.now(UTC))
    if request.method == "GET":  # a re-render after an error continues the same visit
        page_views.record_served(db.session, submission, item.id, timing.now())
        db.session.commit()
    return page


def _seconds_on_item(submission: Submission, item_id: str, posted_clock: str | None) -> float:
    """The server's measure of this visit; a valid signed clock from the form may shorten
    it (a page re-served in another tab), never lengthen it or stand in for it."""
    secret = current_app.secret_key
    assert secret is not None
    now = timing.now()
    measured = page_views.seconds_on_item(db.session, submission, item_id, now)
    clock = timing.seconds_on_page(secret, submission.id, item_id, posted_clock,
                                   now=now.timestamp())
    return measured if clock is None else min(measured, clock)


def _posted_action() -> str:
    action = request.form.get("action", "next")
    return action if action in _NAV_ACTIONS else "next"


def _navigate(token: str, number: int, total: int, action: str) -> Response:
    if action == "back" and number > 1:
        return redirect(url_for("apply.question", token=token, number=number - 1))
    if action == "review" or (action == "next" and number >= total):
        return redirect(url_for("apply.review", token=token))
    if action == "back":
        return redirect(url_for("apply.practice", token=token))
    return redirect(url_for("apply.question", token=token, number=number + 1))


def _finish_after_time_limit(submission: Submission, token: str) -> Response:
    submission_id = submission.id
    # A GET reads in a deferred SQLite transaction; submit in one holding the write lock.
    db.session.rollback()
    with immediate_transactions():
        _submit(db.session.get_one(Submission, submission_id), None)
    flash("The time for this questionnaire ran out, so we submitted the answers you had "
          "saved.", "info")
    return redirect(url_for("apply.done", token=token))


@bp.route("/<token>/review", methods=["GET", "POST"])
def review(token: str) -> str | Response:
    loaded = open_submission(token)
    if not isinstance(loaded, tuple):
        return loaded
    _, submission = loaded
    if journey.time_is_up(submission):
        return _finish_after_time_limit(submission, token)
    form = SubmitForm()
    key = journey.form_post_key(form.idempotency_key.data) if request.method == "POST" else None
    if journey.form_post_used(db.session, key):
        return redirect(url_for("apply.done", token=token))
    sequence = journey.sequence_for(submission)
    answers = stored_answers(submission)
    rows = [
        (number, item, item.id in answers and answers[item.id].is_answered(item))
        for number, item in enumerate(sequence.items, start=1)
    ]
    unanswered = [row for row in rows if not row[2]]
    confirming = False
    if request.method == "POST" and session_expired_notice() is None and form.validate_on_submit():
        # With questions left unanswered, the first press asks; the second submits.
        if not unanswered or form.confirm_unanswered.data:
            _submit(submission, key)
            return redirect(url_for("apply.done", token=token))
        confirming = True
    # Only the question page's own button confirms: the review page never carries it.
    form.confirm_unanswered.data = "yes" if confirming else ""
    form.idempotency_key.data = journey.new_form_post_key()
    template = "apply/confirm_submit.html" if confirming else "apply/review.html"
    return render_template(template, form=form, rows=rows, unanswered=unanswered,
                           token=token, sequence=sequence, submission=submission,
                           server_now=datetime.now(UTC))


@bp.get("/<token>/done")
def done(token: str) -> str | Response:
    invitation = invitation_or_404(token)
    if journey.link_state(invitation) is not LinkState.SUBMITTED:
        return redirect(url_for("apply.welcome", token=token))
    feedback_ready = feedback_for(invitation.submission) is not None
    return render_template("apply/done.html", invitation=invitation,
                           feedback_ready=feedback_ready)




def _submit(submission: Submission, key: str | None) -> None:
    journey.submit_and_notify(db.session, submission, key)
    prerender.queue_summary(db.session, current_app.config, submission.id)
    db.session.commit()  # hands the receipt, the notices and the render to the task queue


retry_after_expiry("welcome", _l("Your session had expired; tick the box again if you agree, "
                                 "and press Start."), welcome)
retry_after_expiry("practice", _l("Your session had expired; press Start the questionnaire "
                                  "again."), practice)
retry_after_expiry("question", _l("Your session had expired; check your answer and press Next "
                                  "again."), question)
retry_after_expiry("review", _l("Your session had expired; nothing has been submitted yet. Press "
                                "Submit my answers again."), review)
