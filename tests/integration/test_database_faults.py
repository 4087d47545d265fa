"""The database goes away in the middle of an applicant's questionnaire, then comes back.

A small TCP proxy stands between the app and PostgreSQL. Cutting it drops every open
connection (the server side of each pooled connection is gone, as when PostgreSQL
restarts or the network fails) and refuses new ones until it is restored. The applicant
who posts an answer meanwhile gets a 503 "please retry" page that keeps what they sent;
nothing saved before is lost; once the database is back, pressing Send again saves the
answer once and the questionnaire finishes, submitted once.

Run with and without ``pool_pre_ping``: without it the app must still recover, because
SQLAlchemy invalidates the pool when a query meets a dead connection.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import re
import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import Answer, FormPost, Invitation, Submission, SubmissionStatus
from screening.services.journey import sequence_for
from screening.services.results import stored_answers
from tests.factories import (
    answer_from_form,
    create_invitation,
    create_position,
    hidden,
    keyed_best_form,
    page_fields,
)

pytestmark = pytest.mark.postgres(
    "the test cuts the network connection between the app and its database server; "
    "SQLite has none"
)

TYPED = ("I would thank him for waiting, explain that the delivery is late, and phone "
         "the depot while he is still at the desk so he leaves with a new date.")
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]*)" value="([^"]*)">')


class CuttableProxy:
    """127.0.0.1:<port> forwarding to PostgreSQL, with a switch to cut the connection."""

    def __init__(self, database_url: str) -> None:
        target = make_url(database_url)
        self.database_url = database_url
        self.target = (target.host or "127.0.0.1", target.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)  # the accept loop checks for close() this often
        self.port = self.listener.getsockname()[1]
        self.up = threading.Event()
        self.up.set()
        self.closing = threading.Event()
        self.lock = threading.Lock()
        self.live: set[socket.socket] = set()
        self.threads: list[threading.Thread] = []
        self.refused = 0
        self._start(self._accept_loop)

    def _start(self, target, *args) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self.threads.append(thread)
        thread.start()

    def _accept_loop(self) -> None:
        while not self.closing.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            if not self.up.is_set():
                # Down: hang up at once, as a stopped server's closed port would.
                self.refused += 1
                client.close()
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            client.settimeout(None)
            server.settimeout(None)
            with self.lock:
                self.live.update((client, server))
            self._start(self._relay, client, server)

    def _relay(self, client: socket.socket, server: socket.socket) -> None:
        back = threading.Thread(target=_pump, args=(server, client), daemon=True)
        back.start()
        _pump(client, server)
        back.join(timeout=10)
        with self.lock:
            self.live.difference_update((client, server))
        client.close()
        server.close()

    def cut(self) -> None:
        """Drop every open connection and refuse new ones until ``restore``."""
        self.up.clear()
        with self.lock:
            doomed = list(self.live)
        for sock in doomed:
            _hang_up(sock)  # wakes both pumps; the relay thread closes the sockets

    def restore(self) -> None:
        self.up.set()

    def close(self) -> None:
        self.cut()
        self.closing.set()
        for thread in self.threads:
            thread.join(timeout=10)
        self.listener.close()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):  # a side hung up mid-transfer: stop relaying
        for _ in range(10_000_000):  # bounded; ends when either side hangs up
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    _hang_up(source)
    _hang_up(sink)


def _hang_up(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already shut down or closed
        sock.shutdown(socket.SHUT_RDWR)


@pytest.fixture
def proxy(migrated_database: str) -> Iterator[CuttableProxy]:
    running = CuttableProxy(migrated_database)
    yield running
    running.close()


def proxied_url(proxy: CuttableProxy) -> str:
    """The test database (this worker's), reached through the proxy."""
    url = make_url(proxy.database_url).set(host="127.0.0.1", port=proxy.port,
                                           query={"connect_timeout": "5"})
    return url.render_as_string(hide_password=False)


def answer_fields(item: Item) -> dict[str, str]:
    if item.format is ResponseFormat.FREE_TEXT:
        return {"text": TYPED}
    return keyed_best_form(item)


@pytest.mark.parametrize("pre_ping", [True, False], ids=["pool_pre_ping", "no_pre_ping"])
def test_database_lost_mid_questionnaire_keeps_every_answer(
    app: Flask, make_app, proxy: CuttableProxy, pre_ping: bool
) -> None:
    with app.app_context():
        token = create_invitation(create_position()).token
    served = make_app({
        "DATABASE_URL": proxied_url(proxy),
        "WTF_CSRF_ENABLED": True,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": pre_ping},
    })
    client = served.test_client()
    base = f"/apply/{token}"

    welcome = client.get(base).text
    consent = client.post(base, data={"consent": "y", "csrf_token": hidden(welcome, "csrf_token")})
    assert consent.headers["Location"].endswith(f"{base}/practice")
    practice = client.get(f"{base}/practice").text
    started = client.post(f"{base}/practice", data=page_fields(practice))
    assert started.headers["Location"].endswith(f"{base}/q/1")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        items = sequence_for(invitation.submission).items
    # The cut comes on a written answer after a few saved ones: the most typing to lose.
    cut_at = next((n for n, item in enumerate(items, 1)
                   if n >= 4 and item.format is ResponseFormat.FREE_TEXT), 4)
    posted: dict[str, dict[str, str]] = {}
    posts = 0

    def answer(number: int) -> None:
        nonlocal posts
        page = client.get(f"{base}/q/{number}")
        assert page.status_code == 200, number
        fields = answer_fields(items[number - 1])
        reply = client.post(f"{base}/q/{number}",
                            data={**page_fields(page.text), **fields, "action": "next"})
        assert reply.status_code == 302, (number, reply.status_code)
        posted[items[number - 1].id] = fields
        posts += 1

    for number in range(1, cut_at):
        answer(number)

    path = f"{base}/q/{cut_at}"
    form = {**page_fields(client.get(path).text), **answer_fields(items[cut_at - 1]),
            "action": "next"}
    proxy.cut()
    refused = client.post(path, data=form)

    assert refused.status_code == 503
    assert refused.headers["Retry-After"] == "30"
    assert "Please retry in a moment" in refused.text
    assert "Nothing you saved before has been lost" in refused.text
    for leak in ("Traceback", "OperationalError", "psycopg", "127.0.0.1", str(proxy.port)):
        assert leak not in refused.text
    # The page keeps what was sent, field by field, idempotency key included.
    assert f'<form method="post" action="{path}">' in refused.text
    kept = {html.unescape(name): html.unescape(value)
            for name, value in HIDDEN_INPUT.findall(refused.text)}
    assert kept == form
    # A page the applicant merely opens gets the same notice, with nothing to send again.
    opened = client.get(f"{base}/q/1")
    assert opened.status_code == 503 and "Send again" not in opened.text
    # Pressing Send again while the database is still away changes nothing either.
    assert client.post(path, data=kept).status_code == 503
    assert proxy.refused >= 1

    with app.app_context():  # straight to PostgreSQL, not through the proxy
        submission = db.session.scalar(select(Submission))
        saved = stored_answers(submission)
        assert set(saved) == {item.id for item in items[:cut_at - 1]}

    proxy.restore()
    resent = client.post(path, data=kept)
    assert resent.status_code == 302
    assert resent.headers["Location"].endswith(f"{base}/q/{cut_at + 1}"
                                               if cut_at < len(items) else f"{base}/review")
    posted[items[cut_at - 1].id] = answer_fields(items[cut_at - 1])
    posts += 1
    # The same form once more, as a second press would: already saved, nothing added.
    assert client.post(path, data=kept).headers["Location"] == resent.headers["Location"]

    for number in range(cut_at + 1, len(items) + 1):
        answer(number)
    review = client.get(f"{base}/review")
    assert "You have answered every question." in review.text
    submitted = client.post(f"{base}/review", data={
        "csrf_token": hidden(review.text, "csrf_token"),
        "idempotency_key": hidden(review.text, "idempotency_key"),
    })
    assert submitted.headers["Location"].endswith(f"{base}/done")
    assert "We have your answers" in client.get(f"{base}/done").text

    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 1
        submission = db.session.scalar(select(Submission))
        assert submission.status is SubmissionStatus.SUBMITTED
        assert db.session.scalar(select(func.count(Answer.id))) == len(items)
        saved = stored_answers(submission)
        for item in items:
            expected = answer_from_form(item, posted[item.id])
            assert dataclasses.replace(saved[item.id], seconds=None) == \
                dataclasses.replace(expected, seconds=None), item.id
        # One key row per answer post and one for the submit: the resends added none.
        assert db.session.scalar(select(func.count(FormPost.id))) == posts + 1
