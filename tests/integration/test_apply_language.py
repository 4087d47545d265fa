"""The applicant's language: chosen on the welcome page, kept on every page, in the receipt."""

from __future__ import annotations

import html
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import Invitation, Submission, SubmissionStatus, utcnow
from screening.services.journey import sequence_for
from screening.services.questionnaires import questionnaire_for
from screening.services.results import stored_result
from tests.factories import (
    create_invitation,
    create_position,
    create_user,
    keyed_best_form,
    partly_translated_bank,
)
from tests.smtp_server import body_text, smtp_server

SHORT = "frontline-short"
STANDARD = "frontline-standard"


def _invite(app: Flask, questionnaire: str = SHORT, **fields: object) -> str:
    with app.app_context():
        position = create_position(questionnaire=questionnaire, title="Café counter")
        return create_invitation(position, name="Lucía Pérez", **fields).token


def _html_lang(page_text: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', page_text)
    assert match is not None
    return match.group(1)


def _submission(token: str) -> Submission:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    assert invitation is not None and invitation.submission is not None
    return invitation.submission


def _consent(client: FlaskClient, token: str, language: str) -> int:
    return client.post(f"/apply/{token}", data={"consent": "y", "language": language}).status_code


def _original_items(submission: Submission) -> tuple[Item, ...]:
    """The items as the bank writes them (English), in this applicant's order."""
    return sequence_for(submission, "en").items


def _complete(app: Flask, client: FlaskClient, token: str, answer=keyed_best_form) -> None:
    response = client.post(f"/apply/{token}/practice")
    assert response.status_code == 302
    with app.app_context():
        items = _original_items(_submission(token))
    for number, item in enumerate(items, start=1):
        response = client.post(f"/apply/{token}/q/{number}",
                               data={**answer(item), "action": "next", "shown_at": "0"})
        assert response.status_code == 302, response.text
    assert client.post(f"/apply/{token}/review").status_code == 302


def test_welcome_offers_both_languages_each_named_in_its_own(app: Flask, client: FlaskClient):
    token = _invite(app)
    page = client.get(f"/apply/{token}")
    assert _html_lang(page.text) == "en"
    assert "Welcome, Lucía Pérez" in page.text
    assert re.search(r'<a href="/apply/[^"]+\?lang=es" lang="es" hreflang="es">Español</a>',
                     page.text)
    assert re.search(r'lang="en" hreflang="en" aria-current="true"><strong>English</strong>',
                     page.text)


def test_choosing_spanish_shows_every_page_in_spanish_and_records_it(
    app: Flask, client: FlaskClient
) -> None:
    token = _invite(app)
    welcome = client.get(f"/apply/{token}?lang=es")
    assert _html_lang(welcome.text) == "es"
    assert "Le damos la bienvenida, Lucía Pérez" in welcome.text
    assert "Gracias por presentar su candidatura para <strong>Café counter</strong>." in (
        welcome.text)
    assert "Unos 8 minutos." in welcome.text
    assert 'name="language" type="hidden" value="es"' in welcome.text
    # The choice stays in the session: the plain link (no ?lang=) is still in Spanish.
    assert "Le damos la bienvenida" in client.get(f"/apply/{token}").text

    refused = client.post(f"/apply/{token}", data={"language": "es"})
    assert "Marque la casilla para dar su conformidad antes de empezar." in refused.text
    assert _consent(client, token, "es") == 302
    with app.app_context():
        submission = _submission(token)
        assert submission.language == "es"
        practice_item = questionnaire_for(submission.questionnaire_version).practice_item
        first = _original_items(submission)[0]

    practice = client.get(f"/apply/{token}/practice")
    assert _html_lang(practice.text) == "es"
    assert "<h1>Cómo funciona</h1>" in practice.text
    assert practice_item.translations["es"].prompt in practice.text
    assert "Empezar el cuestionario" in practice.text

    question = client.get(f"/apply/{token}/q/1")
    assert _html_lang(question.text) == "es"
    assert "Pregunta 1 de 8" in question.text
    spanish = first.translations["es"]
    assert f'<h1 class="item-title">{spanish.title}</h1>' in html.unescape(question.text)
    assert first.title not in question.text
    for option in first.options:
        assert spanish.options[option.id] in html.unescape(question.text)
    assert '<p class="deadline-line" data-countdown-line>Quedan 8 minutos</p>' in question.text
    assert 'data-countdown-label="Tiempo restante: "' in question.text
    assert ">Siguiente</button>" in question.text

    missing = client.post(f"/apply/{token}/q/1", data={"action": "next", "shown_at": "0"})
    assert "<h2 id=\"error-summary-title\">Hay un problema</h2>" in missing.text
    expected = {
        ResponseFormat.BEST_CHOICE: "Elija una opción, por favor.",
        ResponseFormat.MOST_LEAST: "Elija la opción más eficaz, por favor.",
        ResponseFormat.RATE_EACH: "Puntúe, por favor: ",
        ResponseFormat.RANK: "Dé un puesto, por favor, a: ",
    }[first.format]
    assert expected in html.unescape(missing.text)

    review = client.get(f"/apply/{token}/review")
    assert "<h1>Revise sus respuestas</h1>" in review.text
    assert "No ha respondido 8 preguntas." in review.text
    _complete(app, client, token)
    done = client.get(f"/apply/{token}/done")
    assert _html_lang(done.text) == "es"
    assert "Gracias, Lucía Pérez" in done.text
    assert "Próximos pasos" in done.text


def test_consent_records_the_language_the_page_was_shown_in_even_without_the_session(
    app: Flask, client: FlaskClient
) -> None:
    token = _invite(app)
    # A fresh client (no session): the hidden field alone carries the page's language.
    assert _consent(client, token, "es") == 302
    with app.app_context():
        assert _submission(token).language == "es"
    other = _invite(app)
    assert _consent(client, other, "xx") == 302
    with app.app_context():
        # An unknown language falls back to the session's choice, here Spanish.
        assert _submission(other).language == "es"


def test_english_stays_the_default(app: Flask, client: FlaskClient) -> None:
    token = _invite(app)
    client.post(f"/apply/{token}", data={"consent": "y"})
    with app.app_context():
        submission = _submission(token)
        assert submission.language == "en"
        first = _original_items(submission)[0]
    question = client.get(f"/apply/{token}/q/1")
    assert _html_lang(question.text) == "en"
    assert f'<h1 class="item-title">{first.title}</h1>' in html.unescape(question.text)
    assert "Question 1 of 8" in question.text


def test_a_questionnaire_not_fully_translated_is_offered_in_english_only(
    app: Flask, make_app, tmp_path
) -> None:
    app = make_app({"BANK_PATH": str(partly_translated_bank(tmp_path / "questions"))})
    client = app.test_client()
    token = _invite(app, questionnaire=STANDARD)
    welcome = client.get(f"/apply/{token}?lang=es", headers={"Accept-Language": "es"})
    assert _html_lang(welcome.text) == "en"
    assert 'hreflang="es"' not in welcome.text and "Español" not in welcome.text
    client.post(f"/apply/{token}", data={"consent": "y", "language": "es"})
    with app.app_context():
        assert _submission(token).language == "en"


def test_untranslated_questionnaire_falls_back_to_english_items_marked_as_english(
    app: Flask, make_app, tmp_path
) -> None:
    # Every shipped item is in Spanish; a copy of the bank leaves some in English only.
    app = make_app({"BANK_PATH": str(partly_translated_bank(tmp_path / "questions"))})
    client = app.test_client()
    token = _invite(app, questionnaire=STANDARD)
    client.post(f"/apply/{token}", data={"consent": "y"})
    with app.app_context():
        # Spanish is no longer offered for it; a sitting started in Spanish before that
        # rule still reads its untranslated items in English, marked as such.
        _submission(token).language = "es"
        db.session.commit()
        items = _original_items(_submission(token))
    translated = [n for n, item in enumerate(items, 1) if "es" in item.translations]
    untranslated = [n for n, item in enumerate(items, 1) if "es" not in item.translations]
    assert translated and untranslated, "the partly translated standard questionnaire mixes both"

    number = untranslated[0]
    item = items[number - 1]
    page = html.unescape(client.get(f"/apply/{token}/q/{number}").text)
    assert _html_lang(page) == "es"
    assert f'<h1 class="item-title" lang="en">{item.title}</h1>' in page
    assert f'<div class="scenario" lang="en"><p>{item.scenario.strip()}' in page
    assert f"Pregunta {number} de 20" in page
    assert ">Siguiente</button>" in page

    number = translated[0]
    page = html.unescape(client.get(f"/apply/{token}/q/{number}").text)
    title = items[number - 1].translations["es"].title
    assert f'<h1 class="item-title">{title}</h1>' in page


def _worst_or_middle(item: Item) -> dict[str, str]:
    """A weak answer: the same fields whichever language the page was in."""
    if item.format is ResponseFormat.BEST_CHOICE:
        return {"choice": min(item.options, key=lambda o: sum(o.points.values())).id}
    if item.format is ResponseFormat.MOST_LEAST:
        ranked = sorted(item.options, key=lambda o: sum(o.points.values()))
        return {"most": ranked[1].id, "least": ranked[-1].id}
    if item.format is ResponseFormat.RATE_EACH:
        return {f"rate_{o.id}": "3" for o in item.options}
    return keyed_best_form(item)


def test_the_same_answers_score_the_same_in_spanish_and_english(
    app: Flask, client: FlaskClient
) -> None:
    results = {}
    for language in ("es", "en"):
        token = _invite(app)
        applicant = app.test_client()
        applicant.get(f"/apply/{token}?lang={language}")
        applicant.post(f"/apply/{token}", data={"consent": "y", "language": language})
        _complete(app, applicant, token, answer=_worst_or_middle)
        with app.app_context():
            submission = _submission(token)
            assert submission.language == language
            assert submission.status is SubmissionStatus.SUBMITTED
            results[language] = stored_result(submission)
    spanish, english = results["es"], results["en"]
    assert spanish is not None and english is not None
    assert spanish.dimensions == english.dimensions
    assert spanish.overall == english.overall
    assert spanish.band == english.band
    assert sorted(spanish.trace, key=lambda line: line.item_id) == sorted(
        english.trace, key=lambda line: line.item_id)
    # A weak answer pattern: the comparison is not between two perfect scores.
    assert english.overall < 100


def test_closed_link_and_not_found_pages_follow_the_chosen_language(
    app: Flask, client: FlaskClient
) -> None:
    token = _invite(app)
    client.get(f"/apply/{token}?lang=es")
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        invitation.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
    closed = client.get(f"/apply/{token}")
    assert closed.status_code == 410
    assert _html_lang(closed.text) == "es"
    assert "Este enlace ha caducado" in closed.text
    missing = client.get("/apply/no-such-token-here")
    assert missing.status_code == 404
    assert "No hemos encontrado esa página." in missing.text
    # Staff pages stay English whatever the applicant chose.
    login = client.get("/login")
    assert _html_lang(login.text) == "en"
    assert "Ir al contenido" not in login.text


def test_receipt_email_in_the_applicants_language(app_config: dict, make_app) -> None:
    with smtp_server() as (inbox, port):
        app = make_app({**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port,
                        "SMTP_STARTTLS": 0})
        with app.app_context():
            manager = create_user(name="Quinn Manager")
            position = create_position(managers=[manager], questionnaire=SHORT,
                                       title="Café counter")
            token = create_invitation(position, name="Lucía Pérez",
                                      email="lucia@example.com").token
            manager_email = manager.email
        applicant = app.test_client()
        applicant.get(f"/apply/{token}?lang=es")
        applicant.post(f"/apply/{token}", data={"consent": "y", "language": "es"})
        _complete(app, applicant, token)
        with app.app_context():
            decide_by = _submission(token).submitted_at + timedelta(days=10)
        runner = app.test_cli_runner()
        assert "sent 2, failed 0" in runner.invoke(args=["outbox", "send"]).output
        messages = inbox.wait_for(2)
    by_recipient = {m["To"]: m for m in messages}
    receipt = by_recipient["lucia@example.com"]
    assert receipt["Subject"] == "Hemos recibido sus respuestas para Café counter"
    text = body_text(receipt)
    assert text.startswith("Hola, Lucía Pérez:")
    assert "Próximos pasos: el equipo de selección lee cada resultado" in text
    spanish_months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
                      "septiembre", "octubre", "noviembre", "diciembre"]
    expected_date = f"{decide_by.day} de {spanish_months[decide_by.month - 1]} de {decide_by.year}"
    assert f"antes del {expected_date}, sea cual sea el resultado" in text
    html = next(p for p in receipt.walk() if p.get_content_type() == "text/html")
    assert '<html lang="es">' in html.get_content()
    # The manager's notice stays English.
    notice = by_recipient[manager_email]
    assert notice["Subject"] == "New screening result: Lucía Pérez for Café counter"
    assert "has completed the screen" in body_text(notice)
    notice_html = next(p for p in notice.walk() if p.get_content_type() == "text/html")
    assert '<html lang="en">' in notice_html.get_content()
    assert "This message was sent by the hiring team" in notice_html.get_content()



