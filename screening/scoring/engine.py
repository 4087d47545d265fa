"""Score a submission: rubric points per dimension, overall, band, flags and a full trace.

``score_submission`` is the one function that turns answers into a result;
the web views, reports, exports and the CLI all call it.

Speed: the rubric of a questionnaire is compiled once into per-item plans
(option lookups, maxima, rubric lines) and cached for as long as the
questionnaire object lives. Each distinct valid answer to an item (a choice,
a most/least pair, a ranking, a set of ratings) is scored by the rules in
``rules.py`` the first time it is seen and remembered, so scoring thousands of
submissions is mostly dictionary look-ups. The cache only ever holds answers
that passed validation, so an invalid answer always raises.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import NamedTuple

from screening.bank.model import (
    DIMENSION_LABELS,
    DIMENSIONS,
    LEGACY_SCORING_METHOD,
    SCORING_METHODS,
    Item,
    Option,
    Questionnaire,
    ResponseFormat,
)

from . import bands as banding
from .answers import Answer, answer_problems
from .quality import (
    many_too_fast_flag,
    straight_lining_flag,
    too_fast_flag,
    too_fast_threshold,
    unanswered_flag,
)
from .result import (
    PERCENT_DECIMALS,
    BandResult,
    DimensionScore,
    QualityFlag,
    RedFlag,
    ResultStatus,
    RubricLine,
    RubricRole,
    SubmissionResult,
    TraceLine,
)
from .rules import (
    RATE_EACH_MAXIMUM,
    ScoringError,
    item_maximum,
    rate_each_agreement,
    rate_each_contributions,
    score_best_choice,
    score_free_text,
    score_most_least,
    score_rank,
    score_rate_each,
)

#: Ratings of 4 or 5 call an option effective; endorsing a red-flag option that way counts.
RED_FLAG_RATING = 4


class AnswerError(ScoringError):
    """An answer that was given but cannot be scored (the web form should have refused it)."""

    def __init__(self, item_id: str, problems: list[str]) -> None:
        super().__init__("; ".join(problems), item_id=item_id)
        self.problems = problems


class _Scored(NamedTuple):
    """Everything about one item's answer that does not depend on timing."""

    line: TraceLine
    red_flags: tuple[RedFlag, ...]
    quality_flags: tuple[QualityFlag, ...]


#: the points of a line that only explains (a placed option: the ranking line scores).
_EMPTY: Mapping[str, int] = MappingProxyType({})


def _frozen(mapping: Mapping[str, int]) -> Mapping[str, int]:
    # Shared between results through the caches, so nobody may mutate them.
    return MappingProxyType(dict(mapping))


