"""Fixtures for the scoring tests; the builders live in factories.py."""

from __future__ import annotations

import pytest

from screening.bank.model import Questionnaire
from screening.scoring import Answer
from tests.unit.scoring.factories import hand_answers, hand_questionnaire


@pytest.fixture
def questionnaire() -> Questionnaire:
    """One item of each format, with rubric values small enough to work by hand."""
    return hand_questionnaire()


@pytest.fixture
def answers() -> dict[str, Answer]:
    """The hand-worked submission to ``questionnaire`` (see test_scoring_engine.py)."""
    return hand_answers()
