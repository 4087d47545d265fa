"""With CSRF on, as in production: a lost session never throws away what was typed."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import Answer, Applicant, FormPost, Invitation, Submission, SubmissionStatus
from screening.services.journey import sequence_for
from tests.factories import create_invitation, create_position, keyed_best_form

TYPED = ("I would apologise, check the order number with her, and ring the warehouse "
         "while she waits, so she leaves knowing exactly when the part arrives.")


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    return {**app_config, "WTF_CSRF_ENABLED": True}


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return match.group(1)


def form_fields(page: str) -> dict[str, str]:
    return {name: hidden(page, name) for name in ("csrf_token", "idempotency_key", "shown_at")}


def consented(app: Flask, client: FlaskClient) -> tuple[str, tuple[Item, ...]]:
    with app.app_context():
        token = create_invitation(create_position()).token
    welcome = client.get(f"/apply/{token}").text
    response = client.post(f"/apply/{token}",
                           data={"consent": "y", "csrf_token": hidden(welcome, "csrf_token")})
    assert response.status_code == 302
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        return token, sequence_for(invitation.submission).items


def free_text_number(items: tuple[Item, ...]) -> int:
    return next(n for n, item in enumerate(items, 1) if item.format is ResponseFormat.FREE_TEXT)


def answers_stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Answer.id))) or 0


def lose_session(client: FlaskClient) -> None:
    """The browser dropped the session cookie (closed, cleared, or a new day on a phone)."""
    client.delete_cookie("session")


@pytest.mark.parametrize("how", ["session lost", "token tampered", "token missing"])
def test_refused_token_keeps_the_typed_answer_and_the_retry_saves_it(
    app: Flask, client: FlaskClient, how: str
) -> None:
    token, items = consented(app, client)
    number = free_text_number(items)
    page = client.get(f"/apply/{token}/q/{number}").text
    fields = form_fields(page)
    if how == "session lost":
        lose_session(client)
    elif how == "token tampered":
        fields["csrf_token"] = fields["csrf_token"][:-4] + "AAAA"
    else:
        del fields["csrf_token"]

    response = client.post(f"/apply/{token}/q/{number}",
                           data={**fields, "text": TYPED, "action": "next"})
    assert response.status_code == 200
    assert "Your session had expired; check your answer and press Next again." in response.text
    assert TYPED in response.text  # the textarea still holds every word
    assert answers_stored(app) == 0
    retry_fields = form_fields(response.text)
    assert retry_fields["csrf_token"] != fields.get("csrf_token")
    # The time on the page is still counted from when it was first shown.
    assert retry_fields["shown_at"] == fields["shown_at"]
    if how == "session lost":
        assert "session=" in response.headers.get("Set-Cookie", "")

    retry = client.post(f"/apply/{token}/q/{number}",
                        data={**retry_fields, "text": TYPED, "action": "next"})
    assert retry.status_code == 302
    with app.app_context():
        answer = db.session.scalar(select(Answer))
        assert answer is not None and answer.response["text"] == TYPED


def test_choices_are_kept_too(app: Flask, client: FlaskClient) -> None:
    token, items = consented(app, client)
    number, item = next((n, i) for n, i in enumerate(items, 1)
                        if i.format is ResponseFormat.RATE_EACH)
    fields = form_fields(client.get(f"/apply/{token}/q/{number}").text)
    lose_session(client)
    ratings = keyed_best_form(item)
    response = client.post(f"/apply/{token}/q/{number}", data={**fields, **ratings})
    for name, value in ratings.items():
        assert re.search(rf'<input checked id="{name}-\d" name="{name}" required type="radio" '
                         rf'value="{value}">', response.text), name
    assert answers_stored(app) == 0


def test_a_post_that_was_already_saved_is_not_asked_for_again(
    app: Flask, client: FlaskClient
) -> None:
    """Saved, then the response was lost and the session too: the retry just moves on."""
    token, items = consented(app, client)
    number = free_text_number(items)
    fields = form_fields(client.get(f"/apply/{token}/q/{number}").text)
    data = {**fields, "text": TYPED, "action": "next"}
    assert client.post(f"/apply/{token}/q/{number}", data=data).status_code == 302
    lose_session(client)
    retry = client.post(f"/apply/{token}/q/{number}", data=data)
    assert retry.status_code == 302
    assert "Your session had expired" not in retry.text
    assert answers_stored(app) == 1


def test_submit_with_a_lost_session_asks_again_and_submits_nothing(
    app: Flask, client: FlaskClient
) -> None:
    token, _ = consented(app, client)
    review = client.get(f"/apply/{token}/review").text
    lose_session(client)
    response = client.post(f"/apply/{token}/review", data={
        "csrf_token": hidden(review, "csrf_token"),
        "idempotency_key": hidden(review, "idempotency_key"), "confirm_unanswered": "yes"})
    assert response.status_code == 200
    assert "nothing has been submitted yet. Press Submit my answers again." in response.text
    with app.app_context():
        assert db.session.scalar(select(Submission)).status is SubmissionStatus.IN_PROGRESS
    retry = client.post(f"/apply/{token}/review", data={
        "csrf_token": hidden(response.text, "csrf_token"),
        "idempotency_key": hidden(response.text, "idempotency_key"),
        "confirm_unanswered": "yes"})
    assert retry.headers["Location"].endswith(f"/apply/{token}/done")
    with app.app_context():
        assert db.session.scalar(select(Submission)).status is SubmissionStatus.SUBMITTED


def test_open_link_keeps_name_and_email(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        open_token = create_position().open_token
    page = client.get(f"/apply/join/{open_token}").text
    lose_session(client)
    response = client.post(f"/apply/join/{open_token}", data={
        "csrf_token": hidden(page, "csrf_token"), "name": "Ada Walk-in",
        "email": "ada@example.com"})
    assert response.status_code == 200
    assert "check your details and press Continue again" in response.text
    assert 'value="Ada Walk-in"' in response.text and 'value="ada@example.com"' in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Applicant.id))) == 0


def test_every_applicant_post_refuses_a_missing_token(app: Flask, client: FlaskClient) -> None:
    """Without a valid token nothing happens: no consent, answer, submit or new applicant."""
    with app.app_context():
        position = create_position()
        token, open_token = create_invitation(position).token, position.open_token
    client.get(f"/apply/{token}")  # a session exists; only the token is missing

    consent = client.post(f"/apply/{token}", data={"consent": "y"})
    assert consent.status_code == 200 and "tick the box again" in consent.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Submission.id))) == 0

    token, items = consented(app, client)
    practice = client.post(f"/apply/{token}/practice")
    assert practice.status_code == 200
    assert "press Start the questionnaire again" in practice.text
    answer = client.post(f"/apply/{token}/q/1", data=keyed_best_form(items[0]))
    assert answer.status_code == 200 and answers_stored(app) == 0
    submit = client.post(f"/apply/{token}/review")
    assert submit.status_code == 200
    join = client.post(f"/apply/join/{open_token}",
                       data={"name": "No Token", "email": "none@example.com"})
    assert join.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Submission)).status is SubmissionStatus.IN_PROGRESS
        assert db.session.scalar(select(func.count(FormPost.id))) == 0
        assert db.session.scalar(
            select(func.count(Applicant.id)).where(Applicant.email == "none@example.com")) == 0


def test_other_pages_keep_the_general_expired_form_page(client: FlaskClient) -> None:
    """The re-render applies to applicant pages only; sign-in keeps the app-wide page."""
    response = client.post("/login", data={"email": "a@example.com", "password": "x"})
    assert response.status_code == 400
    assert "This form had expired" in response.text


def test_a_refused_token_on_a_closed_or_unknown_link_shows_that_page(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        expired = create_invitation(create_position(), valid_days=-1).token
    assert client.post("/apply/no-such-link/q/1", data={"text": TYPED}).status_code == 404
    assert client.post("/apply/join/no-such-link", data={"name": "A"}).status_code == 404
    closed = client.post(f"/apply/{expired}", data={"consent": "y"})
    assert closed.status_code == 410 and "This link has expired" in closed.text