class _ItemPlan:
    """One item of a questionnaire, compiled for fast, traceable scoring."""

    def __init__(self, item: Item, method: int) -> None:
        for dimension in item.dimensions:
            if dimension not in DIMENSION_LABELS:
                raise ScoringError(f"unknown dimension {dimension!r}", item_id=item.id)
        if not item.dimensions:
            raise ScoringError("an item needs at least one dimension", item_id=item.id)
        self.item = item
        self.method = method
        self.item_id = item.id
        self.format = item.format
        self.dimensions = item.dimensions
        self.maximum = _frozen(
            dict.fromkeys(item.dimensions, RATE_EACH_MAXIMUM)
            if method > LEGACY_SCORING_METHOD and item.format is ResponseFormat.RATE_EACH
            else item_maximum(item))
        self.zero = _frozen(dict.fromkeys(item.dimensions, 0))
        self.threshold = too_fast_threshold(item)
        #: options sorted by id, so nothing in a result follows the display order.
        self.options: tuple[Option, ...] = tuple(sorted(item.options, key=lambda o: o.id))
        self.option_ids = tuple(option.id for option in self.options)
        self.red_flags = {
            option.id: RedFlag(item.id, item.title, option.id, option.text, option.rationale)
            for option in self.options
            if option.red_flag
        }
        self.memo: dict[object, _Scored] = {}
        self.unanswered = _Scored(
            self._line((), self.zero, self.maximum, answered=False),
            (),
            (unanswered_flag(item),),
        )
        builders: dict[ResponseFormat, Callable[[Answer], _Scored]] = {
            ResponseFormat.BEST_CHOICE: self._best_choice,
            ResponseFormat.MOST_LEAST: self._most_least,
            ResponseFormat.RATE_EACH: (
                self._rate_each if method == LEGACY_SCORING_METHOD else self._rate_each_balanced
            ),
            ResponseFormat.RANK: self._rank,
        }
        self.build = builders.get(item.format)
        self._validate_keys()

    def _validate_keys(self) -> None:
        # Fail when the questionnaire is compiled, not on the first applicant who
        # happens to choose the broken option.
        for option in self.options:
            if self.format in (ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST):
                missing = [d for d in self.dimensions if d not in option.points]
                if missing:
                    raise ScoringError(
                        f"option {option.id} has no points for {', '.join(missing)}",
                        item_id=self.item_id,
                    )
            elif self.format is ResponseFormat.RATE_EACH and option.effectiveness is None:
                raise ScoringError(
                    f"option {option.id} needs an effectiveness key", item_id=self.item_id
                )
            elif self.format is ResponseFormat.RANK and option.rank is None:
                raise ScoringError(f"option {option.id} needs a keyed rank", item_id=self.item_id)

    def _line(
        self,
        rubric: tuple[RubricLine, ...],
        points: Mapping[str, int],
        maximum: Mapping[str, int],
        *,
        answered: bool = True,
        pending: bool = False,
        answer_text: str | None = None,
    ) -> TraceLine:
        item = self.item
        return TraceLine(
            item_id=item.id,
            title=item.title,
            format=item.format.value,
            primary_dimension=item.primary_dimension,
            rubric=rubric,
            points=points,
            maximum=maximum,
            pending=pending,
            answered=answered,
            answer_text=answer_text,
        )

    # -- memo keys: cheap, and only ever equal for answers that score the same ----

    def key(self, answer: Answer) -> object:
        fmt = self.format
        if fmt is ResponseFormat.BEST_CHOICE:
            return answer.choice
        if fmt is ResponseFormat.MOST_LEAST:
            return (answer.most, answer.least)
        if fmt is ResponseFormat.RANK:
            return answer.ranking
        ratings = answer.ratings
        if len(ratings) != len(self.option_ids):
            return None
        values = tuple(ratings.get(oid) for oid in self.option_ids)
        # 4.0 and True hash like 4 and 1; they are not valid ratings.
        if not all(type(value) is int for value in values):
            return None
        return values

    def score(self, answer: Answer | None, rating: int | None) -> _Scored:
        if answer is None:
            return self.unanswered
        if answer.item_id != self.item_id:
            raise AnswerError(self.item_id, [f"answer is for item {answer.item_id!r}"])
        if not answer.is_answered(self.item):
            return self.unanswered
        if self.build is None:
            return self._free_text(answer, rating)
        key = self.key(answer)
        scored = self.memo.get(key)
        if scored is None:
            problems = answer_problems(self.item, answer)
            if problems:
                raise AnswerError(self.item_id, problems)
            scored = self.build(answer)
            self.memo[key] = scored
        return scored

    # -- one builder per format; the points always come from rules.py ------------

    def _best_choice(self, answer: Answer) -> _Scored:
        assert answer.choice is not None
        option = self.item.option(answer.choice)
        rule = score_best_choice(self.item, option.id)
        line = RubricLine(option.id, option.text, option.rationale, RubricRole.CHOSEN,
                          None, None, _frozen(rule.points))
        flag = self.red_flags.get(option.id)
        return _Scored(
            self._line((line,), line.points, self.maximum),
            (flag,) if flag else (),
            (),
        )

    def _most_least(self, answer: Answer) -> _Scored:
        assert answer.most is not None and answer.least is not None
        most, least = self.item.option(answer.most), self.item.option(answer.least)
        rule = score_most_least(self.item, most.id, least.id)
        scale_max = self.item.scale_max
        most_points = {d: most.points[d] for d in self.dimensions}
        least_points = {d: scale_max - least.points[d] for d in self.dimensions}
        rubric = (
            RubricLine(most.id, most.text, most.rationale, RubricRole.MOST_EFFECTIVE,
                       None, None, _frozen(most_points)),
            RubricLine(least.id, least.text, least.rationale, RubricRole.LEAST_EFFECTIVE,
                       None, None, _frozen(least_points)),
        )
        flag = self.red_flags.get(most.id)
        return _Scored(
            self._line(rubric, _frozen(rule.points), self.maximum),
            (flag,) if flag else (),
            (),
        )

    def _rate_each(self, answer: Answer) -> _Scored:
        ratings = answer.ratings
        rule = score_rate_each(self.item, ratings)
        rubric = []
        flags = []
        for option in self.options:
            rating = ratings[option.id]
            assert option.effectiveness is not None
            # the same per-option term the rule sums, shown line by line
            agreement = rate_each_agreement(rating, option.effectiveness)
            rubric.append(
                RubricLine(option.id, option.text, option.rationale, RubricRole.RATED,
                           rating, option.effectiveness,
                           _frozen(dict.fromkeys(self.dimensions, agreement)))
            )
            if rating >= RED_FLAG_RATING and option.id in self.red_flags:
                flags.append(self.red_flags[option.id])
        straight = straight_lining_flag(self.item, answer)
        return _Scored(
            self._line(tuple(rubric), _frozen(rule.points), self.maximum),
            tuple(flags),
            (straight,) if straight else (),
        )

    def _rate_each_balanced(self, answer: Answer) -> _Scored:
        """Agreement with the key beyond the applicant's own rating style (method 2).

        2 + 2r of 4, r the correlation of the ratings with the keyed effectiveness:
        rating every option alike (3, 3, 3, 3 or 5, 5, 5, 5) earns the 2 chance earns;
        each option's line carries its share of 2r.
        """
        ratings = answer.ratings
        keys = {option.id: option.effectiveness or 0 for option in self.options}
        contributions = rate_each_contributions(ratings, keys)
        rubric = [RubricLine(None, "", "", RubricRole.BASE, None, None,
                             _frozen(dict.fromkeys(self.dimensions, 2.0)))]
        flags = []
        for option in self.options:
            rating = ratings[option.id]
            rubric.append(
                RubricLine(option.id, option.text, option.rationale, RubricRole.RATED,
                           rating, option.effectiveness,
                           _frozen(dict.fromkeys(self.dimensions, contributions[option.id])))
            )
            if rating >= RED_FLAG_RATING and option.id in self.red_flags:
                flags.append(self.red_flags[option.id])
        # Each share is rounded for the trace; their sum may then stray past 0..4 by 0.0001.
        total = round(min(RATE_EACH_MAXIMUM, max(0.0, 2.0 + sum(contributions.values()))),
                      PERCENT_DECIMALS)
        straight = straight_lining_flag(self.item, answer)
        return _Scored(
            self._line(tuple(rubric), _frozen(dict.fromkeys(self.dimensions, total)),
                       self.maximum),
            tuple(flags),
            (straight,) if straight else (),
        )

    def _rank(self, answer: Answer) -> _Scored:
        ranking = answer.ranking
        rule = score_rank(self.item, ranking)
        rubric = []
        for position, oid in enumerate(ranking, start=1):
            option = self.item.option(oid)
            assert option.rank is not None
            rubric.append(
                RubricLine(oid, option.text, option.rationale, RubricRole.PLACED, position,
                           option.rank, _EMPTY)
            )
        # The line that carries the points: the order as a whole against the key.
        rubric.append(RubricLine(None, "", "", RubricRole.RANKING, None, None,
                                 _frozen(rule.points)))
        first = self.red_flags.get(ranking[0])
        return _Scored(
            self._line(tuple(rubric), _frozen(rule.points), self.maximum),
            (first,) if first else (),
            (),
        )

    def _free_text(self, answer: Answer, rating: int | None) -> _Scored:
        problems = answer_problems(self.item, answer)
        if problems:
            raise AnswerError(self.item_id, problems)
        assert answer.text is not None
        text = answer.text.strip()
        if rating is None:
            # Not rated yet: leave the item out of raw and maximum alike, so the
            # provisional percentages are fair to what has been scored.
            return _Scored(
                self._line((), self.zero, self.zero, pending=True, answer_text=text),
                (),
                (),
            )
        # type check first: True would otherwise find the entry cached for 1.
        scored = self.memo.get(rating) if type(rating) is int else None
        if scored is None:
            rule = score_free_text(self.item, rating)
            anchors = {anchor.rating: anchor.description for anchor in self.item.anchors}
            line = RubricLine(None, anchors.get(rating, ""), "", RubricRole.MANAGER_RATING,
                              rating, None, _frozen(rule.points))
            scored = _Scored(
                self._line((line,), line.points, self.maximum),
                (),
                (),
            )
            self.memo[rating] = scored
        line = scored.line
        return scored._replace(
            line=self._line(line.rubric, line.points, line.maximum, answer_text=text)
        )


