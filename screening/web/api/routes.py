"""GET-only JSON endpoints; a bearer token from `flask --app screening.app api-tokens create`.

Every request that returns applicant data is recorded in the audit log with
the token's id. Errors are JSON too: {"error": {"status": 404, "message": ...}}.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, NotFound, Unauthorized

from screening.extensions import csrf, db, limiter
from screening.ids import MAX_ID
from screening.models import Position, SubmissionStatus
from screening.services import api, api_tokens, audit
from screening.services.exports import ExportFilters

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # GET only, and authenticated by a header a browser never sends on its own
limiter.limit("600 per minute")(bp)

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")


@bp.get("/openapi.yaml")
@limiter.exempt
def openapi() -> Response:
    return Response(OPENAPI_FILE.read_bytes(), mimetype="application/yaml",
                    headers={"Cache-Control": "public, max-age=300"})


@bp.before_request
def _authenticate() -> None:
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    found = api_tokens.authenticate(db.session, token.strip() if scheme.lower() == "bearer"
                                    else None)
    if found is api_tokens.TokenRefusal.OWNER_LACKS_RIGHTS:
        raise Forbidden(found.value)  # a known token, but its owner may not read this
    if isinstance(found, api_tokens.TokenRefusal):
        raise Unauthorized(found.value)
    api_tokens.note_use(db.session, found)
    g.api_token = found


def _read(target: Any = None) -> None:
    """Log that this token read applicant data."""
    audit.record_in_own_transaction(db.session, None, "api.read", target,
                                    token_id=g.api_token.id, path=request.path)


@bp.errorhandler(HTTPException)
def json_error(error: HTTPException) -> tuple[Response, int]:
    """Every API error as the documented JSON body; also for paths no route matches."""
    code = error.code or 500
    response = jsonify(error={"status": code, "message": error.description or error.name})
    for name, value in error.get_headers():
        if name.lower() != "content-type":  # e.g. the Allow header of a 405
            response.headers[name] = value
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="screening"'
    return response, code


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[Response, int]:
    db.session.rollback()
    current_app.logger.exception("API error")
    return jsonify(error={"status": 500, "message": "An unexpected error happened."}), 500


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    # ASCII only: str.isdigit accepts characters such as '²' that int() refuses; and no
    # more digits than the bound has, since int() refuses over 4,300 digits.
    if (not (raw.isascii() and raw.isdigit()) or len(raw.lstrip("0")) > len(str(high))
            or not low <= int(raw) <= high):
        raise BadRequest(f"{name} must be a whole number from {low} to {high}.")
    return int(raw)


def _moment_arg(name: str) -> datetime | None:
    """An ISO 8601 date-time as aware UTC; a moment UTC cannot hold (year 1 or 9999 with
    an offset that crosses the calendar's end) is a bad parameter, not a server error."""
    raw = request.args.get(name)
    if raw is None:
        return None
    try:
        moment = datetime.fromisoformat(raw)
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 date-time, such as "
                         "2026-12-01T09:00:00+01:00.") from None
    except OverflowError:
        raise BadRequest(f"{name} is outside the dates UTC can hold "
                         "(0001-01-01 to 9999-12-31).") from None


def _paging() -> tuple[int, int]:
    return (_int_arg("after_id", 0, 0, MAX_ID),
            _int_arg("limit", api.DEFAULT_LIMIT, 1, api.MAX_LIMIT))


def _submission_filters(position_id: int | None) -> tuple[ExportFilters, datetime | None]:
    status = request.args.get("status")
    if status is not None and status not in {s.value for s in SubmissionStatus}:
        raise BadRequest("status must be in_progress or submitted.")
    moment = _moment_arg("submitted_since")
    filters = ExportFilters(position_id=position_id,
                            status=SubmissionStatus(status) if status else None)
    return filters, moment


@bp.get("/positions")
def positions() -> Response:
    after_id, limit = _paging()
    page = api.positions_page(db.session, after_id=after_id, limit=limit)
    return jsonify(page.to_json())


@bp.get("/positions/<id:position_id>")
def position(position_id: int) -> Response:
    found = db.session.get(Position, position_id)
    if found is None:
        raise NotFound("No such position.")
    return jsonify(api.position_json(found))


@bp.get("/positions/<id:position_id>/submissions")
def position_submissions(position_id: int) -> Response:
    found = db.session.get(Position, position_id)
    if found is None:
        raise NotFound("No such position.")
    return _submissions(found.id, found)


@bp.get("/submissions")
def submissions() -> Response:
    position_id = request.args.get("position_id")
    if position_id is not None:
        return _submissions(_int_arg("position_id", 0, 1, MAX_ID), None)
    return _submissions(None, None)


def _submissions(position_id: int | None, target: Any) -> Response:
    after_id, limit = _paging()
    filters, since = _submission_filters(position_id)
    page = api.submissions_page(db.session, filters,
                                          submitted_since=since, after_id=after_id, limit=limit)
    _read(target)
    return jsonify(page.to_json())


@bp.get("/submissions/<id:submission_id>")
def submission(submission_id: int) -> Response:
    found = api.submission_detail(db.session, submission_id)
    if found is None:
        raise NotFound("No such submission.")
    _read()
    return jsonify(found)


@bp.get("/submissions/<id:submission_id>/result")
def submission_result(submission_id: int) -> Response:
    found = api.full_result(db.session, submission_id)
    if found is None:
        raise NotFound("No such submission, or it is not scored yet.")
    _read()
    return jsonify(found)
