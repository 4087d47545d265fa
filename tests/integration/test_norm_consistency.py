"""One number, one meaning: the page, the PDF, the CSV and the API give an applicant the
same percentile and the same norm-group size, whatever else is in the database.

Provisional results (a written answer not rated yet) are outside the norm group, so
adding forty of them changes nothing anywhere; so are results with a status instead of a
band (answered faster than they could be read, or incomplete), which the simulator makes
now and then. Below thirty counted results every channel says there is not enough data.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

import pdfplumber
import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.extensions import db
from tests.factories import (
    manager_position_and_api_token,
    sign_in,
    submit_simulated,
)

ORDINAL = re.compile(r"(\d+)(?:st|nd|rd|th) percentile of (\d+)")
NOT_ENOUGH = re.compile(r"not enough data yet \((\d+) of 30 completed\)")


@dataclass(frozen=True)
class Seen:
    """What one channel says about the applicant's overall score."""

    percentile: int | None  # rounded, as the page and the PDF print it
    group_size: int


@pytest.fixture
def world(app: Flask) -> dict[str, object]:
    with app.app_context():
        return {**manager_position_and_api_token(), "submissions": [], "counted": 0}


def add(app: Flask, world: dict[str, object], count: int, *, final: bool, seed: int) -> None:
    with app.app_context():
        from screening.models import Position

        position = db.session.get(Position, world["position"])
        for n in range(count):
            submission = submit_simulated(position, name=f"Applicant {seed + n}", seed=seed + n,
                                          rate_free_text=final)
            if final:
                world["submissions"].append(submission.id)  # type: ignore[attr-defined]
                # Read from the stored result, not from the norm code under test.
                if submission.result["status"] == "scored":
                    world["counted"] += 1  # type: ignore[operator]


def _from_words(text: str) -> Seen:
    text = " ".join(text.split())
    found = ORDINAL.search(text)
    if found:
        return Seen(int(found.group(1)), int(found.group(2)))
    small = NOT_ENOUGH.search(text)
    assert small, "neither a percentile nor 'not enough data' is shown"
    return Seen(None, int(small.group(1)))


def on_the_page(client: FlaskClient, submission_id: int) -> Seen:
    page = client.get(f"/manage/submissions/{submission_id}")
    assert page.status_code == 200
    glance = page.text.split('id="band-heading"', 1)[1].split("</section>", 1)[0]
    return _from_words(glance.split("Overall", 1)[1])


def in_the_pdf(client: FlaskClient, submission_id: int) -> Seen:
    response = client.get(f"/manage/submissions/{submission_id}/report.pdf")
    assert response.status_code == 200
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        first_page = pdf.pages[0].extract_text()
    return _from_words(first_page.split("Overall", 1)[1])


def in_the_csv(client: FlaskClient, position_id: int, submission_id: int) -> Seen:
    response = client.get(f"/manage/positions/{position_id}/results.csv")
    rows = csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig")))
    row = next(r for r in rows if r["submission_id"] == str(submission_id))
    percentile = row["overall_percentile"]
    return Seen(round(float(percentile)) if percentile else None, int(row["norm_group_size"]))


def in_the_api(client: FlaskClient, token: str, submission_id: int) -> Seen:
    response = client.get(f"/api/v1/submissions/{submission_id}",
                          headers={"Authorization": f"Bearer {token}"})
    result = response.get_json()["result"]
    percentile = result["overall_percentile"]
    return Seen(round(percentile) if percentile is not None else None, result["norm_group_size"])


def everywhere(client: FlaskClient, world: dict[str, object], submission_id: int) -> set[Seen]:
    return {
        on_the_page(client, submission_id),
        in_the_pdf(client, submission_id),
        in_the_csv(client, world["position"], submission_id),  # type: ignore[arg-type]
        in_the_api(client, world["token"], submission_id),  # type: ignore[arg-type]
    }


def test_every_channel_agrees_and_provisional_results_do_not_count(
    app: Flask, client: FlaskClient, world: dict[str, object]
) -> None:
    add(app, world, 20, final=True, seed=500)
    add(app, world, 40, final=False, seed=600)  # 60 submitted, but at most 20 counted
    counted = world["counted"]
    assert 15 <= counted <= 20  # type: ignore[operator]
    sign_in(client, world["manager"])  # type: ignore[arg-type]
    applicant = world["submissions"][0]  # type: ignore[index]
    assert everywhere(client, world, applicant) == {Seen(None, counted)}  # type: ignore[arg-type]

    add(app, world, 16, final=True, seed=700)  # at least 30 counted: percentiles for all
    assert world["counted"] >= 30  # type: ignore[operator]
    (seen,) = everywhere(client, world, applicant)
    assert seen.group_size == world["counted"] and seen.percentile is not None


def test_a_result_that_is_not_a_judgement_is_compared_nowhere(
    app: Flask, client: FlaskClient, world: dict[str, object]
) -> None:
    add(app, world, 36, final=True, seed=500)
    assert world["counted"] >= 30  # type: ignore[operator]
    with app.app_context():
        from screening.models import Submission

        not_judged = [s for s in world["submissions"]  # type: ignore[attr-defined]
                      if db.session.get(Submission, s).result["status"] != "scored"]
    assert not_judged, "the simulator's seeds 500-535 make at least one such result"
    applicant = not_judged[0]
    sign_in(client, world["manager"])  # type: ignore[arg-type]

    page = client.get(f"/manage/submissions/{applicant}").text
    glance = " ".join(page.split('id="band-heading"', 1)[1].split("</section>", 1)[0].split())
    assert "Overall" in glance and "not compared:" in glance.split("Overall", 1)[1]
    assert not ORDINAL.search(glance)
    pdf = client.get(f"/manage/submissions/{applicant}/report.pdf")
    with pdfplumber.open(io.BytesIO(pdf.data)) as document:
        first_page = " ".join(document.pages[0].extract_text().split())
    assert "not compared:" in first_page.split("Overall", 1)[1]
    assert not ORDINAL.search(first_page)
    assert in_the_csv(client, world["position"], applicant).percentile is None  # type: ignore[arg-type]
    assert in_the_api(client, world["token"], applicant).percentile is None  # type: ignore[arg-type]
    # The scored results beside it keep theirs.
    scored = next(s for s in world["submissions"] if s not in not_judged)  # type: ignore[attr-defined]
    assert in_the_api(client, world["token"], scored).percentile is not None  # type: ignore[arg-type]
