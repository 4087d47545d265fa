"""score_submission on the hand-worked questionnaire: one item of each format.

Hand-worked submission (see factories.py for the rubric):
  B01 best_choice  chose a         warmth 4/4, common sense 3/3
  M01 most_least   most b, least d respect 2 + (4 − 0) = 6/8, warmth 2 + (4 − 0) = 6/7
  R01 rate_each    4, 2, 5, 1      common sense 3 + 4 + 0 + 1 = 8/16
  K01 rank         a, c, b, d      respect and common sense 8 − 4 = 4/8
  F01 free_text    rated 4         warmth and respect 3/4
Totals: warmth 13/15 = 86.6667%, common sense 15/27 = 55.5556%, respect 13/20 = 65%.
Overall (equal weights) = (86.6667 + 55.5556 + 65) / 3 = 69.0741 → band "probe"
(below 70 for front_line, at least 50 overall and 40 on respect).
"""

from __future__ import annotations

import json

import pytest

from screening.bank.model import Band, Questionnaire
from screening.scoring import (
    Answer,
    AnswerError,
    RedFlag,
    RubricRole,
    ScoringError,
    SubmissionResult,
    score_submission,
)
from tests.unit.scoring.factories import (
    B01,
    F01,
    FREE_TEXT_ANSWER,
    K01,
    M01,
    R01,
    make_item,
    make_questionnaire,
    opt,
)

RATED = {F01.id: 4}


def by_dimension(result: SubmissionResult) -> dict[str, tuple[int, int, float]]:
    return {s.dimension: (s.raw, s.maximum, s.percent) for s in result.dimensions}


def test_hand_worked_submission(questionnaire: Questionnaire, answers) -> None:
    result = score_submission(questionnaire, answers, RATED)
    assert by_dimension(result) == {
        "warmth": (13, 15, 86.6667),
        "common_sense": (15, 27, 55.5556),
        "respect": (13, 20, 65.0),
    }
    assert [s.dimension for s in result.dimensions] == ["warmth", "common_sense", "respect"]
    assert result.dimension("respect").label == "Respect under pressure"
    assert result.overall == 69.0741
    assert result.band.id == "probe"
    assert result.band.label == "Probe in interview"
    assert not result.provisional
    assert result.pending_items == ()
    assert result.questionnaire_id == "test-form"
    assert result.content_hash == questionnaire.content_hash


def test_trace_records_each_answer_as_codes(questionnaire: Questionnaire, answers) -> None:
    trace = {line.item_id: line for line in score_submission(questionnaire, answers, RATED).trace}
    assert list(trace) == [B01.id, M01.id, R01.id, K01.id, F01.id]
    assert trace[B01.id].points == {"warmth": 4, "common_sense": 3}
    assert trace[M01.id].points == {"respect": 6, "warmth": 6}
    assert trace[M01.id].maximum == {"respect": 8, "warmth": 7}
    assert trace[R01.id].points == {"common_sense": 8}
    assert trace[K01.id].points == {"respect": 4, "common_sense": 4}
    assert trace[F01.id].points == {"warmth": 3, "respect": 3}
    assert trace[M01.id].primary_dimension == "respect"
    assert trace[K01.id].format == "rank"
    assert all(line.answered and not line.pending for line in trace.values())
    assert trace[F01.id].answer_text == FREE_TEXT_ANSWER
    assert all(trace[i].answer_text is None for i in (B01.id, M01.id, R01.id, K01.id))

    (chosen,) = trace[B01.id].rubric
    assert (chosen.option_id, chosen.role, chosen.text) == (
        "a", RubricRole.CHOSEN, "Answer at once and greet")

    most, least = trace[M01.id].rubric
    assert (most.option_id, most.role, most.points) == (
        "b", RubricRole.MOST_EFFECTIVE, {"respect": 2, "warmth": 2})
    assert (least.option_id, least.role, least.points) == (
        "d", RubricRole.LEAST_EFFECTIVE, {"respect": 4, "warmth": 4})
    assert least.rationale == "Why option d earns its key."

    rated = trace[R01.id].rubric
    assert [(r.option_id, r.role, r.value, r.keyed, r.points["common_sense"]) for r in rated] == [
        ("a", RubricRole.RATED, 4, 5, 3),
        ("b", RubricRole.RATED, 2, 2, 4),
        ("c", RubricRole.RATED, 5, 1, 0),
        ("d", RubricRole.RATED, 1, 4, 1),
    ]

    *placed, summary = trace[K01.id].rubric
    assert [(r.option_id, r.role, r.value, r.keyed) for r in placed] == [
        ("a", RubricRole.PLACED, 1, 2),
        ("c", RubricRole.PLACED, 2, 1),
        ("b", RubricRole.PLACED, 3, 4),
        ("d", RubricRole.PLACED, 4, 3),
    ]
    assert all(not r.points for r in placed)
    assert (summary.role, summary.points) == (RubricRole.RANKING, {"respect": 4, "common_sense": 4})

    (anchor,) = trace[F01.id].rubric
    assert (anchor.text, anchor.role, anchor.value) == (
        "Anchor 4 behaviour", RubricRole.MANAGER_RATING, 4)


