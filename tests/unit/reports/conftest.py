"""A small questionnaire built in code, for report tests that must not depend on the bank.

Six items, every format, every dimension; each item has its own interview
questions, so a test can tell exactly which ones a report picked.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from screening.bank.model import (
    DIMENSIONS,
    LEGACY_SCORING_METHOD,
    Anchor,
    Band,
    Item,
    Option,
    Questionnaire,
    ResponseFormat,
)
from screening.reports import applicant
from screening.scoring import Answer, SubmissionResult, score_submission

GENERATED_AT = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def _option(option_id: str, text: str, **rubric: object) -> Option:
    return Option(id=option_id, text=text, rationale=f"Rationale for {text.lower()}.",
                  **rubric)  # type: ignore[arg-type]


def _item(item_id: str, title: str, fmt: ResponseFormat, dimensions: tuple[str, ...],
          options: tuple[Option, ...] = (), **extra: object) -> Item:
    return Item(
        id=item_id, title=title, dimensions=dimensions,
        scenario=f"Scenario of {title}.", prompt="What would you do?", format=fmt,
        options=options,
        interview_questions=(f"First question about {title}?", f"Second question about {title}?"),
        **extra,  # type: ignore[arg-type]
    )


def build_questionnaire(scoring_method: int = LEGACY_SCORING_METHOD) -> Questionnaire:
    """Method 1 unless asked: the figures the layout tests print were worked out for it."""
    items = (
        _item("W1", "Phone rings during the huddle", ResponseFormat.BEST_CHOICE, ("warmth",), (
            _option("a", "Answer at once and greet", points={"warmth": 4}),
            _option("b", "Finish the huddle first", points={"warmth": 1}),
            _option("c", "Let it ring out", points={"warmth": 0}, red_flag=True),
        )),
        _item("W2", "Visitor walks in while chatting", ResponseFormat.MOST_LEAST,
              ("warmth", "respect"), (
                  _option("a", "Greet the visitor warmly", points={"warmth": 4, "respect": 3}),
                  _option("b", "Nod and keep chatting", points={"warmth": 1, "respect": 2}),
                  _option("c", "Finish the story first", points={"warmth": 0, "respect": 1}),
              )),
        _item("C1", "Part out of stock", ResponseFormat.RATE_EACH, ("common_sense",), (
            _option("a", "Check another branch", effectiveness=5),
            _option("b", "Promise it tomorrow", effectiveness=1),
            _option("c", "Sell a bigger kit", effectiveness=2),
        )),
        _item("C2", "Question outside your knowledge", ResponseFormat.RANK, ("common_sense",), (
            _option("a", "Find a colleague who knows", rank=1),
            _option("b", "Look it up together", rank=2),
            _option("c", "Guess confidently", rank=3),
        )),
        _item("R1", "Rude customer at the till", ResponseFormat.BEST_CHOICE, ("respect",), (
            _option("a", "Stay calm and solve it", points={"respect": 4}),
            _option("b", "Quote the policy coldly", points={"respect": 1}),
            _option("c", "Answer back sharply", points={"respect": 0}, red_flag=True),
        )),
        _item("R2", "Caller blames you", ResponseFormat.FREE_TEXT, ("respect",),
              anchors=tuple(Anchor(r, f"Anchor {r} behaviour") for r in range(1, 6))),
    )
    bands = (
        Band("front_line", "Strong fit for front-line work", "Ready for the front line.", 70,
             {"warmth": 60, "common_sense": 60, "respect": 60}),
        Band("probe", "Probe in interview", "Probe the weaker areas.", 50, {"respect": 40}),
        Band("secondary", "May serve better in a secondary role", "Consider other roles.", 0),
    )
    return Questionnaire(
        id="report-form", title="Report test form", description="Built in the tests.",
        items=items, weights=dict.fromkeys(DIMENSIONS, 1.0), bands=bands,
        content_hash="feedc0de" * 8, scoring_method=scoring_method,
    )


def strong_answers() -> dict[str, Answer]:
    return {
        "W1": Answer("W1", choice="a", seconds=30),
        "W2": Answer("W2", most="a", least="c", seconds=30),
        "C1": Answer("C1", ratings={"a": 5, "b": 1, "c": 2}, seconds=30),
        "C2": Answer("C2", ranking=("a", "b", "c"), seconds=30),
        "R1": Answer("R1", choice="a", seconds=30),
        "R2": Answer("R2", text="I would listen, apologise and fix the next step today.",
                     seconds=90),
    }


def mixed_answers() -> dict[str, Answer]:
    """Strong on warmth, weak on common sense, a red flag on respect."""
    return {
        **strong_answers(),
        "C1": Answer("C1", ratings={"a": 1, "b": 5, "c": 5}, seconds=30),
        "C2": Answer("C2", ranking=("c", "b", "a"), seconds=30),
        "R1": Answer("R1", choice="c", seconds=30),
    }


def facts(name: str = "Robin Example", submission_id: int = 7) -> applicant.ApplicantFacts:
    return applicant.ApplicantFacts(
        submission_id=submission_id, applicant_name=name, position_title="Hotel front desk",
        position_location="Harbour Street", started_at=GENERATED_AT - timedelta(minutes=30),
        submitted_at=GENERATED_AT - timedelta(minutes=5),
    )


@pytest.fixture
def questionnaire() -> Questionnaire:
    return build_questionnaire()


@pytest.fixture
def mixed_result(questionnaire: Questionnaire) -> SubmissionResult:
    return score_submission(questionnaire, mixed_answers(), {"R2": 4})


@pytest.fixture
def strong_result(questionnaire: Questionnaire) -> SubmissionResult:
    return score_submission(questionnaire, strong_answers(), {"R2": 5})
