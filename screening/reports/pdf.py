"""HTML to PDF with WeasyPrint, locked down and time-limited.

Applicant text ends up in these documents, so a hostile answer must never make
the renderer fetch a URL or read a file (see Indico's create_pdf for the same
idea), and no document may keep a web worker busy past gunicorn's timeout.

- :class:`StaticOnlyFetcher` serves files under screening/static for
  STATIC_BASE_URL and refuses every other URL: file:, data:, http(s) to any
  host, paths that climb out of the static folder. It never touches the
  network, so there is no redirect to follow.
- :func:`render_pdf` renders in a separate process, forked for each document
  from a warm render host, and killed when the time limit passes; the
  renderer also carries a CPU-time limit as a second line.
"""

from __future__ import annotations

import logging
import math
import multiprocessing
import os
import pickle
import resource
import select
import signal
import threading
import time
from multiprocessing.connection import Connection
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_ROOT = (Path(__file__).resolve().parent.parent / "static").resolve()
#: The only base URL documents may resolve against; it names no real host.
STATIC_BASE_URL = "https://static.screening.invalid/"
#: Far above a real report (a summary under 1 s, 200 applicants' cohort about 3 s) and,
#: with the host's grace and even its first start-up, inside gunicorn's 30 s timeout.
RENDER_TIME_LIMIT_SECONDS = 15.0

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


WARM_UP_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>warm-up</title>'
    '<style>html { font-family: "DejaVu Sans", sans-serif }</style></head>'
    "<body><p>Warm-up <strong>bold</strong></p></body></html>"
)


def warm_up() -> None:
    """Load WeasyPrint, fontconfig and the report font once, before the first real report."""
    try:
        render_pdf_here(WARM_UP_HTML)
    except Exception:  # a cold renderer is slower, never wrong
        logger.exception("PDF renderer warm-up failed")


def process_context() -> BaseContext:
    """Spawn: a fresh interpreter that inherits no thread, lock or connection of ours."""
    return multiprocessing.get_context("spawn")


def _render_forked(html: str, time_limit: float) -> tuple[str, object]:
    """In the host: fork a renderer, collect its PDF, kill it when the time is up.

    The host is single-threaded, so forking it is safe, and it is warm, so the
    renderer starts in about a millisecond with fonts already loaded.
    """
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # the renderer
        os.close(read_fd)
        try:
            limit_cpu_seconds(time_limit + 1)
            outcome: tuple[bool, object] = (True, render_pdf_here(html))
        except BaseException as error:
            outcome = (False, f"{type(error).__name__}: {error}")
        with os.fdopen(write_fd, "wb") as sink:
            sink.write(pickle.dumps(outcome))
        os._exit(0)
    os.close(write_fd)
    deadline = time.monotonic() + time_limit
    chunks = []
    with os.fdopen(read_fd, "rb", buffering=0) as source:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return ("timeout", f"rendering took longer than {time_limit:g} s")
            ready, _, _ = select.select([source], [], [], remaining)
            if not ready:
                continue
            chunk = source.read(1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    _, status = os.waitpid(pid, 0)
    if not chunks:
        return ("error", f"the renderer stopped without a PDF (wait status {status})")
    ok, payload = pickle.loads(b"".join(chunks))  # noqa: S301  # nosec B301: bytes from our own forked child's pipe
    return ("ok", payload) if ok else ("error", payload)


def _host_main(connection: Connection) -> None:
    """The render host: warm up once, then render each document sent in a forked child."""
    warm_up()
    connection.send(("ready", None))
    while True:
        try:
            html, time_limit = connection.recv()
        except (EOFError, OSError):
            return  # the app process is gone
        connection.send(_render_forked(html, time_limit))


class RenderHost:
    """A warm helper process, one per app process, that forks a renderer per document.

    Forking the web worker itself would copy its threads and locks; spawning a
    renderer per document would import WeasyPrint and load fonts every time
    (about a second). The host is spawned once, warmed up, and then forks.
    Requests from several threads of one app process take turns.
    """

    #: How long past the limit we wait for the host itself before replacing it.
    GRACE_SECONDS = 3.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._connection: Connection | None = None

    def _start(self) -> Connection:
        context = process_context()
        ours, theirs = context.Pipe()
        process = context.Process(  # type: ignore[attr-defined]
            target=_host_main, args=(theirs,), daemon=True, name="pdf-render-host")
        process.start()
        theirs.close()
        self._process, self._connection = process, ours
        if not ours.poll(_START_SECONDS):
            self.stop()
            raise RenderError(f"the render host did not start within {_START_SECONDS:g} s")
        ours.recv()  # ("ready", None)
        return ours

    def stop(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._process is not None:
            self._process.kill()
            self._process.join()
        self._process = self._connection = None

    def render(self, html: str, time_limit: float) -> bytes:
        with self._lock:
            connection = self._connection
            if connection is None or self._process is None or not self._process.is_alive():
                connection = self._start()
            connection.send((html, time_limit))
            # The host applies the limit; this wait only catches a host that died or hung.
            if not connection.poll(time_limit + self.GRACE_SECONDS):
                self.stop()
                raise RenderTimeout(f"rendering took longer than {time_limit:g} s")
            try:
                status, payload = connection.recv()
            except (EOFError, OSError):
                self.stop()
                raise RenderError("the render host stopped unexpectedly") from None
        if status == "timeout":
            logger.error("PDF rendering passed its %.0f s limit; renderer killed", time_limit)
            raise RenderTimeout(str(payload))
        if status != "ok":
            raise RenderError(str(payload))
        assert isinstance(payload, bytes)
        return payload


#: Allowance for the host's start-up (imports and warm-up), paid once per app process.
_START_SECONDS = 10.0
_HOST = RenderHost()


def render_pdf(html: str, *, time_limit: float | None = RENDER_TIME_LIMIT_SECONDS) -> bytes:
    """Render ``html`` to a tagged PDF in a child process killed after ``time_limit`` seconds.

    Raises :class:`RenderTimeout` when the limit passes and :class:`RenderError`
    when rendering fails. ``time_limit=None`` renders here, unbounded.
    """
    if time_limit is None:
        return render_pdf_here(html)
    return _HOST.render(html, time_limit)
