"""The words of a scored result: made from its codes when shown, never stored."""

from __future__ import annotations

from screening.reports import wording
from screening.scoring import QualityFlag, SubmissionResult, score_submission
from tests.unit.scoring.factories import (
    B01,
    F01,
    FREE_TEXT_ANSWER,
    K01,
    M01,
    R01,
    hand_answers,
    hand_questionnaire,
)

RATED = {F01.id: 4}


def _scored() -> tuple[dict, SubmissionResult]:
    questionnaire = hand_questionnaire()
    result = score_submission(questionnaire, hand_answers(), RATED)
    return {line.item_id: line for line in result.trace}, result


def test_each_answer_in_words() -> None:
    lines, _ = _scored()
    assert wording.answer_summary(lines[B01.id]) == 'Chose a: "Answer at once and greet"'
    assert wording.answer_summary(lines[M01.id]) == "Most effective: b; least effective: d"
    assert wording.answer_summary(lines[R01.id]) == "Rated a=4, b=2, c=5, d=1"
    assert wording.answer_summary(lines[K01.id]) == "Ranked a, c, b, d"
    assert wording.answer_summary(lines[F01.id]) == f'"{FREE_TEXT_ANSWER}"'


def test_each_rubric_line_in_words() -> None:
    lines, _ = _scored()
    items = {item.id: item for item in hand_questionnaire().items}
    most, least = lines[M01.id].rubric
    assert [wording.role_text(r) for r in (most, least)] == ["most effective", "least effective"]
    assert wording.key_text(most, lines[M01.id], items[M01.id]) == \
        "Respect under pressure 2, Warmth 2"
    # d earns 4 on each for being rejected: its own points are the scale maximum minus 4.
    assert wording.key_text(least, lines[M01.id], items[M01.id]) == \
        "Respect under pressure 0, Warmth 0; rejecting it earns 4 minus these"
    rated = lines[R01.id].rubric
    assert [wording.role_text(r) for r in rated] == ["rated 4", "rated 2", "rated 5", "rated 1"]
    assert wording.key_text(rated[0], lines[R01.id], items[R01.id]) == \
        "keyed effectiveness 5; agreement 3 of 4"
    *placed, summary = lines[K01.id].rubric
    assert [wording.role_text(r) for r in placed] == \
        ["placed 1st", "placed 2nd", "placed 3rd", "placed 4th"]
    assert wording.key_text(placed[0], lines[K01.id], items[K01.id]) == "keyed 2nd; 1 place off"
    assert wording.key_text(summary, lines[K01.id], items[K01.id]) == "8 − 4 places off = 4"
    assert wording.rubric_words(summary, lines[K01.id])[0] == "Agreement with the keyed order"
    (anchor,) = lines[F01.id].rubric
    assert wording.key_text(anchor, lines[F01.id], items[F01.id]) == "rating 4 of 5"
    assert wording.note(lines[K01.id], items[K01.id]) == \
        "8 minus the places each option is away from its keyed rank."


def test_quality_flags_in_words() -> None:
    lines, result = _scored()
    items = {item.id: item for item in hand_questionnaire().items}
    fast = QualityFlag("too_fast", B01.id, 2.94)
    assert wording.quality_text(fast, result, items) == (
        f"Answered {lines[B01.id].title!r} in 2.9 s, faster than the 3 s it takes just to "
        "read it.")
    assert wording.quality_text(QualityFlag("unanswered", M01.id), result, items) == \
        f"Not answered: {lines[M01.id].title}."
