"""The applicant's pages: consent, one question per page, review, submit, thanks.

Every page is a plain HTML form that works without JavaScript. Three habits keep an
applicant's work safe:

- each answer page and the final submit carry a random key, so a resent form, a double
  click or a network retry is carried out once (see ``journey.save_answer_once``);
- an expired session or CSRF token re-renders the page with what was typed, a fresh
  token and a notice, instead of an error page (``_session_expired``);
- pages are never cached, so Back in the browser fetches a fresh page and key.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from screening.database import immediate_transactions
from screening.extensions import db, limiter
from screening.models import Invitation, Submission
from screening.services import journey, messages, outbox, positions
from screening.services.applicant_feedback import feedback_for
from screening.services.journey import InvalidAnswer, JourneyError, LinkState
from screening.services.results import stored_answers
from screening.web import language
from screening.web.apply import timing
from screening.web.apply.forms import ConsentForm, OpenLinkForm, SubmitForm, item_form

bp = Blueprint("apply", __name__, url_prefix="/apply")
# Token links are unguessable, but a per-address limit stops anyone trying at scale.
limiter.limit("240 per minute")(bp)

_NAV_ACTIONS = ("next", "back", "review")

#: What to tell the applicant when their session (and so the CSRF token) was lost.
_SESSION_EXPIRED = {
    "apply.question": _l("Your session had expired; check your answer and press Next again."),
    "apply.review": _l("Your session had expired; nothing has been submitted yet. Press "
                       "Submit my answers again."),
    "apply.welcome": _l("Your session had expired; tick the box again if you agree, and press "
                        "Start."),
    "apply.practice": _l("Your session had expired; press Start the questionnaire again."),
    "apply.join": _l("Your session had expired; check your details and press Continue again."),
}


@bp.after_request
def _never_cache(response: Response) -> Response:
    # The pages show personal answers (shared computers), and a page restored from the
    # browser's cache would post an idempotency key that was already used.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(CSRFError)
def _session_expired(error: CSRFError) -> ResponseReturnValue:
    """Re-render the page the applicant posted, keeping what they typed.

    The token was refused, so nothing is saved; the re-rendered form carries a fresh
    token (and a new session cookie), and pressing the button again saves the answer.
    """
    notice = _SESSION_EXPIRED.get(request.endpoint or "")
    page = _RETRY_PAGES.get(request.endpoint or "")
    if notice is None or page is None or request.method != "POST":
        return render_template("errors/error.html", code=400, title=gettext("Please try again"),
                               message=gettext("This form had expired. Go back, reload the page "
                                               "and send it again.")), 400
    g.apply_session_expired = notice
    try:
        return page(**(request.view_args or {}))
    except HTTPException as refused:
        # An unknown or closed link: the page the app shows for it, not an error in a handler.
        return current_app.handle_http_exception(refused)


def _session_expired_notice() -> str | None:
    """The notice to show if this post's CSRF token was refused; then nothing is saved."""
    notice = g.get("apply_session_expired")
    if notice is not None:
        notice = str(notice)  # in the page's language, now that the view has chosen it
        flash(notice, "warning")
    return notice


def _invitation_or_404(token: str) -> Invitation:
    invitation = journey.invitation_by_token(db.session, token)
    if invitation is None:
        abort(404)
    if invitation.submission is not None:
        # Started: every page of this link in the language chosen at consent.
        language.use(invitation.submission.language)
    return invitation


def _closed_link_page(invitation: Invitation, state: LinkState) -> Response:
    if state is LinkState.SUBMITTED:
        return redirect(url_for("apply.done", token=invitation.token))
    # 410 Gone: the link existed and will not work again; the page says what to do.
    page = render_template("apply/closed.html", state=state.value,
                           position=invitation.applicant.position)
    return make_response(page, 410)


def _open_submission(token: str) -> tuple[Invitation, Submission] | Response:
    """The invitation and its started submission, or the page to show instead."""
    invitation = _invitation_or_404(token)
    state = journey.link_state(invitation)
    if state is not LinkState.OPEN:
        return _closed_link_page(invitation, state)
    if invitation.submission is None:
        return redirect(url_for("apply.welcome", token=token))
    return invitation, invitation.submission


@bp.route("/<token>", methods=["GET", "POST"])
def welcome(token: str) -> str | Response:
    invitation = _invitation_or_404(token)
    state = journey.link_state(invitation)
    if state is not LinkState.OPEN:
        return _closed_link_page(invitation, state)
    if invitation.submission is not None:
        return _resume(invitation.submission, token)
    # The language links on this page add ?lang=; the consent form posts the page's language.
    asked = request.args.get("lang") if request.method == "GET" else request.form.get("language")
    if language.supported(asked):
        language.remember(asked)
    form = ConsentForm()
    if _session_expired_notice() is None and form.validate_on_submit():
        journey.start(db.session, invitation, language=language.current())
        db.session.commit()
        return redirect(url_for("apply.practice", token=token))
    form.language.data = language.current()
    version = invitation.applicant.position.questionnaire_version
    questionnaire = journey.questionnaire_for(version)
    return render_template("apply/welcome.html", form=form, invitation=invitation,
                           questionnaire=questionnaire, token=token)


def _resume(submission: Submission, token: str) -> Response:
    index = journey.first_unanswered(submission)
    if index is None:
        return redirect(url_for("apply.review", token=token))
    return redirect(url_for("apply.question", token=token, number=index + 1))


