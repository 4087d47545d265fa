"""Bad input on an item page: the same page again, with a linked summary and input kept."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from screening import scoring
from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import Answer, Invitation, Submission
from screening.services import journey
from screening.services.journey import InvalidAnswer, sequence_for
from tests.factories import create_invitation, create_position, keyed_best_form


class Sitting:
    """One applicant part-way through the standard questionnaire, posting item pages."""

    def __init__(self, app: Flask, client: FlaskClient) -> None:
        self.app, self.client = app, client
        with app.app_context():
            self.token = create_invitation(create_position()).token
        assert client.post(f"/apply/{self.token}", data={"consent": "y"}).status_code == 302
        with app.app_context():
            self.items = sequence_for(self._submission()).items

    def _submission(self) -> Submission:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == self.token))
        assert invitation is not None and invitation.submission is not None
        return invitation.submission

    def number_of(self, response_format: ResponseFormat) -> int:
        return next(n for n, item in enumerate(self.items, 1) if item.format is response_format)

    def item(self, number: int) -> Item:
        return self.items[number - 1]

    def post(self, number: int, fields: dict[str, str], action: str = "next") -> TestResponse:
        return self.client.post(f"/apply/{self.token}/q/{number}",
                                data={**fields, "action": action})

    def stored(self) -> dict[str, dict]:
        with self.app.app_context():
            rows = db.session.scalars(select(Answer)).all()
            return {row.item_id: row.response for row in rows}


@pytest.fixture
def sitting(app: Flask, client: FlaskClient) -> Sitting:
    return Sitting(app, client)


def summary_links(page: str) -> list[tuple[str, str]]:
    summary = page.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    return [(target, html.unescape(text))
            for target, text in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)]


def assert_problem_page(page: str, *messages: str) -> None:
    """The summary lists each message, linked to a control that exists on the page."""
    assert "<title>Error: Question" in page
    links = summary_links(page)
    for message in messages:
        assert any(message in text for _, text in links), (message, links)
    for target, _ in links:
        assert re.search(rf'<(input|select|textarea)[^>]* id="{re.escape(target)}"', page), target


def checked(page: str, name: str, value: str) -> bool:
    return re.search(rf'<input checked id="{name}-\d+" name="{name}" required type="radio" '
                     rf'value="{re.escape(value)}"[^>]*>', page) is not None


def selected(page: str, name: str, value: str) -> bool:
    select_html = page.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return f'<option selected value="{value}">' in select_html


@pytest.mark.parametrize("response_format", list(ResponseFormat))
def test_a_missing_answer_comes_back_with_a_linked_summary(
    sitting: Sitting, response_format: ResponseFormat
) -> None:
    number = sitting.number_of(response_format)
    response = sitting.post(number, {})
    assert response.status_code == 200
    assert f"Question {number} of 20" in response.text
    assert 'class="error-summary" role="alert"' in response.text
    assert_problem_page(response.text)
    assert len(summary_links(response.text)) >= 1
    assert sitting.stored() == {}


def test_most_without_least_keeps_the_most(sitting: Sitting) -> None:
    number = sitting.number_of(ResponseFormat.MOST_LEAST)
    most = keyed_best_form(sitting.item(number))["most"]
    response = sitting.post(number, {"most": most})
    assert_problem_page(response.text, "Please choose the least effective option.")
    assert checked(response.text, "most", most)


def test_most_and_least_must_differ(sitting: Sitting) -> None:
    number = sitting.number_of(ResponseFormat.MOST_LEAST)
    most = keyed_best_form(sitting.item(number))["most"]
    response = sitting.post(number, {"most": most, "least": most})
    assert_problem_page(response.text, "Choose a different option as least effective")
    assert sitting.stored() == {}


def test_rate_each_needs_a_rating_for_every_option(sitting: Sitting) -> None:
    number = sitting.number_of(ResponseFormat.RATE_EACH)
    item = sitting.item(number)
    ratings = keyed_best_form(item)
    missing = f"rate_{item.options[-1].id}"
    given = {name: value for name, value in ratings.items() if name != missing}
    response = sitting.post(number, given)
    assert_problem_page(response.text, f"Please rate: {item.options[-1].text[:30]}")
    assert len(summary_links(response.text)) == 1
    for name, value in given.items():
        assert checked(response.text, name, value)


@pytest.mark.parametrize("rating", ["0", "6", "abc", "3.5"])
def test_ratings_outside_one_to_five_are_refused(sitting: Sitting, rating: str) -> None:
    number = sitting.number_of(ResponseFormat.RATE_EACH)
    ratings = keyed_best_form(sitting.item(number))
    first = next(iter(ratings))
    response = sitting.post(number, {**ratings, first: rating})
    assert_problem_page(response.text, "Please rate each option from 1 to 5.")
    assert sitting.stored() == {}


def test_rank_keeps_the_places_given_and_refuses_a_shared_place(sitting: Sitting) -> None:
    number = sitting.number_of(ResponseFormat.RANK)
    places = keyed_best_form(sitting.item(number))
    first, second = list(places)[:2]
    partial = {name: value for name, value in places.items() if name != second}
    response = sitting.post(number, partial)
    assert_problem_page(response.text, "Please give a place to:")
    for name, value in partial.items():
        assert selected(response.text, name, value)

    shared = sitting.post(number, {**places, second: places[first]})
    assert_problem_page(shared.text, "Give every option a different place")
    out_of_range = sitting.post(number, {**places, first: "9"})
    assert_problem_page(out_of_range.text, "Please choose a place from 1st to")
    assert sitting.stored() == {}


@pytest.mark.parametrize(("text", "accepted"), [
    ("x" * 19, False),
    ("x" * 20, True),
    ("y" * 2000, True),
    ("z" * 2001, False),
    (" " * 25, False),
    ("   " + "w" * 18 + "   ", False),  # spaces around do not count
    (("x" * 38 + "\r\n") * 50 + "end", True),  # 2,003 sent as CRLF; 1,953 as typed
])
def test_free_text_between_20_and_2000_characters(
    sitting: Sitting, text: str, accepted: bool
) -> None:
    number = sitting.number_of(ResponseFormat.FREE_TEXT)
    response = sitting.post(number, {"text": text})
    item_id = sitting.item(number).id
    if accepted:
        assert response.status_code == 302
        assert sitting.stored()[item_id]["text"] == text.replace("\r\n", "\n").strip()
    else:
        assert response.status_code == 200
        assert item_id not in sitting.stored()
        if text.strip():
            assert_problem_page(response.text, "Please write between 20 and 2,000 characters")
            # What was typed comes back, to be shortened or finished rather than retyped.
            assert text.strip() in response.text
        else:
            assert_problem_page(response.text, "Please write your answer.")


@pytest.mark.parametrize("response_format", [ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST])
def test_unknown_option_ids_are_refused(sitting: Sitting, response_format: ResponseFormat) -> None:
    number = sitting.number_of(response_format)
    fields = {name: "no-such-option" for name in keyed_best_form(sitting.item(number))}
    response = sitting.post(number, fields)
    assert_problem_page(response.text, "Please choose one of the options shown.")
    assert sitting.stored() == {}


def test_fields_for_options_not_shown_are_ignored(sitting: Sitting) -> None:
    number = sitting.number_of(ResponseFormat.RATE_EACH)
    item = sitting.item(number)
    response = sitting.post(number, {**keyed_best_form(item), "rate_zz": "5"})
    assert response.status_code == 302
    assert set(sitting.stored()[item.id]["ratings"]) == {o.id for o in item.options}


def test_an_oversized_post_is_refused(sitting: Sitting) -> None:
    number = sitting.number_of(ResponseFormat.FREE_TEXT)
    response = sitting.post(number, {"text": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert sitting.stored() == {}


def test_the_core_has_the_last_word(sitting: Sitting, monkeypatch: pytest.MonkeyPatch) -> None:
    """scoring.answer_problems decides validity for the page too: web and core agree."""
    real = scoring.answer_problems
    monkeypatch.setattr(scoring, "answer_problems",
                        lambda item, answer: [*real(item, answer), "A rule only the core knows."])
    number = sitting.number_of(ResponseFormat.BEST_CHOICE)
    response = sitting.post(number, keyed_best_form(sitting.item(number)))
    assert response.status_code == 200
    assert_problem_page(response.text, "A rule only the core knows.")
    assert ("choice-0", "A rule only the core knows.") in summary_links(response.text)
    assert sitting.stored() == {}


def test_the_service_stores_only_answers_the_core_accepts(app: Flask, sitting: Sitting) -> None:
    number = sitting.number_of(ResponseFormat.MOST_LEAST)
    item = sitting.item(number)
    same = keyed_best_form(item)["most"]
    with app.app_context():
        submission = sitting._submission()
        with pytest.raises(InvalidAnswer) as refused:
            journey.save_answer(db.session, submission,
                                scoring.Answer(item_id=item.id, most=same, least=same))
        assert refused.value.problems == scoring.answer_problems(
            item, scoring.Answer(item_id=item.id, most=same, least=same))
        with pytest.raises(InvalidAnswer):
            journey.save_answer(db.session, submission,
                                scoring.Answer(item_id="not-in-this-questionnaire", choice="a"))
        db.session.rollback()
        assert db.session.scalar(select(func.count(Answer.id))) == 0


def test_back_with_an_incomplete_answer_keeps_the_saved_one(sitting: Sitting) -> None:
    first, second = sitting.item(1), sitting.item(2)
    sitting.post(1, keyed_best_form(first))
    sitting.post(2, keyed_best_form(second))
    back = sitting.post(2, {}, action="back")
    assert back.headers["Location"].endswith(f"/apply/{sitting.token}/q/1")
    assert set(sitting.stored()) == {first.id, second.id}
