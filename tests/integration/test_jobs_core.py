"""Background jobs are stored with the change that causes them, run once per claim,
retried with back-off, and dead-lettered for admins when they keep failing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.extensions import db
from screening.models import AuditEvent, Job, JobStatus, utcnow
from screening.services import jobs
from tests.queued_tasks import handed_over

#: What the test handlers did, in order: (kind, payload value).
done: list[tuple[str, Any]] = []
#: How many more times the flaky handler fails before it succeeds.
failures_left = {"count": 0}


@jobs.handler("test.record", max_attempts=3)
def _record(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    done.append(("test.record", job.payload["value"]))


@jobs.handler("test.flaky", max_attempts=3)
def _flaky(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    if failures_left["count"] > 0:
        failures_left["count"] -= 1
        raise jobs.RetryLater("the receiver answered 503")
    done.append(("test.flaky", job.payload["value"]))


@jobs.handler("test.hopeless")
def _hopeless(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    raise jobs.GiveUp("the endpoint was deleted")


@jobs.handler("test.latest", dedupe_while_pending=True)
def _latest(session: Session, job: Job, config: Mapping[str, Any]) -> None:
    # A change while the job runs: it must queue a new job, not be folded into this one.
    added = jobs.enqueue(session, "test.latest", {"value": "during"}, dedupe_key="latest:1")
    done.append(("test.latest", job.payload["value"], added is not None))


@pytest.fixture(autouse=True)
def _fresh() -> None:
    done.clear()
    failures_left["count"] = 0


@pytest.fixture
def app(app: Flask) -> Iterator[Flask]:
    with app.app_context():
        yield app


def _status(job_id: int) -> JobStatus:
    return db.session.scalar(select(Job.status).where(Job.id == job_id))


def test_a_job_runs_only_if_the_change_that_queued_it_commits(app: Flask) -> None:
    job = jobs.enqueue(db.session, "test.record", {"value": "kept"})
    assert job is not None
    db.session.commit()  # hands the new job to the task queue (screening.queue)
    assert handed_over(app) == [("run_job", (job.id,))]
    with db.session.begin_nested() as savepoint:
        jobs.enqueue(db.session, "test.record", {"value": "rolled back"})
        savepoint.rollback()
    jobs.enqueue(db.session, "test.record", {"value": "rolled back too"})
    db.session.rollback()
    db.session.commit()
    assert handed_over(app) == [("run_job", (job.id,))]  # nothing of the rolled-back work

    jobs.run_due(db.session, app.config)

    assert done == [("test.record", "kept")]
    assert _status(job.id) is JobStatus.DONE


def test_the_same_dedupe_key_queues_the_work_once(app: Flask) -> None:
    first = jobs.enqueue(db.session, "test.record", {"value": 1}, dedupe_key="render:7")
    second = jobs.enqueue(db.session, "test.record", {"value": 2}, dedupe_key="render:7")
    db.session.commit()
    assert first is not None and second is None
    jobs.run_due(db.session, app.config)
    assert done == [("test.record", 1)]


def test_a_claimed_job_is_not_run_by_a_second_worker(app: Flask) -> None:
    job = jobs.enqueue(db.session, "test.record", {"value": "once"})
    db.session.commit()
    first = jobs.run(db.session, job.id, app.config)
    second = jobs.run(db.session, job.id, app.config)
    assert (first.status, second.status) == (JobStatus.DONE, None)
    assert done == [("test.record", "once")]


def test_a_failing_job_is_retried_with_growing_back_off_then_succeeds(app: Flask) -> None:
    failures_left["count"] = 2
    job = jobs.enqueue(db.session, "test.flaky", {"value": "late"})
    db.session.commit()

    started = utcnow()
    first = jobs.run(db.session, job.id, app.config)
    assert first.status is JobStatus.PENDING
    assert first.error == "the receiver answered 503"
    assert timedelta(seconds=29) <= first.retry_at - started <= timedelta(seconds=40)
    # Not due yet: a second worker leaves it alone.
    assert jobs.run(db.session, job.id, app.config).status is None

    second = jobs.run(db.session, job.id, app.config, now=first.retry_at)
    assert second.status is JobStatus.PENDING
    assert timedelta(seconds=59) <= second.retry_at - first.retry_at
    third = jobs.run(db.session, job.id, app.config, now=second.retry_at)

    assert third.status is JobStatus.DONE
    assert done == [("test.flaky", "late")]
    assert db.session.get(Job, job.id).attempts == 3


def test_a_job_that_keeps_failing_is_dead_and_an_admin_can_retry_it(app: Flask) -> None:
    failures_left["count"] = 3
    job = jobs.enqueue(db.session, "test.flaky", {"value": "eventually"})
    db.session.commit()
    moment = utcnow()
    for _ in range(3):
        ran = jobs.run(db.session, job.id, app.config, now=moment)
        moment = ran.retry_at or moment
    assert ran.status is JobStatus.DEAD
    listed = jobs.problems(db.session)
    assert [found.id for found in listed.jobs] == [job.id] and listed.total == 1

    jobs.retry(db.session, db.session.get(Job, job.id), None)
    db.session.commit()
    assert handed_over(app)[-1] == ("run_job", (job.id,))  # handed over again
    jobs.run_due(db.session, app.config)

    assert done == [("test.flaky", "eventually")]
    assert jobs.problem_count(db.session) == 0
    audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.retried")).one()
    assert audit.detail == {"kind": "test.flaky", "status": "dead", "attempts": 3}


def test_give_up_is_dead_at_once_and_discard_removes_it(app: Flask) -> None:
    job = jobs.enqueue(db.session, "test.hopeless", {})
    db.session.commit()
    ran = jobs.run(db.session, job.id, app.config)
    assert (ran.status, ran.error) == (JobStatus.DEAD, "the endpoint was deleted")

    jobs.discard(db.session, db.session.get(Job, job.id), None)
    db.session.commit()
    assert db.session.get(Job, job.id) is None
    with pytest.raises(jobs.JobError, match="no longer dead or stuck"):
        jobs.discard(db.session, Job(id=job.id, kind="test.hopeless", status=JobStatus.DEAD,
                                     attempts=1), None)


def test_a_job_whose_worker_died_is_run_again_after_the_stale_claim(app: Flask) -> None:
    job = jobs.enqueue(db.session, "test.record", {"value": "after a crash"})
    db.session.commit()
    # A worker claimed it and died before finishing.
    job.status, job.claimed_at, job.attempts = JobStatus.RUNNING, utcnow(), 1
    db.session.commit()
    assert jobs.run(db.session, job.id, app.config).status is None
    assert jobs.problem_count(db.session) == 0

    later = utcnow() + jobs.STALE_CLAIM + timedelta(seconds=1)
    assert jobs.problem_count(db.session, later) == 1
    assert jobs.due(db.session, now=later) == [job.id]
    assert jobs.run(db.session, job.id, app.config, now=later).status is JobStatus.DONE
    assert done == [("test.record", "after a crash")]


def test_an_unknown_kind_cannot_be_queued(app: Flask) -> None:
    with pytest.raises(ValueError, match="no handler"):
        jobs.enqueue(db.session, "test.nobody-handles-this", {})


def test_back_off_doubles_and_is_capped() -> None:
    assert [jobs.backoff(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert jobs.backoff(40) == timedelta(hours=6)


def test_a_pending_only_dedupe_folds_changes_before_the_run_and_not_during_it(
    app: Flask,
) -> None:
    first = jobs.enqueue(db.session, "test.latest", {"value": "first"}, dedupe_key="latest:1")
    assert jobs.enqueue(db.session, "test.latest", {"value": "second"},
                        dedupe_key="latest:1") is None  # waiting already: one job
    db.session.commit()
    ran = jobs.run(db.session, first.id, app.config)
    assert ran.status is JobStatus.DONE
    assert done == [("test.latest", "first", True)]
    keys = dict(db.session.execute(select(Job.id, Job.dedupe_key)).all())
    assert keys[first.id] is None and sorted(keys.values(), key=str) == [None, "latest:1"]
