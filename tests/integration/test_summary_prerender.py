"""The applicant summary is rendered by a worker once the applicant submits, and again
after a rating or a decision, so the manager's first download is a cache hit."""

from __future__ import annotations

import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import Job, JobStatus, Outcome, ReportCache, Submission
from screening.reports import render
from screening.reports.pdf import RenderError
from screening.services.journey import sequence_for
from screening.web.apply import timing
from tests.factories import create_invitation, create_position, create_user, sign_in
from tests.integration.test_walking_skeleton import ReadingClock, complete_questionnaire
from tests.queued_tasks import run_handed_over


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "PDF_PRERENDER": 1}


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every summary rendered from here on, by anyone: the background or a download."""
    counted: list[int] = []
    real = render.applicant_pdf

    def counting(report, *args, **kwargs):  # type: ignore[no-untyped-def]
        counted.append(report.facts.submission_id)
        return real(report, *args, **kwargs)

    monkeypatch.setattr(render, "applicant_pdf", counting)
    return counted


def submitted_applicant(app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
                        ) -> tuple[int, str]:
    """A manager's position and an applicant who answers every item over HTTP and submits."""
    monkeypatch.setattr(timing, "time", ReadingClock())
    with app.app_context():
        manager = create_user(email="prerender-manager@example.com")
        position = create_position(managers=[manager], title="Bakery counter")
        token = create_invitation(position, name="Noa Ahead").token
        complete_questionnaire(client, token)
        submission = db.session.scalar(select(Submission))
        return submission.id, manager.email


def cached_summaries(app: Flask, submission_id: int) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(ReportCache.cache_key).where(
            ReportCache.submission_id == submission_id, ReportCache.kind == "applicant")))


def free_text_item(app: Flask, submission_id: int) -> str:
    with app.app_context():
        items = sequence_for(db.session.get(Submission, submission_id)).items
        return next(item.id for item in items if item.format is ResponseFormat.FREE_TEXT)


def test_the_first_download_after_submitting_and_deciding_is_a_cache_hit(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, renders: list[int],
) -> None:
    submission_id, manager_email = submitted_applicant(app, client, monkeypatch)
    run_handed_over(app)
    assert renders == [submission_id]
    after_submit = cached_summaries(app, submission_id)
    assert len(after_submit) == 1

    manager = app.test_client()
    sign_in(manager, manager_email)
    url = f"/manage/submissions/{submission_id}/report.pdf"
    first = manager.get(url)
    assert first.status_code == 200
    assert first.headers["X-Report-Cache"] == "hit"
    assert renders == [submission_id]  # served from the cache: nothing rendered for it

    # Rating the written answer changes the scores: the summary is rendered again.
    rated = manager.post(f"/manage/submissions/{submission_id}/ratings",
                         data={"item_id": free_text_item(app, submission_id), "rating": "4"})
    assert rated.status_code == 302
    run_handed_over(app)
    after_rating = cached_summaries(app, submission_id)
    assert len(after_rating) == 1 and after_rating != after_submit
    assert manager.get(url).headers["X-Report-Cache"] == "hit"

    # A decision is printed on the summary's first page: the cached copy follows it.
    decided = manager.post(f"/manage/submissions/{submission_id}/decision", data={
        "outcome": next(iter(Outcome)).value,
        "note": "Warm with customers; invited to the interview on Monday."})
    assert decided.status_code == 302
    run_handed_over(app)
    after_decision = cached_summaries(app, submission_id)
    assert len(after_decision) == 1 and after_decision != after_rating
    download = manager.get(url)
    assert download.headers["X-Report-Cache"] == "hit"
    assert renders == [submission_id] * 3  # submit, rating, decision; no download rendered


def test_a_failing_render_never_fails_the_applicants_submit(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object, **kwargs: object) -> bytes:
        raise RenderError("the renderer stopped without a PDF")

    real = render.applicant_pdf
    monkeypatch.setattr(render, "applicant_pdf", broken)
    with caplog.at_level(logging.ERROR, logger="screening.services.jobs"):
        submission_id, manager_email = submitted_applicant(app, client, monkeypatch)
        run_handed_over(app)
    assert any("(summary.render) failed" in record.getMessage() for record in caplog.records)
    assert cached_summaries(app, submission_id) == []
    with app.app_context():
        job = db.session.scalar(select(Job))
        assert (job.status, job.attempts) == (JobStatus.PENDING, 1)  # retried after a back-off
        assert job.last_error == "RenderError: the renderer stopped without a PDF"

    monkeypatch.setattr(render, "applicant_pdf", real)
    manager = app.test_client()
    sign_in(manager, manager_email)
    download = manager.get(f"/manage/submissions/{submission_id}/report.pdf")
    assert download.status_code == 200
    assert download.headers["X-Report-Cache"] == "miss"  # rendered on demand, as before


def test_nothing_is_rendered_ahead_when_the_setting_is_off(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, renders: list[int],
) -> None:
    app.config["PDF_PRERENDER"] = 0
    submission_id, _ = submitted_applicant(app, client, monkeypatch)
    run_handed_over(app)
    assert renders == []
    assert cached_summaries(app, submission_id) == []


def test_changes_before_the_render_make_one_render_and_a_change_during_it_one_more(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, renders: list[int],
) -> None:
    submission_id, manager_email = submitted_applicant(app, client, monkeypatch)
    manager = app.test_client()
    sign_in(manager, manager_email)
    manager.post(f"/manage/submissions/{submission_id}/ratings",
                 data={"item_id": free_text_item(app, submission_id), "rating": "4"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Job.id))) == 1  # submit and rating: one job

    real = render.applicant_pdf  # the counting one

    def decided_while_rendering(report, *args, **kwargs):  # type: ignore[no-untyped-def]
        if not renders:  # the first render has begun
            assert manager.post(f"/manage/submissions/{submission_id}/decision", data={
                "outcome": next(iter(Outcome)).value,
                "note": "Calm and clear; invited to an interview."}).status_code == 302
        return real(report, *args, **kwargs)

    monkeypatch.setattr(render, "applicant_pdf", decided_while_rendering)
    run_handed_over(app)  # the first render, during which the decision lands
    run_handed_over(app)  # the job the decision queued
    assert renders == [submission_id, submission_id]
    with app.app_context():
        assert [j.status for j in db.session.scalars(select(Job).order_by(Job.id))] == [
            JobStatus.DONE, JobStatus.DONE]
