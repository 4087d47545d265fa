"""A refused sign-in tells nothing about the account: one message, the same work, and the
lock-out told to the account's owner by email instead of to whoever is trying."""

from __future__ import annotations

import random
import time
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import OutgoingEmail, Role, User, utcnow
from tests.factories import PASSWORD, create_user, visible_text

REFUSAL = ("That email and password did not sign you in. After five failed attempts an "
           "account is locked for 15 minutes, and its owner is told by email.")
WRONG = "not the password at all"


def accounts_of_every_kind(app: Flask) -> dict[str, str]:
    """kind of refusal -> the email to try: no account, disabled, locked, wrong password."""
    with app.app_context():
        disabled = create_user(Role.HR, active=False)
        locked = create_user(Role.HR, locked_until=utcnow() + timedelta(minutes=10))
        active = create_user(Role.HR)
        return {"unknown": "nobody-here@example.com", "disabled": disabled.email,
                "locked": locked.email, "wrong password": active.email}


def sign_in_page(client: FlaskClient, email: str, password: str) -> str:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 200  # refused: the form again, never a redirect
    return visible_text(response.text)


def test_every_refusal_reads_the_same(app: Flask, client: FlaskClient) -> None:
    emails = accounts_of_every_kind(app)
    pages = {kind: sign_in_page(client, email, WRONG) for kind, email in emails.items()}
    assert REFUSAL in pages["unknown"]
    assert {kind: page == pages["unknown"] for kind, page in pages.items()} == \
        dict.fromkeys(pages, True)
    # The right password changes nothing for a disabled or a locked account.
    for kind in ("disabled", "locked"):
        assert sign_in_page(client, emails[kind], PASSWORD) == pages["unknown"]


@pytest.mark.real_password_hashing
def test_every_refusal_takes_as_long(app: Flask, client: FlaskClient) -> None:
    """Fastest times within 50% of each other, with real Argon2 work on every path.

    The kinds take turns in a shuffled order, so a slow moment of the machine (other
    test workers) falls on all of them alike; and each kind's fastest run is its own
    cost with the least of that noise, where a path that skipped the hash would be
    several times faster however busy the machine is (the hash is most of a refusal's
    time). 50%, not less: on a loaded two-core CI machine the fastest of 12 runs of
    equal paths was seen 27% apart, while a skipped hash is a factor of five or more.
    """
    emails = accounts_of_every_kind(app)
    seconds: dict[str, list[float]] = {kind: [] for kind in emails}
    order = list(emails)
    shuffler = random.Random(22)
    sign_in_page(client, emails["unknown"], WRONG)  # warm up: templates compiled once
    for _ in range(12):
        shuffler.shuffle(order)
        for kind in order:
            started = time.perf_counter()
            sign_in_page(client, emails[kind], WRONG)
            seconds[kind].append(time.perf_counter() - started)
        with app.app_context():  # keep "wrong password" from turning into "locked"
            db.session.execute(db.update(User).where(User.email == emails["wrong password"])
                               .values(failed_logins=0))
            db.session.commit()
    fastest = {kind: min(times) for kind, times in seconds.items()}
    assert max(fastest.values()) <= 1.5 * min(fastest.values()), fastest


class TestLockOutEmail:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        # A mail server configured (never reached: the message is only queued here).
        return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 9, "SMTP_STARTTLS": 0,
                "MAIL_FROM": "jobs@example.com"}

    def test_the_owner_is_told_of_a_lock_out_by_email(self, app: Flask,
                                                      client: FlaskClient) -> None:
        with app.app_context():
            owner = create_user(Role.MANAGER, name="Olga Owner")
            email = owner.email
        pages = [sign_in_page(client, email, WRONG) for _ in range(5)]
        assert all(REFUSAL in page for page in pages)
        # Locked now: the right password is refused with the same words.
        assert REFUSAL in sign_in_page(client, email, PASSWORD)
        with app.app_context():
            [notice] = db.session.scalars(select(OutgoingEmail)
                                          .where(OutgoingEmail.kind == "lockout")).all()
            locked_until = db.session.scalar(select(User.locked_until)
                                             .where(User.email == email))
        assert notice.recipient == email
        assert "Hello Olga Owner" in notice.body_text
        assert f"locked until {locked_until:%d %b %Y, %H:%M} UTC" in notice.body_text


class TestRateLimit:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "RATELIMIT_ENABLED": True}

    def test_sign_in_attempts_from_one_address_are_still_limited(
        self, app: Flask, client: FlaskClient
    ) -> None:
        statuses = [client.post("/login", data={"email": f"nobody{n}@example.com",
                                                 "password": WRONG}).status_code
                    for n in range(11)]
        assert statuses == [200] * 10 + [429]
