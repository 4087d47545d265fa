"""The latent-trait simulator: reproducible, valid and sensible."""

from __future__ import annotations

import random
import statistics

from screening.scoring import answer_problems, score_submission, simulate_answers
from screening.scoring.simulate import FIRST_NAMES, LAST_NAMES


def test_same_seed_same_applicants(questionnaire) -> None:
    first = simulate_answers(questionnaire, 50, seed=7)
    random.seed(123)  # global random state must not matter
    random.random()
    assert simulate_answers(questionnaire, 50, seed=7) == first
    assert simulate_answers(questionnaire, 50, seed=8) != first


def test_prefix_is_stable(questionnaire) -> None:
    assert simulate_answers(questionnaire, 60, seed=3)[:20] == simulate_answers(
        questionnaire, 20, seed=3
    )


def test_applicants_give_valid_answers(questionnaire) -> None:
    for applicant in simulate_answers(questionnaire, 300, seed=1):
        first, last = applicant.name.split(" ")
        assert first in FIRST_NAMES and last in LAST_NAMES
        for item in questionnaire.items:
            answer = applicant.answers.get(item.id)
            if answer is not None:
                assert answer_problems(item, answer) == []
                assert answer.seconds is not None and answer.seconds > 0
        assert set(applicant.free_text_ratings.values()) <= {1, 2, 3, 4, 5}
        score_submission(questionnaire, applicant.answers, applicant.free_text_ratings)


def test_higher_levels_score_higher_on_each_item(questionnaire) -> None:
    applicants = [a for a in simulate_answers(questionnaire, 400, seed=2) if not a.careless]
    results = [score_submission(questionnaire, a.answers, a.free_text_ratings) for a in applicants]
    for index, item in enumerate(questionnaire.items):
        dimension = item.primary_dimension
        levels = [a.levels[dimension] for a in applicants]
        points = [result.trace[index].points[dimension] for result in results]
        assert statistics.correlation(levels, points) > 0.25, item.id


def test_levels_are_moderately_correlated(questionnaire) -> None:
    applicants = simulate_answers(questionnaire, 2000, seed=4)
    warmth = [a.levels["warmth"] for a in applicants]
    respect = [a.levels["respect"] for a in applicants]
    assert 0.2 < statistics.correlation(warmth, respect) < 0.4
    assert abs(statistics.mean(warmth)) < 0.1
    assert 0.9 < statistics.stdev(warmth) < 1.1


def test_careless_applicants_are_caught_by_the_quality_flags(questionnaire) -> None:
    applicants = simulate_answers(questionnaire, 400, seed=5)
    careless = [a for a in applicants if a.careless]
    assert 5 <= len(careless) <= 40
    for applicant in careless:
        result = score_submission(questionnaire, applicant.answers, applicant.free_text_ratings)
        assert "many_too_fast" in {flag.kind for flag in result.quality_flags}
