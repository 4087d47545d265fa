"""Requests must look like what a browser sends for our pages; anything else is refused.

Checked before any view runs, because the failures would otherwise be server errors
deep inside a form or a query:

- NUL characters: no one types them, PostgreSQL cannot store them in text (SQLite
  can, so the two databases would disagree), and a lookup with one fails instead of
  finding nothing. Anywhere in the path, the query string or a posted form: 400.
- Flask-WTF builds a form from the request's file parts and fields together, and from
  a JSON body when there is one. A file part named like a text field, or JSON with
  numbers, lists or objects, would reach validators and services that expect text
  (``len()`` of an upload, ``str.replace`` on a number). No page posts JSON and only
  the bulk invitation and job-outcome forms upload a file, so a state-changing request must be
  url-encoded or multipart form data (else 415), with a file part only under a field
  that takes an upload (else 400). The token API has no state-changing routes. The
  machine endpoints an ATS posts JSON to (``JSON_ENDPOINTS``) are the exception: no
  form reads their body, and their own parser checks every field's type (and NULs).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, abort, request

FORM_MIMETYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

#: Endpoints whose body is JSON by their protocol (Greenhouse's Assessment Partner API).
JSON_ENDPOINTS = frozenset({"greenhouse.send_test", "greenhouse.response_error"})

#: endpoint -> the fields of its form that take a file (a FileField).
UPLOAD_FIELDS: dict[str, frozenset[str]] = {
    "manage.invite_bulk": frozenset({"file"}),
    "hr.outcomes_upload": frozenset({"file"}),
}


def _has_nul(pairs: Iterable[tuple[object, object]]) -> bool:
    return any(isinstance(text, str) and "\x00" in text for pair in pairs for text in pair)


def init_app(app: Flask) -> None:
    @app.before_request
    def _browser_input_only() -> None:
        if request.endpoint is None:  # no route matched: the 404 or 405 follows
            return
        if _has_nul((request.view_args or {}).items()) or _has_nul(request.args.items(multi=True)):
            abort(400, description="The address contains a character no page of ours sends.")
        if request.method not in _WRITE_METHODS:
            return
        if request.endpoint in JSON_ENDPOINTS:
            return
        if request.mimetype and request.mimetype not in FORM_MIMETYPES:
            abort(415)
        uploads = UPLOAD_FIELDS.get(request.endpoint, frozenset())
        if any(name not in uploads for name in request.files):
            abort(400, description="This form does not take a file.")
        if _has_nul(request.form.items(multi=True)):
            abort(400, description="The form contains a character no page of ours sends.")
