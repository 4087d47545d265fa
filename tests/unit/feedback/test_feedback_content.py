"""Applicant feedback: honest about the result, strengths only where the scores support
them, an area to develop only where it is clearly weaker, and nothing that gives away
how an item is scored."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from screening import scoring
from screening.bank import ResponseFormat, load_bank
from screening.i18n import translator
from screening.reports.feedback import STRENGTH_MIN, build_feedback
from screening.scoring import BandResult, DimensionScore, ResultStatus

BANK = load_bank(Path(__file__).resolve().parents[3] / "questions")
SHORT = BANK.questionnaires["frontline-short"]
EN = translator("en")


def _answer(item, worst: bool) -> scoring.Answer:
    options = item.options
    if item.format is ResponseFormat.RATE_EACH:
        ratings = {o.id: (6 - o.effectiveness if worst else o.effectiveness) for o in options}
        return scoring.Answer(item_id=item.id, ratings=ratings)
    if item.format is ResponseFormat.RANK:
        order = sorted(options, key=lambda o: o.rank, reverse=worst)
        return scoring.Answer(item_id=item.id, ranking=tuple(o.id for o in order))
    ranked = sorted(options, key=lambda o: sum(o.points.values()))
    chosen = ranked[0] if worst else ranked[-1]
    if item.format is ResponseFormat.MOST_LEAST:
        other = ranked[-1] if worst else ranked[0]
        return scoring.Answer(item_id=item.id, most=chosen.id, least=other.id)
    return scoring.Answer(item_id=item.id, choice=chosen.id)


def _result(weak: set[str]) -> scoring.SubmissionResult:
    """Keyed best everywhere, and the keyed worst on items mainly measuring ``weak``."""
    answers = {item.id: _answer(item, worst=item.primary_dimension in weak)
               for item in SHORT.items}
    return scoring.score_submission(SHORT, answers)


def _words(feedback) -> str:
    parts = [feedback.summary, feedback.next_steps, feedback.no_strength,
             feedback.no_development, *(s.description for s in feedback.strengths)]
    if feedback.development is not None:
        parts.append(feedback.development.description)
    return " ".join(parts)


@pytest.mark.parametrize("weak", ["warmth", "common_sense", "respect"])
def test_a_clearly_weakest_dimension_is_the_one_to_develop(weak: str) -> None:
    result = _result({weak})
    assert scoring.clear_weakest_dimension(result) == weak  # the data says so
    feedback = build_feedback(result, SHORT, "do_not_advance", EN)
    assert feedback.development is not None and feedback.development.dimension == weak
    assert weak not in {s.dimension for s in feedback.strengths}
    assert all(result.dimension(s.dimension).percent >= STRENGTH_MIN for s in feedback.strengths)


def test_no_area_is_named_when_none_is_clearly_weaker() -> None:
    result = _result(set())  # the keyed best everywhere: every dimension at the top
    feedback = build_feedback(result, SHORT, "advance", EN)
    assert feedback.development is None
    assert feedback.no_development == "No single area stood out as weaker than the others."
    assert len(feedback.strengths) == 2


def test_strengths_only_where_the_scores_support_them() -> None:
    result = _result({"warmth", "common_sense", "respect"})  # the keyed worst everywhere
    feedback = build_feedback(result, SHORT, "do_not_advance", EN)
    assert feedback.strengths == ()
    assert feedback.no_strength == "No single area stood out as a clear strength on this screen."
    assert feedback.summary.startswith("In many of the situations, another response")


def test_an_unbanded_result_says_why_and_nothing_about_the_answers() -> None:
    result = replace(_result(set()), band=None, status=ResultStatus.INCOMPLETE)
    feedback = build_feedback(result, SHORT, "on_hold", EN)
    assert feedback.summary.startswith("You answered too few of the questions")
    assert feedback.strengths == () and feedback.development is None


@pytest.mark.parametrize("outcome", ["advance", "secondary", "do_not_advance", "on_hold"])
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("weak", [set(), {"warmth"}, {"warmth", "respect"}])
def test_nothing_gives_away_how_an_item_is_scored(
    outcome: str, language: str, weak: set[str]
) -> None:
    feedback = build_feedback(_result(weak), SHORT, outcome, translator(language), language)
    words = _words(feedback)
    assert not re.search(r"\d|%|percentil|red flag", words, re.I)
    for item in (*SHORT.items, SHORT.practice_item):
        texts = [o.text for o in item.options] + [o.rationale for o in item.options]
        for text in item.translations.get(language, item).options.values() \
                if language != "en" and item.translations.get(language) else ():
            texts.append(text)
        assert not any(text in words for text in texts), item.id
        assert item.title not in words
    assert feedback.language == language


def test_unknown_language_falls_back_to_english() -> None:
    feedback = build_feedback(_result({"warmth"}), SHORT, "on_hold", translator("fr"), "fr")
    assert feedback.language == "en"
    assert feedback.next_steps.startswith("The hiring team has not decided yet")


def test_spanish_words_come_from_the_catalogue() -> None:
    feedback = build_feedback(_result({"warmth"}), SHORT, "on_hold", translator("es"), "es")
    spanish = {"warmth": "Calidez", "common_sense": "Sentido común",
               "respect": "Respeto bajo presión"}
    assert feedback.development is not None
    assert feedback.development.name == spanish[feedback.development.dimension]
    assert all(s.name == spanish[s.dimension] for s in feedback.strengths)
    assert feedback.next_steps.startswith("El equipo de selección aún no ha decidido")


def test_a_band_in_the_middle_reads_as_mixed() -> None:
    result = _result({"warmth"})
    middle = SHORT.bands[1]
    mixed = replace(result, band=BandResult(middle.id, middle.label, middle.description),
                    dimensions=tuple(DimensionScore(s.dimension, s.raw, s.maximum, s.percent,
                                                    s.error) for s in result.dimensions))
    assert build_feedback(mixed, SHORT, "on_hold", EN).summary.startswith(
        "Your answers showed real strengths")
