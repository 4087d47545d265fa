"""The position's open link: applicants enter their own name and get a link of their own,
in the language they choose here (their browser's by default)."""

from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from screening.extensions import db, limiter
from screening.folding import folded
from screening.services import attempts, journey, messages, positions
from screening.services.questionnaires import questionnaire_for
from screening.web import language
from screening.web.apply import bp, retry_after_expiry, session_expired_notice
from screening.web.apply.forms import OpenLinkForm


@bp.route("/join/<open_token>", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
@limiter.limit("5 per hour", methods=["POST"],
               key_func=lambda: folded((request.form.get("email") or "").strip()) or "-")
def join(open_token: str) -> str | Response:
    return _join_page(open_token)


def _join_page(open_token: str) -> str | Response:
    position = positions.position_by_open_token(db.session, open_token)
    if position is None:
        abort(404)
    offered = language.offered_for(questionnaire_for(position.questionnaire_version).languages)
    # The language links add ?lang=; the form posts the language its page was shown in.
    language.choose(request.args.get("lang") if request.method == "GET"
                    else request.form.get("language"), offered)
    form = OpenLinkForm()
    if session_expired_notice() is None and form.validate_on_submit():
        # A resent or double-clicked sign-up carries the same key and lands on the same link.
        joined = attempts.join_once(
            db.session, position, name=form.name.data or "", email=form.email.data or "",
            valid_days=int(current_app.config["INVITATION_DAYS"]),
            key=journey.form_post_key(form.idempotency_key.data),
        )
        if not joined.new:
            # Knowing an email must not open its attempt: the news goes to that address.
            messages.queue_known_email(db.session, joined.invitation, str(get_locale()))
            db.session.commit()
            return redirect(url_for("apply.join_sent", open_token=open_token))
        token = joined.invitation.token
        db.session.commit()
        return redirect(url_for("apply.welcome", token=token))
    form.idempotency_key.data = journey.new_form_post_key()
    form.language.data = language.current()
    return render_template("apply/join.html", form=form, position=position,
                           open_token=open_token, languages=offered)


@bp.route("/join/<open_token>/sent")
def join_sent(open_token: str) -> str:
    """The same page for every used email, whatever its attempt's state: the state itself
    is told only to the address, in the message queued above."""
    position = positions.position_by_open_token(db.session, open_token)
    if position is None:
        abort(404)
    return render_template("apply/join_sent.html", position=position,
                           mail_enabled=messages.mail_enabled())


# Undecorated: the refused post was never counted, and must not trip the limiter here.
retry_after_expiry("join", _l("Your session had expired; check your details and press Continue "
                              "again."), _join_page)
