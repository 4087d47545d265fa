"""Greenhouse's Assessment Partner API against a fake Greenhouse on loopback: list the
tests, send one, the candidate completes it through the real applicant pages, and the
completion callback reaches Greenhouse with the spec's method, body and authentication,
retried until Greenhouse takes it."""

from __future__ import annotations

import base64
import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pdfplumber
import pytest
import schemathesis
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import (
    Applicant,
    AtsConnection,
    AtsRequest,
    AuditEvent,
    Invitation,
    Job,
    JobStatus,
    Position,
    Role,
    Submission,
    User,
)
from screening.services import ats_callbacks, ats_connections, jobs, journey
from screening.web.apply import timing
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
    sign_in,
    visible_text,
)
from tests.integration.test_walking_skeleton import ReadingClock, complete_questionnaire
from tests.smtp_server import body_text, smtp_server

HTTPS = "https://localhost"
#: The servers entry of the Greenhouse paths in openapi.yaml: the WSGI calls need it whole.
GREENHOUSE_BASE = "https://localhost/integrations/greenhouse"


# -- a fake Greenhouse: records every callback, can be told to fail the first N ---------


@dataclass
class ReceivedCallback:
    method: str
    path: str
    authorization: str
    body: bytes


@dataclass
class FakeGreenhouse:
    port: int
    received: list[ReceivedCallback] = field(default_factory=list)
    failures_left: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@contextmanager