def test_every_point_comes_from_a_rubric_line(questionnaire: Questionnaire, answers) -> None:
    result = score_submission(questionnaire, answers, RATED)
    for line in result.trace:
        for d, value in line.points.items():
            assert sum(rubric.points.get(d, 0) for rubric in line.rubric) == value


def test_unrated_free_text_is_pending_and_left_out(questionnaire, answers) -> None:
    result = score_submission(questionnaire, answers)
    # without F01: warmth 10/11, respect 10/16, common sense unchanged
    assert by_dimension(result) == {
        "warmth": (10, 11, 90.9091),
        "common_sense": (15, 27, 55.5556),
        "respect": (10, 16, 62.5),
    }
    assert result.overall == 69.6549  # (90.9091 + 55.5556 + 62.5) / 3
    assert result.provisional
    assert result.pending_items == (F01.id,)
    line = result.trace[-1]
    assert line.pending and line.answered
    assert line.points == {"warmth": 0, "respect": 0}
    assert line.maximum == {"warmth": 0, "respect": 0}


def test_unanswered_item_scores_zero_and_keeps_its_maximum(questionnaire, answers) -> None:
    del answers[B01.id]
    result = score_submission(questionnaire, answers, RATED)
    # B01 contributed warmth 4/4 and common sense 3/3; now 0 of the same maxima
    assert by_dimension(result)["warmth"] == (9, 15, 60.0)
    assert by_dimension(result)["common_sense"] == (12, 27, 44.4444)
    line = result.trace[0]
    assert not line.answered
    assert line.rubric == () and line.answer_text is None


def test_unanswered_free_text_is_zero_not_pending(questionnaire, answers) -> None:
    del answers[F01.id]
    result = score_submission(questionnaire, answers, RATED)
    assert not result.provisional
    assert by_dimension(result)["warmth"] == (10, 15, 66.6667)


def test_weights_shape_the_overall(questionnaire: Questionnaire, answers) -> None:
    unweighted_warmth = Questionnaire(
        **{**questionnaire.__dict__, "weights": {"warmth": 0, "common_sense": 1, "respect": 1}}
    )
    result = score_submission(unweighted_warmth, answers, RATED)
    assert result.overall == 60.2778  # (55.5556 + 65) / 2


def test_dimension_the_form_does_not_measure_is_left_out_of_the_overall() -> None:
    questionnaire = make_questionnaire([B01])
    result = score_submission(questionnaire, {B01.id: Answer(B01.id, choice="b")})
    assert by_dimension(result) == {
        "warmth": (2, 4, 50.0),
        "common_sense": (2, 3, 66.6667),
        "respect": (0, 0, 0.0),
    }
    assert result.overall == 58.3334  # (50 + 66.6667) / 2, not divided by 3


THREE_DIMS = make_item(
    "B03-three-dims",
    B01.format,
    ["warmth", "common_sense", "respect"],
    [
        opt("a", points={"warmth": 4, "common_sense": 4, "respect": 4}),
        opt("b", points={"warmth": 4, "common_sense": 4, "respect": 1}),
        opt("c", points={"warmth": 3, "common_sense": 2, "respect": 2}),
        opt("d", points={"warmth": 0, "common_sense": 0, "respect": 0}),
    ],
)


@pytest.mark.parametrize(
    ("choice", "overall", "band"),
    [
        ("a", 100.0, "front_line"),  # everything at 100%
        ("b", 75.0, "secondary"),  # 100, 100, 25: overall passes but respect is below 60 and 40
        ("c", 58.3333, "probe"),  # 75, 50, 50: below 70 overall, respect 50 ≥ 40
        ("d", 0.0, "secondary"),
    ],
)
def test_band_is_the_first_whose_thresholds_are_all_met(choice, overall, band) -> None:
    questionnaire = make_questionnaire([THREE_DIMS])
    result = score_submission(questionnaire, {THREE_DIMS.id: Answer(THREE_DIMS.id, choice=choice)})
    assert result.overall == overall
    assert result.band.id == band


def test_band_thresholds_are_inclusive() -> None:
    bands = (
        Band("exact", "Exactly on the line", "", 75.0, {"respect": 50.0}),
        Band("rest", "Everyone else", "", 0),
    )
    item = make_item(
        "B04-edges",
        B01.format,
        ["warmth", "respect"],
        [
            opt("a", points={"warmth": 4, "respect": 2}),
            opt("b", points={"warmth": 0, "respect": 4}),
            opt("c", points={"warmth": 0, "respect": 0}),
        ],
    )
    questionnaire = make_questionnaire([item], bands=bands)
    # warmth 100, respect 50 → overall 75: meets both thresholds exactly
    assert (
        score_submission(questionnaire, {item.id: Answer(item.id, choice="a")}).band.id == "exact"
    )


