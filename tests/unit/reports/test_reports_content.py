"""What the reports say, decided in the pure core: no database, no PDF."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest
from conftest import (
    GENERATED_AT,
    build_questionnaire,
    facts,
    mixed_answers,
    strong_answers,
)

from screening.bank.model import Questionnaire
from screening.reports import applicant, cohort
from screening.scoring import (
    NormGroup,
    ResultStatus,
    SubmissionResult,
    analyse_results,
    score_submission,
)


def _norms(values: dict[str, list[float]]) -> NormGroup:
    return NormGroup(values)


def _report(questionnaire: Questionnaire, result: SubmissionResult,
            norms: NormGroup | None = None) -> applicant.ApplicantReport:
    return applicant.build_applicant_report(
        facts=facts(), questionnaire=questionnaire, result=result,
        norms=norms or _norms({}), psychometrics=None, generated_at=GENERATED_AT,
    )


def test_strengths_and_concerns_are_the_best_and_worst_scoring_answers(
    mixed_result: SubmissionResult,
) -> None:
    strengths, concerns = applicant.strengths_and_concerns(mixed_result)
    # W1 and W2 earned every point, R2 (rated 4 of 5) three quarters of them.
    assert [h.item_id for h in strengths] == ["W1", "W2", "R2"]
    assert strengths[1].points_text == "Warmth 8 of 8 · Respect under pressure 6 of 6"
    # C2 and R1 earned nothing (questionnaire order breaks the tie), C1 one point of twelve.
    assert [h.item_id for h in concerns] == ["C2", "R1", "C1"]
    r1 = concerns[1]
    assert (r1.points, r1.maximum) == (0, 4)
    assert [(e.role, e.text, e.rationale) for e in r1.evidence] == [
        ("chosen", "Answer back sharply", "Rationale for answer back sharply.")]
    # A ranking is explained by the option placed first.
    assert [e.text for e in concerns[0].evidence] == ["Guess confidently"]


def test_rate_each_quotes_the_rating_furthest_from_the_key(mixed_result: SubmissionResult) -> None:
    _, concerns = applicant.strengths_and_concerns(mixed_result)
    c1 = next(h for h in concerns if h.item_id == "C1")
    # "Promise it tomorrow" is keyed 1 and was rated 5: agreement 0, as bad as "Check another
    # branch" (keyed 5, rated 1); the first of the two in option order is quoted.
    assert [(e.role, e.text) for e in c1.evidence] == [("rated 1", "Check another branch")]


def test_a_flawless_result_has_no_concerns(strong_result: SubmissionResult) -> None:
    strengths, concerns = applicant.strengths_and_concerns(strong_result)
    assert concerns == ()
    assert len(strengths) == applicant.MAX_HIGHLIGHTS


def test_interview_questions_aim_at_the_weakest_dimension_weakest_answers_first(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    guide = applicant.interview_guide(questionnaire, mixed_result)
    assert guide is not None
    assert guide.dimension == "common_sense"
    # Three questions: the interview page has room for three, each with notes and a scale.
    assert [q.text for q in guide.questions] == [
        "First question about Question outside your knowledge?",
        "First question about Part out of stock?",
        "Second question about Question outside your knowledge?",
    ]


def test_pending_free_text_makes_the_report_provisional(questionnaire: Questionnaire) -> None:
    pending = score_submission(questionnaire, strong_answers(), {})
    report = _report(questionnaire, pending)
    assert report.provisional
    assert report.status_label.startswith("Provisional: 1 written answer still to be rated")
    r2 = next(entry for entry in report.appendix if entry.item_id == "R2")
    assert r2.pending
    assert r2.points_text == "Waiting for a manager's rating: not in the score yet"


def test_appendix_lists_every_item_with_rubric_lines_and_points(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    report = _report(questionnaire, mixed_result)
    assert [entry.item_id for entry in report.appendix] == [i.id for i in questionnaire.items]
    w2 = report.appendix[1]
    assert w2.format_label == "Most and least effective"
    assert w2.dimension_labels == "Warmth, Respect under pressure"
    assert [row.role for row in w2.rubric] == ["most effective", "least effective"]
    assert w2.points_text == "Warmth 8 of 8 · Respect under pressure 6 of 6"
    assert [row.text for row in w2.rubric] == ["Greet the visitor warmly", "Finish the story first"]
    r1 = report.appendix[4]
    assert r1.points_text == "Respect under pressure 0 of 4"
    # The chosen option is quoted in the answer already; its rubric line gives only the why.
    # Options go by the letter the applicant saw (bank order here: no stored seed).
    assert r1.answer_summary == 'Chose C: "Answer back sharply"'
    assert [(row.role, row.text, row.rationale) for row in r1.rubric] == [
        ("chosen", "", "Rationale for answer back sharply.")]


def test_red_flags_are_quoted_with_their_rationale(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    report = _report(questionnaire, mixed_result)
    assert [(f.title, f.detail) for f in report.red_flags] == [(
        "Rude customer at the till",
        "“Answer back sharply” — Rationale for answer back sharply.",
    )]


def test_percentiles_need_thirty_in_the_norm_group(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    small = _norms({"overall": [50.0] * 29, "warmth": [50.0] * 29})
    report = _report(questionnaire, mixed_result, small)
    warmth = report.dimensions[0]
    assert warmth.percentile is None
    assert warmth.percentile_text == "not enough data yet (29 of 30 completed)"

    # 30 earlier applicants: 10 below the applicant's 100% warmth, 20 level with it.
    group = _norms({"overall": [10.0] * 30, "warmth": [90.0] * 10 + [100.0] * 20})
    report = _report(questionnaire, mixed_result, group)
    warmth = report.dimensions[0]
    assert warmth.percentile == pytest.approx(100 * (10 + 0.5 * 20) / 30, abs=0.05)
    assert warmth.percentile_text == "67th percentile of 30"
    assert warmth.median_percent == 100.0
    assert report.overall_percentile == 100.0


@pytest.mark.parametrize(("status", "reason"), [
    (ResultStatus.INCOMPLETE, "not compared: too few questions answered"),
    (ResultStatus.UNRELIABLE, "not compared: answered faster than the questions can be read"),
])
def test_a_result_that_is_not_a_judgement_gets_no_percentile(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
    status: ResultStatus, reason: str,
) -> None:
    # A group of 30 that would rank the same scores (see the test above).
    group = _norms({"overall": [10.0] * 30, "warmth": [90.0] * 10 + [100.0] * 20})
    not_judged = replace(mixed_result, status=status, band=None)
    report = _report(questionnaire, not_judged, group)
    assert report.overall_percentile is None
    assert report.overall_percentile_text == reason
    warmth = report.dimensions[0]
    assert (warmth.percentile, warmth.percentile_text) == (None, reason)
    assert warmth.plain_text == reason
    # The compare page says the same, from the same rule.
    page = cohort._compare_pages([cohort.CohortEntry(facts(), not_judged, "")], group)[0]
    overall = next(line for line in page.lines if line.label == "Overall")
    assert overall.values[0].endswith(reason)


def test_a_dimension_scored_alike_on_every_item_prints_no_error() -> None:
    method_two = build_questionnaire(scoring_method=2)
    result = score_submission(method_two, strong_answers(), {"R2": 5})
    warmth = result.dimension("warmth")
    # Every warmth item at full marks: the items' spread, and so the error, is 0.
    assert warmth.percent == 100.0 and warmth.error == 0.0
    report = _report(method_two, result)
    assert report.dimensions[0].sem_percent is None
    # Items scored differently do show their error.
    mixed = score_submission(method_two, mixed_answers(), {"R2": 2})
    spread = [line for line in _report(method_two, mixed).dimensions
              if mixed.dimension(line.dimension).error]
    assert spread and all(line.sem_percent == mixed.dimension(line.dimension).error
                          for line in spread)


def test_methodology_reports_reliability_from_psychometrics(
    questionnaire: Questionnaire,
) -> None:
    results = [score_submission(questionnaire, answers, {"R2": rating})
               for answers, rating in [(strong_answers(), 5), (mixed_answers(), 2),
                                       (strong_answers(), 4), (mixed_answers(), 1)]]
    psychometrics = analyse_results(questionnaire, results)
    report = applicant.build_applicant_report(
        facts=facts(), questionnaire=questionnaire, result=results[0],
        norms=NormGroup.of_results(results), psychometrics=psychometrics,
        generated_at=GENERATED_AT,
    )
    method = report.methodology
    assert method.reliability_submissions == 4
    assert [row.label for row in method.reliability] == [
        "Warmth", "Common sense", "Respect under pressure"]
    common_sense = psychometrics.dimensions[1]
    assert common_sense.alpha is not None
    assert method.reliability[1].alpha_text == f"{common_sense.alpha:.2f}"
    # Fewer than 30 submissions: the psychometrics warning is passed on to the reader.
    assert any("Too few submissions" in warning for warning in method.warnings)
    assert method.bands[0].rule == (
        "overall at least 70%, warmth at least 60%, common sense at least 60%, "
        "respect under pressure at least 60%")
    assert method.bands[-1].rule == "every other result"
    assert method.weights_text == (
        "the mean of the warmth, common sense, respect under pressure percentages, "
        "weighted equally")


def test_sem_is_shown_only_for_final_results(questionnaire: Questionnaire) -> None:
    results = [score_submission(questionnaire, answers, {"R2": rating})
               for answers, rating in [(strong_answers(), 5), (mixed_answers(), 2),
                                       (strong_answers(), 3), (mixed_answers(), 1)]]
    psychometrics = analyse_results(questionnaire, results)
    final = applicant.build_applicant_report(
        facts=facts(), questionnaire=questionnaire, result=results[1],
        norms=NormGroup.of_results(results), psychometrics=psychometrics,
        generated_at=GENERATED_AT)
    common_sense = final.dimensions[1]
    sem = psychometrics.dimensions[1].sem
    assert sem is not None
    assert common_sense.sem_percent == pytest.approx(100 * sem / common_sense.maximum)
    provisional = applicant.build_applicant_report(
        facts=facts(), questionnaire=questionnaire,
        result=score_submission(questionnaire, mixed_answers(), {}),
        norms=NormGroup.of_results(results), psychometrics=psychometrics,
        generated_at=GENERATED_AT)
    assert all(line.sem_percent is None for line in provisional.dimensions)


def _entries(questionnaire: Questionnaire) -> list[cohort.CohortEntry]:
    mixed = score_submission(questionnaire, mixed_answers(), {"R2": 2})
    strong = score_submission(questionnaire, strong_answers(), {"R2": 5})
    pending = score_submission(questionnaire, strong_answers(), {})
    return [
        cohort.CohortEntry(facts("Mixed Applicant", 1), mixed, ""),
        cohort.CohortEntry(facts("Strong Applicant", 2), strong, "Advance to front line"),
        cohort.CohortEntry(facts("Pending Applicant", 3), pending, ""),
    ]


def test_cohort_rows_keep_the_managers_list_order(questionnaire: Questionnaire) -> None:
    entries = _entries(questionnaire)
    report = cohort.build_cohort_report(
        position_title="Hotel front desk", position_location="", questionnaire=questionnaire,
        entries=entries[::-1], not_submitted=2, compare=[], norms=NormGroup(),
        generated_at=GENERATED_AT, order_text="name, Z to A")
    assert [row.applicant_name for row in report.rows] == [
        "Pending Applicant", "Strong Applicant", "Mixed Applicant"]
    assert report.order_text == "name, Z to A"
    assert report.rows[0].provisional
    assert report.rows[1].decision == "Advance to front line"
    assert report.rows[2].red_flags == 1
    assert [row.unbanded_reason for row in report.rows] == ["", "", ""]
    assert report.dimensions == (("warmth", "Warmth"), ("common_sense", "Common sense"),
                                 ("respect", "Respect under pressure"))
    # Mixed: warmth 100%, common sense 1/16, respect 7/14 -> overall 52%: probe.
    assert dict(report.band_counts) == {
        "Strong fit for front-line work": 2, "Probe in interview": 1,
        "May serve better in a secondary role": 0}
    assert dict(report.unbanded_counts) == {"Incomplete": 0, "Unreliable": 0}
    assert [chart.dimension for chart in report.charts] == [
        "warmth", "common_sense", "respect", "overall"]
    assert report.compare == ()


def test_results_without_a_band_have_their_own_column_and_count(
    questionnaire: Questionnaire,
) -> None:
    strong = score_submission(questionnaire, strong_answers(), {"R2": 5})
    incomplete = replace(strong, band=None, status=ResultStatus.INCOMPLETE)
    unreliable = replace(strong, band=None, status=ResultStatus.UNRELIABLE)
    entries = [cohort.CohortEntry(facts("Banded", 1), strong, ""),
               cohort.CohortEntry(facts("Left Early", 2), incomplete, ""),
               cohort.CohortEntry(facts("Too Quick", 3), unreliable, "")]
    report = cohort.build_cohort_report(
        position_title="P", position_location="", questionnaire=questionnaire, entries=entries,
        not_submitted=0, compare=[], norms=NormGroup(), generated_at=GENERATED_AT)
    # The same scores, but only the banded result counts in a band.
    assert sum(count for _, count in report.band_counts) == 1
    assert dict(report.band_counts)["Strong fit for front-line work"] == 1
    assert dict(report.unbanded_counts) == {"Incomplete": 1, "Unreliable": 1}
    rows = {row.applicant_name: row for row in report.rows}
    assert (rows["Banded"].banded, rows["Banded"].unbanded_reason) == (True, "")
    assert rows["Left Early"].unbanded_reason.startswith("Incomplete")
    assert rows["Too Quick"].unbanded_reason.startswith("Unreliable")
    assert not rows["Left Early"].banded and rows["Left Early"].band_label == "No band"
    assert all("distribution of 1 applicants" in chart.svg for chart in report.charts)


def test_cohort_compare_pages_keep_the_chosen_order(questionnaire: Questionnaire) -> None:
    entries = _entries(questionnaire)
    report = cohort.build_cohort_report(
        position_title="Hotel front desk", position_location="", questionnaire=questionnaire,
        entries=entries, not_submitted=0, compare=[3, 1], norms=NormGroup(),
        generated_at=GENERATED_AT)
    (page,) = report.compare
    assert page.names == ("Pending Applicant", "Mixed Applicant")
    lines = {line.label: line.values for line in page.lines}
    assert lines["Status"] == ("Provisional", "Final")
    assert lines["Red flags"] == ("None", "Rude customer at the till")
    assert lines["Decision"] == ("Not recorded", "Not recorded")
    assert lines["Common sense"][1].startswith("6% (1 of 16)")


def test_more_chosen_applicants_than_fit_spread_over_pages(questionnaire: Questionnaire) -> None:
    result = score_submission(questionnaire, strong_answers(), {"R2": 5})
    entries = [cohort.CohortEntry(facts(f"Applicant {i}", i), result, "") for i in range(1, 7)]
    report = cohort.build_cohort_report(
        position_title="P", position_location="", questionnaire=questionnaire, entries=entries,
        not_submitted=0, compare=[6, 5, 4, 3, 2, 1], norms=NormGroup(),
        generated_at=GENERATED_AT)
    assert [page.names for page in report.compare] == [
        ("Applicant 6", "Applicant 5", "Applicant 4", "Applicant 3"),
        ("Applicant 2", "Applicant 1")]


def test_reports_pickle_for_the_process_pool(
    questionnaire: Questionnaire, mixed_result: SubmissionResult,
) -> None:
    report = _report(questionnaire, mixed_result)
    assert pickle.loads(pickle.dumps(report)) == report  # noqa: S301 - our own bytes
