"""Integrity signals: counted by the question page, disclosed, shown to managers, never scored.

The browser's side (the script counting real pastes) is tested in
tests/e2e/test_integrity_in_browser.py; here the server's: what a post carries is stored,
added up over visits, capped, ignored when malformed, shown on the manager's page, the
PDF, the CSV and the API, cleared by erasure, and kept out of the score.
"""

from __future__ import annotations

import csv
import io
import random
import time
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import Answer, Invitation, Position, Role, Submission
from screening.reports.integrity import MAX_COUNT, ItemSignals
from screening.scoring import simulate_answers
from screening.services import journey, retention
from screening.services.questionnaires import questionnaire_for
from screening.services.results import derive_result
from screening.web.apply import timing
from tests.factories import (
    create_invitation,
    create_position,
    create_user,
    hidden,
    keyed_best_form,
    manager_position_and_api_token,
    sign_in,
    visible_text,
)
from tests.integration.test_reports_web import pdf_text


class ReadingClock:
    """The server's clock for item pages, a minute on each time it is read: the answers
    are not "too fast", so the result is a normal, banded one."""

    def __init__(self) -> None:
        self.now = time.time()

    def time(self) -> float:
        self.now += 60
        return self.now


@pytest.fixture(autouse=True)
def _reading_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timing, "time", ReadingClock())


@dataclass(frozen=True)
class Sitting:
    token: str
    items: tuple[Item, ...]
    manager: str
    position_id: int
    api_token: str


def start_sitting(app: Flask, client: FlaskClient) -> Sitting:
    with app.app_context():
        setup = manager_position_and_api_token()
        position = db.session.get_one(Position, setup["position"])
        token = create_invitation(position).token
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 302
    with app.app_context():
        items = journey.sequence_for(submission_of(token)).items
    return Sitting(token, items, setup["manager"], setup["position"], setup["token"])


def submission_of(token: str) -> Submission:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    assert invitation is not None and invitation.submission is not None
    return invitation.submission


def answer(client: FlaskClient, sitting: Sitting, number: int, **signals: str | None):
    """Open question ``number``, answer it with its keyed best, post it with ``signals``
    as the page's hidden fields would carry them (a None value: the field is left out)."""
    page = client.get(f"/apply/{sitting.token}/q/{number}").text
    fields = {"idempotency_key": hidden(page, "idempotency_key"),
              "shown_at": hidden(page, "shown_at"),
              **keyed_best_form(sitting.items[number - 1]), "action": "next"}
    fields.update({name: value for name, value in signals.items() if value is not None})
    return client.post(f"/apply/{sitting.token}/q/{number}", data=fields)


def stored_counts(app: Flask, sitting: Sitting, number: int) -> tuple[int | None, int | None]:
    with app.app_context():
        row = db.session.scalar(select(Answer).where(
            Answer.submission_id == submission_of(sitting.token).id,
            Answer.item_id == sitting.items[number - 1].id))
        assert row is not None, "the answer was saved"
        return row.left_page_count, row.paste_count


def submit(app: Flask, client: FlaskClient, sitting: Sitting) -> int:
    page = client.get(f"/apply/{sitting.token}/review").text
    done = client.post(f"/apply/{sitting.token}/review",
                       data={"idempotency_key": hidden(page, "idempotency_key")})
    assert done.headers["Location"].endswith(f"/apply/{sitting.token}/done")
    with app.app_context():
        return submission_of(sitting.token).id


def free_text_number(sitting: Sitting) -> int:
    return next(number for number, item in enumerate(sitting.items, start=1)
                if item.format is ResponseFormat.FREE_TEXT)


# -- what a post carries ------------------------------------------------------------------


def test_counts_posted_with_an_answer_are_stored_and_add_up_over_visits(
    app: Flask, client: FlaskClient
) -> None:
    sitting = start_sitting(app, client)
    assert answer(client, sitting, 1, left_page_count="2", paste_count="1").status_code == 302
    assert stored_counts(app, sitting, 1) == (2, 1)
    # Back to the question later: the new visit's counts are added to the first.
    assert answer(client, sitting, 1, left_page_count="1", paste_count="0").status_code == 302
    assert stored_counts(app, sitting, 1) == (3, 1)
    # A visit without JavaScript reports nothing and takes nothing away.
    assert answer(client, sitting, 1).status_code == 302
    assert stored_counts(app, sitting, 1) == (3, 1)


@pytest.mark.parametrize("posted", ["", "-1", "1.5", "3 ", " 3", "abc", "1e3", "0x10", "²",
                                    "١٢", "1234567", "9" * 200, "true"])