def test_wtforms_own_messages_follow_the_page_language(app: Flask) -> None:
    """WTForms' built-in messages (read once per process) come in the page's language."""
    from screening.web import language
    from screening.web.apply.forms import ConsentForm

    for code, expected in (("es", "Opción inválida."), ("en", "Not a valid choice."),
                           ("es", "Opción inválida.")):
        with app.test_request_context("/apply/some-token"):
            language.use(code)
            form = ConsentForm()
            assert form.meta.get_translations(form).gettext("Not a valid choice.") == expected


def test_item_form_labels_follow_the_page_language(app: Flask) -> None:
    """Item forms are built once per item, option order and language, labels translated."""
    from screening.services.questionnaires import current_bank
    from screening.web import language
    from screening.web.apply.forms import item_form

    with app.app_context():
        items = current_bank().questionnaires[STANDARD].items
    rate_each = next(item for item in items if item.format is ResponseFormat.RATE_EACH)
    rank = next(item for item in items if item.format is ResponseFormat.RANK)
    expected = {"en": ("1 – Very ineffective", "Choose a place", "1st"),
                "es": ("1 – Nada eficaz", "Elija un puesto", "1.º")}
    for code in ("en", "es", "en"):
        with app.test_request_context("/apply/some-token"):
            language.use(code)
            rate_form = item_form(rate_each, tuple(o.id for o in rate_each.options))
            rank_form = item_form(rank, tuple(o.id for o in rank.options))
            rating = next(field for field in rate_form if field.name.startswith("rate_"))
            place = next(field for field in rank_form if field.name.startswith("rank_"))
            rating_labels = [choice.label for choice in rating.iter_choices()]
            place_labels = [choice.label for choice in place.iter_choices()]
            shown = (rating_labels[0], place_labels[0], place_labels[1])
            assert shown == expected[code]
