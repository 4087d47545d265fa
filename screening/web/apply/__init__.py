"""Every page an applicant sees, on their own link: consent, questions, review, thanks,
the open-link sign-up, feedback and the voluntary self-identification.

One blueprint, a module per step. Three habits keep an applicant's work safe:

- each answer page and the final submit carry a random key, so a resent form, a double
  click or a network retry is carried out once (``journey.save_answer_once``);
- an expired session or CSRF token re-renders the page with what was typed, a fresh
  token and a notice, instead of an error page (``retry_after_expiry``);
- pages are never cached (``Cache-Control: no-store``, set for every response but static
  files in screening/web/security.py), so Back in the browser fetches a fresh page and key.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, current_app, flash, g, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_babel import LazyString, gettext
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from screening.extensions import limiter
from screening.web import errors, language

bp = Blueprint("apply", __name__, url_prefix="/apply")
# Token links are unguessable, but a per-address limit stops anyone trying at scale.
limiter.limit("240 per minute")(bp)

#: endpoint -> (the notice shown when its post's session had expired, the page to re-render)
_RETRY_PAGES: dict[str, tuple[LazyString, Callable[..., Any]]] = {}


def retry_after_expiry(endpoint: str, notice: LazyString, page: Callable[..., Any]) -> None:
    """When a post to ``endpoint`` comes with an expired session, render ``page`` again."""
    _RETRY_PAGES[f"{bp.name}.{endpoint}"] = (notice, page)


@bp.errorhandler(CSRFError)
def _session_expired(error: CSRFError) -> ResponseReturnValue:
    """Re-render the page the applicant posted, keeping what they typed.

    The token was refused, so nothing is saved; the re-rendered form carries a fresh
    token (and a new session cookie), and pressing the button again saves the answer.
    """
    retry = _RETRY_PAGES.get(request.endpoint or "")
    if retry is None or request.method != "POST":
        return render_template("errors/error.html", code=400, title=gettext("Please try again"),
                               message=gettext("This form had expired. Go back, reload the page "
                                               "and send it again.")), 400
    notice, page = retry
    g.apply_session_expired = notice
    try:
        return page(**(request.view_args or {}))
    except HTTPException as refused:
        # An unknown or closed link: the page the app shows for it, not an error in a handler.
        return current_app.handle_http_exception(refused)


@bp.errorhandler(OperationalError)
def _database_gone(error: OperationalError) -> ResponseReturnValue:
    # Applicant forms hold answers, never a password: offer the post back to resend.
    return errors.database_unavailable(error, resend=True)


def session_expired_notice() -> str | None:
    """The notice to show if this post's CSRF token was refused; then nothing is saved."""
    notice = g.get("apply_session_expired")
    if notice is not None:
        notice = str(notice)  # in the page's language, now that the view has chosen it
        flash(notice, "warning")
    return notice


def renew_session() -> None:
    """A new session at consent, keeping only the language chosen.

    The CSRF secret lives in the session, so a token planted before consent (a shared
    computer, a fixated cookie) is refused afterwards.
    """
    chosen = language.chosen_in_session()
    session.clear()
    language.remember(chosen)


def session_expired() -> bool:
    """Whether this post's CSRF token was refused (without flashing the notice)."""
    return g.get("apply_session_expired") is not None


from screening.web.apply import (  # noqa: E402, F401
    about_you,
    adjustments,
    feedback,
    join,
    journey,
    requests,
)