def test_no_matching_band_is_a_questionnaire_error() -> None:
    questionnaire = make_questionnaire([B01], bands=[Band("high", "High", "", 90)])
    with pytest.raises(ScoringError, match="no band"):
        score_submission(questionnaire, {})


def test_red_flags_for_endorsing_harmful_options(questionnaire: Questionnaire) -> None:
    endorse = {
        B01.id: Answer(B01.id, choice="c"),
        M01.id: Answer(M01.id, most="d", least="a"),
        R01.id: Answer(R01.id, ratings={"a": 5, "b": 2, "c": 4, "d": 4}),
        K01.id: Answer(K01.id, ranking=("b", "c", "a", "d")),
    }
    flags = score_submission(questionnaire, endorse).red_flags
    assert [(f.item_id, f.option_id) for f in flags] == [
        (B01.id, "c"),
        (M01.id, "d"),
        (R01.id, "c"),
        (K01.id, "b"),
    ]
    assert flags[0] == RedFlag(
        B01.id, "Title of B01-phone-rings", "c", "Let it ring", "Why option c earns its key."
    )


def test_rejecting_harmful_options_raises_no_flag(questionnaire: Questionnaire) -> None:
    reject = {
        B01.id: Answer(B01.id, choice="a"),
        M01.id: Answer(M01.id, most="a", least="d"),  # red flag chosen as LEAST effective
        R01.id: Answer(R01.id, ratings={"a": 5, "b": 2, "c": 3, "d": 4}),  # 3 is not endorsing
        K01.id: Answer(K01.id, ranking=("c", "b", "a", "d")),  # red flag second, not first
    }
    assert score_submission(questionnaire, reject).red_flags == ()


def test_round_trip_through_json_is_exact(questionnaire, answers) -> None:
    for ratings in (RATED, None):
        result = score_submission(questionnaire, answers, ratings)
        stored = json.loads(json.dumps(result.to_dict()))
        assert SubmissionResult.from_dict(stored) == result


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(B01.id, choice="z"), "Please choose one of the options shown."),
        (Answer(M01.id, most="a", least="a"), "different options"),
        (Answer(M01.id, most="a"), "least effective"),
        (Answer(R01.id, ratings={"a": 5}), "3 still to rate"),
        (Answer(R01.id, ratings={"a": 5, "b": 2, "c": 1, "d": True}), "from 1 to 5"),
        (Answer(K01.id, ranking=("a", "b", "c")), "every option"),
        (Answer(F01.id, text="Too short"), "at least 20 characters"),
    ],
)
def test_invalid_answer_raises_with_the_applicants_message(questionnaire, answer, message) -> None:
    with pytest.raises(AnswerError, match=message) as caught:
        score_submission(questionnaire, {answer.item_id: answer}, RATED)
    assert caught.value.item_id == answer.item_id


def test_cache_never_lets_an_invalid_answer_through(questionnaire: Questionnaire) -> None:
    valid = {"a": 5, "b": 2, "c": 1, "d": 1}
    score_submission(questionnaire, {R01.id: Answer(R01.id, ratings=valid)})
    # True == 1 and hashes like 1: the memo must not treat it as the cached rating
    with pytest.raises(AnswerError):
        score_submission(questionnaire, {R01.id: Answer(R01.id, ratings={**valid, "d": True})})
    with pytest.raises(AnswerError):
        extra = {**valid, "e": 3}
        score_submission(questionnaire, {R01.id: Answer(R01.id, ratings=extra)})
    score_submission(questionnaire, {}, {F01.id: 2})  # unanswered: the rating is unused
    with pytest.raises(ScoringError, match="rating"):
        score_submission(
            questionnaire, {F01.id: Answer(F01.id, text=FREE_TEXT_ANSWER)}, {F01.id: True}
        )


def test_answer_filed_under_the_wrong_item_is_refused(questionnaire: Questionnaire) -> None:
    with pytest.raises(AnswerError, match="answer is for item"):
        score_submission(questionnaire, {B01.id: Answer(M01.id, choice="a")})


def test_answers_to_other_items_are_ignored(questionnaire, answers) -> None:
    practice = Answer("P01-practice-coffee", choice="a")
    with_practice = {**answers, practice.item_id: practice}
    assert score_submission(questionnaire, with_practice, RATED) == score_submission(
        questionnaire, answers, RATED
    )


def test_broken_rubric_fails_when_compiled() -> None:
    broken = make_item(
        "B05-broken",
        B01.format,
        ["warmth", "respect"],
        [
            opt("a", points={"warmth": 4}),
            opt("b", points={"warmth": 0, "respect": 0}),
            opt("c", points={"warmth": 1, "respect": 1}),
        ],
    )
    with pytest.raises(ScoringError, match="B05-broken"):
        score_submission(make_questionnaire([broken]), {})


def test_duplicate_item_is_refused() -> None:
    with pytest.raises(ScoringError, match="twice"):
        score_submission(make_questionnaire([B01, B01]), {})
