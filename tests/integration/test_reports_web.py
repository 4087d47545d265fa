"""Managers download the PDF reports from the app: scoped, audited, cached, safe."""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import func, select

from screening.app import create_app
from screening.bank import ResponseFormat
from screening.bank.model import DIMENSION_LABELS
from screening.extensions import db
from screening.models import (
    Answer,
    AuditEvent,
    Outcome,
    Position,
    ReportCache,
    Role,
    Submission,
    SubmissionStatus,
    User,
)
from screening.reports import render
from screening.reports.pdf import RenderTimeout
from screening.scoring import NORM_MIN_GROUP
from screening.services import journey, reviews
from screening.services.demo import create_simulated_applicants
from screening.services.questionnaires import questionnaire_for
from screening.services.results import store_result
from tests.factories import PASSWORD, create_invitation, create_position, create_user


@dataclass(frozen=True)
class Cohort:
    manager_id: int
    manager_email: str
    position_id: int
    submission_ids: list[int]


def build_cohort(app: Flask, count: int, seed: int = 11) -> Cohort:
    with app.app_context():
        manager = create_user(email=f"lee-{seed}@example.com")
        position = create_position(managers=[manager], title="Hotel front desk",
                                   location="Harbour Street")
        create_simulated_applicants(db.session, position, count, seed, rater=manager)
        db.session.commit()
        ids = list(db.session.scalars(select(Submission.id).order_by(Submission.id)))
        return Cohort(manager.id, manager.email, position.id, ids)


def sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text


def pdf_text(data: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


@pytest.fixture
def cohort(app: Flask) -> Cohort:
    """40 simulated applicants: enough for percentiles (30) and for reliability."""
    return build_cohort(app, 40)


def test_manager_downloads_the_applicant_summary(
    app: Flask, client: FlaskClient, cohort: Cohort,
) -> None:
    submission_id = cohort.submission_ids[3]
    sign_in(client, cohort.manager_email)
    page = client.get(f"/manage/submissions/{submission_id}")
    link = f'href="/manage/submissions/{submission_id}/report.pdf"'
    assert link in page.text

    response = client.get(f"/manage/submissions/{submission_id}/report.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    reader, text = pdf_text(response.data)

    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        stored = submission.result
        name = submission.invitation.applicant.name
        questionnaire = questionnaire_for(submission.questionnaire_version)
        completed = counted_results()
    assert completed >= NORM_MIN_GROUP
    assert name in text
    assert "Hotel front desk, Harbour Street" in text
    assert stored["band"]["label"] in text
    for dimension in stored["dimensions"]:
        assert f"{DIMENSION_LABELS[dimension['dimension']]}: {dimension['percent']:.0f}%" in text
        assert f"{dimension['maximum']} items, each weighing the same" in text
    assert text.count(f"percentile of {completed}") >= 3
    # Two pages: the decision, then the interview; every answer is in the full record.
    assert len(reader.pages) == 2
    assert "must never be the sole basis of a hiring decision" in text
    guide = [item for item in questionnaire.items if item.interview_questions]
    assert any(item.interview_questions[0][:50] in text for item in guide)
    assert reader.metadata.title == f"Screening summary: {name}"
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]

    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "report.downloaded"))
        assert (event.actor_id, event.target_type, event.target_id) == (
            cohort.manager_id, "Submission", submission_id)


@pytest.mark.commits  # a second server reads the cache
def test_a_repeat_download_comes_from_the_shared_cache(
    app: Flask, app_config: dict[str, object], client: FlaskClient, cohort: Cohort,
) -> None:
    submission_id = cohort.submission_ids[0]
    url = f"/manage/submissions/{submission_id}/report.pdf"
    sign_in(client, cohort.manager_email)
    first = client.get(url)
    second = client.get(url)
    assert (first.headers["X-Report-Cache"], second.headers["X-Report-Cache"]) == ("miss", "hit")
    assert second.data == first.data

    # A second app server on the same database serves the same bytes without rendering.
    other_server = create_app(app_config)
    other_client = other_server.test_client()
    sign_in(other_client, cohort.manager_email)
    third = other_client.get(url)
    assert third.headers["X-Report-Cache"] == "hit"
    assert third.data == first.data
    with other_server.app_context():
        db.session.remove()
        db.engine.dispose()

    with app.app_context():
        assert db.session.scalar(select(func.count(ReportCache.id))) == 1
        downloads = db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "report.downloaded"))
        assert downloads == 3  # every download is audited, cached or not


