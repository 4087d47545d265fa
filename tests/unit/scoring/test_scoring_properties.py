"""Properties that must hold for any valid item, questionnaire and answer."""

from __future__ import annotations

import json
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from screening.bank.model import DIMENSIONS, Item
from screening.scoring import (
    Answer,
    SubmissionResult,
    item_maximum,
    score_best_choice,
    score_most_least,
    score_rank,
    score_rate_each,
    score_submission,
)
from tests.unit.scoring.factories import (
    BEST,
    FREE,
    MOST_LEAST,
    RANK,
    RATE,
    all_answers,
    answers_for,
    keyed_best,
    keyed_items,
    keyed_worst,
    make_questionnaire,
    scored_submissions,
)

WITH_OPTIONS = st.sampled_from([BEST, MOST_LEAST, RATE, RANK])


def rule_points(item: Item, answer: Answer) -> dict[str, int]:
    """The points by the rule functions alone, bypassing the engine and its caches."""
    if item.format is BEST:
        return dict(score_best_choice(item, answer.choice).points)
    if item.format is MOST_LEAST:
        return dict(score_most_least(item, answer.most, answer.least).points)
    if item.format is RATE:
        return dict(score_rate_each(item, answer.ratings).points)
    return dict(score_rank(item, answer.ranking).points)


def engine_points(item: Item, answer: Answer) -> dict[str, int]:
    result = score_submission(make_questionnaire([item]), {item.id: answer})
    return dict(result.trace[0].points)


@given(scored_submissions())
def test_scores_stay_within_zero_and_maximum(case) -> None:
    questionnaire, answers, ratings = case
    result = score_submission(questionnaire, answers, ratings)
    for score in result.dimensions:
        assert 0 <= score.raw <= score.maximum
        assert 0.0 <= score.percent <= 100.0
    assert 0.0 <= result.overall <= 100.0
    for line in result.trace:
        for d, value in line.points.items():
            assert 0 <= value <= line.maximum[d] or line.pending


@given(scored_submissions())
def test_every_point_is_traceable(case) -> None:
    questionnaire, answers, ratings = case
    result = score_submission(questionnaire, answers, ratings)
    for score in result.dimensions:
        d = score.dimension
        assert sum(line.points.get(d, 0) for line in result.trace) == score.raw
        assert sum(line.maximum.get(d, 0) for line in result.trace) == score.maximum
    for line in result.trace:
        for d, value in line.points.items():
            assert sum(rubric.points.get(d, 0) for rubric in line.rubric) == value
    pending = tuple(line.item_id for line in result.trace if line.pending)
    assert result.pending_items == pending
    assert result.provisional == bool(pending)


@given(scored_submissions())
def test_round_trip_through_json(case) -> None:
    questionnaire, answers, ratings = case
    result = score_submission(questionnaire, answers, ratings)
    stored = json.loads(json.dumps(result.to_dict()))
    assert SubmissionResult.from_dict(stored) == result
    restored = {
        k: Answer.from_dict(json.loads(json.dumps(a.to_dict()))) for k, a in answers.items()
    }
    assert score_submission(questionnaire, restored, ratings) == result


@given(scored_submissions(), st.randoms(use_true_random=False))
def test_option_display_order_does_not_matter(case, rng) -> None:
    questionnaire, answers, ratings = case
    shuffled_items = []
    for item in questionnaire.items:
        options = list(item.options)
        rng.shuffle(options)
        shuffled_items.append(replace(item, options=tuple(options)))
    shuffled = replace(questionnaire, items=tuple(shuffled_items))
    assert score_submission(shuffled, answers, ratings) == score_submission(
        questionnaire, answers, ratings
    )


@settings(max_examples=40, deadline=None)  # enumerates up to 5^5 rating patterns
@given(keyed_items(WITH_OPTIONS))
def test_keyed_best_gets_the_maximum_and_keyed_worst_the_minimum(item: Item) -> None:
    every = [rule_points(item, answer) for answer in all_answers(item)]
    best = engine_points(item, keyed_best(item))
    worst = engine_points(item, keyed_worst(item))
    assert best == item_maximum(item)
    for d in item.dimensions:
        assert best[d] == max(points[d] for points in every)
        assert worst[d] == min(points[d] for points in every)


