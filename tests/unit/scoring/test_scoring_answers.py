"""Answers: storage round trip, what counts as answered, and applicant-facing problems."""

from __future__ import annotations

import json

import pytest

from screening.scoring import FREE_TEXT_MAX, FREE_TEXT_MIN, Answer, answer_problems
from tests.unit.scoring.factories import B01, F01, K01, M01, R01


def test_round_trip_through_json() -> None:
    answers = [
        Answer(B01.id, choice="a", seconds=12.5),
        Answer(M01.id, most="a", least="d"),
        Answer(R01.id, ratings={"a": 5, "b": 1, "c": 2, "d": 4}, seconds=30.0),
        Answer(K01.id, ranking=("c", "a", "d", "b")),
        Answer(F01.id, text="I would listen and call them back."),
        Answer(B01.id),
    ]
    for answer in answers:
        assert Answer.from_dict(json.loads(json.dumps(answer.to_dict()))) == answer


def test_containers_are_frozen() -> None:
    ratings = {"a": 5}
    answer = Answer(R01.id, ratings=ratings, ranking=["a", "b"])  # type: ignore[arg-type]
    ratings["a"] = 1
    assert answer.ratings == {"a": 5}
    assert answer.ranking == ("a", "b")
    with pytest.raises(TypeError):
        answer.ratings["a"] = 2  # type: ignore[index]


@pytest.mark.parametrize(
    ("item", "answer", "answered"),
    [
        (B01, Answer(B01.id, choice="a"), True),
        (B01, Answer(B01.id, most="a"), False),  # fields of another format do not count
        (M01, Answer(M01.id, least="a"), True),  # half an answer is an (invalid) answer
        (M01, Answer(M01.id), False),
        (R01, Answer(R01.id, ratings={"a": 3}), True),
        (R01, Answer(R01.id), False),
        (K01, Answer(K01.id, ranking=("a",)), True),
        (K01, Answer(K01.id), False),
        (F01, Answer(F01.id, text="   \n "), False),
        (F01, Answer(F01.id, text="x"), True),
    ],
)
def test_is_answered(item, answer: Answer, answered: bool) -> None:
    assert answer.is_answered(item) is answered


@pytest.mark.parametrize(
    "answer",
    [
        Answer(B01.id, choice="d"),
        Answer(M01.id, most="a", least="b"),
        Answer(R01.id, ratings={"a": 1, "b": 5, "c": 3, "d": 2}),
        Answer(K01.id, ranking=("d", "c", "b", "a")),
        Answer(F01.id, text="y" * FREE_TEXT_MIN),
        Answer(F01.id, text="y" * FREE_TEXT_MAX),
        Answer(B01.id),  # skipping is allowed
    ],
)
def test_valid_answers_have_no_problems(answer: Answer) -> None:
    item = {i.id: i for i in (B01, M01, R01, K01, F01)}[answer.item_id]
    assert answer_problems(item, answer) == []


@pytest.mark.parametrize(
    ("item", "answer", "problems"),
    [
        (B01, Answer(B01.id, choice="e"), ["Please choose one of the options shown."]),
        (
            M01,
            Answer(M01.id, most="b", least="b"),
            ["Please choose different options as most effective and least effective."],
        ),
        (
            M01,
            Answer(M01.id, most="q"),
            [
                "Please choose the most effective option from the options shown.",
                "Please choose the option you think is least effective.",
            ],
        ),
        (
            R01,
            Answer(R01.id, ratings={"a": 1, "b": 6, "c": 3}),
            ["Please rate every option: 1 still to rate.", "Please rate each option from 1 to 5."],
        ),
        (
            R01,
            Answer(R01.id, ratings={"a": 1, "b": 2, "c": 3, "d": 4, "z": 5}),
            ["Please rate only the options shown."],
        ),
        (
            K01,
            Answer(K01.id, ranking=("a", "a", "b", "c")),
            ["Please put every option in order, using each option once."],
        ),
        (
            K01,
            Answer(K01.id, ranking=("a", "b", "c", "x")),
            ["Please rank only the options shown."],
        ),
        (
            F01,
            Answer(F01.id, text="  short  "),
            ["Please write at least 20 characters so a manager can understand what you would do."],
        ),
        (
            F01,
            Answer(F01.id, text="z" * (FREE_TEXT_MAX + 1)),
            ["Please keep your answer to 2,000 characters or fewer (it has 2,001)."],
        ),
        (
            B01,
            Answer(M01.id, choice="a"),
            ["This answer belongs to a different question. Please answer it again."],
        ),
    ],
)
def test_problems_are_worded_for_the_applicant(item, answer: Answer, problems) -> None:
    assert answer_problems(item, answer) == problems