def test_the_cache_never_serves_a_stale_name_or_result(
    app: Flask, client: FlaskClient, cohort: Cohort,
) -> None:
    submission_id = cohort.submission_ids[1]
    url = f"/manage/submissions/{submission_id}/report.pdf"
    sign_in(client, cohort.manager_email)
    client.get(url)
    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        submission.invitation.applicant.name = "Erased Applicant"
        db.session.commit()
    renamed = client.get(url)
    assert renamed.headers["X-Report-Cache"] == "miss"
    _, text = pdf_text(renamed.data)
    assert "Erased Applicant" in text

    with app.app_context():
        submission = db.session.get(Submission, submission_id)
        for answer in submission.answers:
            db.session.delete(answer)
        db.session.flush()
        db.session.refresh(submission, ["answers"])
        store_result(db.session, submission)
        db.session.commit()
    rescored = client.get(url)
    assert rescored.headers["X-Report-Cache"] == "miss"
    _, text = pdf_text(rescored.data)
    assert "Incomplete: only 0 of 20 questions were answered" in text
    with app.app_context():
        # One cached PDF per submission: the stale ones were replaced, not kept.
        assert db.session.scalar(select(func.count(ReportCache.id)).where(
            ReportCache.submission_id == submission_id)) == 1


def test_a_new_completed_submission_refreshes_percentiles(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, NORM_MIN_GROUP - 1, seed=5)
    with app.app_context():
        counted = counted_results()
    url = f"/manage/submissions/{cohort.submission_ids[0]}/report.pdf"
    sign_in(client, cohort.manager_email)
    _, before = pdf_text(client.get(url).data)
    assert f"not enough data yet ({counted} of {NORM_MIN_GROUP} completed)" in before
    with app.app_context():
        position = db.session.get(Position, cohort.position_id)
        rater = db.session.get(User, cohort.manager_id)
        seed = 99
        while counted_results() < NORM_MIN_GROUP:  # a careless simulated applicant is not
            create_simulated_applicants(db.session, position, 1, seed, rater=rater)  # scored
            db.session.commit()
            seed += 1
    after = client.get(url)
    assert after.headers["X-Report-Cache"] == "miss"
    _, text = pdf_text(after.data)
    assert f"percentile of {NORM_MIN_GROUP}" in text


def counted_results() -> int:
    """Final, scored results (the rule services/norms.py applies, written out here)."""
    return db.session.scalar(select(func.count(Submission.id)).where(
        Submission.status == SubmissionStatus.SUBMITTED, Submission.provisional.is_(False),
        Submission.result_status == "scored")) or 0


def test_reports_are_scoped_to_the_managers_positions(
    app: Flask, client: FlaskClient, cohort: Cohort,
) -> None:
    urls = [f"/manage/submissions/{cohort.submission_ids[0]}/report.pdf",
            f"/manage/positions/{cohort.position_id}/cohort.pdf"]
    for url in urls:
        anonymous = client.get(url)
        assert anonymous.status_code == 302
        assert "/login" in anonymous.headers["Location"]
    with app.app_context():
        create_user(email="other@example.com")
        hr = create_user(Role.HR, email="hr@example.com")
        assert hr.sees_all_positions
    sign_in(client, "other@example.com")
    for url in urls:
        assert client.get(url).status_code == 404
    client.post("/logout")
    sign_in(client, "hr@example.com")
    for url in urls:
        assert client.get(url).status_code == 200
    with app.app_context():
        actors = db.session.execute(select(AuditEvent.action, AuditEvent.actor_id)).all()
        assert sorted(action for action, _ in actors
                      if action.endswith("downloaded")) == [
            "cohort_report.downloaded", "report.downloaded"]


def test_an_unsubmitted_applicant_has_no_report(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        manager = create_user(email="kim@example.com")
        position = create_position(managers=[manager])
        invitation = create_invitation(position)
        submission = journey.start(db.session, invitation)
        db.session.commit()
        submission_id = submission.id
    sign_in(client, "kim@example.com")
    assert client.get(f"/manage/submissions/{submission_id}/report.pdf").status_code == 404


def test_cohort_report_lists_every_applicant_and_compares_the_chosen(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, 12, seed=21)
    with app.app_context():
        create_invitation(db.session.get(Position, cohort.position_id), name="Not Yet Started")
        applicant_names = {
            s.id: s.invitation.applicant.name
            for s in db.session.scalars(select(Submission)).all()
        }
        assert len(applicant_names) == 12
    chosen = cohort.submission_ids[5], cohort.submission_ids[2]
    sign_in(client, cohort.manager_email)
    position_page = client.get(f"/manage/positions/{cohort.position_id}")
    assert f'href="/manage/positions/{cohort.position_id}/cohort.pdf"' in position_page.text

    response = client.get(f"/manage/positions/{cohort.position_id}/cohort.pdf"
                          f"?compare={chosen[0]},{chosen[1]}")
    assert response.status_code == 200
    reader, text = pdf_text(response.data)
    for name in applicant_names.values():
        assert name in text
    assert "12 submitted; 1 not yet" in text
    # The comparison leads, on page 1, in the order the manager chose.
    first_page = re.sub(r"\s+", " ", reader.pages[0].extract_text())
    assert "Side by side" in first_page
    assert first_page.index(applicant_names[chosen[0]]) < first_page.index(
        applicant_names[chosen[1]])
    assert reader.metadata.title == "Side by side: Hotel front desk"
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "cohort_report.downloaded"))
        assert event.target_id == cohort.position_id
        assert event.detail == {"compare": list(chosen)}


