"""How a file is sent for download, to staff and applicants alike: its name and headers.

Every download is named here, from what it is about (an applicant's or a position's
name) and the day it was made: ``maría-pérez-summary-2026-12-04.pdf``. The name is
built from letters and digits only, so no path separator, quote or control
character can reach the header or the user's disk; browsers that read RFC 6266's
``filename*`` get the accented name, older ones an ASCII fallback.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date
from urllib.parse import quote

from flask import Response

from screening.folding import without_accents
from screening.models import utcnow
from screening.services.reports import ReportFile

#: A name longer than this (before the date and extension) is cut: file systems cap at 255 bytes.
MAX_STEM_CHARACTERS = 80
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
_NOT_A_LETTER_OR_DIGIT = re.compile(r"[\W_]+")


def _slug(text: str) -> str:
    """'María  O'Brien/Ltd' -> 'maría-o-brien-ltd': letters and digits, joined by hyphens."""
    # Composed first: a decomposed accent is a mark, not a letter, and would split the word.
    composed = unicodedata.normalize("NFC", text).lower()
    return _NOT_A_LETTER_OR_DIGIT.sub("-", composed).strip("-")


def download_name(*about: str | None, extension: str, on: date | None = None) -> str:
    """The file's name: each non-empty part slugged, then the day (UTC) and the extension."""
    stem = "-".join(slug for slug in (_slug(part or "") for part in about) if slug)
    stem = stem[:MAX_STEM_CHARACTERS].rstrip("-")
    day = (on or utcnow().date()).isoformat()
    return f"{stem}-{day}.{_slug(extension)}" if stem else f"{day}.{_slug(extension)}"


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII ``filename`` and, if it differs, a UTF-8 ``filename*``."""
    safe = _safe_name(filename)
    fallback = _safe_name(without_accents(safe).encode("ascii", "ignore").decode())
    header = f'attachment; filename="{fallback or "download"}"'
    if fallback != safe:
        header += f"; filename*=UTF-8''{quote(safe, safe='')}"
    return header


def _safe_name(filename: str) -> str:
    """Only letters, digits, hyphens and dots; never a leading dot (a hidden file)."""
    parts = (_slug(part) for part in filename.split("."))
    return ".".join(part for part in parts if part)


def file_response(body: bytes | str | Iterable[bytes] | Iterable[str], *, filename: str,
                  content_type: str, cache_control: str = "no-store") -> Response:
    """A download: the content type exactly as given (sent once), named by ``filename``."""
    return Response(body, content_type=content_type, headers={
        "Content-Disposition": content_disposition(filename),
        # Personal data: no shared or browser cache may keep a copy.
        "Cache-Control": cache_control,
    })


def csv_response(body: bytes | str | Iterable[bytes] | Iterable[str], *, filename: str
                 ) -> Response:
    return file_response(body, filename=filename, content_type=CSV_CONTENT_TYPE)


def pdf_response(file: ReportFile, filename: str | None = None) -> Response:
    """A report PDF, named ``filename`` (from ``download_name``) or else the report's own."""
    response = file_response(file.pdf, filename=filename or file.filename,
                             content_type="application/pdf",
                             cache_control="private, no-store")
    response.headers["X-Report-Cache"] = "hit" if file.cached else "miss"
    return response
