"""Greenhouse's Assessment Partner endpoints: list_tests, send_test, test_status and
response_error, under /integrations/greenhouse.

The spec: "Every request Greenhouse sends to a Assessment Partner's API will utilize HTTP
Basic Authentication over HTTPS ... using that API key as the username". So every
request must come over https (plain http only from this machine when
SCREENING_ATS_ALLOW_LOOPBACK_HTTP is on, for development and tests) and carry the key of
a live connection. No cookie authenticates here, so CSRF protection has nothing to
protect and the blueprint is exempt. Errors are JSON: {"errors": ["..."]}.
"""

from __future__ import annotations

import hashlib
import ipaddress

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from werkzeug.exceptions import BadRequest, Forbidden, HTTPException, Unauthorized

from screening.extensions import csrf, db, limiter
from screening.services import api_tokens, ats_connections, audit, greenhouse

bp = Blueprint("greenhouse", __name__, url_prefix="/integrations/greenhouse")
csrf.exempt(bp)
REALM = 'Basic realm="screening-greenhouse"'
KNOWN_CALLS = frozenset({"list_tests", "send_test", "test_status"})


def _presented_key() -> str:
    """The rate-limit bucket of the key presented (hashed: limits are stored in Redis)."""
    auth = request.authorization
    key = auth.username if auth is not None and auth.type == "basic" else ""
    return "greenhouse:" + hashlib.sha256((key or "").encode("utf-8")).hexdigest()


# Per client address, and per connection: a busy customer cannot starve another.
limiter.limit("300 per minute")(bp)
PER_CONNECTION = "120 per minute"


def _is_loopback(address: str | None) -> bool:
    try:
        return address is not None and ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


@bp.before_request
def _authenticate() -> None:
    if not request.is_secure and not (current_app.config.get("ATS_ALLOW_LOOPBACK_HTTP")
                                      and _is_loopback(request.remote_addr)):
        raise Forbidden("Use https: the API key must never travel unencrypted.")
    auth = request.authorization
    key = auth.username if auth is not None and auth.type == "basic" else None
    connection = ats_connections.authenticate(db.session, key)
    if connection is None:
        raise Unauthorized("A live API key is required as the HTTP Basic user name.")
    api_tokens.note_use(db.session, connection)
    g.ats_connection = connection


def json_error(error: HTTPException) -> tuple[Response, int]:
    code = error.code or 500
    response = jsonify(errors=[error.description or error.name])
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    if code == 401:
        response.headers["WWW-Authenticate"] = REALM
    return response, code


bp.errorhandler(HTTPException)(json_error)


@bp.errorhandler(greenhouse.PartnerError)
def _refused(error: greenhouse.PartnerError) -> tuple[Response, int]:
    db.session.rollback()
    return jsonify(errors=error.messages), error.status


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> tuple[Response, int]:
    db.session.rollback()
    current_app.logger.exception("Greenhouse endpoint error")
    return jsonify(errors=["An unexpected error happened."]), 500


@bp.get("/list_tests")
@limiter.limit(PER_CONNECTION, key_func=_presented_key)
def list_tests() -> Response:
    return jsonify(greenhouse.list_tests(db.session, g.ats_connection))


@bp.post("/send_test")
@limiter.limit(PER_CONNECTION, key_func=_presented_key)
def send_test() -> tuple[Response, int]:
    sent = greenhouse.parse_send_test(
        request.get_json(silent=True),
        allow_loopback_http=bool(current_app.config.get("ATS_ALLOW_LOOPBACK_HTTP")))
    result = greenhouse.send_test(db.session, g.ats_connection, sent,
                                  valid_days=current_app.config["INVITATION_DAYS"])
    db.session.commit()  # hands the invitation email to the task queue
    return jsonify(partner_interview_id=result.request.public_id), 200


def _pdf_link(submission_id: int) -> str:
    base = current_app.config["BASE_URL"].rstrip("/")
    return base + url_for("manage.applicant_pdf", submission_id=submission_id)


@bp.get("/test_status")
@limiter.limit(PER_CONNECTION, key_func=_presented_key)
def test_status() -> Response:
    interview_id = request.args.get("partner_interview_id", "").strip()
    if not interview_id or len(interview_id) > 64:
        raise BadRequest("partner_interview_id is required: the id send_test returned.")
    status = greenhouse.test_status(db.session, g.ats_connection, interview_id,
                                    pdf_link=_pdf_link)
    if status["partner_status"] == greenhouse.COMPLETE:
        audit.record_in_own_transaction(db.session, None, "greenhouse.status_read", None,
                                        connection_id=g.ats_connection.id,
                                        partner_interview_id=interview_id)
    return jsonify(status)


@bp.post("/response_error")
@limiter.limit(PER_CONNECTION, key_func=_presented_key)
def response_error() -> Response:
    """Greenhouse telling us an answer of ours did not validate: logged for the operator.

    The log and the audit entry keep which call and the error texts, never the
    candidate's email the report may carry.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("api_call"), str) \
            or not isinstance(body.get("errors"), list):
        raise BadRequest("The body must be a JSON object with api_call and errors.")
    # Only our own endpoint names are kept as they are: the rest is Greenhouse's free text.
    api_call = body["api_call"] if body["api_call"] in KNOWN_CALLS else "other"
    errors = [str(error)[:500] for error in body["errors"][:20]]
    current_app.logger.warning("Greenhouse reports a malformed %s answer: %r", api_call, errors)
    audit.record(db.session, None, "greenhouse.response_error", None,
                 connection_id=g.ats_connection.id, api_call=api_call,
                 error_count=len(body["errors"]))
    db.session.commit()
    return jsonify(status=200)
