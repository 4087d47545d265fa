"""Two app servers, one PostgreSQL: whichever server answers, the applicant's work is safe.

Two gunicorn processes serve wsgi.py on two loopback ports with the same SECRET_KEY and
database and nothing else in common (each its own instance folder). One applicant's
requests alternate between them, as behind a load balancer without sticky sessions:
every form is fetched from one server and posted to the other, so the session cookie
and CSRF token one server issued must be accepted by the other. Then a manager
downloads a PDF report rendered by one server, and the other serves it from the
``report_cache`` table they share.
"""

from __future__ import annotations

import dataclasses
import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest
from flask import Flask
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import Answer, FormPost, Invitation, Role, Submission, SubmissionStatus
from screening.services.journey import sequence_for
from screening.services.results import stored_answers
from tests.factories import (
    PASSWORD,
    answer_from_form,
    create_invitation,
    create_position,
    create_user,
    hidden,
    keyed_best_form,
    page_fields,
)

pytestmark = [
    pytest.mark.postgres("two server processes share one database server, which a test's "
                         "SQLite file is not meant to be"),
    pytest.mark.commits,  # the servers are other processes
]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SESSION_COOKIE = re.compile(r"(?:^|,\s*)session=([^;]*)")


class Server:
    """gunicorn serving wsgi.py on a free loopback port; stopped by ``stop``."""

    def __init__(self, name: str, environment: dict[str, str], folder: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.name = name
        self.log = folder / f"gunicorn-{name}.log"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", "1", "-k", "gthread", "--threads", "2",
             "-b", f"127.0.0.1:{self.port}", "--error-logfile", str(self.log), "wsgi:app"],
            cwd=PROJECT_ROOT, env={**environment, "SCREENING_INSTANCE_PATH": str(folder / name)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"server {self.name} exited:\n{self.log.read_text()[-3000:]}")
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            try:
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass  # not listening yet
            finally:
                connection.close()
            time.sleep(0.2)
        pytest.fail(f"server {self.name} did not answer within 60 s")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


@pytest.fixture
def servers(app: Flask, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """Two servers on the test database; ``app`` emptied its tables first."""
    environment = {
        **os.environ,
        "SCREENING_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SCREENING_SECRET_KEY": secrets.token_hex(32),
        "SCREENING_BASE_URL": "http://127.0.0.1",
    }
    started: list[Server] = []
    try:
        for name in ("a", "b"):
            started.append(Server(name, environment, tmp_path))
        for server in started:
            server.wait_until_ready()
        yield started[0], started[1]
    finally:
        for server in started:
            server.stop()


@dataclasses.dataclass
class Reply:
    status: int
    location: str
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


class Browser:
    """One browser's session cookie; each request goes to the port it is given."""

    def __init__(self) -> None:
        self.cookie: str | None = None
        self.answered_by: list[int] = []

    def request(self, server: Server, method: str, path: str,
                form: dict[str, str] | None = None) -> Reply:
        headers = {"Host": "127.0.0.1"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for cookie in response.msg.get_all("Set-Cookie") or []:
            match = SESSION_COOKIE.search(cookie)
            if match:
                self.cookie = match.group(1) or None
        self.answered_by.append(server.port)
        location = response.getheader("Location", "")
        return Reply(response.status, location, response.msg, data)


def test_one_applicant_across_two_servers_then_a_report_from_the_shared_cache(
    app: Flask, servers: tuple[Server, Server]
) -> None:
    a, b = servers
    with app.app_context():
        manager = create_user(Role.MANAGER, email="scaleout-manager@example.com")
        position = create_position(managers=[manager])
        token = create_invitation(position).token
    base = f"/apply/{token}"
    browser = Browser()
    turns = iter([a, b] * 100)  # bounded: far more requests than one questionnaire needs

    def send(method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        return browser.request(next(turns), method, path, form)

    welcome = send("GET", base)
    assert welcome.status == 200
    consent = send("POST", base, {"consent": "y", "csrf_token": hidden(welcome.text, "csrf_token")})
    assert consent.status == 302 and consent.location.endswith(f"{base}/practice")
    practice = send("GET", f"{base}/practice")
    started = send("POST", f"{base}/practice", page_fields(practice.text))
    assert started.status == 302 and started.location.endswith(f"{base}/q/1")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        items = sequence_for(invitation.submission).items

    posts = 0
    for number, item in enumerate(items, 1):
        page = send("GET", f"{base}/q/{number}")
        assert page.status == 200, number
        form = {**page_fields(page.text), **keyed_best_form(item), "action": "next"}
        reply = send("POST", f"{base}/q/{number}", form)
        assert reply.status == 302, (number, reply.status, reply.text[:300])
        expected = f"{base}/q/{number + 1}" if number < len(items) else f"{base}/review"
        assert reply.location.endswith(expected), reply.location
        posts += 1
        if number == 2:
            # The same form resent to the server that did not save it: carried out once.
            again = send("POST", f"{base}/q/{number}", form)
            assert (again.status, again.location) == (reply.status, reply.location)
    review = send("GET", f"{base}/review")
    assert "You have answered every question." in review.text
    submitted = send("POST", f"{base}/review", {
        "csrf_token": hidden(review.text, "csrf_token"),
        "idempotency_key": hidden(review.text, "idempotency_key"),
    })
    assert submitted.status == 302 and submitted.location.endswith(f"{base}/done")
    assert send("GET", f"{base}/done").status == 200
    # Every form was fetched from one server and posted to the other.
    assert browser.answered_by.count(a.port) >= len(items) + 2
    assert browser.answered_by.count(b.port) >= len(items) + 2

    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 1
        submission = db.session.scalar(select(Submission))
        assert submission.status is SubmissionStatus.SUBMITTED
        assert db.session.scalar(select(func.count(Answer.id))) == len(items)
        saved = stored_answers(submission)
        for item in items:
            expected_answer = answer_from_form(item, keyed_best_form(item))
            assert dataclasses.replace(saved[item.id], seconds=None) == \
                dataclasses.replace(expected_answer, seconds=None), item.id
        assert db.session.scalar(select(func.count(FormPost.id))) == posts + 1
        submission_id = submission.id

    manager_browser = Browser()
    login = manager_browser.request(a, "GET", "/login")
    signed_in = manager_browser.request(b, "POST", "/login", {
        "email": "scaleout-manager@example.com", "password": PASSWORD,
        "csrf_token": hidden(login.text, "csrf_token"),
    })
    assert signed_in.status == 302 and signed_in.location.endswith("/manage/")
    path = f"/manage/submissions/{submission_id}/report.pdf"
    rendered = manager_browser.request(a, "GET", path)
    assert rendered.status == 200 and rendered.body.startswith(b"%PDF")
    assert rendered.headers["X-Report-Cache"] == "miss"
    cached = manager_browser.request(b, "GET", path)
    assert cached.status == 200
    assert cached.headers["X-Report-Cache"] == "hit"  # B never rendered it: the shared table
    assert cached.body == rendered.body
