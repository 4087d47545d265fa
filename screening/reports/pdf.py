"""HTML to PDF with WeasyPrint, locked down and time-limited.

Applicant text ends up in these documents, so a hostile answer must never make
the renderer fetch a URL or read a file (see Indico's create_pdf for the same
idea), and no document may keep a web worker busy past gunicorn's timeout.

- :class:`StaticOnlyFetcher` serves files under screening/static for
  STATIC_BASE_URL and refuses every other URL: file:, data:, http(s) to any
  host, paths that climb out of the static folder. It never touches the
  network, so there is no redirect to follow.
- :func:`render_pdf` renders in a separate process (forked from a warm
  forkserver, about 15 ms of overhead) that is killed when the time limit
  passes; the child also carries a CPU-time limit as a second line.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import resource
from functools import cache
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
#: The only base URL documents may resolve against; it names no real host.
STATIC_BASE_URL = "https://static.screening.invalid/"
#: Well inside gunicorn's default 30 s worker timeout, far above a real report (< 1 s).
RENDER_TIME_LIMIT_SECONDS = 20.0
#: Imported by the forkserver before it forks renderers (see warm_renderer.py).
_FORKSERVER_PRELOAD = ["screening.reports.warm_renderer"]

logger = logging.getLogger(__name__)


class RefusedFetch(ValueError):
    """A document asked for something outside our static files."""


class RenderError(RuntimeError):
    """The renderer failed or died without producing a PDF."""


class RenderTimeout(RenderError):
    """The renderer ran past its time limit and was killed."""


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


def render_pdf_here(html: str) -> bytes:
    """Render ``html`` to a tagged PDF in this process, with the locked-down fetcher.

    No time limit: call it only where the process itself is bounded (the
    renderer child below, a CLI pool worker with a CPU limit, a benchmark).
    The template's <title> and <html lang> become the PDF's title and language.
    """
    document = HTML(string=html, base_url=STATIC_BASE_URL, url_fetcher=StaticOnlyFetcher())
    pdf = document.write_pdf(pdf_tags=True)
    assert pdf is not None
    return pdf


def limit_cpu_seconds(seconds: float) -> None:
    """Let this process use at most ``seconds`` more CPU time; the kernel then stops it.

    Works even while WeasyPrint is deep in C code (Pango, HarfBuzz), where a
    Python-level alarm would wait for the call to return.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(used + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


@cache
def process_context() -> BaseContext:
    """Forkserver: children fork from a clean, single-threaded, warmed-up process.

    Plain fork would copy whatever threads and locks the web worker holds;
    spawn would import WeasyPrint and load fonts on every render.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_FORKSERVER_PRELOAD)
    return context


def _render_in_child(html: str, sender: Connection, time_limit: float) -> None:
    limit_cpu_seconds(time_limit + 1)
    try:
        sender.send((True, render_pdf_here(html)))
    except Exception as error:  # reported to the parent, which raises RenderError
        sender.send((False, f"{type(error).__name__}: {error}"))
    finally:
        sender.close()


def render_pdf(html: str, *, time_limit: float | None = RENDER_TIME_LIMIT_SECONDS) -> bytes:
    """Render ``html`` to a tagged PDF in a child process killed after ``time_limit`` seconds.

    Raises :class:`RenderTimeout` when the limit passes and :class:`RenderError`
    when rendering fails. ``time_limit=None`` renders here, unbounded.
    """
    if time_limit is None:
        return render_pdf_here(html)
    context = process_context()
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(  # type: ignore[attr-defined]
        target=_render_in_child, args=(html, sender, time_limit), daemon=True,
        name="pdf-renderer",
    )
    worker.start()
    sender.close()
    try:
        if not receiver.poll(time_limit):
            logger.error("PDF rendering passed its %.0f s limit; renderer killed", time_limit)
            raise RenderTimeout(f"rendering took longer than {time_limit:g} s")
        try:
            ok, payload = receiver.recv()
        except EOFError:
            worker.join(5)
            raise RenderError(
                f"the renderer stopped without a PDF (exit code {worker.exitcode})"
            ) from None
    finally:
        if worker.is_alive():
            worker.kill()
        worker.join()
        receiver.close()
    if not ok:
        raise RenderError(payload)
    return payload
