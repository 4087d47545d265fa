"""Background jobs: stored with the change that causes them, run by workers, dead-lettered.

The ``jobs`` table is the outbox. ``enqueue`` adds a row in the caller's transaction, so
a rolled-back change queues nothing; the task queue (screening.queue) only carries job
ids to workers and is told about new jobs after the commit, so a queue that is down
loses nothing: the relay finds due rows in the table and hands them over again.

Running a job claims it first with a conditional update, so two workers never run one
job at once; a claim older than ``STALE_CLAIM`` belongs to a worker that died, and the
job is run again. Work whose effect must happen once (an email, a webhook delivery)
makes its handler idempotent: it records the effect in its own row and checks it
before acting, and reuses one id across attempts so a receiver can tell a repeat.

A handler that fails is retried with exponential back-off; one that raises ``GiveUp``,
or fails ``max_attempts`` times, is *dead*: listed for admins, who retry or discard it.
Nothing here knows of Flask; the worker passes the app's settings to the handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Delete, Update, case, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.models import Job, JobStatus, User, utcnow
from screening.services import audit

logger = logging.getLogger(__name__)

#: A running job claimed longer ago than this was taken by a worker that died
#: (the default of the SCREENING_JOBS_STALE_SECONDS setting; see ``stale_after``).
STALE_CLAIM = timedelta(minutes=10)
DEFAULT_MAX_ATTEMPTS = 8
#: Dead jobs listed on one page.
PROBLEMS_PAGE_SIZE = 50
#: session.info key: ids of jobs added in the session's current transaction.
_ADDED = "screening.jobs.added"

Handler = Callable[[Session, Job, Mapping[str, Any]], None]


class RetryLater(Exception):
    """A failure that may pass (a server down or busy): try again after the back-off,
    or after ``after`` when the other side said how long to wait."""

    def __init__(self, reason: str, after: timedelta | None = None) -> None:
        super().__init__(reason)
        self.after = after


class GiveUp(Exception):
    """This job can never succeed as it is: dead at once, with the reason, for an admin."""


@dataclass(frozen=True)
class _Registered:
    run: Handler
    max_attempts: int
    describe: Callable[[Mapping[str, Any]], str]
    #: the dedupe key holds only until a worker takes the job up (see ``handler``)
    dedupe_while_pending: bool = False


_HANDLERS: dict[str, _Registered] = {}


def handler(
    kind: str, *, max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    describe: Callable[[Mapping[str, Any]], str] | None = None,
    dedupe_while_pending: bool = False,
) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of ``kind``: ``run(session, job, config)``.

    It commits nothing itself unless it must (the runner commits its changes with the
    job's new status, so the effect and "done" land together). ``describe`` words a
    job's payload for the admins' list, without personal data.

    With ``dedupe_while_pending`` a job's dedupe key is let go when a worker claims it:
    several changes before the job runs make one job, and a change while it runs makes
    a new one (work that redoes "the current state", like rendering a summary).
    """

    def register(run: Handler) -> Handler:
        if kind in _HANDLERS and _HANDLERS[kind].run is not run:
            raise ValueError(f"a handler for job kind {kind!r} is registered already")
        _HANDLERS[kind] = _Registered(run, max_attempts, describe or (lambda payload: ""),
                                      dedupe_while_pending)
        return run

    return register


def registered_kinds() -> list[str]:
    return sorted(_HANDLERS)


def describe(job: Job) -> str:
    registered = _HANDLERS.get(job.kind)
    return registered.describe(job.payload) if registered else ""


def enqueue(
    session: Session, kind: str, payload: Mapping[str, Any] | None = None, *,
    dedupe_key: str | None = None, delay: timedelta | None = None, now: datetime | None = None,
) -> Job | None:
    """Add a job to the caller's transaction; None if one with ``dedupe_key`` exists.

    The job runs only if that transaction commits.
    """
    if kind not in _HANDLERS:
        raise ValueError(f"no handler is registered for job kind {kind!r}")
    now = now or utcnow()
    job = Job(kind=kind, payload=dict(payload or {}), dedupe_key=dedupe_key,
              max_attempts=_HANDLERS[kind].max_attempts,
              next_attempt_at=now + (delay or timedelta()), created_at=now)
    try:
        with session.begin_nested():
            session.add(job)
    except IntegrityError:
        return None  # the same work is queued already: do it once
    session.info.setdefault(_ADDED, []).append(job.id)
    return job


