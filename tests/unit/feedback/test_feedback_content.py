"""Applicant feedback: strengths, one area to develop with a rubric tip, no scores or flags."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screening import scoring
from screening.bank import ResponseFormat, load_bank
from screening.i18n import translator
from screening.reports.feedback import build_feedback

BANK = load_bank(Path(__file__).resolve().parents[3] / "questions")
SHORT = BANK.questionnaires["frontline-short"]


def _answer(item, worst: bool) -> scoring.Answer:
    if item.format is ResponseFormat.RATE_EACH:
        return scoring.Answer(
            item_id=item.id, ratings={o.id: o.effectiveness for o in item.options}
        )
    ranked = sorted(item.options, key=lambda o: sum(o.points.values()))
    chosen = ranked[0] if worst else ranked[-1]
    if item.format is ResponseFormat.MOST_LEAST:
        other = ranked[-1] if worst else ranked[0]
        return scoring.Answer(item_id=item.id, most=chosen.id, least=other.id)
    return scoring.Answer(item_id=item.id, choice=chosen.id)


def _result_weak_in(dimension: str) -> scoring.SubmissionResult:
    """Keyed-best everywhere except the worst option on items mainly measuring ``dimension``."""
    answers = {
        item.id: _answer(item, worst=item.primary_dimension == dimension) for item in SHORT.items
    }
    return scoring.score_submission(SHORT, answers)


@pytest.mark.parametrize("weak", ["warmth", "common_sense", "respect"])
def test_weakest_dimension_is_the_one_to_develop(weak: str) -> None:
    result = _result_weak_in(weak)
    percents = {score.dimension: score.percent for score in result.dimensions}
    lowest = min(percents, key=percents.get)
    assert percents[lowest] < 100  # the worst answers really cost points somewhere
    feedback = build_feedback(result, SHORT, "do_not_advance", translator("en"))
    assert feedback.development.dimension == lowest
    assert {s.dimension for s in feedback.strengths} == set(percents) - {lowest}


def test_tip_quotes_the_keyed_best_response_of_a_missed_item() -> None:
    result = _result_weak_in("respect")
    tip = build_feedback(result, SHORT, "advance", translator("en")).development.tip
    respect_items = [
        i
        for i in SHORT.items
        if i.primary_dimension == "respect"
        and i.format in (ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST)
    ]
    best_texts = [max(i.options, key=lambda o: sum(o.points.values())).text for i in respect_items]
    assert any(text in tip for text in best_texts)


@pytest.mark.parametrize("outcome", ["advance", "secondary", "do_not_advance", "on_hold"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_no_scores_percentiles_or_red_flag_wording(outcome: str, language: str) -> None:
    result = _result_weak_in("warmth")
    feedback = build_feedback(result, SHORT, outcome, translator(language), language)
    words = " ".join(
        [s.description for s in feedback.strengths]
        + [feedback.development.description, feedback.development.tip, feedback.next_steps]
    )
    assert not re.search(r"\d|%|percentile|percentil|red flag", words, re.I)
    red_flag_texts = [o.text for i in SHORT.items for o in i.options if o.red_flag]
    red_flag_reasons = [o.rationale for i in SHORT.items for o in i.options if o.red_flag]
    assert not any(text in words for text in red_flag_texts + red_flag_reasons)
    assert feedback.language == language


def test_unknown_language_falls_back_to_english() -> None:
    feedback = build_feedback(_result_weak_in("warmth"), SHORT, "on_hold", translator("fr"), "fr")
    assert feedback.language == "en"
    assert feedback.next_steps.startswith("The hiring team has not decided yet")


def test_spanish_words_come_from_the_catalogue() -> None:
    feedback = build_feedback(_result_weak_in("warmth"), SHORT, "on_hold", translator("es"), "es")
    spanish = {"warmth": "Calidez", "common_sense": "Sentido común",
               "respect": "Respeto bajo presión"}
    assert feedback.development.name == spanish[feedback.development.dimension]
    assert all(s.name == spanish[s.dimension] for s in feedback.strengths)
    assert feedback.next_steps.startswith("El equipo de selección aún no ha decidido")