def test_cohort_compare_refuses_other_positions_and_nonsense(
    app: Flask, client: FlaskClient,
) -> None:
    ours = build_cohort(app, 3, seed=1)
    theirs = build_cohort(app, 1, seed=2)
    sign_in(client, ours.manager_email)
    url = f"/manage/positions/{ours.position_id}/cohort.pdf"
    foreign = theirs.submission_ids[-1]
    assert client.get(f"{url}?compare={ours.submission_ids[0]},{foreign}").status_code == 404
    assert client.get(f"{url}?compare=1;drop").status_code == 400
    assert client.get(f"{url}?compare=-3").status_code == 400
    assert client.get(f"{url}?compare=²").status_code == 400
    too_many = ",".join(str(number) for number in range(1, 23))  # 22 distinct ids, limit 20
    refused = client.get(f"{url}?compare={too_many}")
    assert refused.status_code == 400
    assert "at most 20" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "cohort_report.downloaded")) == 0


def test_letter_paper_by_setting(
    app_config: dict[str, object], request: pytest.FixtureRequest,
) -> None:
    app_config["PDF_PAGE_SIZE"] = "Letter"
    app: Flask = request.getfixturevalue("app")
    cohort = build_cohort(app, 2, seed=3)
    client = app.test_client()
    sign_in(client, cohort.manager_email)
    response = client.get(f"/manage/submissions/{cohort.submission_ids[0]}/report.pdf")
    reader, _ = pdf_text(response.data)
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [612, 792]


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def web_server() -> Iterator[ThreadingHTTPServer]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def test_hostile_free_text_prints_as_text_and_fetches_nothing(
    app: Flask, client: FlaskClient, web_server: ThreadingHTTPServer,
) -> None:
    cohort = build_cohort(app, 1, seed=8)
    port = web_server.server_address[1]
    hostile = (f'See <img src="file:///etc/passwd"> and <img src="http://127.0.0.1:{port}/x.png">'
               f' <link rel="stylesheet" href="http://127.0.0.1:{port}/s.css"> thanks')
    with app.app_context():
        submission = db.session.get(Submission, cohort.submission_ids[0])
        questionnaire = questionnaire_for(submission.questionnaire_version)
        item = next(i for i in questionnaire.items if i.format is ResponseFormat.FREE_TEXT)
        row = db.session.scalar(select(Answer).where(Answer.submission_id == submission.id,
                                                     Answer.item_id == item.id))
        if row is None:
            row = Answer(submission=submission, item_id=item.id, response={})
            db.session.add(row)
        row.response = {"item_id": item.id, "text": hostile, "seconds": 95.0}
        db.session.flush()
        db.session.refresh(submission, ["answers"])
        store_result(db.session, submission)
        # The summary prints the manager's decision note on page 1; the written answer
        # itself is printed by the full record. Both are typed text: neither may fetch.
        reviews.record_decision(db.session, submission, db.session.get(User, cohort.manager_id),
                                Outcome.ON_HOLD, hostile)
        db.session.commit()
    sign_in(client, cohort.manager_email)
    response = client.get(f"/manage/submissions/{cohort.submission_ids[0]}/report.pdf")
    assert response.status_code == 200
    _, text = pdf_text(response.data)
    assert '<img src="file:///etc/passwd">' in text
    assert f'<img src="http://127.0.0.1:{port}/x.png">' in text
    assert f'<link rel="stylesheet" href="http://127.0.0.1:{port}/s.css">' in text
    assert web_server.requests == []  # type: ignore[attr-defined]


def test_a_render_past_its_time_limit_is_a_503_not_a_hung_worker(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    cohort = build_cohort(app, 1, seed=12)

    def too_slow(*args: object, **kwargs: object) -> bytes:
        raise RenderTimeout("rendering took longer than 15 s")

    monkeypatch.setattr(render, "applicant_pdf", too_slow)
    sign_in(client, cohort.manager_email)
    response = client.get(f"/manage/submissions/{cohort.submission_ids[0]}/report.pdf")
    assert response.status_code == 503
    assert "took too long" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(ReportCache.id))) == 0
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "report.downloaded")) == 0