def test_a_malformed_count_is_not_reported_and_never_stops_the_answer(
    app: Flask, client: FlaskClient, posted: str
) -> None:
    sitting = start_sitting(app, client)
    response = answer(client, sitting, 1, left_page_count=posted, paste_count="2")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/apply/{sitting.token}/q/2")
    assert stored_counts(app, sitting, 1) == (None, 2)


def test_counts_are_capped(app: Flask, client: FlaskClient) -> None:
    sitting = start_sitting(app, client)
    assert answer(client, sitting, 1, left_page_count="5000", paste_count="998").status_code == 302
    assert stored_counts(app, sitting, 1) == (MAX_COUNT, 998)
    assert answer(client, sitting, 1, left_page_count="1", paste_count="5").status_code == 302
    assert stored_counts(app, sitting, 1) == (MAX_COUNT, MAX_COUNT)


def test_a_double_posted_answer_counts_its_signals_once(app: Flask, client: FlaskClient) -> None:
    sitting = start_sitting(app, client)
    page = client.get(f"/apply/{sitting.token}/q/1").text
    fields = {"idempotency_key": hidden(page, "idempotency_key"),
              **keyed_best_form(sitting.items[0]), "left_page_count": "2", "paste_count": "1"}
    for _ in range(2):
        assert client.post(f"/apply/{sitting.token}/q/1", data=fields).status_code == 302
    assert stored_counts(app, sitting, 1) == (2, 1)


def test_the_question_page_counts_with_our_own_script_and_empty_fields(
    app: Flask, client: FlaskClient
) -> None:
    sitting = start_sitting(app, client)
    page = client.get(f"/apply/{sitting.token}/q/1")
    assert "data-integrity-signals" in page.text
    assert '<script src="/static/js/integrity.js" defer></script>' in page.text
    # Empty until the script fills them: without JavaScript they post "not reported".
    assert hidden(page.text, "left_page_count") == ""
    assert hidden(page.text, "paste_count") == ""
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    with client.get("/static/js/integrity.js") as script:
        assert script.status_code == 200
        source = script.text
    assert "visibilitychange" in source and "paste" in source
    assert "fetch(" not in source and "XMLHttpRequest" not in source  # nothing leaves the form


# -- the applicant is told ------------------------------------------------------------------


@pytest.mark.parametrize(("language", "phrases"), [
    ("en", ["counts how many times you leave it", "paste text into an answer",
            "The hiring team sees these counts", "They never change your score"]),
    ("es", ["cuenta cuántas veces sale de ella", "pega texto en una respuesta",
            "El equipo de selección ve estos recuentos", "Nunca cambian su puntuación"]),
])
def test_the_welcome_page_discloses_the_signals(
    app: Flask, client: FlaskClient, language: str, phrases: list[str]
) -> None:
    with app.app_context():
        token = create_invitation(create_position()).token
    text = visible_text(client.get(f"/apply/{token}?lang={language}").text)
    for phrase in phrases:
        assert phrase in text


# -- what managers see -------------------------------------------------------------------


def complete(app: Flask, client: FlaskClient, sitting: Sitting,
             signals: dict[int, tuple[str, str]], default: tuple[str, str] | None) -> int:
    """Answer every question (with ``signals`` per question number, else ``default``)."""
    for number in range(1, len(sitting.items) + 1):
        left, pasted = signals.get(number, default or (None, None))
        assert answer(client, sitting, number, left_page_count=left,
                      paste_count=pasted).status_code == 302
    return submit(app, client, sitting)


def csv_row(client: FlaskClient, sitting: Sitting, submission_id: int) -> dict[str, str]:
    response = client.get(f"/manage/positions/{sitting.position_id}/results.csv")
    rows = csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")))
    return next(row for row in rows if row["submission_id"] == str(submission_id))


def api_integrity(client: FlaskClient, sitting: Sitting, submission_id: int) -> object:
    response = client.get(f"/api/v1/submissions/{submission_id}",
                          headers={"Authorization": f"Bearer {sitting.api_token}"})
    assert response.status_code == 200
    return response.get_json()["result"]["integrity"]


