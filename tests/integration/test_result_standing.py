"""A result's standing reads the same on every channel: a band held down by a red flag,
or a status (incomplete, unreliable) instead of a band, on the manager's page, page 1
of the PDF, the cohort report, the CSV and the API.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pdfplumber
import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.bank.model import Item, ResponseFormat
from screening.extensions import db
from screening.models import Position, Submission
from screening.services import journey
from screening.services.questionnaires import questionnaire_for
from tests.factories import (
    answer_from_form,
    create_invitation,
    keyed_best_form,
    manager_position_and_api_token,
    sign_in,
    visible_text,
)

READING_PACE = 45.0  # seconds an item: slower than any item's too-fast threshold


@pytest.fixture
def world(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return manager_position_and_api_token()


def submit(app: Flask, world: dict[str, Any], *, seconds: float = READING_PACE, skip: int = 0,
           answer: Callable[[Item], dict[str, str]] = keyed_best_form) -> dict[str, Any]:
    """Consent, answer all but the first ``skip`` items, submit; the stored result."""
    with app.app_context():
        position = db.session.get(Position, world["position"])
        submission = journey.start(db.session, create_invitation(position, name="Robin Reyes"))
        items = journey.sequence_for(submission).items
        for item in items[skip:]:
            stored = replace(answer_from_form(item, answer(item)), seconds=seconds)
            journey.save_answer(db.session, submission, stored)
        journey.submit(db.session, submission)
        db.session.commit()
        saved = db.session.get(Submission, submission.id)
        return {"id": saved.id, "result": dict(saved.result), "items": len(items)}


def one_red_flag(flagged: Item) -> Callable[[Item], dict[str, str]]:
    """Keyed best everywhere, except the red-flag option of ``flagged`` (best choice)."""
    red = next(option.id for option in flagged.options if option.red_flag)
    return lambda item: {"choice": red} if item.id == flagged.id else keyed_best_form(item)


def channels(client: FlaskClient, world: dict[str, Any], submission_id: int) -> dict[str, Any]:
    sign_in(client, world["manager"])
    page = client.get(f"/manage/submissions/{submission_id}")
    assert page.status_code == 200
    pdf = client.get(f"/manage/submissions/{submission_id}/report.pdf")
    assert pdf.status_code == 200
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        first_page = " ".join(document.pages[0].extract_text().split())
    cohort = client.get(f"/manage/positions/{world['position']}/cohort.pdf")
    assert cohort.status_code == 200
    with pdfplumber.open(io.BytesIO(cohort.data)) as document:
        cohort_text = " ".join(" ".join(p.extract_text() for p in document.pages).split())
    listing = client.get(f"/manage/positions/{world['position']}")
    rows = csv.DictReader(io.StringIO(client.get(
        f"/manage/positions/{world['position']}/results.csv").get_data().decode("utf-8-sig")))
    row = next(r for r in rows if r["submission_id"] == str(submission_id))
    api = client.get(f"/api/v1/submissions/{submission_id}",
                     headers={"Authorization": f"Bearer {world['token']}"}).get_json()["result"]
    return {"page": visible_text(page.text), "pdf": first_page, "cohort": cohort_text,
            "listing": visible_text(listing.text), "csv": row, "api": api}


def test_one_red_flag_with_every_other_answer_keyed_holds_the_band_below_the_top(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    with app.app_context():
        position = db.session.get(Position, world["position"])
        flagged = [item for item in questionnaire_for(position.questionnaire_version).items
                   if item.format is ResponseFormat.BEST_CHOICE
                   and any(o.red_flag for o in item.options)]
    clean = submit(app, world)
    capped = submit(app, world, answer=one_red_flag(flagged[0]))
    assert clean["result"]["band"]["id"] == "strong"  # every answer keyed: the top band
    assert [f["item_id"] for f in capped["result"]["red_flags"]] == [flagged[0].id]
    assert capped["result"]["band"]["id"] == "mixed"
    assert capped["result"]["band_cap"] == "one_red_flag"

    seen = channels(client, world, capped["id"])
    held = "One red flag holds this result at “Mixed result: probe in interview”"
    reach = "the scores alone reach “Strong result”"
    # The page's folded methodology lists every band's thresholds by name; above it,
    # as on PDF page 1, the top band is named only as what the scores alone reach.
    for text in (seen["page"].split("Methodology:")[0], seen["pdf"]):
        assert held in text and reach in text
        assert "Strong result" not in text.replace(reach, "")
    assert "capped by red flags" in seen["listing"]
    assert (seen["csv"]["band"], seen["csv"]["band_cap"]) == ("mixed", "one_red_flag")
    assert seen["api"]["band"]["id"] == "mixed" and seen["api"]["band_cap"] == "one_red_flag"


def test_an_incomplete_result_has_a_status_and_no_band_everywhere(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    partial = submit(app, world, skip=6)
    answered, total = partial["items"] - 6, partial["items"]
    assert partial["result"]["status"] == "incomplete" and partial["result"]["band"] is None

    seen = channels(client, world, partial["id"])
    words = f"Incomplete: {answered} of {total} questions answered, so no band is given"
    assert words in seen["page"] and words in seen["pdf"] and words in seen["listing"]
    assert f"Incomplete ({answered} of {total} answered)" in seen["cohort"]
    for band in ("Strong result", "Mixed result", "Weak result"):
        assert band not in seen["page"].split("Record your decision")[0]
    assert (seen["csv"]["result_status"], seen["csv"]["band"]) == ("incomplete", "")
    assert (seen["csv"]["answered"], seen["csv"]["item_count"]) == (str(answered), str(total))
    assert seen["api"]["status"] == "incomplete" and seen["api"]["band"] is None
    assert (seen["api"]["answered"], seen["api"]["item_count"]) == (answered, total)


def test_answers_faster_than_reading_are_unreliable_and_unbanded_everywhere(
    app: Flask, client: FlaskClient, world: dict[str, Any]
) -> None:
    hurried = submit(app, world, seconds=1.0)
    assert hurried["result"]["status"] == "unreliable" and hurried["result"]["band"] is None
    assert hurried["result"]["overall"] > 90  # keyed answers: the scores alone look strong

    seen = channels(client, world, hurried["id"])
    words = "Unreliable: answered faster than the questions can be read, so no band is given"
    assert words in seen["page"] and words in seen["pdf"] and words in seen["listing"]
    assert "Unreliable (answered too fast to read)" in seen["cohort"]
    # The caution comes first on page 1, before the scores.
    assert seen["pdf"].index("answers came faster than the questions can be read") < \
        seen["pdf"].index("Scores in plain words")
    assert (seen["csv"]["result_status"], seen["csv"]["band"]) == ("unreliable", "")
    assert seen["api"]["status"] == "unreliable" and seen["api"]["band"] is None
    assert "not a decision" in seen["api"]["advisory"]
