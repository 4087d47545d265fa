"""The language on the open link's join page: the browser's by default, offered only for a
questionnaire fully translated into it, and kept through consent; and the welcome page's
notice on automated scoring."""

from __future__ import annotations

import html
import re
import uuid

from flask import Flask
from sqlalchemy import select

from screening.extensions import db
from screening.models import Applicant, Invitation, Submission
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_submission,
    create_user,
    partly_translated_bank,
)

SPANISH_BROWSER = {"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"}


def _open_token(app: Flask, questionnaire: str = "frontline-short") -> str:
    with app.app_context():
        position = create_position(questionnaire=questionnaire, title="Café counter")
        assert position.open_token is not None
        return position.open_token


def _html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', page)
    assert match is not None
    return match.group(1)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match is not None, name
    return match.group(1)


def test_a_spanish_browser_gets_the_join_page_in_spanish_and_takes_the_screen_in_it(
    app: Flask,
) -> None:
    open_token = _open_token(app)
    client = app.test_client()
    join = client.get(f"/apply/join/{open_token}", headers=SPANISH_BROWSER)
    assert _html_lang(join.text) == "es"
    assert "Candidatura para Café counter" in html.unescape(join.text)
    assert "Su nombre completo" in join.text
    # Both languages offered, each named in its own, the page's marked current.
    assert f'href="/apply/join/{open_token}?lang=en" lang="en" hreflang="en">English' in join.text
    assert 'hreflang="es" aria-current="true"><strong>Español</strong>' in join.text
    assert _hidden(join.text, "language") == "es"

    joined = client.post(f"/apply/join/{open_token}", headers=SPANISH_BROWSER, data={
        "name": "Lucía Pérez", "email": "lucia@example.com", "language": "es",
        "idempotency_key": _hidden(join.text, "idempotency_key")})
    assert joined.status_code == 302
    token = joined.location.rsplit("/", 1)[1]
    # The choice travels with the session, whatever a later request's browser says.
    welcome = client.get(f"/apply/{token}")
    assert _html_lang(welcome.text) == "es" and "Le damos la bienvenida" in welcome.text
    client.post(f"/apply/{token}", data={"consent": "y", "language": "es"})
    with app.app_context():
        submission = db.session.scalar(
            select(Submission).join(Submission.invitation).where(Invitation.token == token))
        assert submission is not None and submission.language == "es"


def test_choosing_english_on_the_join_page_beats_the_browser(app: Flask) -> None:
    open_token = _open_token(app)
    client = app.test_client()
    join = client.get(f"/apply/join/{open_token}?lang=en", headers=SPANISH_BROWSER)
    assert _html_lang(join.text) == "en" and "Your full name" in join.text
    joined = client.post(f"/apply/join/{open_token}", headers=SPANISH_BROWSER, data={
        "name": "Ana Díaz", "email": f"ana-{uuid.uuid4().hex}@example.com", "language": "en",
        "idempotency_key": _hidden(join.text, "idempotency_key")})
    token = joined.location.rsplit("/", 1)[1]
    welcome = client.get(f"/apply/{token}", headers=SPANISH_BROWSER)
    assert _html_lang(welcome.text) == "en" and "Welcome, Ana Díaz" in html.unescape(welcome.text)


def test_without_a_browser_preference_the_join_page_is_english(app: Flask) -> None:
    page = app.test_client().get(f"/apply/join/{_open_token(app)}")
    assert _html_lang(page.text) == "en" and _hidden(page.text, "language") == "en"
    french = app.test_client().get(f"/apply/join/{_open_token(app)}",
                                   headers={"Accept-Language": "fr-FR,fr"})
    assert _html_lang(french.text) == "en"


def test_a_questionnaire_not_fully_translated_is_joined_in_english_only(
    make_app, tmp_path
) -> None:
    app = make_app({"BANK_PATH": str(partly_translated_bank(tmp_path / "questions"))})
    open_token = _open_token(app, questionnaire="frontline-standard")
    client = app.test_client()
    join = client.get(f"/apply/join/{open_token}?lang=es", headers=SPANISH_BROWSER)
    assert _html_lang(join.text) == "en"
    assert "Español" not in join.text and 'hreflang="es"' not in join.text
    joined = client.post(f"/apply/join/{open_token}", headers=SPANISH_BROWSER, data={
        "name": "Lucía Pérez", "email": "lucia@example.com", "language": "es",
        "idempotency_key": _hidden(join.text, "idempotency_key")})
    token = joined.location.rsplit("/", 1)[1]
    client.post(f"/apply/{token}", headers=SPANISH_BROWSER, data={"consent": "y",
                                                                  "language": "es"})
    with app.app_context():
        applicant = db.session.scalar(select(Applicant).where(Applicant.name == "Lucía Pérez"))
        assert applicant is not None and applicant.invitation.submission.language == "en"


def test_an_invitation_link_follows_the_browser_too(app: Flask) -> None:
    with app.app_context():
        token = create_invitation(create_position(questionnaire="frontline-short")).token
    page = app.test_client().get(f"/apply/{token}", headers=SPANISH_BROWSER)
    assert _html_lang(page.text) == "es" and _hidden(page.text, "language") == "es"


def test_the_welcome_page_says_an_automated_tool_scores_and_a_person_decides(app: Flask) -> None:
    with app.app_context():
        token = create_invitation(create_position(questionnaire="frontline-short")).token
    page = app.test_client().get(f"/apply/{token}")
    text = html.unescape(re.sub(r"\s+", " ", page.text))
    assert "An automated scoring tool is used" in text
    assert ("warmth towards customers, common sense, and staying respectful under pressure"
            in text)
    assert "a person makes the decision" in text
    assert '<a href="#adjustments">ask for an adjustment below</a>' in text

    spanish = html.unescape(app.test_client().get(f"/apply/{token}?lang=es").text)
    assert "Se usa una herramienta de puntuación automática" in spanish
    assert "la decisión la toma una persona" in spanish


def test_managers_see_the_language_the_screen_was_taken_in(app: Flask) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager], questionnaire="frontline-short")
        submission = create_submission(create_invitation(position, name="Lucía Pérez"))
        submission.language = "es"
        db.session.commit()
        submission_id, email = submission.id, manager.email
    client = app.test_client()
    client.post("/login", data={"email": email, "password": PASSWORD})
    page = client.get(f"/manage/submissions/{submission_id}")
    assert page.status_code == 200 and "Taken in Spanish" in page.text