class _QuestionnairePlan:
    def __init__(self, questionnaire: Questionnaire, method: int) -> None:
        if method not in SCORING_METHODS:
            raise ScoringError(f"unknown scoring method {method!r}")
        self.method = method
        seen: set[str] = set()
        for item in questionnaire.items:
            if item.id in seen:
                raise ScoringError(f"item {item.id} appears twice in {questionnaire.id}")
            seen.add(item.id)
        if not questionnaire.bands:
            raise ScoringError(f"questionnaire {questionnaire.id} has no bands")
        self.items = tuple(_ItemPlan(item, method) for item in questionnaire.items)
        self.item_count = len(self.items)
        self.weights = {d: float(questionnaire.weights.get(d, 0.0)) for d in DIMENSIONS}
        self.band_list = questionnaire.bands
        self.bands = tuple(
            (band, BandResult(band.id, band.label, band.description))
            for band in questionnaire.bands
        )


#: Compiled scoring plans: (id(questionnaire), method) -> (weak reference, plan). Scoring
#: thousands of submissions is then mostly look-ups. Bounded: an entry vanishes with its
#: questionnaire (two methods at most each), and a plan's memo holds at most the distinct
#: valid answers to each item.
_PLANS: dict[tuple[int, int], tuple[weakref.ref[Questionnaire], _QuestionnairePlan]] = {}


