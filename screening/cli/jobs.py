"""`flask --app screening.app jobs worker|run-due|list`: the background workers and a
look at their jobs."""

from __future__ import annotations

import logging
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import EmailStatus, Job, JobStatus, OutgoingEmail
from screening.queue import task_queue
from screening.services import jobs, outbox

jobs_group = AppGroup("jobs", help="Background work: run workers, run what is due, list jobs.")


@jobs_group.command("worker")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Worker threads in this process.")
@click.option("--no-scheduler", is_flag=True,
              help="Leave the every-minute relay and the scheduled work to other workers.")
def worker_command(workers: int, no_scheduler: bool) -> None:
    """Run jobs and send email as the task queue hands them over, until stopped (Ctrl-C
    or SIGTERM finish the running tasks first). Run as many as needed, on any machine
    that reaches the database and the queue."""
    if current_app.config.get("QUEUE_URL") == "memory://":
        raise click.ClickException("SCREENING_QUEUE_URL=memory:// lives in one process: "
                                   "a worker needs a shared queue (unset it, or use redis://).")
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    queue = task_queue()
    # What a worker that died left, and anything handed over while no worker ran.
    queue.relay(grace=timedelta(0))
    # flush_locks: a scheduled run's lock left by a worker killed mid-run would block it.
    queue.huey.create_consumer(workers=workers, worker_type="thread",
                               periodic=not no_scheduler, flush_locks=True).run()


@jobs_group.command("run-due")
def run_due_command() -> None:
    """Run every job and send every email that is due, once, in this process (for an
    installation without a worker, from cron; or to debug a job)."""
    ran = jobs.run_due(db.session, current_app.config)
    done = sum(r.status is JobStatus.DONE for r in ran)
    retrying = sum(r.status is JobStatus.PENDING for r in ran)
    dead = sum(r.status is JobStatus.DEAD for r in ran)
    click.echo(f"Jobs: {done} done, {retrying} to be retried, {dead} dead.")
    settings = outbox.SmtpSettings.from_config(current_app.config)
    if settings is None:
        click.echo("Email: none sent (SCREENING_SMTP_HOST is not set).")
        return
    report = outbox.send_pending(db.session, settings,
                                 stale=jobs.stale_after(current_app.config))
    click.echo(f"Email: sent {report.sent}, failed {report.failed} "
               f"({report.retrying} to be retried).")


@jobs_group.command("list")
def list_command() -> None:
    """Jobs by kind and status, email by status, and each dead or stuck job with its
    reason."""
    counts = db.session.execute(select(Job.kind, Job.status, func.count(Job.id))
                                .group_by(Job.kind, Job.status)
                                .order_by(Job.kind, Job.status)).all()
    if not counts:
        click.echo("No jobs.")
    for kind, status, count in counts:
        click.echo(f"{kind:<24} {status.value:<8} {count}")
    emails = dict(db.session.execute(select(OutgoingEmail.status, func.count(OutgoingEmail.id))
                                     .group_by(OutgoingEmail.status)).all())
    click.echo("Email: " + ", ".join(f"{emails.get(status, 0)} {status.value}"
                                     for status in EmailStatus))
    problems = jobs.problems(db.session)
    for job in problems.jobs:
        state = "dead" if job.status is JobStatus.DEAD else "stuck"
        description = jobs.describe(job) or job.kind
        click.echo(f"Job {job.id} ({job.kind}) {state} after {job.attempts} attempt(s): "
                   f"{description}: {job.last_error}")
    if problems.next_before is not None:
        click.echo(f"... and {problems.total - len(problems.jobs)} more "
                   "(see the admin's Background jobs page).")
