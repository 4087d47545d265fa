"""The applicant page a busy manager reads: decision first, the rest on demand.

A real app and database; the numbers are checked against the order the apply pages
showed the applicant (services.journey.sequence_for), not against the report.
"""

from __future__ import annotations

import html
import io
import re
from dataclasses import dataclass

import pdfplumber
import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.extensions import db
from screening.models import Submission
from screening.services.journey import sequence_for
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
    sign_in,
)
from tests.flagged_applicant import RED_FLAG_CHOICES, RUSHED, create_flagged_submission

DECISION_LABELS = ["Advance to interview", "Offer a non-front-line role", "Do not proceed",
                   "On hold"]


@dataclass(frozen=True)
class Case:
    email: str
    submission_id: int
    #: item id → (number, letter of the red-flag option) as the applicant saw them.
    shown: dict[str, tuple[int, str]]
    #: the applicant's order of item ids.
    order: list[str]
    bank_order: list[str]


@pytest.fixture
def case(app: Flask) -> Case:
    with app.app_context():
        manager = create_user(name="Morgan Manager")
        position = create_position(managers=[manager], title="Hotel front desk")
        submission = create_flagged_submission(
            create_invitation(position, name="Dana Flagged"), manager)
        sequence = sequence_for(submission)
        order = [item.id for item in sequence.items]
        shown = {
            item_id: (order.index(item_id) + 1,
                      "ABCDE"[sequence.options(sequence.questionnaire.item(item_id))
                              .index(option_id)])
            for item_id, option_id in RED_FLAG_CHOICES.items()
        }
        bank_order = [item.id for item in sequence.questionnaire.items]
        return Case(manager.email, submission.id, shown, order, bank_order)


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_the_page_leads_with_cautions_band_red_flags_interview_then_the_form(
    client: FlaskClient, case: Case,
) -> None:
    sign_in(client, case.email)
    page = client.get(f"/manage/submissions/{case.submission_id}").text
    positions = [page.index(marker) for marker in (
        'id="cautions"', 'id="band-heading"', 'id="red-flags"', 'id="interview-heading"',
        'id="decision-heading"', '<details class="more" id="quality"',
        '<details class="more" id="trace"')]
    assert positions == sorted(positions)
    text = _text(page)
    assert f"{RUSHED} of 20 answers came faster than the questions can be read" in text
    assert "4 red flags" in text
    # The response-quality details fold into one sentence with counts.
    assert re.search(rf"<summary><strong>Response quality:</strong> {RUSHED} of 20 answered "
                     "faster than they can be read", page)
    assert "walk me through it" in text
    assert "No decision recorded yet." in text


def test_items_and_options_are_numbered_as_the_applicant_saw_them(
    client: FlaskClient, case: Case,
) -> None:
    # The stored order differs from the bank's, so bank numbering would fail this test.
    assert case.order != case.bank_order
    assert any(case.order.index(i) != case.bank_order.index(i) for i in RED_FLAG_CHOICES)
    sign_in(client, case.email)
    text = _text(client.get(f"/manage/submissions/{case.submission_id}").text)
    for item_id, (number, letter) in case.shown.items():
        assert f"Red flag, question {number}, option {letter}:" in text
        assert f"bank item {item_id}" in text
    for number, item_id in enumerate(case.order, start=1):
        assert re.search(rf" {number}\. [^()]+ \([^)]*bank item {re.escape(item_id)}\)", text)


def test_decision_form_chooses_nothing_and_names_the_decisions(
    client: FlaskClient, case: Case,
) -> None:
    sign_in(client, case.email)
    page = client.get(f"/manage/submissions/{case.submission_id}").text
    radios = re.findall(r'<input [^>]*name="outcome"[^>]*>', page)
    assert len(radios) == 4
    assert not any("checked" in radio for radio in radios)
    assert all(" required" in radio for radio in radios)
    labels = re.findall(r'<label for="outcome-\d">([^<]+)</label>', page)
    assert labels == DECISION_LABELS
    assert "Your decision in your own words" in page


def test_a_rejected_decision_comes_back_with_the_managers_input(
    client: FlaskClient, case: Case,
) -> None:
    sign_in(client, case.email)
    url = f"/manage/submissions/{case.submission_id}/decision"
    refused = client.post(url, data={"outcome": "secondary", "note": "Too short"})
    assert refused.status_code == 422
    assert "Write between 10 and 4,000 characters." in refused.text
    chosen = re.findall(r'<input ([^>]*)name="outcome" (?:required )?type="radio" '
                        r'value="([a-z_]+)"', refused.text)
    assert [value for attributes, value in chosen if "checked" in attributes] == ["secondary"]
    assert re.search(r">\s*Too short</textarea>", refused.text)

    nothing = client.post(url, data={"note": "A long enough note about nothing chosen."})
    assert nothing.status_code == 422
    assert "Choose a decision." in nothing.text
    assert "A long enough note about nothing chosen." in nothing.text


def test_the_recorded_decision_leads_the_page_and_page_one_of_the_pdf(
    app: Flask, client: FlaskClient, case: Case,
) -> None:
    sign_in(client, case.email)
    base = f"/manage/submissions/{case.submission_id}"
    before = client.get(f"{base}/report.pdf")
    assert before.status_code == 200
    note = "Hold until we have talked through the rushed answers."
    assert client.post(f"{base}/decision", data={"outcome": "on_hold", "note": note}
                       ).status_code == 302
    page = client.get(base).text
    card = page[page.index('id="band-heading"'):page.index('id="interview-heading"')]
    assert "Decision: On hold</strong> by Morgan Manager" in card

    after = client.get(f"{base}/report.pdf")
    assert after.headers["X-Report-Cache"] == "miss"  # the decision is printed, so re-rendered
    with pdfplumber.open(io.BytesIO(after.data)) as pdf:
        assert len(pdf.pages) == 2
        first = re.sub(r"\s+", " ", pdf.pages[0].extract_text())
    assert "Decision: On hold by Morgan Manager" in first
    assert note in first
    assert f"{RUSHED} of 20 answers came faster than the questions can be read" in first
    for item_id, (number, letter) in case.shown.items():
        assert f"Red flag, question {number}, option {letter}:" in first
        assert f"bank item {item_id}" in first
    with app.app_context():
        assert db.session.get(Submission, case.submission_id).latest_decision is not None


def test_an_applicant_still_answering_has_no_card_and_no_form(
    app: Flask, client: FlaskClient,
) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager])
        started = create_submission(create_invitation(position, name="Sam Started"),
                                    submit=False)
        email, submission_id = manager.email, started.id
    sign_in(client, email)
    page = client.get(f"/manage/submissions/{submission_id}")
    assert page.status_code == 200
    assert "This applicant has not submitted yet." in page.text
    assert "Started " in _text(page.text)
    assert 'id="band-heading"' not in page.text and 'name="outcome"' not in page.text
