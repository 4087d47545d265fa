"""The applicant's rights over the result: a request from their own link reaches HR with a
due date and the audit log; HR's answer is recorded and emailed; erasure removes the words."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Text, cast, select

from screening.extensions import db
from screening.models import (
    ApplicantRequest,
    AuditEvent,
    Outcome,
    OutgoingEmail,
    RequestKind,
    Role,
    Submission,
    User,
)
from screening.services import retention, reviews
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_submission,
    create_user,
)
from tests.integration.test_walking_skeleton import complete_questionnaire
from tests.smtp_server import body_text, smtp_server

MESSAGE = "I think my written answer about the broken till was misread."
ANSWER = "A manager read all your answers again and the decision stands; here is why."


@contextmanager
def mailing_app(make_app, **settings: object) -> Iterator[tuple[Flask, object]]:
    """An app with a real (local) mail server; mail goes out with `flask outbox send`."""
    with smtp_server() as (inbox, port):
        yield make_app({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_STARTTLS": 0,
                        **settings}), inbox


def _decided(app: Flask, *, language: str = "en", name: str = "Tao Applicant",
             email: str = "tao@example.com") -> tuple[str, int]:
    """A submitted, decided applicant: (their link token, submission id)."""
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.role == Role.MANAGER)) or create_user()
        position = create_position(managers=[manager], questionnaire="frontline-short",
                                   title="Ticket office")
        submission = create_submission(create_invitation(position, name=name, email=email))
        submission.language = language
        reviews.record_decision(db.session, submission, manager, Outcome.DO_NOT_ADVANCE,
                                "Not this time.")
        db.session.commit()
        return submission.invitation.token, submission.id


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return client


def _visible(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def _send_all(app: Flask) -> None:
    assert "failed 0" in app.test_cli_runner().invoke(args=["outbox", "send"]).output


def test_a_review_request_from_the_feedback_page_reaches_hr_with_a_due_date_and_is_audited(
    make_app,
) -> None:
    with mailing_app(make_app) as (app, inbox):
        with app.app_context():
            hr = create_user(Role.HR, email="hr-desk@example.com")
            hr_email = hr.email
        token, submission_id = _decided(app)
        applicant = app.test_client()

        feedback = applicant.get(f"/apply/{token}/feedback")
        assert feedback.status_code == 200
        text = _visible(feedback.text)
        assert "a person makes the decision" in text
        assert "Ask for a person to review the decision" in text
        assert "Ask how my answers were used" in text
        assert f'action="/apply/{token}/requests"' in feedback.text

        before = datetime.now(UTC)
        sent = applicant.post(f"/apply/{token}/requests",
                              data={"kind": "review", "message": MESSAGE})
        assert sent.status_code == 302 and sent.location.endswith(f"/apply/{token}/requests")
        due = before + timedelta(days=30)
        page = _visible(applicant.get(f"/apply/{token}/requests").text)
        assert "We have your request" in page
        assert f"HR will answer by {due:%d %B %Y}" in page

        with app.app_context():
            [request] = db.session.scalars(select(ApplicantRequest)).all()
            assert request.kind is RequestKind.REVIEW and request.submission_id == submission_id
            assert request.message == MESSAGE and request.answered_at is None
            assert timedelta(days=30) <= request.due_at - before < timedelta(days=30, minutes=1)
            request_id = request.id
            [event] = db.session.scalars(select(AuditEvent).where(
                AuditEvent.action == "applicant_request.received")).all()
            assert (event.target_type, event.target_id) == ("Submission", submission_id)
            assert event.detail["kind"] == "review" and event.detail["request_id"] == request_id
            assert MESSAGE not in str(event.detail)  # the words stay on the request row

        staff = _signed_in(app, hr_email)
        listing = _visible(staff.get("/hr/requests").text)
        assert "Tao Applicant" in listing and "Review of the decision by a person" in listing
        assert f"{due:%d %b %Y}" in listing
        detail = _visible(staff.get(f"/hr/requests/{request_id}").text)
        assert MESSAGE in detail and "Tao Applicant tao@example.com" in detail
        assert "Position Ticket office" in detail and "Taken in English" in detail
        audit_page = _visible(staff.get("/hr/audit?action=applicant_request.received").text)
        assert "applicant_request.received" in audit_page and "Tao Applicant" in audit_page

        _send_all(app)
        [notice] = inbox.wait_for(1)
        assert notice["To"] == hr_email
        assert f"Applicant request to answer by {due:%d %b %Y}" in notice["Subject"]
        assert f"http://localhost/hr/requests/{request_id}" in body_text(notice)
        assert MESSAGE not in body_text(notice)


def test_the_receipt_says_how_the_result_is_used_and_links_to_the_requests(make_app) -> None:
    with mailing_app(make_app) as (app, inbox):
        with app.app_context():
            position = create_position(questionnaire="frontline-short", title="Ticket office")
            token = create_invitation(position, email="uma@example.com").token
            complete_questionnaire(app.test_client(), token)
        _send_all(app)
        [receipt] = inbox.wait_for(1)
    assert receipt["To"] == "uma@example.com"
    text = body_text(receipt)
    assert "scored by an automated tool" in text and "a person makes the decision" in text
    assert f"http://localhost/apply/{token}/requests" in text
    asking = app.test_client().get(f"/apply/{token}/requests")
    assert asking.status_code == 200 and "Ask how my answers were used" in asking.text


def test_hr_answers_once_and_the_applicant_is_emailed_in_their_language(make_app) -> None:
    with mailing_app(make_app) as (app, inbox):
        with app.app_context():
            hr_email = create_user(Role.HR).email
        token, _ = _decided(app, language="es", email="lucia@example.com", name="Lucía Pérez")
        applicant = app.test_client()
        spanish_page = applicant.get(f"/apply/{token}/requests")
        assert "Pedir que una persona revise la decisión" in spanish_page.text
        applicant.post(f"/apply/{token}/requests", data={"kind": "explanation", "message": ""})
        with app.app_context():
            request_id = db.session.scalar(select(ApplicantRequest.id))
        _send_all(app)
        inbox.wait_for(1)  # the notice to HR
        inbox.messages.clear()

        staff = _signed_in(app, hr_email)
        assert staff.post(f"/hr/requests/{request_id}", data={"answer": ""}).status_code == 400
        answered = staff.post(f"/hr/requests/{request_id}", data={"answer": ANSWER})
        assert answered.status_code == 302
        again = staff.post(f"/hr/requests/{request_id}", data={"answer": "A second answer."},
                           follow_redirects=True)
        assert "answered already" in again.text

        with app.app_context():
            request = db.session.get_one(ApplicantRequest, request_id)
            assert request.answer == ANSWER and request.answered_at is not None
            assert request.answered_by is not None and request.answered_by.email == hr_email
            events = db.session.scalars(select(AuditEvent).where(
                AuditEvent.action == "applicant_request.answered")).all()
            assert len(events) == 1 and events[0].actor_id == request.answered_by_id
        assert "Waiting for an answer" in staff.get("/hr/requests").text
        assert "No request is waiting." in staff.get("/hr/requests").text

        _send_all(app)
        [message] = inbox.wait_for(1)
        assert message["To"] == "lucia@example.com"
        assert message["Subject"] == "Respuesta a su solicitud sobre Ticket office"
        assert "Preguntó cómo se usaron sus respuestas" in body_text(message)
        assert ANSWER in body_text(message) and "A second answer." not in body_text(message)
        own_page = _visible(applicant.get(f"/apply/{token}/requests").text)
        assert ANSWER in own_page and "respondida el" in own_page


def test_hr_sees_overdue_requests_first(app: Flask) -> None:
    with app.app_context():
        hr_email = create_user(Role.HR).email
    later, _ = _decided(app, name="Sam Later", email="later@example.com")
    earlier, _ = _decided(app, name="Robin Early", email="early@example.com")
    for token in (later, earlier):
        app.test_client().post(f"/apply/{token}/requests", data={"kind": "review"})
    with app.app_context():
        robins = db.session.scalars(select(ApplicantRequest).order_by(ApplicantRequest.id))
        robins = list(robins)[-1]
        robins.due_at = datetime.now(UTC) - timedelta(days=2)
        db.session.commit()
    page = _visible(_signed_in(app, hr_email).get("/hr/requests").text)
    assert page.index("Robin Early") < page.index("Sam Later")
    assert page.count("Overdue") == 1
    assert page.index("Overdue") < page.index("Robin Early")  # on Robin's row, before the name


def test_a_second_request_of_the_same_kind_while_one_waits_is_not_made_twice(app: Flask) -> None:
    token, _ = _decided(app)
    applicant = app.test_client()
    applicant.post(f"/apply/{token}/requests", data={"kind": "review", "message": MESSAGE})
    again = applicant.post(f"/apply/{token}/requests", data={"kind": "review"},
                           follow_redirects=True)
    assert "You have already asked this" in again.text
    applicant.post(f"/apply/{token}/requests", data={"kind": "explanation"})
    with app.app_context():
        kinds = sorted(db.session.scalars(select(ApplicantRequest.kind)))
    assert kinds == [RequestKind.EXPLANATION, RequestKind.REVIEW]


def test_an_applicant_sees_and_asks_only_on_their_own_link(app: Flask) -> None:
    mine, my_submission = _decided(app, name="Mine Applicant", email="mine@example.com")
    theirs, their_submission = _decided(app, name="Other Applicant", email="other@example.com")
    app.test_client().post(f"/apply/{mine}/requests", data={"kind": "review", "message": MESSAGE})

    other = app.test_client()
    their_page = other.get(f"/apply/{theirs}/requests")
    assert their_page.status_code == 200 and MESSAGE not in their_page.text
    assert "What you have asked" not in their_page.text
    other.post(f"/apply/{theirs}/requests", data={"kind": "explanation", "message": "Mine."})
    with app.app_context():
        by_submission = dict(db.session.execute(
            select(ApplicantRequest.submission_id, ApplicantRequest.message)).all())
        request_id = db.session.scalar(select(ApplicantRequest.id).where(
            ApplicantRequest.submission_id == my_submission))
    assert by_submission == {my_submission: MESSAGE, their_submission: "Mine."}

    # The HR page is no applicant's: a link holder, signed out, is sent to sign in.
    refused = other.post(f"/hr/requests/{request_id}", data={"answer": "Forged."})
    assert refused.status_code == 302 and "/login" in refused.location
    with app.app_context():
        assert db.session.get_one(ApplicantRequest, request_id).answered_at is None


def test_requests_wait_for_the_answers_to_be_submitted(app: Flask) -> None:
    with app.app_context():
        position = create_position(questionnaire="frontline-short")
        invitation = create_invitation(position)
        create_submission(invitation, submit=False)
        token = invitation.token
    client = app.test_client()
    assert client.get(f"/apply/{token}/requests").status_code == 404
    assert client.post(f"/apply/{token}/requests", data={"kind": "review"}).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(ApplicantRequest.id)) is None


def test_managers_cannot_open_hr_request_pages(app: Flask) -> None:
    token, _ = _decided(app)
    app.test_client().post(f"/apply/{token}/requests", data={"kind": "review"})
    with app.app_context():
        manager_email = db.session.scalar(select(User.email).where(User.role == Role.MANAGER))
        request_id = db.session.scalar(select(ApplicantRequest.id))
    manager = _signed_in(app, manager_email)
    assert manager.get("/hr/requests").status_code == 403
    assert manager.get(f"/hr/requests/{request_id}").status_code == 403
    assert manager.post(f"/hr/requests/{request_id}", data={"answer": "x"}).status_code == 403
    with app.app_context():
        assert db.session.get_one(ApplicantRequest, request_id).answered_at is None


@pytest.fixture
def csrf_app(make_app) -> Flask:
    return make_app({"WTF_CSRF_ENABLED": True})


def test_requests_and_answers_need_the_forms_csrf_token(csrf_app: Flask) -> None:
    token, _ = _decided(csrf_app)
    applicant = csrf_app.test_client()
    refused = applicant.post(f"/apply/{token}/requests",
                             data={"kind": "review", "message": MESSAGE})
    assert refused.status_code == 200 and "Your session had expired" in refused.text
    assert MESSAGE in html.unescape(refused.text)  # what they typed, ready to send again
    with csrf_app.app_context():
        assert db.session.scalar(select(ApplicantRequest.id)) is None

    form = applicant.get(f"/apply/{token}/feedback").text
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    applicant.post(f"/apply/{token}/requests",
                   data={"kind": "review", "message": MESSAGE, "csrf_token": csrf})
    with csrf_app.app_context():
        request_id = db.session.scalar(select(ApplicantRequest.id))
        hr_email = create_user(Role.HR).email
    assert request_id is not None

    staff = csrf_app.test_client()
    login = staff.get("/login").text
    login_csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login).group(1)
    staff.post("/login", data={"email": hr_email, "password": PASSWORD, "csrf_token": login_csrf})
    assert staff.post(f"/hr/requests/{request_id}", data={"answer": ANSWER}).status_code == 400
    with csrf_app.app_context():
        assert db.session.get_one(ApplicantRequest, request_id).answered_at is None


def test_erasure_removes_the_request_and_answer_text(make_app) -> None:
    with mailing_app(make_app) as (app, _inbox):
        with app.app_context():
            hr_email = create_user(Role.HR).email
        token, submission_id = _decided(app)
        app.test_client().post(f"/apply/{token}/requests",
                               data={"kind": "review", "message": MESSAGE})
        with app.app_context():
            request_id = db.session.scalar(select(ApplicantRequest.id))
        _signed_in(app, hr_email).post(f"/hr/requests/{request_id}", data={"answer": ANSWER})
        with app.app_context():
            applicant_id = db.session.get_one(Submission, submission_id).invitation.applicant_id
            retention.erase(db.session, applicant_id, None, via="test")
        with app.app_context():
            request = db.session.get_one(ApplicantRequest, request_id)
            assert MESSAGE not in request.message and ANSWER not in request.answer
            assert request.kind is RequestKind.REVIEW and request.answered_at is not None
            for needle in (MESSAGE, ANSWER):
                assert not db.session.scalars(select(OutgoingEmail.id).where(
                    OutgoingEmail.body_text.contains(needle))).all()
                assert not db.session.scalars(select(AuditEvent.id).where(
                    cast(AuditEvent.detail, Text).contains(needle))).all()


def test_requests_from_one_address_are_rate_limited(app: Flask, make_app) -> None:
    # ``app`` too: its teardown turns the shared limiter back off for later tests.
    # A fresh in-memory store per app keeps the count apart; no key prefix, which
    # Flask-Limiter would keep for the rest of the process.
    app = make_app({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    token, _ = _decided(app)
    client = app.test_client()
    statuses = [client.post(f"/apply/{token}/requests", data={"kind": "review"}).status_code
                for _ in range(11)]
    assert statuses[:10] == [302] * 10 and statuses[10] == 429
    assert client.get(f"/apply/{token}/requests").status_code == 200  # reading is not limited
