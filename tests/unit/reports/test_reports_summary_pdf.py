"""The applicant summary PDF is two pages: page 1 decides, page 2 is the interview.

Read back with pdfplumber from a real WeasyPrint render of the real 20-item bank.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pdfplumber
import pytest
from conftest import GENERATED_AT, facts

from screening.bank.loader import load_questionnaire
from screening.bank.model import Questionnaire, ResponseFormat
from screening.bank.ordering import item_order, option_order
from screening.reports import applicant, render
from screening.scoring import Answer, NormGroup, SubmissionResult, score_submission

BANK = Path(__file__).resolve().parents[3] / "questions"
#: A seed whose item order differs from the bank's (asserted below, not assumed).
SEED = 20261204
#: The four options marked red flag that this applicant chose.
RED_FLAG_CHOICES = {
    "W02-visitor-walks-in-while-chatting": "d",
    "C03-long-call-time-target": "d",
    "R04-abusive-caller-end-politely": "c",
    "W05-colleague-asks-at-end-of-shift": "b",
}
#: Answered in 1 s: faster than anyone can read them (6 of 20 is "many").
RUSHED = ("W01-phone-rings-during-huddle", "C01-out-of-stock-tap-part",
          "R01-angry-caller-own-mistake", "C06-repeat-troubleshooting-script",
          "W06-find-out-what-they-need", "R08-wrong-passenger-baggage")


@pytest.fixture(scope="module")
def standard() -> Questionnaire:
    return load_questionnaire(BANK, "frontline-standard")


def _answers(questionnaire: Questionnaire) -> dict[str, Answer]:
    answers = {}
    for item in questionnaire.items:
        seconds = 1.0 if item.id in RUSHED else 40.0
        safe = [option.id for option in item.options if not option.red_flag]
        match item.format:
            case ResponseFormat.BEST_CHOICE:
                answer = Answer(item.id, choice=RED_FLAG_CHOICES.get(item.id, safe[0]),
                                seconds=seconds)
            case ResponseFormat.MOST_LEAST:
                answer = Answer(item.id, most=safe[0], least=safe[1], seconds=seconds)
            case ResponseFormat.RATE_EACH:
                answer = Answer(item.id, ratings={
                    option.id: 1 if option.red_flag else 1 + index % 5
                    for index, option in enumerate(item.options)}, seconds=seconds)
            case ResponseFormat.RANK:
                ranking = safe + [o.id for o in item.options if o.red_flag]
                answer = Answer(item.id, ranking=tuple(ranking), seconds=seconds)
            case _:
                answer = Answer(item.id, text="I would say sorry, check the address with "
                                "them and rebook the delivery myself today.", seconds=seconds)
        answers[item.id] = answer
    return answers


@pytest.fixture(scope="module")
def flagged(standard: Questionnaire) -> SubmissionResult:
    result = score_submission(standard, _answers(standard), {"C13-wrong-address-free-text": 3})
    assert len(result.red_flags) == 4
    return result


def _summary(questionnaire: Questionnaire, result: SubmissionResult,
             decision: applicant.RecordedDecision | None, page_size: str = "A4") -> list[str]:
    report = applicant.build_applicant_report(
        facts=applicant.ApplicantFacts(**{**facts().__dict__, "order_seed": SEED}),
        questionnaire=questionnaire, result=result, norms=NormGroup(), psychometrics=None,
        generated_at=GENERATED_AT, decision=decision)
    with pdfplumber.open(io.BytesIO(render.applicant_pdf(report, page_size))) as pdf:
        return [re.sub(r"\s+", " ", page.extract_text() or "") for page in pdf.pages]


DECISION = applicant.RecordedDecision(
    outcome="on_hold", label="On hold", decided_by="Morgan Manager",
    decided_at=GENERATED_AT - timedelta(minutes=2),
    note="Hold until we have talked through the rushed answers with her.")


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_twenty_items_and_four_red_flags_fit_on_two_pages(
    standard: Questionnaire, flagged: SubmissionResult, page_size: str,
) -> None:
    pages = _summary(standard, flagged, DECISION, page_size)
    assert len(pages) == 2
    assert "Page 1 of 2" in pages[0] and "Page 2 of 2" in pages[1]


def test_page_one_carries_the_caution_band_red_flags_and_decision(
    standard: Questionnaire, flagged: SubmissionResult,
) -> None:
    first, second = _summary(standard, flagged, DECISION)
    assert "6 of 20 answers came faster than the questions can be read" in first
    assert "4 red flags" in first  # on the band line, with the band
    assert flagged.band is not None and flagged.band.label in first
    for item_id, option_id in RED_FLAG_CHOICES.items():
        quoted = standard.item(item_id).option(option_id).text
        assert f"“{quoted}”" in first
    assert "Decision: On hold by Morgan Manager, 20 Nov 2026, 14:28 UTC" in first
    assert "Hold until we have talked through the rushed answers with her." in first
    assert "Warmth:" in first and "Legend" in first
    # The appendix and methodology belong to the full record now.
    assert "Cronbach" not in first + second
    assert "Appendix" not in first + second


def test_page_two_is_the_interview_with_scale_and_own_answers(
    standard: Questionnaire, flagged: SubmissionResult,
) -> None:
    _, second = _summary(standard, flagged, None)
    assert second.startswith("Interview") or "Interview:" in second
    report = applicant.build_applicant_report(
        facts=facts(), questionnaire=standard, result=flagged, norms=NormGroup(),
        psychometrics=None, generated_at=GENERATED_AT)
    assert report.interview is not None and len(report.interview.questions) == 3
    for question in report.interview.questions:
        assert question.text[:60] in second
    # An anchored 1-5 scale under each question.
    assert second.count("☐ 1 no example") == 3
    assert second.count("☐ 5 specific, followed through") == 3
    assert "walk me through it" in second
    assert second.count("walk me through it") == 2


def test_items_and_options_are_numbered_as_the_applicant_saw_them(
    standard: Questionnaire, flagged: SubmissionResult,
) -> None:
    # The apply pages show items in ``item_order`` and options in ``option_order`` of
    # the stored seed (services.journey.Sequence); the summary must use the same.
    shown = item_order(standard, SEED)
    assert shown != tuple(item.id for item in standard.items)
    first, _ = _summary(standard, flagged, None)
    for item_id, option_id in RED_FLAG_CHOICES.items():
        number = shown.index(item_id) + 1
        letter = "ABCDE"[option_order(standard, standard.item(item_id), SEED).index(option_id)]
        assert f"Red flag, question {number}, option {letter}:" in first
        assert f"bank item {item_id}" in first


def _every_red_flag(questionnaire: Questionnaire) -> dict[str, Answer]:
    """Every option of the bank marked red flag, endorsed, whatever its format."""
    answers = _answers(questionnaire)
    for item in questionnaire.items:
        red = [option.id for option in item.options if option.red_flag]
        other = [option.id for option in item.options if not option.red_flag]
        if not red:
            continue
        answer = answers[item.id]
        match item.format:
            case ResponseFormat.BEST_CHOICE:
                answers[item.id] = replace(answer, choice=red[0])
            case ResponseFormat.MOST_LEAST:
                answers[item.id] = replace(answer, most=red[0], least=other[0])
            case ResponseFormat.RATE_EACH:
                answers[item.id] = replace(answer, ratings={**answer.ratings, red[0]: 5})
            case ResponseFormat.RANK:
                answers[item.id] = replace(answer, ranking=(*red, *other))
    return answers


@pytest.mark.parametrize("page_size", ["A4", "Letter"])
def test_the_fullest_page_one_still_leaves_two_pages(
    standard: Questionnaire, page_size: str,
) -> None:
    # Every red flag the bank has, four cautions (demo data, rushed, provisional, taken in
    # Spanish) and a decision note of the longest length the form accepts.
    result = score_submission(standard, _every_red_flag(standard), {})
    assert len(result.red_flags) > applicant.MAX_QUOTED_FLAGS and result.provisional
    report = applicant.build_applicant_report(
        facts=replace(facts(), order_seed=SEED, language="es", synthetic=True,
                      adjustment="extra_100"),
        questionnaire=standard, result=result, norms=NormGroup(), psychometrics=None,
        generated_at=GENERATED_AT, decision=replace(DECISION, note="word " * 800))
    assert len(report.cautions) == 4
    with pdfplumber.open(io.BytesIO(render.applicant_pdf(report, page_size))) as pdf:
        assert len(pdf.pages) == 2
        first = re.sub(r"\s+", " ", pdf.pages[0].extract_text())
    hidden = len(result.red_flags) - applicant.MAX_QUOTED_FLAGS
    assert f"{hidden} more red flags: see the full record." in first
    assert "(the full note is on the applicant's page)" in first
    assert "It must never be the sole basis of a hiring decision" in first