@bp.route("/<token>/practice", methods=["GET", "POST"])
def practice(token: str) -> str | Response:
    loaded = _open_submission(token)
    if not isinstance(loaded, tuple):
        return loaded
    _, submission = loaded
    sequence = journey.sequence_for(submission)
    practice_item = sequence.questionnaire.practice_item
    notice = _session_expired_notice() if request.method == "POST" else None
    if practice_item is None or (request.method == "POST" and notice is None):
        return redirect(url_for("apply.question", token=token, number=1))
    form = item_form(practice_item, tuple(o.id for o in practice_item.options))
    return render_template("apply/practice.html", form=form, item=practice_item,
                           sequence=sequence, token=token)


@bp.route("/<token>/q/<int:number>", methods=["GET", "POST"])
def question(token: str, number: int) -> str | Response:
    loaded = _open_submission(token)
    if not isinstance(loaded, tuple):
        return loaded
    _, submission = loaded
    sequence = journey.sequence_for(submission)
    total = len(sequence.items)
    if not 1 <= number <= total:
        abort(404)
    item = sequence.items[number - 1]
    if journey.time_is_up(submission):
        return _finish_after_time_limit(submission, token)

    form = item_form(item, sequence.options(item))
    secret = current_app.secret_key
    assert secret is not None
    if request.method == "POST":
        action = _posted_action()
        key = journey.form_post_key(form.idempotency_key.data)
        if g.get("apply_session_expired") is None and form.validate_on_submit():
            seconds = timing.seconds_on_page(secret, submission.id, item.id, form.shown_at.data)
            try:
                # False for a resent, double-clicked or retried post: the first one did the
                # work, so this one goes where it went.
                journey.save_answer_once(db.session, submission, form.to_answer(seconds), key)
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
        elif _session_expired_notice() is None and action == "back":
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
    return render_template("apply/question.html", form=form, item=item, number=number,
                           total=total, sequence=sequence, token=token, submission=submission,
                           server_now=datetime.now(UTC))


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
        _submit_and_notify(db.session.get_one(Submission, submission_id), None)
    flash("The time for this questionnaire ran out, so we submitted the answers you had "
          "saved.", "info")
    return redirect(url_for("apply.done", token=token))


def _submit_and_notify(submission: Submission, key: str | None) -> None:
    """Submit once; only the post that really submitted queues the receipt and notices."""
    if journey.submit(db.session, submission, key):
        messages.queue_receipt_and_notices(db.session, submission)
    db.session.commit()
    outbox.send_in_background(current_app._get_current_object())


@bp.route("/<token>/review", methods=["GET", "POST"])
def review(token: str) -> str | Response:
    loaded = _open_submission(token)
    if not isinstance(loaded, tuple):
        return loaded
    _, submission = loaded
    if journey.time_is_up(submission):
        return _finish_after_time_limit(submission, token)
    form = SubmitForm()
    if request.method == "POST":
        key = journey.form_post_key(form.idempotency_key.data)
        if journey.form_post_used(db.session, key):
            return redirect(url_for("apply.done", token=token))
        if _session_expired_notice() is None and form.validate_on_submit():
            _submit_and_notify(submission, key)
            return redirect(url_for("apply.done", token=token))
    sequence = journey.sequence_for(submission)
    answers = stored_answers(submission)
    rows = [
        (number, item, item.id in answers and answers[item.id].is_answered(item))
        for number, item in enumerate(sequence.items, start=1)
    ]
    unanswered = [row for row in rows if not row[2]]
    form.idempotency_key.data = journey.new_form_post_key()
    return render_template("apply/review.html", form=form, rows=rows, unanswered=unanswered,
                           token=token, sequence=sequence, submission=submission,
                           server_now=datetime.now(UTC))


@bp.get("/<token>/done")
def done(token: str) -> str | Response:
    invitation = _invitation_or_404(token)
    if journey.link_state(invitation) is not LinkState.SUBMITTED:
        return redirect(url_for("apply.welcome", token=token))
    feedback_ready = feedback_for(invitation.submission) is not None
    return render_template("apply/done.html", invitation=invitation,
                           feedback_ready=feedback_ready)


@bp.route("/join/<open_token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"],
               key_func=lambda: (request.form.get("email") or "").strip().lower() or "-")
def join(open_token: str) -> str | Response:
    return _join_page(open_token)


def _join_page(open_token: str) -> str | Response:
    position = positions.position_by_open_token(db.session, open_token)
    if position is None:
        abort(404)
    form = OpenLinkForm()
    if _session_expired_notice() is None and form.validate_on_submit():
        # A resent or double-clicked sign-up carries the same key and lands on the same link.
        invitation = positions.join_once(
            db.session, position, name=form.name.data or "", email=form.email.data or "",
            valid_days=int(current_app.config["INVITATION_DAYS"]),
            key=journey.form_post_key(form.idempotency_key.data),
        )
        token = invitation.token
        db.session.commit()
        return redirect(url_for("apply.welcome", token=token))
    form.idempotency_key.data = journey.new_form_post_key()
    return render_template("apply/join.html", form=form, position=position)


#: The page each applicant POST re-renders when its session had expired.
_RETRY_PAGES: dict[str, Callable[..., str | Response]] = {
    "apply.welcome": welcome,
    "apply.practice": practice,
    "apply.question": question,
    "apply.review": review,
    # Undecorated: the refused post was never counted, and must not trip the limiter here.
    "apply.join": _join_page,
}
