"""Applicant summaries rendered before anyone asks: after a submit, a rating or a decision.

The request that changed what a summary prints only names the submission, after its
commit; one background thread per app process renders it into the shared report
cache (services.reports), so the manager's first download is a lookup. Like the email
outbox, the request never waits for this work and never fails because of it: a
render that fails is logged, and the download renders on demand as it always could.
Several changes to one submission before its turn come make one render, not several.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from screening import database
from screening.extensions import db
from screening.models import Submission
from screening.services import reports

logger = logging.getLogger(__name__)


class _SummaryRenderer:
    """A queue of (app, submission id) served by one daemon thread, started on first use."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        #: waiting submissions, oldest first; a repeat while waiting is one entry.
        self._waiting: dict[tuple[int, int], tuple[Any, int]] = {}
        self._busy = 0
        self._thread: threading.Thread | None = None

    def add(self, app: Any, submission_id: int) -> None:
        with self._changed:
            self._waiting.setdefault((id(app), submission_id), (app, submission_id))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, name="summary-prerender",
                                                daemon=True)
                self._thread.start()
            self._changed.notify_all()

    def wait_until_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: not self._waiting and not self._busy,
                                          timeout)

    def _serve(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: bool(self._waiting))
                key = next(iter(self._waiting))
                app, submission_id = self._waiting.pop(key)
                self._busy += 1
            try:
                render_summary(app, submission_id)
            finally:
                with self._changed:
                    self._busy -= 1
                    self._changed.notify_all()


_RENDERER = _SummaryRenderer()


def summary_after_commit(app: Any, submission_id: int) -> bool:
    """Render this submission's summary in the background, unless PDF_PRERENDER is off.

    Call it after the commit that changed what the summary prints: the renderer
    reads the database from its own session.
    """
    if not app.config.get("PDF_PRERENDER"):
        return False
    _RENDERER.add(app, submission_id)
    return True


def wait_until_idle(timeout: float = 60.0) -> bool:
    """Whether every queued summary was rendered (or failed) within ``timeout`` seconds."""
    return _RENDERER.wait_until_idle(timeout)


def render_summary(app: Any, submission_id: int) -> None:
    """Put the submission's current summary in the report cache; log, never raise."""
    with app.app_context():
        database.set_transactions_immediate(False)  # read first; the cache write asks
        try:
            submission = db.session.get(Submission, submission_id)
            if submission is None:  # erased since: nothing to prepare
                return
            file = reports.applicant_report_file(
                db.session, submission, page_size=app.config["PDF_PAGE_SIZE"])
            logger.info("summary of submission %s %s", submission_id,
                        "was ready" if file.cached else "rendered ahead of its download")
        except reports.ReportUnavailable:
            return
        except Exception:
            logger.exception("rendering the summary of submission %s ahead of time failed",
                             submission_id)
        finally:
            db.session.remove()