def _plan_for(questionnaire: Questionnaire, method: int) -> _QuestionnairePlan:
    key = (id(questionnaire), method)
    cached = _PLANS.get(key)
    if cached is not None and cached[0]() is questionnaire:
        return cached[1]
    plan = _QuestionnairePlan(questionnaire, method)
    _PLANS[key] = (weakref.ref(questionnaire), plan)
    weakref.finalize(questionnaire, _PLANS.pop, key, None)
    return plan


def score_submission(
    questionnaire: Questionnaire,
    answers: Mapping[str, Answer],
    free_text_ratings: Mapping[str, int] | None = None,
    *,
    method: int | None = None,
) -> SubmissionResult:
    """Score one applicant's answers against the questionnaire's rubric.

    ``answers`` maps item id to :class:`Answer`; a missing item is unanswered
    and scores 0. Answers to items outside the questionnaire (the practice
    item, say) are ignored. ``free_text_ratings`` maps free-text item id to a
    manager's anchored rating 1..5; an unrated answer is pending and makes the
    result provisional. ``method`` is the questionnaire's own scoring method unless
    given (``rescore --method current`` asks what another method would say).
    Raises :class:`AnswerError` for an answer that was given but is invalid, and
    :class:`ScoringError` for a rating outside 1..5 or an unknown method.
    """
    method = questionnaire.scoring_method if method is None else method
    plan = _plan_for(questionnaire, method)
    ratings = free_text_ratings or {}
    trace = []
    red_flags: list[RedFlag] = []
    quality: list[QualityFlag] = []
    pending = []
    too_fast = answered = 0
    for item_plan in plan.items:
        item_id = item_plan.item_id
        answer = answers.get(item_id)
        scored = item_plan.score(answer, ratings.get(item_id))
        line = scored.line
        trace.append(line)
        if scored.red_flags:
            red_flags.extend(scored.red_flags)
        if scored.quality_flags:
            quality.extend(scored.quality_flags)
        if line.pending:
            pending.append(item_id)
        if line.answered:
            answered += 1
        if line.answered and answer is not None and answer.seconds is not None:
            flag = too_fast_flag(item_plan.item, answer, item_plan.threshold)
            if flag is not None:
                too_fast += 1
                quality.append(flag)
    summary = many_too_fast_flag(too_fast, plan.item_count)
    if summary is not None:
        quality.append(summary)
    aggregate = _points if method == LEGACY_SCORING_METHOD else _balanced
    scores = aggregate(trace)
    percents = {score.dimension: score.percent for score in scores}
    overall, overall_error = _overall(plan, scores)
    result = SubmissionResult(
        questionnaire_id=questionnaire.id,
        content_hash=questionnaire.content_hash,
        dimensions=tuple(scores),
        overall=overall,
        band=None,
        provisional=bool(pending),
        pending_items=tuple(pending),
        red_flags=tuple(red_flags),
        quality_flags=tuple(quality),
        trace=tuple(trace),
        method=method,
        answered=answered,
        item_count=plan.item_count,
        overall_error=overall_error,
    )
    if method == LEGACY_SCORING_METHOD:
        # Method 1: every result gets the band its thresholds reach, nothing else.
        index = banding.reached(plan.band_list, overall, percents)
        return replace(result, band=plan.bands[index][1])
    status = banding.status_of(answered, plan.item_count, too_fast)
    if status is not ResultStatus.SCORED:
        return replace(result, status=status)
    decision = banding.decide(plan.band_list, overall, percents, len(red_flags))
    return replace(
        result,
        band=plan.bands[decision.index][1],
        band_cap=decision.cap,
        # Under a red-flag cap the higher bands' cuts cannot change the band: only the
        # capped band's own cuts (falling below it) count.
        close_to_line=banding.close_to_line(
            plan.band_list[decision.index:] if decision.cap else plan.band_list,
            overall, overall_error, percents,
            {score.dimension: score.error for score in scores}),
    )