def take_added(session: Session) -> list[int]:
    """The ids of jobs added since the last call (call it after a commit); clears them."""
    return session.info.pop(_ADDED, [])


def forget_added(session: Session) -> None:
    """After a rollback: the jobs added were never stored."""
    session.info.pop(_ADDED, None)


def stale_after(config: Mapping[str, Any]) -> timedelta:
    """How old a claim must be before its worker is taken to have died (from the settings)."""
    seconds = config.get("JOBS_STALE_SECONDS")
    return timedelta(seconds=int(seconds)) if seconds else STALE_CLAIM


def _runnable(now: datetime, stale: timedelta) -> ColumnElement[bool]:
    """Pending and due, or running under a claim so old that its worker must have died."""
    return ((Job.status == JobStatus.PENDING) & (Job.next_attempt_at <= now)) | (
        (Job.status == JobStatus.RUNNING) & (Job.claimed_at < now - stale))


def due(session: Session, *, now: datetime | None = None, limit: int = 500,
        stale: timedelta = STALE_CLAIM) -> list[int]:
    """Ids of the jobs a worker should run now, oldest first."""
    ids = list(session.scalars(select(Job.id).where(_runnable(now or utcnow(), stale))
                               .order_by(Job.id).limit(limit)))
    session.commit()
    return ids


def next_due_at(session: Session) -> datetime | None:
    """When the earliest pending job is due (None when nothing is pending)."""
    return session.scalar(select(func.min(Job.next_attempt_at))
                          .where(Job.status == JobStatus.PENDING))


def _claim(session: Session, job_id: int, now: datetime, stale: timedelta) -> bool:
    released = [kind for kind, registered in _HANDLERS.items()
                if registered.dedupe_while_pending]
    claimed = session.execute(
        update(Job).where(Job.id == job_id, _runnable(now, stale))
        .values(status=JobStatus.RUNNING, claimed_at=now, attempts=Job.attempts + 1,
                # In the claim itself: a change committed after it must queue a new job.
                dedupe_key=case((Job.kind.in_(released), None), else_=Job.dedupe_key))
    )
    session.commit()
    return claimed.rowcount == 1


def backoff(attempts: int) -> timedelta:
    """30 s, 1, 2, 4, 8 ... minutes, at most 6 hours: a receiver down for a while is ridden out."""
    return min(timedelta(seconds=30) * 2 ** max(attempts - 1, 0), timedelta(hours=6))


@dataclass(frozen=True)
class Ran:
    """What one call of ``run`` did. ``retry_at`` is set when the job will be tried again."""

    job_id: int
    status: JobStatus | None  # None: not run (taken by another worker, not due, or gone)
    retry_at: datetime | None = None
    error: str = ""


def run(session: Session, job_id: int, config: Mapping[str, Any],
        *, now: datetime | None = None) -> Ran:
    """Claim and run one job, recording done, a retry with back-off, or dead."""
    now = now or utcnow()
    if not _claim(session, job_id, now, stale_after(config)):
        return Ran(job_id, None)
    job = session.get(Job, job_id, populate_existing=True)
    if job is None:
        return Ran(job_id, None)
    registered = _HANDLERS.get(job.kind)
    try:
        if registered is None:
            raise GiveUp(f"no handler for job kind {job.kind!r} in this version of the app")
        registered.run(session, job, config)
    except Exception as error:
        session.rollback()  # the handler's half-done changes go; the job's state is ours
        job = session.get(Job, job_id, populate_existing=True)
        if job is None:  # discarded by an admin meanwhile
            return Ran(job_id, None)
        return _record_failure(session, job, error, now)
    job.status = JobStatus.DONE
    job.finished_at = utcnow()
    job.last_error = ""
    session.commit()
    return Ran(job_id, JobStatus.DONE)


def _record_failure(session: Session, job: Job, error: Exception, now: datetime) -> Ran:
    reason = (str(error) if isinstance(error, RetryLater | GiveUp)
              else f"{type(error).__name__}: {error}")[:1000]
    if not isinstance(error, RetryLater | GiveUp):
        logger.exception("job %s (%s) failed", job.id, job.kind, exc_info=error)
    job.last_error = reason
    if isinstance(error, GiveUp) or job.attempts >= job.max_attempts:
        job.status = JobStatus.DEAD
        job.finished_at = utcnow()
        session.commit()
        logger.warning("job %s (%s) is dead after %s attempt(s): %s",
                       job.id, job.kind, job.attempts, reason)
        return Ran(job.id, JobStatus.DEAD, error=reason)
    after = error.after if isinstance(error, RetryLater) and error.after else None
    job.status = JobStatus.PENDING
    job.claimed_at = None
    job.next_attempt_at = now + (after or backoff(job.attempts))
    session.commit()
    return Ran(job.id, JobStatus.PENDING, retry_at=job.next_attempt_at, error=reason)


