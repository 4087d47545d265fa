"""One attempt per person per position through the open link: a used email (case and
accents ignored) gets no second attempt; its news goes to the address, never the screen."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import Applicant, Invitation, OutgoingEmail, Position
from screening.services import messages
from tests.factories import create_invitation, create_position, create_submission, hidden
from tests.integration.test_apply_exactly_once import run_at_once

MAIL = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1, "SMTP_STARTTLS": 0}


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, **MAIL}


def join(client: FlaskClient, open_token: str, email: str, name: str = "Ana López"):
    page = client.get(f"/apply/join/{open_token}").text
    return client.post(f"/apply/join/{open_token}", data={
        "name": name, "email": email, "idempotency_key": hidden(page, "idempotency_key")})


def attempts_on(app: Flask, position_id: int) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Applicant)
                                 .where(Applicant.position_id == position_id)) or 0


def known_email_messages(app: Flask) -> list[OutgoingEmail]:
    with app.app_context():
        return list(db.session.scalars(
            select(OutgoingEmail).where(OutgoingEmail.kind == "known_email")))


def open_position(app: Flask) -> tuple[int, str]:
    with app.app_context():
        position = create_position(title="Front desk")
        return position.id, position.open_token


def test_the_same_email_in_other_case_and_accents_starts_no_second_attempt(
    app: Flask, client: FlaskClient
) -> None:
    position_id, open_token = open_position(app)
    first = join(client, open_token, "ana.lopez@example.com")
    assert re.search(r"/apply/[^/]+$", first.headers["Location"])
    again = join(app.test_client(), open_token, "ANA.LÓPEZ@Example.com")
    assert again.status_code == 302
    assert again.headers["Location"].endswith(f"/apply/join/{open_token}/sent")
    assert attempts_on(app, position_id) == 1
    page = app.test_client().get(again.headers["Location"]).text
    assert "already used" in page
    # Whoever typed the address sees no link: the link goes to the address only.
    with app.app_context():
        token = db.session.scalar(select(Invitation.token))
    assert token not in page
    [message] = known_email_messages(app)
    assert message.recipient == "ana.lopez@example.com"
    assert f"/apply/{token}" in message.body_text
    assert "still open" in message.body_text


def test_a_submitted_attempt_is_told_by_email_and_the_screen_says_the_same(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        position = create_position(title="Front desk")
        open_token = position.open_token
        create_submission(create_invitation(position, email="sam@example.com"))
        open_position_id = position.id
    in_progress = join(client, open_token, "Sam@Example.com").headers["Location"]
    assert attempts_on(app, open_position_id) == 1
    [message] = known_email_messages(app)
    assert "already submitted" in message.body_text
    assert "/apply/" not in message.body_text.split("already submitted")[1]
    # The page for an open attempt and for a submitted one is the same page.
    unknown_state = join(app.test_client(), open_token, "ana@example.com")
    assert unknown_state.headers["Location"] != in_progress
    assert in_progress.endswith("/sent")


def test_repeats_within_the_hour_send_one_message(app: Flask, client: FlaskClient) -> None:
    _, open_token = open_position(app)
    join(client, open_token, "ana@example.com")
    for _ in range(3):
        join(app.test_client(), open_token, "ANA@example.com")
    assert len(known_email_messages(app)) == 1


def test_an_email_on_another_position_is_a_new_attempt(app: Flask, client: FlaskClient) -> None:
    first_id, first_token = open_position(app)
    second_id, second_token = open_position(app)
    join(client, first_token, "ana@example.com")
    response = join(app.test_client(), second_token, "ana@example.com")
    assert not response.headers["Location"].endswith("/sent")
    assert attempts_on(app, first_id) == attempts_on(app, second_id) == 1


def test_without_mail_the_page_points_to_the_earlier_link(
    app: Flask, make_app, app_config: dict[str, object]
) -> None:
    plain = make_app({"SMTP_HOST": ""})
    with plain.app_context():
        open_token = create_position().open_token
    join(plain.test_client(), open_token, "ana@example.com")
    sent = join(plain.test_client(), open_token, "ana@example.com")
    page = plain.test_client().get(sent.headers["Location"]).text
    assert "personal link you received earlier" in page
    assert known_email_messages(plain) == []


@pytest.mark.commits  # threads with connections of their own
def test_four_sign_ups_at_once_with_one_email_create_one_attempt(app: Flask) -> None:
    position_id, open_token = open_position(app)
    # Four page views, so four different form keys: four people, or one in four tabs.
    forms = []
    for _ in range(4):
        page = app.test_client().get(f"/apply/join/{open_token}").text
        forms.append({"name": "Ana López", "email": "ana@example.com",
                      "idempotency_key": hidden(page, "idempotency_key")})

    def post(index: int) -> tuple[int, str]:
        response = app.test_client().post(f"/apply/join/{open_token}", data=forms[index])
        return response.status_code, response.headers.get("Location", "")

    results = run_at_once(4, post)
    assert {status for status, _ in results} == {302}, results
    assert sum(not where.endswith("/sent") for _, where in results) == 1, results
    assert attempts_on(app, position_id) == 1
    with app.app_context():
        assert db.session.get(Position, position_id) is not None


def test_the_message_is_written_in_the_language_asked_for(app: Flask) -> None:
    with app.app_context(), app.test_request_context("/"):
        invitation = create_invitation(create_position(title="Recepción"),
                                       email="ana@example.com")
        assert messages.queue_known_email(db.session, invitation, "es")
        [message] = db.session.scalars(
            select(OutgoingEmail).where(OutgoingEmail.kind == "known_email")).all()
        assert "Recepción" in message.subject
        assert "Su solicitud sigue abierta" in message.body_text
        assert "Si no fue usted" in message.body_text