def test_managers_see_the_counts_beside_response_quality_in_page_csv_api_and_pdf(
    app: Flask, client: FlaskClient
) -> None:
    sitting = start_sitting(app, client)
    written = free_text_number(sitting)
    count = len(sitting.items)
    # Two choice questions left (the written one may be any number: the order is random).
    first, second = [n for n in range(1, count + 1) if n != written][:2]
    signals = {first: ("2", "0"), second: ("1", "0"), written: ("0", "1")}
    submission_id = complete(app, client, sitting, signals, default=("0", "0"))

    sign_in(client, sitting.manager)
    page = visible_text(client.get(f"/manage/submissions/{submission_id}").text)
    expected = (f"Leaving the page and pasting: Left the page during 2 of {count} questions "
                "(3 times in all); pasted text into 1 answer (1 paste).")
    assert page.index("Response quality") < page.index(expected)
    assert "never part of the score" in page[page.index(expected):]

    row = csv_row(client, sitting, submission_id)
    assert (row["integrity_items"], row["left_page_items"], row["left_page_times"],
            row["paste_items"], row["paste_times"]) == (str(count), "2", "3", "1", "1")

    assert api_integrity(client, sitting, submission_id) == {
        "recorded_items": count, "left_page_items": 2, "left_page_times": 3,
        "paste_items": 1, "paste_times": 1}

    pdf = client.get(f"/manage/submissions/{submission_id}/report.pdf")
    assert pdf.status_code == 200
    _, text = pdf_text(pdf.data)
    assert (f"Leaving the page and pasting: Left the page during 2 of {count} questions "
            "(3 times in all)") in text


def test_without_javascript_nothing_is_recorded_and_managers_are_told(
    app: Flask, client: FlaskClient
) -> None:
    sitting = start_sitting(app, client)
    submission_id = complete(app, client, sitting, {}, default=None)
    with app.app_context():
        counts = db.session.execute(select(Answer.left_page_count, Answer.paste_count)
                                    .where(Answer.submission_id == submission_id)).all()
    assert counts and set(counts) == {(None, None)}

    sign_in(client, sitting.manager)
    page = visible_text(client.get(f"/manage/submissions/{submission_id}").text)
    assert ("Leaving the page and pasting: Not recorded (JavaScript was off, so the pages "
            "could not count them).") in page
    row = csv_row(client, sitting, submission_id)
    assert (row["integrity_items"], row["left_page_items"], row["left_page_times"],
            row["paste_items"], row["paste_times"]) == ("0", "", "", "", "")
    assert api_integrity(client, sitting, submission_id) is None


# -- never in the score --------------------------------------------------------------------


def test_the_score_is_the_same_with_and_without_counts(app: Flask) -> None:
    """Twin sittings answer alike, one with random integrity counts on every answer, one
    without any: their stored results are identical, and so is a re-derived one."""
    rng = random.Random(22)
    with app.app_context():
        position = create_position()
        twins = []
        questionnaire = None
        for seed in (1, 2, 3):
            pair = []
            for with_counts in (True, False):
                submission = journey.start(db.session, create_invitation(position))
                questionnaire = questionnaire or questionnaire_for(
                    submission.questionnaire_version)
                simulated = simulate_answers(questionnaire, 1, seed=seed)[0]
                for item in questionnaire.items:
                    given = simulated.answers.get(item.id)
                    if given is None:
                        continue
                    signals = (ItemSignals(rng.randint(0, 40), rng.randint(0, 40))
                               if with_counts else ItemSignals(None, None))
                    journey.save_answer_once(db.session, submission, given, None, signals)
                journey.submit(db.session, submission)
                db.session.commit()
                pair.append(submission)
            twins.append(pair)
        for counted, uncounted in twins:
            stored = db.session.scalars(select(Answer.left_page_count)
                                        .where(Answer.submission_id == counted.id)).all()
            assert any(stored), "the counted twin really carries counts"
            assert counted.result == uncounted.result
            assert counted.overall_percent == uncounted.overall_percent
            assert counted.band_id == uncounted.band_id
            assert derive_result(counted).to_dict() == counted.result


# -- erasure -------------------------------------------------------------------------------


def test_erasure_clears_the_counts(app: Flask, client: FlaskClient) -> None:
    sitting = start_sitting(app, client)
    submission_id = complete(app, client, sitting, {1: ("4", "2")}, default=("0", "0"))
    with app.app_context():
        submission = db.session.get_one(Submission, submission_id)
        scores = (submission.overall_percent, submission.band_id)
        hr = create_user(Role.HR)
        retention.erase(db.session, submission.invitation.applicant_id, hr, via="test")
        counts = db.session.execute(select(Answer.left_page_count, Answer.paste_count)
                                    .where(Answer.submission_id == submission_id)).all()
        assert counts and set(counts) == {(None, None)}
        erased = db.session.get_one(Submission, submission_id)
        assert (erased.overall_percent, erased.band_id) == scores  # the scores stay
