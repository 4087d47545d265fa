"""The cohort and compare PDFs as a manager reads them: the comparison first, the table in
the list's order, results without a band apart, and no page left mostly blank."""

from __future__ import annotations

import io
import re

import pdfplumber
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import Submission
from screening.services.questionnaires import questionnaire_for
from screening.services.results import store_result
from tests.factories import visible_text
from tests.integration.test_reports_web import build_cohort, sign_in

#: A page whose text covers less than this share of the space between the margins is
#: "mostly blank" (the issue: a page 80% blank).
MOSTLY_BLANK = 0.2


def applicant_names(app: Flask, submission_ids: list[int]) -> dict[int, str]:
    with app.app_context():
        return {s.id: s.invitation.applicant.name for s in db.session.scalars(
            select(Submission).where(Submission.id.in_(submission_ids)))}


def page_texts(data: bytes) -> list[str]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return [re.sub(r"\s+", " ", page.extract_text() or "") for page in pdf.pages]


def test_the_comparison_is_page_one_and_the_cohort_follows(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, 8, seed=41)
    chosen = [cohort.submission_ids[6], cohort.submission_ids[1], cohort.submission_ids[3]]
    names = applicant_names(app, chosen)
    sign_in(client, cohort.manager_email)
    response = client.get(f"/manage/positions/{cohort.position_id}/cohort.pdf"
                          f"?compare={','.join(map(str, chosen))}")
    assert response.status_code == 200
    pages = page_texts(response.data)
    first = pages[0]
    assert "Side by side" in first
    for label in ("Band", "Overall", "Warmth", "Red flags", "Decision"):
        assert label in first
    positions = [first.index(names[submission_id]) for submission_id in chosen]
    assert positions == sorted(positions)  # in the order the manager chose
    assert first.startswith("SIDE BY SIDE")  # the eyebrow, in capitals
    assert "COHORT REPORT" not in first
    assert any("COHORT REPORT ·" in text for text in pages[1:])


def test_the_cohort_table_is_sorted_as_the_managers_list(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, 12, seed=42)
    names = applicant_names(app, cohort.submission_ids)
    assert len(set(names.values())) == len(names)  # each name finds one row
    sign_in(client, cohort.manager_email)
    for query in ("sort=name&order=asc", "sort=overall&order=desc", "sort=warmth&order=asc", ""):
        listing = visible_text(client.get(
            f"/manage/positions/{cohort.position_id}?{query}").text)
        in_list = sorted(names.values(), key=listing.index)
        pdf = client.get(f"/manage/positions/{cohort.position_id}/cohort.pdf?{query}")
        table = " ".join(page_texts(pdf.data)).split("in your list's order", 1)[1]
        in_pdf = sorted(names.values(), key=table.index)
        assert in_pdf == in_list, query
    # The position page's link carries the list's order to the report.
    page = client.get(f"/manage/positions/{cohort.position_id}?sort=name&order=asc").text
    assert (f'href="/manage/positions/{cohort.position_id}/cohort.pdf?sort=name&amp;order=asc"'
            in page)
    pdf = client.get(f"/manage/positions/{cohort.position_id}/cohort.pdf?sort=name&order=asc")
    assert "in your list's order: name, A to Z" in " ".join(page_texts(pdf.data))


def test_incomplete_results_have_their_own_column_and_no_band(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, 6, seed=43)
    left_early = cohort.submission_ids[2]
    with app.app_context():
        submission = db.session.get(Submission, left_early)
        for answer in submission.answers:  # left before answering anything
            db.session.delete(answer)
        db.session.flush()
        db.session.refresh(submission, ["answers"])
        store_result(db.session, submission)
        db.session.commit()
        assert submission.result_status == "incomplete"
        name = submission.invitation.applicant.name
        bands = questionnaire_for(submission.questionnaire_version).bands
        banded = db.session.scalars(select(Submission.band_id).where(
            Submission.result_status == "scored")).all()
    sign_in(client, cohort.manager_email)
    response = client.get(f"/manage/positions/{cohort.position_id}/cohort.pdf")
    with pdfplumber.open(io.BytesIO(response.data)) as pdf:
        page = next(p for p in pdf.pages if "Incomplete or" in p.extract_text())
        words = page.extract_words()
        # The table's header row: "Band", then "Incomplete or unreliable" on the same line.
        band_header, header = next(
            (band, status) for band in words if band["text"] == "Band"
            for status in words
            if status["text"] == "Incomplete" and abs(status["top"] - band["top"]) < 3)
        first_name = name.split()[0]
        row = next(w for w in words if w["text"] == first_name and w["top"] > header["bottom"])
        in_row = [w for w in words if abs(w["top"] - row["top"]) < 3]
        # The row's status sits in the status column, and its band column says none.
        status = next(w for w in in_row if w["text"].startswith("Incomplete"))
        assert abs(status["x0"] - header["x0"]) < 2
        band_cell = [w["text"] for w in in_row
                     if band_header["x0"] - 2 <= w["x0"] < header["x0"] - 2]
        assert band_cell == ["—"]
        summary = pdf.pages[0].extract_text().splitlines()
    # The summary figures: submitted, each band, then incomplete and unreliable apart.
    labels = next(line for line in summary if line.startswith("submitted"))
    values = summary[summary.index(labels) - 1].split()
    assert "Incomplete: no band" in labels and "Unreliable: no band" in labels
    in_bands = [banded.count(band.id) for band in bands]
    assert [int(value) for value in values] == [6, *in_bands, 1, 0]
    assert sum(in_bands) == 5  # the incomplete result is in none of them


def test_no_page_of_a_realistic_cohort_is_mostly_blank(
    app: Flask, client: FlaskClient,
) -> None:
    cohort = build_cohort(app, 40, seed=44)
    chosen = ",".join(map(str, cohort.submission_ids[:3]))
    sign_in(client, cohort.manager_email)
    for url in (f"/manage/positions/{cohort.position_id}/cohort.pdf",
                f"/manage/positions/{cohort.position_id}/cohort.pdf?compare={chosen}"):
        response = client.get(url)
        with pdfplumber.open(io.BytesIO(response.data)) as pdf:
            assert len(pdf.pages) >= 2
            for number, page in enumerate(pdf.pages, start=1):
                # Between the running header and the footer: 16 mm and 18 mm margins.
                top, bottom = 16 / 25.4 * 72, page.height - 18 / 25.4 * 72
                body = [w for w in page.extract_words() if top <= w["top"] and
                        w["bottom"] <= bottom]
                used = (max(w["bottom"] for w in body) - top) / (bottom - top)
                assert used >= MOSTLY_BLANK, f"{url}: page {number} is {1 - used:.0%} blank"
                if number < len(pdf.pages):
                    assert used >= 0.5, f"{url}: page {number} ends at {used:.0%}"
