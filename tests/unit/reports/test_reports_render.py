"""The PDFs read back: what a manager needs is on the page, and applicant text stays text."""

from __future__ import annotations

import io
import re

import pytest
from conftest import GENERATED_AT, facts, mixed_answers, strong_answers
from pypdf import PdfReader

from screening.bank.model import Questionnaire
from screening.reports import applicant, cohort, render
from screening.scoring import NormGroup, SubmissionResult, score_submission


def _read(document: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(document))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, re.sub(r"\s+", " ", text)


def _applicant_pdf(questionnaire: Questionnaire, result: SubmissionResult,
                   page_size: str = "A4", name: str = "Robin Example") -> bytes:
    report = applicant.build_applicant_report(
        facts=facts(name), questionnaire=questionnaire, result=result,
        norms=NormGroup(), psychometrics=None, generated_at=GENERATED_AT)
    return render.applicant_pdf(report, page_size)


def test_applicant_summary_shows_name_scores_band_and_red_flags(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    reader, text = _read(_applicant_pdf(questionnaire, mixed_result))
    assert "Robin Example" in text
    assert "Hotel front desk, Harbour Street" in text
    assert "Final Probe in interview — 1 red flag" in text  # mixed: overall 57%, respect 64%
    assert "Overall 57%" in text
    # Every dimension with its percentage and points, hand-worked from the rubric above.
    assert "Warmth: 100% — no comparison yet" in text and "12 of 12 points" in text
    assert "Common sense: 6% —" in text and "1 of 16 points" in text
    assert "Respect under pressure: 64% —" in text and "9 of 14 points" in text
    assert text.count("not enough data yet (0 of 30 completed)") >= 3
    # The red flag, quoted under the number and letter the applicant saw (bank order here).
    assert "Red flag, question 5, option C: “Answer back sharply”" in text
    assert "First question about Question outside your knowledge?" in text
    assert "It must never be the sole basis of a hiring decision" in text
    assert len(reader.pages) == 2 and "Page 1 of 2" in text
    assert "Confidential: applicant data for the hiring decision only" in text
    assert "generated 20 Nov 2026, 14:30 UTC" in text
    assert reader.metadata.title == "Screening summary: Robin Example"
    assert reader.trailer["/Root"]["/Lang"] == "en"


def test_free_text_markup_prints_as_text_and_fetches_nothing(
    questionnaire: Questionnaire, caplog: pytest.LogCaptureFixture,
) -> None:
    hostile = ('Fine. <img src="file:///etc/passwd"> <link rel="stylesheet" '
               'href="http://127.0.0.1:9/x.css"> <b>bold?</b> "quoted" & done')
    answers = {**strong_answers()}
    answers["R2"] = answers["R2"].__class__("R2", text=hostile, seconds=90)
    result = score_submission(questionnaire, answers, {"R2": 3})
    _, text = _read(_applicant_pdf(questionnaire, result))
    assert '<img src="file:///etc/passwd">' in text
    assert '<link rel="stylesheet" href="http://127.0.0.1:9/x.css">' in text
    assert '<b>bold?</b> "quoted" & done' in text
    assert "refused" not in caplog.text  # escaped: nothing even asked to be fetched


def test_letter_page_size_by_setting(
    questionnaire: Questionnaire, strong_result: SubmissionResult,
) -> None:
    a4, _ = _read(_applicant_pdf(questionnaire, strong_result, "A4"))
    letter, _ = _read(_applicant_pdf(questionnaire, strong_result, "Letter"))
    assert [round(float(v)) for v in a4.pages[0].mediabox[2:]] == [595, 842]
    assert [round(float(v)) for v in letter.pages[0].mediabox[2:]] == [612, 792]
    with pytest.raises(render.PageSizeError):
        render.page_size_css("A5")


def test_names_that_look_like_css_cannot_break_the_page_style(
    questionnaire: Questionnaire, strong_result: SubmissionResult,
) -> None:
    name = 'Zoë "}</style><script>x</script> O\'Brien'
    _, text = _read(_applicant_pdf(questionnaire, strong_result, name=name))
    assert name in text
    assert render.css_string('a"b') == '"a\\22 b"'


def test_cohort_report_lists_every_applicant_with_scores_and_compare_page(
    questionnaire: Questionnaire,
) -> None:
    results = [
        score_submission(questionnaire, strong_answers(), {"R2": 5}),
        score_submission(questionnaire, mixed_answers(), {"R2": 2}),
        score_submission(questionnaire, strong_answers(), {}),
    ]
    names = ["Amara Okafor", "Ben Brennan", "Chloe Costa"]
    entries = [cohort.CohortEntry(facts(name, i), result, "Advance to front line" if i == 1
                                   else "")
               for i, (name, result) in enumerate(zip(names, results, strict=True), start=1)]
    report = cohort.build_cohort_report(
        position_title="Hotel front desk", position_location="Harbour Street",
        questionnaire=questionnaire, entries=entries, not_submitted=1, compare=[2, 1],
        norms=NormGroup(), generated_at=GENERATED_AT)
    reader, text = _read(render.cohort_pdf(report))
    for name in names:
        assert name in text
    assert "Chloe Costa (provisional)" in text
    assert "Advance to front line" in text
    assert "Side by side" in text
    assert "submitted; 1 not yet" in text
    assert reader.metadata.title == "Side by side: Hotel front desk"
    assert "Side by side" in reader.pages[0].extract_text()
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert width > height  # landscape, so the table keeps one line per applicant