def fake_greenhouse() -> Iterator[FakeGreenhouse]:
    state = FakeGreenhouse(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_PATCH(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            state.received.append(ReceivedCallback(
                "PATCH", self.path, self.headers.get("Authorization", ""),
                self.rfile.read(length)))
            failing = state.failures_left > 0
            state.failures_left -= 1 if failing else 0
            self.send_response(503 if failing else 200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def basic(key: str) -> dict[str, str]:
    """How Greenhouse authenticates: the key as the user name, then a colon, Base64."""
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


def send_test_body(partner_test_id: str, callback_url: str, **candidate: str) -> dict[str, Any]:
    """The body of the spec's send_test example."""
    return {
        "partner_test_id": partner_test_id,
        "candidate": {
            "first_name": "Harry", "last_name": "Potter",
            "resume_url": "https://hogwarts.example/resume",
            "phone_number": "123-456-7890", "email": "hpotter@example.com",
            "greenhouse_profile_url":
                "https://app.greenhouse.io/people/17681532?application_id=26234709",
            **candidate,
        },
        "url": callback_url,
    }


def make_connection(admin, positions=(), *, secret_key: str, all_positions=False,
                    name="Greenhouse") -> tuple[AtsConnection, str]:
    connection, key = ats_connections.create(
        db.session, name=name, all_positions=all_positions, positions=list(positions),
        created_by=admin, secret_key=secret_key)
    db.session.commit()
    return connection, key


def job_for(request_id: int) -> Job | None:
    found = [job for job in db.session.scalars(select(Job).where(Job.kind == ats_callbacks.KIND))
             if job.payload == {"ats_request_id": request_id}]
    assert len(found) <= 1
    return found[0] if found else None


# -- the whole path, as the "done when" describes it ---------------------------------


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "ATS_ALLOW_LOOPBACK_HTTP": 1}


def test_list_send_complete_and_callback_retried_until_greenhouse_takes_it(
        app: Flask, make_app, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing, "time", ReadingClock())  # read like a person: a banded result
    with smtp_server() as (inbox, smtp_port), fake_greenhouse() as greenhouse:
        app = make_app({"ATS_ALLOW_LOOPBACK_HTTP": 1, "SMTP_HOST": "127.0.0.1",
                        "SMTP_PORT": smtp_port, "SMTP_STARTTLS": 0})
        admin_client = app.test_client()
        with app.app_context():
            admin = create_user(Role.ADMIN)
            manager = create_user(Role.MANAGER, name="Quinn Manager")
            allowed = create_position(managers=[manager], title="Café counter",
                                      questionnaire="frontline-short")
            create_position(title="Night desk")  # not given to the connection
            archived = create_position(title="Old kiosk")
            archived.archived = True
            db.session.commit()
            allowed_id, archived_id = allowed.id, archived.id
            questionnaire_title = allowed.questionnaire_version.title
            admin_email, manager_email = admin.email, manager.email

        # An admin makes the connection; its key is on the page once.
        sign_in(admin_client, admin_email)
        created = admin_client.post("/admin/ats-connections", data={
            "name": "Greenhouse (Acme)", "positions": [str(allowed_id), str(archived_id)]})
        assert created.status_code == 422  # the archived position is no choice
        created = admin_client.post("/admin/ats-connections", data={
            "name": "Greenhouse (Acme)", "positions": [str(allowed_id)]})
        assert created.status_code == 200, created.text
        key = re.search(r'id="ats-key" class="copy-link" readonly value="([^"]+)"',
                        created.text).group(1)
        assert "http://localhost/integrations/greenhouse/send_test" in created.text
        assert key not in admin_client.get("/admin/ats-connections").text

        ats = app.test_client()
        listed = ats.get("/integrations/greenhouse/list_tests", headers=basic(key))
        assert listed.status_code == 200
        assert listed.json == [{"partner_test_id": str(allowed_id),
                                "partner_test_name": f"Café counter — {questionnaire_title}"}]

        callback = greenhouse.url("/integrations/testing_partners/take_home_tests/12345")
        body = send_test_body(str(allowed_id), callback)
        sent = ats.post("/integrations/greenhouse/send_test", json=body, headers=basic(key))
        assert sent.status_code == 200, sent.text
        interview_id = sent.json["partner_interview_id"]
        assert isinstance(interview_id, str) and len(interview_id) >= 24
        # Greenhouse retrying the same test gets the same id and no second invitation.
        again = ats.post("/integrations/greenhouse/send_test", json=body, headers=basic(key))
        assert again.json == {"partner_interview_id": interview_id}
        with app.app_context():
            assert db.session.scalar(select(func.count(Invitation.id))) == 1
            applicant = db.session.scalar(select(Applicant))
            assert (applicant.name, applicant.email) == ("Harry Potter", "hpotter@example.com")
            assert applicant.position_id == allowed_id

        status = ats.get(f"/integrations/greenhouse/test_status?partner_interview_id="
                         f"{interview_id}", headers=basic(key))
        assert status.json == {"partner_status": "invited"}

        # The candidate gets the invitation email, as from a manager, and completes it.
        runner = app.test_cli_runner()
        assert "sent 1, failed 0" in runner.invoke(args=["outbox", "send"]).output
        [invitation_email] = inbox.wait_for(1)
        assert invitation_email["To"] == "hpotter@example.com"
        token = re.search(r"http://localhost/apply/(\S+)", body_text(invitation_email)).group(1)
        with app.app_context():
            complete_questionnaire(app.test_client(), token)

        # Greenhouse is down for the first two calls: the job is tried again after back-off.
        greenhouse.failures_left = 2
        with app.app_context():
            request_row = db.session.scalar(select(AtsRequest))
            job = job_for(request_row.id)
            assert job is not None and job.status is JobStatus.PENDING
            job_id = job.id
            first = jobs.run(db.session, job_id, app.config)
            assert first.status is JobStatus.PENDING and "503" in first.error
            request_id = request_row.id
        # The admin sees a callback Greenhouse has not taken yet, and why.
        listed = visible_text(admin_client.get("/admin/ats-connections").text)
        assert "1 not taken yet (last answer: HTTP 503;" in listed
        with app.app_context():
            assert jobs.run(db.session, job_id, app.config).status is None  # not due yet
            second = jobs.run(db.session, job_id, app.config, now=first.retry_at)
            assert second.status is JobStatus.PENDING
            assert second.retry_at - first.retry_at >= timedelta(minutes=1)
            third = jobs.run(db.session, job_id, app.config, now=second.retry_at)
            assert third.status is JobStatus.DONE
            db.session.expire_all()
            request_row = db.session.get(AtsRequest, request_id)
            assert request_row.callback_attempts == 3
            assert request_row.callback_last_status == 200
            assert request_row.callback_delivered_at is not None
        listed = visible_text(admin_client.get("/admin/ats-connections").text)
        assert "1 completion callback taken" in listed and "not taken yet" not in listed

        assert [c.method for c in greenhouse.received] == ["PATCH"] * 3
        for received in greenhouse.received:
            assert received.path == "/integrations/testing_partners/take_home_tests/12345"
            assert received.authorization == basic(key)["Authorization"]
            assert received.body == b""  # "No parameters are necessary with this request."

        # Then Greenhouse reads the status: complete, advisory text, band, the PDF link.
        status = ats.get(f"/integrations/greenhouse/test_status?partner_interview_id="
                         f"{interview_id}", headers=basic(key))
        assert status.status_code == 200
        with app.app_context():
            submission_id = db.session.scalar(select(Invitation)).submission.id
        assert status.json["partner_status"] == "complete"
        assert status.json["partner_profile_url"] == \
            f"http://localhost/manage/submissions/{submission_id}/report.pdf"
        assert "partner_score" not in status.json
        metadata = status.json["metadata"]
        # Every keyed-best answer: the top band, as on the manager's page and PDF.
        assert metadata["Band"] == "Strong result"
        assert metadata["Result"].startswith("Strong result")
        assert metadata["Advisory"].startswith("Decision support, not a decision")
        assert all(isinstance(v, str | int | float | bool) for v in metadata.values())

        # The PDF link is for authorised users: a sign-in, then the manager's own summary,
        # which shows the band Greenhouse was given.
        assert app.test_client().get(status.json["partner_profile_url"]).status_code == 302
        manager_client = app.test_client()
        sign_in(manager_client, manager_email)
        pdf = manager_client.get(status.json["partner_profile_url"])
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        with pdfplumber.open(io.BytesIO(pdf.data)) as document:
            text = "\n".join(page.extract_text() or "" for page in document.pages)
        assert "Harry Potter" in text and "Strong result" in text

        with app.app_context():
            events = {e.action: e for e in db.session.scalars(select(AuditEvent))}
            assert {"ats_connection.created", "greenhouse.test_sent",
                    "greenhouse.status_read"} <= set(events)
            for event in events.values():
                assert "hpotter" not in str(event.detail) and "Potter" not in str(event.detail)
                assert key not in str(event.detail)


# -- refusals ------------------------------------------------------------------------------------


@pytest.fixture
def connection_setup(app: Flask) -> dict[str, Any]:
    """A connection given position A only (ids and its key: no session stays open)."""
    with app.app_context():
        admin = create_user(Role.ADMIN)
        position_a = create_position(title="Position A")
        position_b = create_position(title="Position B")
        connection, key = make_connection(admin, [position_a],
                                          secret_key=app.config["SECRET_KEY"])
        return {"admin": admin.id, "a": position_a.id, "b": position_b.id, "key": key,
                "connection": connection.id}


def test_wrong_revoked_or_missing_keys_are_refused(app: Flask, connection_setup) -> None:
    client = app.test_client()
    path = "/integrations/greenhouse/list_tests"
    key = connection_setup["key"]
    for headers in ({}, basic(key[:-3] + "abc"), {"Authorization": f"Bearer {key}"}):
        refused = client.get(path, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["WWW-Authenticate"].startswith("Basic")
        assert refused.json["errors"]
    assert client.get(path, headers=basic(key)).status_code == 200
    with app.app_context():
        ats_connections.revoke(db.session, connection_setup["connection"],
                               db.session.get(User, connection_setup["admin"]))
        db.session.commit()
        assert db.session.scalar(select(AuditEvent.action).where(
            AuditEvent.action == "ats_connection.revoked")) is not None
    assert client.get(path, headers=basic(key)).status_code == 401


def test_plain_http_is_refused_unless_allowed_for_loopback(app: Flask, make_app,
                                                           connection_setup) -> None:
    strict = make_app({"ATS_ALLOW_LOOPBACK_HTTP": 0})
    path = "/integrations/greenhouse/list_tests"
    refused = strict.test_client().get(path, headers=basic(connection_setup["key"]))
    assert refused.status_code == 403
    assert "https" in refused.json["errors"][0]
    served = strict.test_client().get(path, headers=basic(connection_setup["key"]),
                                      base_url=HTTPS)
    assert served.status_code == 200


def test_a_connection_cannot_send_a_position_it_was_not_given(app: Flask,
                                                              connection_setup) -> None:
    client = app.test_client()
    key = connection_setup["key"]
    listed = client.get("/integrations/greenhouse/list_tests", headers=basic(key)).json
    assert [t["partner_test_id"] for t in listed] == [str(connection_setup["a"])]
    for test_id in (str(connection_setup["b"]), "999999", "not-a-number"):
        refused = client.post("/integrations/greenhouse/send_test", headers=basic(key),
                              json=send_test_body(test_id, "https://app.greenhouse.io/t/1"))
        assert refused.status_code == 404, test_id
        assert "list_tests" in refused.json["errors"][0]
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_a_bad_send_test_body_lists_every_problem(app: Flask, connection_setup) -> None:
    client = app.test_client()
    key = connection_setup["key"]
    body = send_test_body(str(connection_setup["a"]), "ftp://app.greenhouse.io/t/1",
                          email="not an address")
    del body["candidate"]["last_name"]
    refused = client.post("/integrations/greenhouse/send_test", headers=basic(key), json=body)
    assert refused.status_code == 400
    errors = " ".join(refused.json["errors"])
    assert "candidate.last_name is required" in errors
    assert "candidate.email is not a valid email address" in errors
    assert "url cannot receive the completion callback" in errors
    not_json = client.post("/integrations/greenhouse/send_test", headers=basic(key),
                           data="partner_test_id=1")
    assert not_json.status_code == 400 and "JSON object" in not_json.json["errors"][0]
    with app.app_context():
        assert db.session.scalar(select(func.count(Invitation.id))) == 0


def test_status_of_another_connections_test_is_not_found(app: Flask,
                                                         connection_setup) -> None:
    client = app.test_client()
    sent = client.post("/integrations/greenhouse/send_test",
                       headers=basic(connection_setup["key"]),
                       json=send_test_body(str(connection_setup["a"]),
                                           "https://app.greenhouse.io/t/77"))
    interview_id = sent.json["partner_interview_id"]
    with app.app_context():
        admin = db.session.get(User, connection_setup["admin"])
        _, other_key = make_connection(admin, all_positions=True, name="Other customer",
                                       secret_key=app.config["SECRET_KEY"])
    path = f"/integrations/greenhouse/test_status?partner_interview_id={interview_id}"
    assert client.get(path, headers=basic(connection_setup["key"])).status_code == 200
    assert client.get(path, headers=basic(other_key)).status_code == 404
    missing = client.get("/integrations/greenhouse/test_status",
                         headers=basic(connection_setup["key"]))
    assert missing.status_code == 400 and "partner_interview_id" in missing.json["errors"][0]


def test_a_callback_to_a_private_address_is_never_sent(app: Flask, connection_setup) -> None:
    """A URL that reaches our own network is refused when the callback is due: dead, with
    the reason for an admin, and nothing sent."""
    client = app.test_client()
    sent = client.post("/integrations/greenhouse/send_test",
                       headers=basic(connection_setup["key"]),
                       json=send_test_body(str(connection_setup["a"]), "https://10.1.2.3/t/9"))
    assert sent.status_code == 200
    with app.app_context():
        row = db.session.scalar(select(AtsRequest))
        job = ats_callbacks.queue_completion_callback(db.session, _submitted(row.invitation))
        db.session.commit()
        ran = jobs.run(db.session, job.id, app.config)
        assert ran.status is JobStatus.DEAD
        assert "private or reserved address" in ran.error
        assert db.session.get(AtsRequest, row.id).callback_delivered_at is None


def _submitted(invitation: Invitation) -> Submission:
    return create_submission(invitation)


def test_a_revoked_connection_sends_no_more_callbacks(app: Flask, connection_setup) -> None:
    client = app.test_client()
    sent = client.post("/integrations/greenhouse/send_test",
                       headers=basic(connection_setup["key"]),
                       json=send_test_body(str(connection_setup["a"]),
                                           "https://app.greenhouse.io/t/5"))
    assert sent.status_code == 200
    with app.app_context():
        row = db.session.scalar(select(AtsRequest))
        submission = _submitted(row.invitation)
        job = ats_callbacks.queue_completion_callback(db.session, submission)
        ats_connections.revoke(db.session, connection_setup["connection"], None)
        db.session.commit()
        ran = jobs.run(db.session, job.id, app.config)
        assert ran.status is JobStatus.DEAD and "revoked" in ran.error


def test_a_changed_secret_key_stops_callbacks_rather_than_send_a_wrong_key(
        app: Flask, connection_setup) -> None:
    with app.app_context():
        connection = db.session.get(AtsConnection, connection_setup["connection"])
        assert ats_connections.callback_key(connection, app.config["SECRET_KEY"]) == \
            connection_setup["key"]
        with pytest.raises(ats_connections.KeyNoLongerDerivable):
            ats_connections.callback_key(connection, "a rotated secret key")


def test_admin_page_keeps_what_was_typed_and_lists_without_the_key(
        app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        admin = create_user(Role.ADMIN)
        create_position(title="Harbour café")
        manager = create_user(Role.MANAGER)
        admin_email, manager_email = admin.email, manager.email
    sign_in(client, admin_email)
    refused = client.post("/admin/ats-connections", data={"name": "Greenhouse EU"})
    assert refused.status_code == 422
    assert "Choose the positions" in refused.text
    assert 'value="Greenhouse EU"' in refused.text
    made = client.post("/admin/ats-connections",
                       data={"name": "Greenhouse EU", "all_positions": "y"})
    assert made.status_code == 200
    page = client.get("/admin/ats-connections").text
    assert "Greenhouse EU" in page and "Every open position" in page
    with app.app_context():
        connection = db.session.scalar(select(AtsConnection))
        assert connection.revoked_at is None
        connection_id = connection.id
    revoked = client.post(f"/admin/ats-connections/{connection_id}/revoke")
    assert revoked.status_code == 302
    with app.app_context():
        assert db.session.get(AtsConnection, connection_id).revoked_at is not None
        actions = list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
        assert actions[-2:] == ["ats_connection.created", "ats_connection.revoked"]
    manager_client = client.application.test_client()
    sign_in(manager_client, manager_email)
    assert manager_client.get("/admin/ats-connections").status_code == 403


def test_the_callback_is_queued_with_the_submit_and_only_for_ats_tests(
        app: Flask, connection_setup) -> None:
    """A manager's own invitation owes Greenhouse nothing; an ATS's owes one callback."""
    client = app.test_client()
    client.post("/integrations/greenhouse/send_test", headers=basic(connection_setup["key"]),
                json=send_test_body(str(connection_setup["a"]), "https://app.greenhouse.io/t/8"))
    with app.app_context():
        position = db.session.get(Position, connection_setup["a"])
        walk_in = journey.start(db.session, create_invitation(position, name="Walk In"))
        from_ats = journey.start(db.session, db.session.scalar(select(AtsRequest)).invitation)
        db.session.commit()
        for submission in (walk_in, from_ats, from_ats):  # the second submit of one is a no-op
            journey.submit_and_notify(db.session, submission)
            db.session.commit()
        queued = list(db.session.scalars(select(Job).where(Job.kind == ats_callbacks.KIND)))
        assert [job.payload for job in queued] == [
            {"ats_request_id": db.session.scalar(select(AtsRequest.id))}]


def _fuzz(operation: Any, key: str, *, excluded: list[Any]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case: Any) -> None:
        response = case.call_and_validate(headers=basic(key), base_url=GREENHOUSE_BASE,
                                          excluded_checks=excluded)
        assert response.status_code < 500

    check()


def test_schemathesis_finds_no_server_error_in_the_greenhouse_endpoints(
        app: Flask, connection_setup) -> None:
    """Property-based requests from the OpenAPI file's Greenhouse operations, in-process,
    with a live key; every answer must match what the file documents."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.yaml", app)
    operations = [operation for operation in (r.ok() for r in schema.get_all_operations())
                  if "greenhouse" in (operation.tags or ())]
    assert sorted(operation.path for operation in operations) == [
        "/list_tests", "/response_error", "/send_test", "/test_status"]
    for operation in operations:
        # send_test checks what JSON Schema cannot say (an address email-validator accepts,
        # characters that break an email header, a URL's host): its 400s are expected.
        _fuzz(operation, connection_setup["key"],
              excluded=[positive_data_acceptance] if operation.path == "/send_test" else [])
    # A well-formed send reaches its 200, so the generated cases above were not all refused.
    send = next(o for o in operations if o.path == "/send_test")
    response = send.Case(body=send_test_body(str(connection_setup["a"]),
                                             "https://app.greenhouse.io/t/schema")
                         ).call_and_validate(headers=basic(connection_setup["key"]),
                                             base_url=GREENHOUSE_BASE)
    assert response.status_code == 200


def test_greenhouse_reporting_a_bad_answer_is_logged_without_the_candidates_email(
        app: Flask, connection_setup) -> None:
    reported = app.test_client().post(
        "/integrations/greenhouse/response_error", headers=basic(connection_setup["key"]),
        json={"api_call": "test_status", "partner_interview_id": "abc",
              "candidate_email": "hpotter@example.com",
              "errors": ["partner_status is 'complete' but partner_profile_url is missing"]})
    assert reported.status_code == 200
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "greenhouse.response_error"))
        assert event.detail == {"connection_id": connection_setup["connection"],
                                "api_call": "test_status", "error_count": 1}


def test_each_key_is_rate_limited(app: Flask, make_app, connection_setup) -> None:
    limited = make_app({"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://"})
    client = limited.test_client()
    path = "/integrations/greenhouse/list_tests"
    answers = [client.get(path, headers=basic(connection_setup["key"])).status_code
               for _ in range(121)]
    assert answers[:120] == [200] * 120
    assert answers[120] == 429
    refused = client.get(path, headers=basic(connection_setup["key"]))
    assert refused.is_json and refused.json["errors"]
