"""The task queue (Huey) that carries background work from the web app to its workers.

The database stays the source of truth: a job (services.jobs) or an email
(services.outbox) is a row written in the transaction of the change that causes it.
The queue only carries row ids:

- after a commit, the ids added in it are handed over (SQLAlchemy's ``after_commit``);
  a rollback hands over nothing, and a queue that cannot be reached is logged, never
  fails the request;
- every minute the relay hands over what is overdue: a hand-over that was lost, a
  retry whose time has come, a claim left by a worker that died. A starting worker
  relays once at once;
- a worker runs ``run_job`` / ``send_email``, which claim the row before acting, so a
  repeat hand-over (or two workers) never does the work twice.

Scheduled work (reminders, digests, the retention purge, pruning finished jobs) is
idempotent and runs under a Huey lock, so any number of workers may run the scheduler
(a lock left by a worker killed mid-run is cleared when a worker starts).

``SCREENING_QUEUE_URL`` picks the backend: unset, a SQLite file in the instance folder
(one machine); ``redis://`` or ``postgresql://`` for workers on several machines;
``memory://`` keeps hand-overs in the process (the tests run jobs explicitly).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

from flask import Flask, current_app, has_app_context
from flask_sqlalchemy.session import Session as FlaskSession
from huey import Huey, MemoryHuey, PostgresHuey, RedisHuey, SqliteHuey, crontab
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from screening import database
from screening.config import ConfigError
from screening.extensions import db
from screening.models import utcnow
from screening.services import jobs, messages, outbox, position_zips, retention, webhooks

logger = logging.getLogger(__name__)

EXTENSION = "screening.queue"
#: The relay leaves alone what became due this recently: its hand-over is on its way.
RELAY_GRACE = timedelta(minutes=1)


def make_huey(url: str | None, instance_path: Path) -> Huey:
    """The Huey instance for ``SCREENING_QUEUE_URL`` (see the module's docstring)."""
    name = "screening"
    if not url:
        return SqliteHuey(name, filename=str(instance_path / "queue.db"), results=False)
    if url == "memory://":
        return MemoryHuey(name, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url.removeprefix("sqlite:///"), results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        from redis import ConnectionPool

        # Short timeouts: a request hands over after its commit and must not hang on a
        # Redis that is down (the relay catches up); reads block at most 1 s (Huey's).
        pool = ConnectionPool.from_url(url, socket_connect_timeout=3, socket_timeout=10)
        return RedisHuey(name, connection_pool=pool, results=False)
    if url.startswith(("postgresql://", "postgresql+psycopg://")):
        return PostgresHuey(name, dsn=url.replace("postgresql+psycopg://", "postgresql://", 1),
                            results=False)
    raise ConfigError(
        f"SCREENING_QUEUE_URL must be empty (a SQLite file in the instance folder), "
        f"sqlite:///path, redis://host:port/db, postgresql://... or memory://, not {url!r}")


class TaskQueue:
    """One app's Huey instance and the tasks that run its background work."""

    def __init__(self, app: Flask, huey: Huey) -> None:
        self.app = app
        self.huey = huey
        self.run_job = huey.task(name="run_job")(self._run_job)
        self.send_email = huey.task(name="send_email")(self._send_email)
        huey.periodic_task(crontab(minute="*"), name="relay")(self._relay_task)
        huey.periodic_task(crontab(minute="*/5"), name="reminders_and_digests")(
            huey.lock_task("reminders_and_digests")(
                self.queue_reminders_and_digests))
        huey.periodic_task(crontab(minute="15", hour="3"), name="retention_purge")(
            huey.lock_task("retention_purge")(self.retention_purge))
        huey.periodic_task(crontab(minute="45", hour="3"), name="purge_finished_jobs")(
            huey.lock_task("purge_finished_jobs")(
                self.purge_finished_jobs))
        huey.periodic_task(crontab(minute="20"), name="delete_expired_zips")(
            huey.lock_task("delete_expired_zips")(self.delete_expired_zips))

    # -- handing ids over ----------------------------------------------------------------

    def hand_over(self, job_ids: list[int], email_ids: list[int]) -> bool:
        """Put the ids on the queue; False (logged) if it cannot be reached: the relay
        hands them over later, as the rows are still due."""
        try:
            for job_id in job_ids:
                self.run_job(job_id)
            if email_ids and outbox.SmtpSettings.from_config(self.app.config) is not None:
                for message_id in email_ids:
                    self.send_email(message_id)
        except Exception:
            logger.exception("the task queue could not be reached; the relay will hand "
                             "over %s job(s) and %s email(s) later", len(job_ids),
                             len(email_ids))
            return False
        return True

    def relay(self, grace: timedelta = RELAY_GRACE) -> tuple[int, int]:
        """Hand over every job and email overdue by ``grace``: (jobs, emails)."""
        with self._worker_context():
            stale = jobs.stale_after(self.app.config)
            before = utcnow() - grace
            job_ids = jobs.due(db.session, now=before, stale=stale)
            email_ids = (outbox.due(db.session, now=before, stale=stale)
                         if outbox.SmtpSettings.from_config(self.app.config) else [])
        if job_ids or email_ids:
            logger.info("relay: handing over %s job(s) and %s email(s)",
                        len(job_ids), len(email_ids))
            self.hand_over(job_ids, email_ids)
        return len(job_ids), len(email_ids)

    def _relay_task(self) -> None:
        self.relay()

    def run_waiting(self) -> int:
        """Run every task waiting on the queue in this process, as a worker thread would
        (tests and benchmarks); a task due later goes to the schedule. How many ran."""
        count = 0
        while (task := self.huey.dequeue()) is not None:
            if not self.huey.ready_to_run(task):
                self.huey.add_schedule(task)
                continue
            self.huey.execute(task)
            count += 1
        return count

    # -- the tasks -----------------------------------------------------------------------

    def _run_job(self, job_id: int) -> None:
        with self._worker_context():
            ran = jobs.run(db.session, job_id, self.app.config)
        if ran.retry_at is not None:
            self.run_job.schedule(args=(job_id,), eta=ran.retry_at)

    def _send_email(self, message_id: int) -> None:
        settings = outbox.SmtpSettings.from_config(self.app.config)
        if settings is None:  # mail turned off since it was queued: the message waits
            return
        with self._worker_context():
            attempt = outbox.send_one(db.session, settings, message_id,
                                      jobs.stale_after(self.app.config))
        if attempt is not None and attempt.retry_at is not None:
            self.send_email.schedule(args=(message_id,), eta=attempt.retry_at)

    def queue_reminders_and_digests(self) -> None:
        """Idempotent: each reminder and each day's digest has its own dedupe key."""
        with self._worker_context():
            reminders = messages.queue_reminders(db.session)
            digests = messages.queue_digests(db.session)
            db.session.commit()  # hands the new messages over, as any commit does
        if reminders or digests:
            logger.info("queued %s reminder(s) and %s digest(s)", reminders, digests)

    def retention_purge(self) -> None:
        """What `flask purge` does, when someone is past the retention period."""
        with self._worker_context():
            days = int(self.app.config["RETENTION_DAYS"])
            if retention.due_for_purge(db.session, retention.purge_cutoff(days)):
                report = retention.purge(db.session, days)
                logger.info("retention purge: %s applicant(s) anonymised",
                            len(report.applicant_ids))
            else:
                db.session.rollback()

    def purge_finished_jobs(self) -> None:
        """Finished jobs after 30 days; finished webhook deliveries' log after 90."""
        with self._worker_context():
            removed = jobs.purge_finished(db.session)
            pruned = webhooks.prune_log(db.session)
            db.session.commit()
        if removed or pruned:
            logger.info("removed %s job(s) finished over 30 days ago and %s webhook "
                        "delivery log line(s) over 90 days old", removed, pruned)

    def delete_expired_zips(self) -> None:
        """Hourly: a position's prepared ZIP holds personal data, kept a day at most."""
        with self._worker_context():
            removed = position_zips.delete_expired(db.session)
            db.session.commit()
        if removed:
            logger.info("deleted %s expired ZIP(s) of summaries", removed)

    def _worker_context(self) -> _WorkerContext:
        return _WorkerContext(self.app)


class _WorkerContext:
    """An app context whose session writes from its first statement (SQLite: BEGIN
    IMMEDIATE, as a worker's transactions all write) and is removed afterwards."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def __enter__(self) -> None:
        self.context = self.app.app_context()
        self.context.push()
        database.set_transactions_immediate(True)

    def __exit__(self, *exc_info: object) -> None:
        try:
            db.session.remove()
        finally:
            self.context.pop()


def init_app(app: Flask) -> None:
    from screening.services import job_kinds  # noqa: F401  (registers the handlers)

    app.extensions[EXTENSION] = TaskQueue(
        app, make_huey(app.config.get("QUEUE_URL"), Path(app.instance_path)))
    _listen_for_commits()


def task_queue(app: Flask | None = None) -> TaskQueue:
    return (app or current_app).extensions[EXTENSION]


_listening = False


def _listen_for_commits() -> None:
    """Once per process, on Flask-SQLAlchemy's session class (every app's sessions)."""
    global _listening
    if _listening:
        return
    _listening = True
    event.listen(FlaskSession, "after_commit", _after_commit)
    event.listen(FlaskSession, "after_soft_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    if session.get_nested_transaction() is not None:
        return  # a savepoint released (SQLAlchemy signals those too): not committed yet
    job_ids, email_ids = jobs.take_added(session), outbox.take_added(session)
    if not (job_ids or email_ids) or not has_app_context():
        return
    queue: TaskQueue | None = current_app.extensions.get(EXTENSION)
    if queue is not None:
        queue.hand_over(job_ids, email_ids)


def _after_rollback(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:  # a savepoint (a dedupe clash): the rest
        return  # stands; an id it held is handed over and found gone, which is harmless
    jobs.forget_added(session)
    outbox.forget_added(session)

