from __future__ import annotations

import time

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from screening import scoring
from screening.extensions import db, limiter
from screening.models import Invitation, Submission
from screening.services import journey, positions
from screening.services.journey import JourneyError, LinkState
from screening.services.results import stored_answers
from screening.web.apply.forms import ConsentForm, OpenLinkForm, SubmitForm, item_form

bp = Blueprint("apply", __name__, url_prefix="/apply")
# Token links are unguessable, but a per-address limit stops anyone trying at scale.
limiter.limit("240 per minute")(bp)

#: Time spent on a page beyond this is not "time on the item" but a break.
MAX_SECONDS_PER_VISIT = 3600.0


def _invitation_or_404(token: str) -> Invitation:
    invitation = journey.invitation_by_token(db.session, token)
    if invitation is None:
        abort(404)
    return invitation


def _closed_link_page(invitation: Invitation, state: LinkState) -> str | Response:
    if state is LinkState.SUBMITTED:
        return redirect(url_for("apply.done", token=invitation.token))
    return render_template("apply/closed.html", state=state.value,
                           position=invitation.applicant.position)


def _open_submission(token: str) -> tuple[Invitation, Submission] | str | Response:
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
    form = ConsentForm()
    if form.validate_on_submit():
        journey.start(db.session, invitation)
        db.session.commit()
        return redirect(url_for("apply.practice", token=token))
    version = invitation.applicant.position.questionnaire_version
    questionnaire = journey.questionnaire_for(version)
    return render_template("apply/welcome.html", form=form, invitation=invitation,
                           questionnaire=questionnaire)


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
    if practice_item is None or request.method == "POST":
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
    if not 1 <= number <= len(sequence.items):
        abort(404)
    item = sequence.items[number - 1]
    if journey.time_is_up(submission):
        return _finish_after_time_limit(submission, token)

    form = item_form(item, sequence.options(item))
    if request.method == "POST":
        action = request.form.get("action", "next")
        if form.validate_on_submit():
            try:
                journey.save_answer(db.session, submission, form.to_answer(_seconds_on_page()))
            except JourneyError as error:
                db.session.rollback()
                flash(str(error), "error")
                return _resume(submission, token)
            db.session.commit()
            return _navigate(token, number, len(sequence.items), action)
        if action == "back":
            # Going back with an incomplete answer keeps the saved one and loses nothing saved.
            return _navigate(token, number, len(sequence.items), action)
    else:
        saved = stored_answers(submission).get(item.id)
        if saved is not None:
            form.fill(saved)
    form.shown_at.data = f"{time.time():.3f}"
    return render_template("apply/question.html", form=form, item=item, number=number,
                           total=len(sequence.items), sequence=sequence, token=token,
                           submission=submission)


def _seconds_on_page() -> float | None:
    try:
        shown_at = float(request.form.get("shown_at", ""))
    except ValueError:
        return None
    return min(max(time.time() - shown_at, 0.0), MAX_SECONDS_PER_VISIT)


def _navigate(token: str, number: int, total: int, action: str) -> Response:
    if action == "back" and number > 1:
        return redirect(url_for("apply.question", token=token, number=number - 1))
    if action == "review" or (action == "next" and number >= total):
        return redirect(url_for("apply.review", token=token))
    if action == "back":
        return redirect(url_for("apply.practice", token=token))
    return redirect(url_for("apply.question", token=token, number=number + 1))


def _finish_after_time_limit(submission: Submission, token: str) -> Response:
    journey.submit(db.session, submission)
    db.session.commit()
    flash("The time for this questionnaire ran out, so we submitted the answers you had "
          "saved.", "info")
    return redirect(url_for("apply.done", token=token))


@bp.route("/<token>/review", methods=["GET", "POST"])
def review(token: str) -> str | Response:
    loaded = _open_submission(token)
    if not isinstance(loaded, tuple):
        return loaded
    _, submission = loaded
    sequence = journey.sequence_for(submission)
    answers = stored_answers(submission)
    form = SubmitForm()
    if form.validate_on_submit() or journey.time_is_up(submission):
        journey.submit(db.session, submission)
        db.session.commit()
        return redirect(url_for("apply.done", token=token))
    rows = [
        (number, item, item.id in answers and answers[item.id].is_answered(item))
        for number, item in enumerate(sequence.items, start=1)
    ]
    unanswered = [row for row in rows if not row[2]]
    return render_template("apply/review.html", form=form, rows=rows, unanswered=unanswered,
                           token=token, sequence=sequence, submission=submission)


@bp.get("/<token>/done")
def done(token: str) -> str | Response:
    invitation = _invitation_or_404(token)
    if journey.link_state(invitation) is not LinkState.SUBMITTED:
        return redirect(url_for("apply.welcome", token=token))
    return render_template("apply/done.html", invitation=invitation)


@bp.route("/join/<open_token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"],
               key_func=lambda: (request.form.get("email") or "").strip().lower() or "-")
def join(open_token: str) -> str | Response:
    position = positions.position_by_open_token(db.session, open_token)
    if position is None:
        abort(404)
    form = OpenLinkForm()
    if form.validate_on_submit():
        invitation = positions.invite(
            db.session, position, name=form.name.data or "", email=form.email.data or "",
            valid_days=_open_link_days(), via_open_link=True,
        )
        db.session.commit()
        return redirect(url_for("apply.welcome", token=invitation.token))
    return render_template("apply/join.html", form=form, position=position)


def _open_link_days() -> int:
    from flask import current_app

    return int(current_app.config["INVITATION_DAYS"])


__all__ = ["bp", "scoring"]
