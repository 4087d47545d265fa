"""The short questionnaire in Spanish, in a real browser, from the welcome page to the thanks.

axe-core runs on every page, as for the English journeys (Applicant.arrived), and
every page must declare <html lang="es"> once Spanish is chosen.
"""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from screening.extensions import db
from screening.models import Invitation
from screening.services.journey import sequence_for
from tests.e2e.applicant_steps import Applicant
from tests.factories import create_invitation, create_position, keyed_best_form

pytestmark = pytest.mark.browser


def test_short_questionnaire_in_spanish(app: Flask, live_server: str, page: Page) -> None:
    with app.app_context():
        position = create_position(questionnaire="frontline-short", title="Mostrador de café")
        token = create_invitation(position, name="Lucía Navegador").token
    applicant = Applicant(app, page, live_server, token)
    applicant.open()
    assert applicant.heading() == "Welcome, Lucía Navegador"

    # The language links name each language in its own words, without JavaScript.
    spanish_link = page.get_by_role("link", name="Español")
    assert spanish_link.get_attribute("lang") == "es"
    spanish_link.click()
    applicant.language = "es"
    applicant.arrived("")
    assert applicant.heading() == "Le damos la bienvenida, Lucía Navegador"
    assert "Gracias por presentar su candidatura para Mostrador de café." in page.inner_text(
        "main")
    assert page.get_by_role("link", name="English").get_attribute("lang") == "en"

    page.get_by_label("He leído lo anterior").check()
    page.get_by_role("button", name="Empezar", exact=True).click()
    applicant.arrived("/practice")
    assert applicant.heading() == "Cómo funciona"
    assert "Pregunta de práctica (no puntúa)" in page.inner_text("main")
    page.get_by_role("button", name="Empezar el cuestionario").click()
    applicant.arrived("/q/1")

    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        submission = invitation.submission
        assert submission.language == "es"
        english = sequence_for(submission, "en").items
    assert len(english) == 8
    for number, item in enumerate(english, start=1):
        spanish = item.translations["es"]
        assert page.locator(".progress-label").inner_text() == f"Pregunta {number} de 8"
        assert applicant.heading() == spanish.title
        assert spanish.prompt in page.inner_text("main")
        applicant.answer_with_mouse(item)
        last = number == len(english)
        page.get_by_role("button", name="Revisar respuestas" if last else "Siguiente",
                         exact=True).click()
        applicant.arrived("/review" if last else f"/q/{number + 1}")

    assert applicant.heading() == "Revise sus respuestas"
    assert "Ha respondido a todas las preguntas." in page.inner_text("main")
    page.get_by_role("button", name="Enviar mis respuestas").click()
    applicant.arrived("/done")
    assert applicant.heading() == "Gracias, Lucía Navegador"
    assert "Próximos pasos" in page.inner_text("main")

    # Stored by option id, exactly as in English.
    stored = applicant.stored_answers()
    for item in english:
        best = keyed_best_form(item)
        answer = stored[item.id]
        if "choice" in best:
            assert answer["choice"] == best["choice"]
        elif "most" in best:
            assert (answer["most"], answer["least"]) == (best["most"], best["least"])
        elif answer["ranking"]:  # the short form has a rank item since issue #16
            places = {f"rank_{oid}": str(n) for n, oid in enumerate(answer["ranking"], start=1)}
            assert places == best
        else:
            assert {f"rate_{k}": str(v) for k, v in answer["ratings"].items()} == best
    assert applicant.submission_status() == "submitted"
