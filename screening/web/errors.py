"""Friendly error pages; a failed request never leaves a half-done transaction behind."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from screening import database
from screening.extensions import db

_WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def init_app(app: Flask) -> None:
    @app.before_request
    def _transaction_mode() -> None:
        database.set_transactions_immediate(request.method in _WRITE_METHODS)

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return render_template(
            "errors/error.html",
            code=400,
            title=gettext("Please try again"),
            message=gettext("This form had expired. Go back, reload the page and send it again."),
        ), 400

    @app.errorhandler(OperationalError)
    def _database_gone(error: OperationalError) -> tuple[str, int, dict[str, str]]:
        # SQLAlchemy invalidates a lost connection and every pooled one opened before it,
        # so once the database is back the next request connects afresh.
        db.session.rollback()
        app.logger.error("database unavailable: %s", error.orig)
        return render_template(
            "errors/database_unavailable.html",
            code=503,
            title=gettext("Please retry in a moment"),
            message=gettext("We could not reach our database just now. Nothing you "
                            "saved before has been lost. Please try again in a minute."),
            resend=_applicant_form_to_resend(),
        ), 503, {"Retry-After": "30", "Cache-Control": "no-store"}

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int]:
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


def _applicant_form_to_resend() -> list[tuple[str, str]] | None:
    """The form an applicant just posted, field by field, to offer back unchanged.

    Only applicant pages: their forms hold answers, never a password. Sent again, the
    form carries the same idempotency key, so it is saved once even if the first post
    was stored just before the connection broke.
    """
    if request.method != "POST" or request.blueprint not in _RESEND_BLUEPRINTS:
        return None
    try:
        return list(request.form.items(multi=True)) or None
    except HTTPException:  # a body the form parser refuses: nothing to offer back
        return None


_RESEND_BLUEPRINTS = {"apply"}

#: In the applicant's language on their pages (lazy: translated when the page renders).
_TITLES = {403: _l("Not allowed"), 404: _l("Not found"), 429: _l("Too many requests")}
_MESSAGES = {
    403: _l("Your account does not have access to this page."),
    404: _l("We could not find that page. It may have moved, or the link may be incomplete."),
    429: _l("Too many attempts in a short time. Please wait a minute and try again."),
    500: _l("An unexpected error happened on our side. It has been logged; please try again."),
}
