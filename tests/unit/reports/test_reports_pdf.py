"""The WeasyPrint adapter: fetches nothing but our static files, stops on time, tags the PDF."""

from __future__ import annotations

import io
import logging
import resource
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from screening.reports import pdf

PAGE = """<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>{style}</style></head><body>{body}</body></html>"""


class RecordingServer(ThreadingHTTPServer):
    """A local web server that remembers every request (and would redirect to file:)."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def _text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def test_fetcher_serves_our_static_files() -> None:
    response = pdf.StaticOnlyFetcher().fetch(pdf.STATIC_BASE_URL + "css/app.css")
    assert response.content_type == "text/css"
    assert response.read() == (pdf.STATIC_ROOT / "css" / "app.css").read_bytes()


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "FILE:///etc/passwd",
    "/etc/passwd",
    "data:text/css,body{color:red}",
    "http://127.0.0.1/",
    "https://static.screening.invalid.example.com/css/app.css",
    pdf.STATIC_BASE_URL + "../../pyproject.toml",
    pdf.STATIC_BASE_URL + "css/../../../../etc/passwd",
    pdf.STATIC_BASE_URL + "%2e%2e/%2e%2e/pyproject.toml",
    pdf.STATIC_BASE_URL + "css",  # a folder, not a file
])
def test_fetcher_refuses_everything_else(url: str) -> None:
    with pytest.raises(pdf.RefusedFetch):
        pdf.StaticOnlyFetcher().fetch(url)


def test_hostile_markup_fetches_nothing(
    web_server: RecordingServer, caplog: pytest.LogCaptureFixture,
) -> None:
    """Even raw, unescaped markup (which our templates never emit) cannot reach out."""
    base = web_server.url
    body = (
        f'<img src="file:///etc/passwd" alt="a"><img src="{base}/img.png" alt="b">'
        f'<link rel="stylesheet" href="{base}/link.css"><object data="{base}/object"></object>'
        f'<div style="background: url({base}/background.png)">x</div>'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>t</title>'
        f'<image href="{base}/svg-image.png" width="10" height="10"/></svg>'
        f'<img src="{pdf.STATIC_BASE_URL}../../../../etc/passwd" alt="c">'
        f'<iframe src="{base}/frame"></iframe><p>Hostile page</p>'
    )
    style = (f'@import url("{base}/import.css");'
             f"@font-face {{ font-family: x; src: url({base}/f.ttf) }}")
    html = PAGE.format(lang="en", title="Hostile", style=style, body=body)
    with caplog.at_level(logging.WARNING, logger="screening.reports.pdf"):
        document = pdf.render_pdf_here(html)
    assert "Hostile page" in _text(document)
    assert web_server.requests == []
    refused = " ".join(record.getMessage() for record in caplog.records)
    for fragment in ("file:///etc/passwd", "/img.png", "/import.css", "/background.png"):
        assert fragment in refused


def test_time_limited_render_returns_the_same_pdf_text() -> None:
    html = PAGE.format(lang="en", title="Hello", style="", body="<p>Hello from a child</p>")
    assert "Hello from a child" in _text(pdf.render_pdf(html, time_limit=20))


def _renderers_alive() -> list[str]:
    """Processes the render host has forked and not yet reaped."""
    host = pdf._HOST._process
    assert host is not None and host.pid is not None
    return Path(f"/proc/{host.pid}/task/{host.pid}/children").read_text().split()


def test_a_document_that_renders_too_long_is_stopped() -> None:
    # Thousands of table rows take WeasyPrint several seconds: far past a 0.5 s limit.
    rows = "".join(f"<tr><td>{i}</td><td>{'word ' * 20}</td></tr>" for i in range(4000))
    html = PAGE.format(lang="en", title="Slow", style="", body=f"<table>{rows}</table>")
    pdf.render_pdf(PAGE.format(lang="en", title="Warm", style="", body="<p>up</p>"))
    started = time.monotonic()
    with pytest.raises(pdf.RenderTimeout):
        pdf.render_pdf(html, time_limit=0.5)
    assert time.monotonic() - started < 2
    assert _renderers_alive() == []  # killed and reaped, not left running
    # The host carries on: the next document renders as usual.
    after = pdf.render_pdf(PAGE.format(lang="en", title="After", style="", body="<p>Next</p>"))
    assert "Next" in _text(after)


def test_a_failing_render_raises_render_error() -> None:
    # No source at all: WeasyPrint raises in the child, the parent turns it into RenderError.
    with pytest.raises(pdf.RenderError, match="TypeError"):
        pdf.render_pdf(None, time_limit=20)  # type: ignore[arg-type]


def test_pdf_is_tagged_with_title_and_language() -> None:
    html = PAGE.format(lang="en-GB", title="Screening summary: Robin", style="",
                       body="<h1>Robin</h1><p>Text</p>")
    reader = PdfReader(io.BytesIO(pdf.render_pdf_here(html)))
    root = reader.trailer["/Root"]
    assert reader.metadata.title == "Screening summary: Robin"
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"] == BooleanObject(True)
    tree = root["/StructTreeRoot"].get_object()
    assert tree["/Type"] == "/StructTreeRoot"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == BooleanObject(True)


def test_cpu_limit_lowers_the_soft_limit_only() -> None:
    before = resource.getrlimit(resource.RLIMIT_CPU)
    try:
        pdf.limit_cpu_seconds(1000)
        soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = usage.ru_utime + usage.ru_stime
        assert used + 1000 <= soft <= used + 1002
        assert hard == before[1]
    finally:
        resource.setrlimit(resource.RLIMIT_CPU, before)
