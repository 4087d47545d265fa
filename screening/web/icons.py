"""/favicon.ico: browsers and bookmark tools ask for it at the root, whatever a page links."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, send_from_directory

from screening.extensions import limiter

bp = Blueprint("icons", __name__)

#: The icon is not personal data and changes with a release, if ever: caches may keep it a day.
ICON_MAX_AGE_SECONDS = 24 * 60 * 60


@bp.get("/favicon.ico")
@limiter.exempt
def favicon() -> Response:
    static = current_app.static_folder
    assert static is not None  # the app is built with its static folder
    return send_from_directory(static, "icons/favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=ICON_MAX_AGE_SECONDS)