@given(keyed_items(WITH_OPTIONS), st.data())
def test_engine_agrees_with_the_rule_functions(item: Item, data) -> None:
    answer = data.draw(answers_for(item, seconds=False).filter(lambda a: a is not None))
    assert engine_points(item, answer) == rule_points(item, answer)


@given(keyed_items(BEST), st.data())
def test_best_choice_higher_keyed_choice_never_lowers(item: Item, data) -> None:
    x, y = data.draw(st.permutations(item.options))[:2]
    score_x = engine_points(item, Answer(item.id, choice=x.id))
    score_y = engine_points(item, Answer(item.id, choice=y.id))
    for d in item.dimensions:
        if x.points[d] >= y.points[d]:
            assert score_x[d] >= score_y[d]


@given(keyed_items(MOST_LEAST), st.data())
def test_most_least_better_most_or_worse_least_never_lowers(item: Item, data) -> None:
    most, least, other = data.draw(st.permutations(item.options))[:3]
    base = engine_points(item, Answer(item.id, most=most.id, least=least.id))
    swap_most = engine_points(item, Answer(item.id, most=other.id, least=least.id))
    swap_least = engine_points(item, Answer(item.id, most=most.id, least=other.id))
    for d in item.dimensions:
        if other.points[d] >= most.points[d]:  # a higher-keyed option as most effective
            assert swap_most[d] >= base[d]
        if other.points[d] <= least.points[d]:  # a lower-keyed option as least effective
            assert swap_least[d] >= base[d]


@given(keyed_items(RATE), st.data())
def test_rate_each_rating_closer_to_the_key_never_lowers(item: Item, data) -> None:
    answer = data.draw(answers_for(item, seconds=False).filter(lambda a: a is not None))
    option = data.draw(st.sampled_from(item.options))
    rating = answer.ratings[option.id]
    if rating == option.effectiveness:
        return
    closer = rating + (1 if option.effectiveness > rating else -1)
    moved = Answer(item.id, ratings={**answer.ratings, option.id: closer})
    before, after = engine_points(item, answer), engine_points(item, moved)
    assert all(after[d] >= before[d] for d in item.dimensions)
    assert after != before


@given(keyed_items(RANK), st.data())
def test_rank_fixing_an_adjacent_inversion_never_lowers(item: Item, data) -> None:
    ranking = list(data.draw(st.permutations([o.id for o in item.options])))
    keyed = {o.id: o.rank for o in item.options}
    inversions = [i for i in range(len(ranking) - 1) if keyed[ranking[i]] > keyed[ranking[i + 1]]]
    if not inversions:
        return
    i = data.draw(st.sampled_from(inversions))
    fixed = [*ranking]
    fixed[i], fixed[i + 1] = fixed[i + 1], fixed[i]
    before = engine_points(item, Answer(item.id, ranking=tuple(ranking)))
    after = engine_points(item, Answer(item.id, ranking=tuple(fixed)))
    assert all(after[d] >= before[d] for d in item.dimensions)


@given(
    st.lists(keyed_items(), min_size=1, max_size=6).map(
        lambda items: [replace(item, id=f"X{i:02d}-generated") for i, item in enumerate(items)]
    )
)
def test_keyed_best_submission_scores_100_and_skipping_never_helps(items) -> None:
    questionnaire = make_questionnaire(items)
    best = {}
    ratings = {}
    for item in items:
        if item.format is FREE:
            best[item.id] = Answer(item.id, text="I would listen and own the next step.")
            ratings[item.id] = 5
        else:
            best[item.id] = keyed_best(item)
    result = score_submission(questionnaire, best, ratings)
    measured = [s for s in result.dimensions if s.maximum]
    assert all(s.raw == s.maximum and s.percent == 100.0 for s in measured)
    assert result.overall == 100.0
    skipped = score_submission(questionnaire, {}, ratings)
    assert all(s.raw == 0 for s in skipped.dimensions)
    assert [s.maximum for s in skipped.dimensions] == [s.maximum for s in result.dimensions]
    assert {s.dimension for s in result.dimensions} == set(DIMENSIONS)
