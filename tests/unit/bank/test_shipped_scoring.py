"""What the shipped questionnaires measure, checked on the demo simulator's applicants.

The simulator gives every applicant a level on each trait, correlated about 0.3
through one shared factor. Scored on a questionnaire, the dimensions should keep
those correlations (method 1 pushed warmth and common sense to 0.95 by scoring one
item on several dimensions) and the "weakest dimension" the report and feedback name
should be the applicant's weakest trait.
"""

from __future__ import annotations

import itertools
import statistics
from pathlib import Path

import pytest

from screening.bank import load_bank
from screening.bank.model import CURRENT_SCORING_METHOD, DIMENSIONS
from screening.scoring import ResultStatus, score_submission, simulate_answers
from screening.scoring.profile import clear_weakest_dimension

BANK = load_bank(Path(__file__).resolve().parents[3] / "questions")
APPLICANTS = 1500


@pytest.fixture(scope="module", params=sorted(BANK.questionnaires))
def simulated(request):
    questionnaire = BANK.questionnaires[request.param]
    assert questionnaire.scoring_method == CURRENT_SCORING_METHOD
    people = [p for p in simulate_answers(questionnaire, APPLICANTS, seed=2026)
              if not p.careless]
    results = [score_submission(questionnaire, p.answers, p.free_text_ratings) for p in people]
    return request.param, people, results


def _correlation(xs, ys) -> float:
    return statistics.correlation(list(xs), list(ys))


def test_dimensions_correlate_as_the_simulated_traits_do(simulated) -> None:
    """Within 0.1 once measurement error is allowed for, and never inflated.

    An observed correlation is the true one times √(reliability × reliability) (classical
    test theory); in a simulation each score's reliability index is its correlation with
    the level it measures, so the correction needs no estimate. The standard form's
    longer scales also hold within 0.1 before correction.
    """
    form, people, results = simulated
    index = {d: _correlation((r.percents[d] for r in results), (p.levels[d] for p in people))
             for d in DIMENSIONS}
    for x, y in itertools.combinations(DIMENSIONS, 2):
        traits = _correlation((p.levels[x] for p in people), (p.levels[y] for p in people))
        scores = _correlation((r.percents[x] for r in results),
                              (r.percents[y] for r in results))
        corrected = scores / (index[x] * index[y])
        assert abs(corrected - traits) <= 0.1, (form, x, y, traits, scores, corrected)
        assert scores <= traits + 0.1, (form, x, y, traits, scores)
        if form == "frontline-standard":
            assert abs(scores - traits) <= 0.1, (form, x, y, traits, scores)


def test_the_weakest_dimension_when_named_is_the_weakest_trait(simulated) -> None:
    form, people, results = simulated
    named = [(person, weakest) for person, result in zip(people, results, strict=True)
             if result.status is ResultStatus.SCORED
             and (weakest := clear_weakest_dimension(result)) is not None]
    assert len(named) >= 0.25 * len(people), form  # named often enough to be of use
    right = sum(weakest == min(DIMENSIONS, key=lambda d: person.levels[d])
                for person, weakest in named)
    assert right / len(named) >= 0.8, (form, right, len(named))
