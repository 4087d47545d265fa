"""Friendly error pages; a failed request never leaves a half-done transaction behind."""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from screening import database
from screening.extensions import db

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_PREFIX = "/api/"
GREENHOUSE_PREFIX = "/integrations/greenhouse/"


def init_app(app: Flask) -> None:
    @app.before_request
    def _transaction_mode() -> None:
        database.set_transactions_immediate(request.method in _WRITE_METHODS)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return form_expired()

    @app.errorhandler(OperationalError)
    def _database_gone(error: OperationalError) -> tuple[str, int, dict[str, str]]:
        return database_unavailable(error, resend=False)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> ResponseReturnValue:
        if request.path.startswith(API_PREFIX):
            # A path no API route matches (a bad id, an unsupported method) still
            # answers the API's JSON error body, not an HTML page.
            from screening.web.api.routes import json_error

            return json_error(error)
        if request.path.startswith(GREENHOUSE_PREFIX):
            from screening.web.ats.greenhouse import json_error as greenhouse_error

            return greenhouse_error(error)
        code = error.code or 500
        return render_template(
            "errors/error.html",
            code=code,
            title=_TITLES.get(code, error.name),
            message=_MESSAGES.get(code, error.description),
        ), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        db.session.rollback()
        app.logger.exception("unhandled error")
        return render_template(
            "errors/error.html", code=500, title=gettext("Something went wrong"),
            message=_MESSAGES[500],
        ), 500


def form_expired() -> tuple[str, int]:
    """The page for a post whose CSRF token was refused: nothing was done."""
    return render_template(
        "errors/error.html",
        code=400,
        title=gettext("Please try again"),
        message=gettext("This form had expired. Go back, reload the page and send it again."),
    ), 400


def database_unavailable(
    error: OperationalError, *, resend: bool
) -> tuple[str, int, dict[str, str]]:
    """The 503 "please retry" page; with ``resend``, it offers the post back unchanged.

    SQLAlchemy invalidates a lost connection and every pooled one opened before it,
    so once the database is back the next request connects afresh. Sent again, the
    form carries the same idempotency key, so it is saved once even if the first
    post was stored just before the connection broke. Only applicant pages resend:
    their forms hold answers, never a password.
    """
    db.session.rollback()
    current_app.logger.error("database unavailable: %s", error.orig)
    return render_template(
        "errors/database_unavailable.html",
        code=503,
        title=gettext("Please retry in a moment"),
        message=gettext("We could not reach our database just now. Nothing you "
                        "saved before has been lost. Please try again in a minute."),
        resend=_posted_form() if resend else None,
    ), 503, {"Retry-After": "30", "Cache-Control": "no-store"}


def _posted_form() -> list[tuple[str, str]] | None:
    """The form just posted, field by field, to offer back unchanged."""
    if request.method != "POST":
        return None
    try:
        return list(request.form.items(multi=True)) or None
    except HTTPException:  # a body the form parser refuses: nothing to offer back
        return None


#: In the applicant's language on their pages (lazy: translated when the page renders).
_TITLES = {403: _l("Not allowed"), 404: _l("Not found"), 429: _l("Too many requests")}
_MESSAGES = {
    403: _l("Your account does not have access to this page."),
    404: _l("We could not find that page. It may have moved, or the link may be incomplete."),
    429: _l("Too many attempts in a short time. Please wait a minute and try again."),
    500: _l("An unexpected error happened on our side. It has been logged; please try again."),
}
