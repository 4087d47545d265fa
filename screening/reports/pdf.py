"""HTML to PDF with WeasyPrint, locked down: it can read our own static files and nothing else.

Applicant text ends up in these documents, so a hostile answer must never make the
renderer fetch a URL or read a file (see Indico's create_pdf for the same idea).
"""

from __future__ import annotations

import logging
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
#: The only base URL documents may resolve against; it names no real host.
STATIC_BASE_URL = "https://static.screening.invalid/"

logger = logging.getLogger(__name__)


class RefusedFetch(ValueError):
    """A document asked for something outside our static files."""


class StaticOnlyFetcher(URLFetcher):
    """Serves files under screening/static for STATIC_BASE_URL URLs; refuses everything else."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=(), allow_redirects=False)

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if not url.startswith(STATIC_BASE_URL):
            logger.warning("refused to fetch %r while rendering a PDF", url[:200])
            raise RefusedFetch(f"refused: {url[:200]}")
        relative = url.removeprefix(STATIC_BASE_URL).split("?", 1)[0].split("#", 1)[0]
        path = (STATIC_ROOT / relative).resolve()
        if not path.is_relative_to(STATIC_ROOT) or not path.is_file():
            logger.warning("refused to fetch %r while rendering a PDF", url[:200])
            raise RefusedFetch(f"refused: {url[:200]}")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _content_type(path)})


def _content_type(path: Path) -> str:
    return {
        ".css": "text/css",
        ".svg": "image/svg+xml",
        ".png": "image/png",
        ".woff2": "font/woff2",
        ".ttf": "font/ttf",
    }.get(path.suffix, "application/octet-stream")


def render_pdf(html: str) -> bytes:
    """Render ``html`` to a tagged PDF with the locked-down fetcher.

    The template's <title> and <html lang> become the PDF's title and language.
    """
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher())
    pdf = document.write_pdf(pdf_tags=True)
    assert pdf is not None
    return pdf
