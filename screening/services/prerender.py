"""Applicant summaries rendered before anyone asks: after a submit, a rating or a decision.

The change that alters what a summary prints queues a ``summary.render`` job in its own
transaction; a worker renders the summary into the shared report cache
(services.reports), so the manager's first download is a lookup. The request never
waits for this work and never fails because of it: a render that fails is retried by
the job runner, and the download renders on demand as it always could. Several changes
to one submission before the job runs make one render (its dedupe key holds only while
the job waits); a change while it renders queues one more.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from screening.models import Job, Submission
from screening.services import jobs, reports

logger = logging.getLogger(__name__)

KIND = "summary.render"


def _describe(payload: Mapping[str, Any]) -> str:
    return f"Summary PDF of submission {payload.get('submission_id')}"


def queue_summary(session: Session, config: Mapping[str, Any], submission_id: int) -> bool:
    """Queue a render of this submission's summary in the caller's transaction, unless
    PDF_PRERENDER is off. Whether a job was queued (False: off, or one is waiting)."""
    if not config.get("PDF_PRERENDER"):
        return False
    return jobs.enqueue(session, KIND, {"submission_id": submission_id},
                        dedupe_key=f"{KIND}:{submission_id}") is not None


# A render that fails three times will not pass by waiting: the download renders on demand.
@jobs.handler(KIND, max_attempts=3, describe=_describe, dedupe_while_pending=True)
def render_summary(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    """Put the submission's current summary in the report cache."""
    submission_id = int(job.payload["submission_id"])
    submission = session.get(Submission, submission_id)
    if submission is None:  # erased since: nothing to prepare
        return
    try:
        file = reports.applicant_report_file(session, submission,
                                             page_size=config["PDF_PAGE_SIZE"])
    except reports.ReportUnavailable:
        return  # nothing to print (e.g. no result yet): no render to do
    logger.info("summary of submission %s %s", submission_id,
                "was ready" if file.cached else "rendered ahead of its download")
