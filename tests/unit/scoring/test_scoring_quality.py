"""Response-quality flags: straight-lining, too fast, unanswered, many too fast."""

from __future__ import annotations

import pytest

from screening.scoring import (
    MIN_SECONDS,
    Answer,
    QualityFlag,
    quality_flags,
    score_submission,
    too_fast_threshold,
)
from screening.scoring.quality import item_word_count
from tests.unit.scoring.factories import (
    B01,
    F01,
    K01,
    M01,
    R01,
    hand_answers,
    make_item,
    make_questionnaire,
    opt,
)


def kinds(flags) -> list[tuple[str, str | None]]:
    return [(flag.kind, flag.item_id) for flag in flags]


def test_reading_time_threshold() -> None:
    # B01: scenario 10 words + prompt 6 + options 5 + 3 + 3 + 3 = 30 words → 3.0 s
    assert item_word_count(B01) == 30
    assert too_fast_threshold(B01) == 3.0
    long = make_item(
        "B09-long",
        B01.format,
        ["warmth"],
        [opt(i, points={"warmth": p}) for i, p in zip("abc", [4, 2, 0], strict=True)],
        scenario="word " * 100,
    )
    # 100 + 6 + 3 × 3 = 115 words → 11.5 s
    assert too_fast_threshold(long) == pytest.approx(11.5)
    # a very short item still needs MIN_SECONDS
    tiny = make_item("B10-tiny", B01.format, ["warmth"], long.options, scenario="Hi.", prompt="?")
    assert too_fast_threshold(tiny) == MIN_SECONDS


def test_too_fast_is_strictly_below_the_threshold(questionnaire) -> None:
    flags = quality_flags(questionnaire, {B01.id: Answer(B01.id, choice="a", seconds=2.9)})
    assert ("too_fast", B01.id) in kinds(flags)
    assert next(f.seconds for f in flags if f.kind == "too_fast") == 2.9
    flags = quality_flags(questionnaire, {B01.id: Answer(B01.id, choice="a", seconds=3.0)})
    assert ("too_fast", B01.id) not in kinds(flags)


def test_straight_lining(questionnaire) -> None:
    same = Answer(R01.id, ratings=dict.fromkeys("abcd", 3))
    flags = quality_flags(questionnaire, {R01.id: same})
    assert ("straight_lining", R01.id) in kinds(flags)
    varied = Answer(R01.id, ratings={"a": 3, "b": 3, "c": 3, "d": 4})
    assert ("straight_lining", R01.id) not in kinds(quality_flags(questionnaire, {R01.id: varied}))


def test_each_unanswered_item_is_flagged(questionnaire) -> None:
    flags = quality_flags(questionnaire, {B01.id: Answer(B01.id, choice="a")})
    assert kinds(flags) == [
        ("unanswered", M01.id),
        ("unanswered", R01.id),
        ("unanswered", K01.id),
        ("unanswered", F01.id),
    ]


def test_many_too_fast_from_a_quarter_of_the_items(questionnaire) -> None:
    answers = hand_answers(seconds=60.0)
    answers[B01.id] = Answer(B01.id, choice="a", seconds=1.0)
    # 1 of 5 items = 20%: no summary
    assert "many_too_fast" not in [f.kind for f in quality_flags(questionnaire, answers)]
    answers[M01.id] = Answer(M01.id, most="a", least="d", seconds=1.0)
    # 2 of 5 = 40%: summary, last
    flags = quality_flags(questionnaire, answers)
    assert kinds(flags) == [("too_fast", B01.id), ("too_fast", M01.id), ("many_too_fast", None)]
    assert flags[-1] == QualityFlag("many_too_fast", None)


def test_exactly_a_quarter_is_many() -> None:
    items = [B01, M01, K01, R01]
    questionnaire = make_questionnaire(items)
    answers = {a.item_id: a for a in hand_answers(seconds=60.0).values() if a.item_id != F01.id}
    answers[K01.id] = Answer(K01.id, ranking=("a", "b", "c", "d"), seconds=0.5)
    assert kinds(quality_flags(questionnaire, answers))[-1] == ("many_too_fast", None)


def test_engine_reports_the_same_flags(questionnaire) -> None:
    answers = hand_answers(seconds=2.0)
    answers[R01.id] = Answer(R01.id, ratings=dict.fromkeys("abcd", 5), seconds=40.0)
    del answers[K01.id]
    result = score_submission(questionnaire, answers)
    assert result.quality_flags == quality_flags(questionnaire, answers)
    assert kinds(result.quality_flags) == [
        ("too_fast", B01.id),
        ("too_fast", M01.id),
        ("straight_lining", R01.id),
        ("unanswered", K01.id),
        ("too_fast", F01.id),
        ("many_too_fast", None),
    ]


def test_flags_never_change_the_score(questionnaire) -> None:
    slow = score_submission(questionnaire, hand_answers(seconds=90.0), {F01.id: 4})
    fast = score_submission(questionnaire, hand_answers(seconds=0.5), {F01.id: 4})
    assert fast.dimensions == slow.dimensions
    assert fast.band == slow.band
    assert fast.quality_flags != slow.quality_flags