def _points(trace: list[TraceLine]) -> list[DimensionScore]:
    """Method 1: Σ points / Σ maxima per dimension; an item weighs what its format gives."""
    raw = dict.fromkeys(DIMENSIONS, 0)
    maximum = dict.fromkeys(DIMENSIONS, 0)
    for line in trace:
        for d, value in line.points.items():
            raw[d] += value
        for d, value in line.maximum.items():
            maximum[d] += value
    return [
        DimensionScore(d, raw[d], maximum[d],
                       round(100 * raw[d] / maximum[d], PERCENT_DECIMALS) if maximum[d] else 0.0)
        for d in DIMENSIONS
    ]


def _balanced(trace: list[TraceLine]) -> list[DimensionScore]:
    """Method 2: each item's share of its own maximum, averaged per dimension.

    Every item weighs the same on its dimension whatever its format; an unanswered
    item counts as 0 of 1, a written answer waiting for its rating not at all.
    """
    shares: dict[str, list[float]] = {d: [] for d in DIMENSIONS}
    for line in trace:
        for d, top in line.maximum.items():
            if top > 0:
                shares[d].append(line.points.get(d, 0) / top)
    scores = []
    for d in DIMENSIONS:
        values = shares[d]
        count = len(values)
        mean = math.fsum(values) / count if values else 0.0
        # statistics.stdev works in exact fractions: several times the cost of the rest
        # of the result. fsum keeps the sums correctly rounded, so this is reproducible.
        error = (round(100 * math.sqrt(math.fsum((v - mean) ** 2 for v in values)
                                       / (count - 1) / count), PERCENT_DECIMALS)
                 if count >= 2 else None)
        scores.append(DimensionScore(d, round(sum(values), PERCENT_DECIMALS), count,
                                     round(100 * mean, PERCENT_DECIMALS), error))
    return scores


def _overall(
    plan: _QuestionnairePlan, scores: list[DimensionScore]
) -> tuple[float, float | None]:
    """The weighted mean of the dimension percents, and its standard error where known."""
    # A dimension with nothing scored yet is unknown, not 0%: leave it out of the
    # overall instead of dragging the applicant down.
    counted = [(plan.weights[s.dimension], s) for s in scores
               if s.maximum and plan.weights[s.dimension] > 0]
    total = sum(weight for weight, _ in counted)
    if not total:
        return 0.0, None
    overall = round(sum(weight * s.percent for weight, s in counted) / total, PERCENT_DECIMALS)
    if any(s.error is None for _, s in counted):
        return overall, None
    error = math.sqrt(sum((weight / total) ** 2 * (s.error or 0.0) ** 2 for weight, s in counted))
    return overall, round(error, PERCENT_DECIMALS)
