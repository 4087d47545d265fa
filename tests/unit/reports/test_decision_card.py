"""The decision card of the applicant report: what leads the page and PDF page 1.

Pure: built from the small questionnaire in conftest, expected values worked by hand.
"""

from __future__ import annotations

from dataclasses import replace

from conftest import GENERATED_AT, facts, mixed_answers, strong_answers

from screening.bank.model import Questionnaire
from screening.reports import applicant, wording
from screening.scoring import Answer, NormGroup, SubmissionResult, score_submission


def _report(questionnaire: Questionnaire, result: SubmissionResult,
            **fact_fields: object) -> applicant.ApplicantReport:
    return applicant.build_applicant_report(
        facts=replace(facts(), **fact_fields), questionnaire=questionnaire, result=result,
        norms=NormGroup(), psychometrics=None, generated_at=GENERATED_AT)


def test_the_band_line_gives_the_reason(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    report = _report(questionnaire, mixed_result)
    assert report.band_line == "Probe in interview — 1 red flag"
    assert report.status_short == "Final"
    clean = _report(questionnaire, score_submission(questionnaire, strong_answers(), {"R2": 5}))
    assert clean.band_line == ("Strong fit for front-line work — no red flags, and no score "
                               "close to a cut")


def test_close_to_the_line_is_named_in_the_reason(mixed_result: SubmissionResult) -> None:
    close = replace(mixed_result, close_to_line=("respect",))
    assert wording.band_reason(close) == (
        "respect under pressure is close to the line; 1 red flag")
    both = replace(mixed_result, close_to_line=("overall", "warmth"), red_flags=())
    assert wording.band_reason(both) == "the overall score and warmth are close to the line"


def test_red_flags_are_quoted_under_the_applicants_number_and_letter(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    # Bank order without a seed: R1 is the 5th item, its option c the 3rd (C).
    (flag,) = _report(questionnaire, mixed_result).red_flags
    assert (flag.number, flag.letter, flag.item_id, flag.quote) == (
        5, "C", "R1", "Answer back sharply")


def test_a_stored_seed_renumbers_items_and_options(questionnaire: Questionnaire) -> None:
    shuffled = replace(questionnaire, randomise_items=True, randomise_options=True)
    result = score_submission(shuffled, mixed_answers(), {"R2": 4})
    report = _report(shuffled, result, order_seed=3)
    numbers = [entry.number for entry in report.appendix]
    assert numbers == [1, 2, 3, 4, 5, 6]  # listed in the applicant's order
    assert [entry.item_id for entry in report.appendix] != [i.id for i in questionnaire.items]
    (flag,) = report.red_flags
    r1 = next(entry for entry in report.appendix if entry.item_id == "R1")
    assert flag.number == r1.number
    assert r1.answer_summary == f'Chose {flag.letter}: "Answer back sharply"'


def test_three_interview_questions_and_an_anchored_scale(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    report = _report(questionnaire, mixed_result)
    assert report.interview is not None
    assert len(report.interview.questions) == 3
    # Bank order: C2 is the 4th item, C1 the 3rd.
    assert [q.item_number for q in report.interview.questions] == [4, 3, 4]
    assert [anchor.rating for anchor in report.interview_scale] == [1, 2, 3, 4, 5]


def test_one_strong_and_one_weak_answer_to_walk_through(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    strong, weak = _report(questionnaire, mixed_result).talk_through
    # W1 and W2 earned every point (W1 is seen first); C2 and R1 nothing (C2 first).
    assert (strong.kind, strong.item_id, weak.kind, weak.item_id) == (
        "strong", "W1", "weak", "C2")
    assert strong.prompt == ("In the situation of “Phone rings during the huddle” (question 1), "
                             "you chose A, “Answer at once and greet” — walk me through it.")
    assert weak.prompt == ("In the situation of “Question outside your knowledge” "
                           "(question 4), you put C, “Guess confidently” first — walk me "
                           "through it.")


def test_the_quality_summary_counts_in_one_sentence(questionnaire: Questionnaire) -> None:
    answers = {**strong_answers(), "W1": Answer("W1", choice="a", seconds=1.0),
               "R1": Answer("R1", choice="a", seconds=1.0)}
    del answers["C2"]
    result = score_submission(questionnaire, answers, {"R2": 5})
    assert wording.quality_summary(result) == (
        "2 of 6 answered faster than they can be read; 1 of 6 not answered.")
    clean = score_submission(questionnaire, strong_answers(), {"R2": 5})
    assert wording.quality_summary(clean).startswith("No response-quality concerns")


def test_the_recorded_decision_and_the_language_are_on_the_card(
    questionnaire: Questionnaire, strong_result: SubmissionResult,
) -> None:
    decision = applicant.RecordedDecision("advance", "Advance to interview", "Morgan Manager",
                                          GENERATED_AT, "Calm throughout.")
    report = applicant.build_applicant_report(
        facts=replace(facts(), language="es"), questionnaire=questionnaire,
        result=strong_result, norms=NormGroup(), psychometrics=None,
        generated_at=GENERATED_AT, decision=decision)
    assert report.decision == decision
    assert report.cautions[-1].startswith("Taken in Spanish:")
    assert not any(c.startswith("Taken in") for c in _report(questionnaire, strong_result).cautions)


def test_scores_in_plain_words_with_and_without_a_comparison(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    assert _report(questionnaire, mixed_result).scores_in_words == (
        "Warmth 100%, Common sense 6%, Respect under pressure 64%: no comparison yet, "
        "too few final results.")
    # 30 earlier applicants: 10 below the applicant's 100% warmth, 20 level with it.
    group = NormGroup({"overall": [10.0] * 30, "warmth": [90.0] * 10 + [100.0] * 20})
    report = applicant.build_applicant_report(
        facts=facts(), questionnaire=questionnaire, result=mixed_result, norms=group,
        psychometrics=None, generated_at=GENERATED_AT)
    assert report.scores_in_words.startswith(
        "Warmth 100%: above about 67% of the 30 applicants compared. Common sense 6%: "
        "no comparison yet")
