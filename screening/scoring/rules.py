"""The scoring rule of each response format: points per dimension and the item maximum.

The rules of scoring method 1 use integers only, so a score can be checked by hand
against the rubric; method 2 scores rate-each items by correlation (four decimals).
The functions assume a valid answer (see ``answers.answer_problems``); the engine
validates before calling them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from screening.bank.model import RATING_MAX, RATING_MIN, Item, ResponseFormat

#: Largest distance between a rating and the key on the 1..5 scale.
RATING_SPAN = RATING_MAX - RATING_MIN


class ScoringError(ValueError):
    """The questionnaire, an answer or a manager's rating cannot be scored."""

    def __init__(self, message: str, item_id: str | None = None) -> None:
        super().__init__(f"{item_id}: {message}" if item_id else message)
        self.item_id = item_id
        self.message = message


@dataclass(frozen=True)
class RuleScore:
    """Points an answer earns on each dimension of the item, and the most it could earn."""

    points: Mapping[str, int]
    maximum: Mapping[str, int]


def _option_points(item: Item, dimension: str) -> list[int]:
    try:
        return [option.points[dimension] for option in item.options]
    except KeyError:
        raise ScoringError(
            f"every option needs points for {dimension!r}", item_id=item.id
        ) from None


def rank_maximum(option_count: int) -> int:
    """Largest possible footrule distance for n options: floor(n²/2), the reversed order."""
    return option_count * option_count // 2


def item_maximum(item: Item) -> dict[str, int]:
    """The most points the item can give on each of its dimensions."""
    fmt = item.format
    if fmt is ResponseFormat.BEST_CHOICE:
        return {d: max(_option_points(item, d)) for d in item.dimensions}
    if fmt is ResponseFormat.MOST_LEAST:
        maximum = {}
        for d in item.dimensions:
            points = _option_points(item, d)
            # best as most effective, plus the full reward for rejecting the worst
            maximum[d] = max(points) + item.scale_max - min(points)
        return maximum
    if fmt is ResponseFormat.RATE_EACH:
        return dict.fromkeys(item.dimensions, RATING_SPAN * len(item.options))
    if fmt is ResponseFormat.RANK:
        return dict.fromkeys(item.dimensions, rank_maximum(len(item.options)))
    return dict.fromkeys(item.dimensions, RATING_SPAN)


def score_best_choice(item: Item, choice: str) -> RuleScore:
    """points_d(chosen option)."""
    option = item.option(choice)
    return RuleScore(
        points={d: option.points[d] for d in item.dimensions},
        maximum=item_maximum(item),
    )


def score_most_least(item: Item, most: str, least: str) -> RuleScore:
    """points_d(most) + (scale_max − points_d(least)).

    Rejecting a harmful option is worth as much as it would have cost to pick it.
    """
    most_option, least_option = item.option(most), item.option(least)
    return RuleScore(
        points={
            d: most_option.points[d] + item.scale_max - least_option.points[d]
            for d in item.dimensions
        },
        maximum=item_maximum(item),
    )


def rate_each_agreement(rating: int, effectiveness: int) -> int:
    """4 − |rating − key|: 4 for matching the expert key, 0 for the opposite end."""
    return RATING_SPAN - abs(rating - effectiveness)


#: Method 2: a rate-each item is worth 4, like a best-choice item on the default scale.
RATE_EACH_MAXIMUM = 4


def rate_each_contributions(
    ratings: Mapping[str, int], keys: Mapping[str, int]
) -> dict[str, float]:
    """Each option's share of 2r, r the correlation of the ratings with the key.

    2·(rating − mean rating)·(key − mean key) / √(Σ(rating − mean)² · Σ(key − mean)²):
    the sum is 2r, from −2 to 2. Centring and scaling both sides removes the
    applicant's rating style (all high, all middling, all at the ends), so ratings
    that are all alike contribute nothing, and random ratings nothing on average.
    """
    ids = list(keys)
    mean_rating = sum(ratings[i] for i in ids) / len(ids)
    mean_key = sum(keys[i] for i in ids) / len(ids)
    spread = math.sqrt(sum((ratings[i] - mean_rating) ** 2 for i in ids)
                       * sum((keys[i] - mean_key) ** 2 for i in ids))
    if not spread:
        return dict.fromkeys(ids, 0.0)
    return {i: round(2 * (ratings[i] - mean_rating) * (keys[i] - mean_key) / spread, 4)
            for i in ids}


def score_rate_each(item: Item, ratings: Mapping[str, int]) -> RuleScore:
    """Σ over options of (4 − |rating − effectiveness|), on every dimension of the item."""
    total = 0
    for option in item.options:
        total += rate_each_agreement(ratings[option.id], _effectiveness(item, option.id))
    return RuleScore(
        points=dict.fromkeys(item.dimensions, total),
        maximum=dict.fromkeys(item.dimensions, RATING_SPAN * len(item.options)),
    )


def footrule(item: Item, ranking: Sequence[str]) -> int:
    """Spearman's footrule: Σ |applicant position − keyed rank|, positions 1..n."""
    keyed = {option.id: _keyed_rank(item, option.id) for option in item.options}
    return sum(abs(position - keyed[oid]) for position, oid in enumerate(ranking, start=1))


def score_rank(item: Item, ranking: Sequence[str]) -> RuleScore:
    """floor(n²/2) − footrule, on every dimension of the item.

    floor(n²/2) is the footrule of the reversed order, so a reversed ranking
    scores 0 and the keyed order scores the maximum.
    """
    best = rank_maximum(len(item.options))
    score = best - footrule(item, ranking)
    return RuleScore(
        points=dict.fromkeys(item.dimensions, score),
        maximum=dict.fromkeys(item.dimensions, best),
    )


def score_free_text(item: Item, rating: int) -> RuleScore:
    """A manager's anchored rating r (1..5) gives r − 1 on every dimension."""
    if (
        not isinstance(rating, int)
        or isinstance(rating, bool)
        or not (RATING_MIN <= rating <= RATING_MAX)
    ):
        raise ScoringError(
            f"a manager's rating must be a whole number {RATING_MIN}..{RATING_MAX}, not {rating!r}",
            item_id=item.id,
        )
    return RuleScore(
        points=dict.fromkeys(item.dimensions, rating - RATING_MIN),
        maximum=dict.fromkeys(item.dimensions, RATING_SPAN),
    )


def score_unanswered(item: Item) -> RuleScore:
    """0 on every dimension; the maximum still counts, so skipping never helps."""
    return RuleScore(points=dict.fromkeys(item.dimensions, 0), maximum=item_maximum(item))


def _effectiveness(item: Item, option_id: str) -> int:
    value = item.option(option_id).effectiveness
    if value is None:
        raise ScoringError(f"option {option_id} needs an effectiveness key", item_id=item.id)
    return value


def _keyed_rank(item: Item, option_id: str) -> int:
    value = item.option(option_id).rank
    if value is None:
        raise ScoringError(f"option {option_id} needs a keyed rank", item_id=item.id)
    return value
