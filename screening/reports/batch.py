"""Many applicant summaries at once (and, if asked, their full records), on every CPU core.

A process pool, not threads: WeasyPrint's layout is Python and holds the GIL.
Workers start once, warm up, then receive the report *content*, so laying out
the HTML happens in parallel too and the parent only collects bytes. Each
report runs under a CPU-time limit; a report that passes it stops its worker,
and the whole batch fails loudly.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import tempfile
import threading
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path

from . import pdf, render
from .applicant import ApplicantReport


class BatchError(RuntimeError):
    """A report in the batch failed or ran past its time limit."""


#: The report a pool worker is rendering, named in its last words if the kernel stops it.
_current = ""


def _stopped_by_cpu_limit(signum: int, frame: object) -> None:
    sys.stderr.write(f"{_current}: stopped, it used more CPU time than a report may\n")
    sys.stderr.flush()
    os._exit(1)


def _worker_start() -> None:
    signal.signal(signal.SIGXCPU, _stopped_by_cpu_limit)
    pdf.warm_up()


def record_filename(summary_filename: str) -> str:
    """What an applicant's full record is called: after their summary, so the two sort together."""
    return f"{summary_filename.removesuffix('.pdf')}-full-record.pdf"


def _render_one(job: tuple[str, ApplicantReport, str, float, bool]) -> tuple[str, bytes]:
    global _current
    filename, report, page_size, time_limit, full_record = job
    _current = filename
    pdf.limit_cpu_seconds(time_limit)
    renderer = render.record_pdf if full_record else render.applicant_pdf
    return filename, renderer(report, page_size, time_limit=None)


def _pool_context() -> BaseContext:
    """Fork when this process runs no other thread (a CLI command): workers start in
    milliseconds with everything imported. Otherwise spawn clean interpreters, which
    cost a second or two each to import WeasyPrint but inherit no lock held mid-way.
    The workers never touch the database connections a fork would copy.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return pdf.process_context()


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def render_applicant_pdfs(
    reports: Sequence[tuple[str, ApplicantReport]],
    *,
    page_size: str = "A4",
    jobs: int | None = None,
    time_limit: float = pdf.RENDER_TIME_LIMIT_SECONDS,
    full_record: bool = False,
) -> Iterator[tuple[str, bytes]]:
    """(filename, PDF) for each report, in the order given, rendered by ``jobs`` processes;
    with ``full_record``, each summary is followed by that applicant's full record."""
    render.page_size_css(page_size)  # a bad setting fails here, not in every worker
    if not reports:
        return
    work = []
    for filename, report in reports:
        work.append((filename, report, page_size, time_limit, False))
        if full_record:
            work.append((record_filename(filename), report, page_size, time_limit, True))
    workers = max(1, min(jobs or default_jobs(), len(work)))
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(),
                                 initializer=_worker_start) as pool:
            yield from pool.map(_render_one, work)
    except BrokenProcessPool as error:
        raise BatchError(
            "a renderer process stopped before finishing its report: either a report ran "
            f"past its {time_limit:g} s CPU limit (named above) or the process was killed"
        ) from error


def write_zip(
    reports: Sequence[tuple[str, ApplicantReport]],
    destination: Path,
    *,
    page_size: str = "A4",
    jobs: int | None = None,
    time_limit: float = pdf.RENDER_TIME_LIMIT_SECONDS,
    full_record: bool = False,
) -> int:
    """Render every report (with ``full_record``, each applicant's full record too) into a
    ZIP at ``destination``; the file appears only when complete. Returns the PDFs written."""
    destination = destination.resolve()
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, partial = tempfile.mkstemp(dir=destination.parent, prefix=".reports-", suffix=".zip")
    os.close(handle)
    count = 0
    try:
        # Stored, not deflated: PDFs are compressed already, and the parent stays free.
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            for filename, document in render_applicant_pdfs(
                reports, page_size=page_size, jobs=jobs, time_limit=time_limit,
                full_record=full_record,
            ):
                archive.writestr(filename, document)
                count += 1
        os.replace(partial, destination)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return count