def run_due(session: Session, config: Mapping[str, Any], *, limit: int = 500) -> list[Ran]:
    """Run every job due now, in this process: the CLI's and the tests' worker."""
    return [run(session, job_id, config)
            for job_id in due(session, limit=limit, stale=stale_after(config))]


# -- the dead-letter list: what admins see and act on ------------------------------------


class JobError(Exception):
    """A retry or discard that cannot be done; the job is shown as it is."""


def _is_problem(now: datetime) -> ColumnElement[bool]:
    """Dead, or running under a claim so old that its worker must have died (the admins'
    list keeps the default, so a short test setting never lists a job as stuck)."""
    return (Job.status == JobStatus.DEAD) | (
        (Job.status == JobStatus.RUNNING) & (Job.claimed_at < now - STALE_CLAIM))


@dataclass(frozen=True)
class JobProblems:
    """One page of problems, newest first, and how many there are in all."""

    jobs: list[Job]
    total: int
    #: the id to pass as ``before_id`` for the next (older) page; None on the last one
    next_before: int | None


def problems(session: Session, *, before_id: int | None = None,
             size: int = PROBLEMS_PAGE_SIZE, now: datetime | None = None) -> JobProblems:
    now = now or utcnow()
    statement = select(Job).where(_is_problem(now))
    if before_id is not None:
        statement = statement.where(Job.id < before_id)
    found = list(session.scalars(statement.order_by(Job.id.desc()).limit(size + 1)))
    more = len(found) > size
    found = found[:size]
    return JobProblems(found, problem_count(session, now), found[-1].id if more and found else None)


def problem_count(session: Session, now: datetime | None = None) -> int:
    return session.scalar(select(func.count(Job.id)).where(_is_problem(now or utcnow()))) or 0


def retry(session: Session, job: Job, actor: User | None, now: datetime | None = None) -> None:
    """Queue a dead or stuck job again, due at once, with a fresh set of attempts.

    Conditional, so it never overrides a worker that took the job up meanwhile; raises
    JobError if the job is no longer a problem. The caller commits (and so signals the
    queue, like any new job).
    """
    now = now or utcnow()
    _act_on_problem(session, job, actor, "job.retried", now,
                    update(Job).values(status=JobStatus.PENDING, attempts=0, last_error="",
                                       claimed_at=None, finished_at=None, next_attempt_at=now))
    session.info.setdefault(_ADDED, []).append(job.id)


def discard(session: Session, job: Job, actor: User | None, now: datetime | None = None) -> None:
    """Delete a dead or stuck job: its work will not be done. Raises JobError if it is
    no longer a problem."""
    _act_on_problem(session, job, actor, "job.discarded", now or utcnow(), delete(Job))


def _act_on_problem(session: Session, job: Job, actor: User | None, action: str,
                    now: datetime, statement: Update | Delete) -> None:
    job_id = job.id
    # Kind and counts only: payloads and reasons can name an applicant or an address.
    previous = {"kind": job.kind, "status": job.status.value, "attempts": job.attempts}
    changed = session.execute(statement.where(Job.id == job_id, _is_problem(now))
                              .execution_options(synchronize_session="fetch"))
    if changed.rowcount != 1:
        status = session.scalar(select(Job.status).where(Job.id == job_id))
        now_is = "discarded" if status is None else status.value
        raise JobError(f"Job {job_id} is no longer dead or stuck (it is {now_is} now), "
                       "so it was left as it is.")
    audit.record(session, actor, action, job, **previous)


def purge_finished(session: Session, *, older_than: timedelta = timedelta(days=30),
                   now: datetime | None = None) -> int:
    """Delete done jobs finished long ago; dead ones stay until an admin acts."""
    cutoff = (now or utcnow()) - older_than
    return session.execute(delete(Job).where(Job.status == JobStatus.DONE,
                                             Job.finished_at < cutoff)).rowcount
