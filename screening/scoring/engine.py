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

import weakref
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import NamedTuple

from screening.bank.model import (
    DIMENSION_LABELS,
    DIMENSIONS,
    Item,
    Option,
    Questionnaire,
    ResponseFormat,
)

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
    RubricLine,
    RubricRole,
    SubmissionResult,
    TraceLine,
)
from .rules import (
    ScoringError,
    item_maximum,
    rate_each_agreement,
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

    def __init__(self, item: Item) -> None:
        for dimension in item.dimensions:
            if dimension not in DIMENSION_LABELS:
                raise ScoringError(f"unknown dimension {dimension!r}", item_id=item.id)
        if not item.dimensions:
            raise ScoringError("an item needs at least one dimension", item_id=item.id)
        self.item = item
        self.item_id = item.id
        self.format = item.format
        self.dimensions = item.dimensions
        self.maximum = _frozen(item_maximum(item))
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
            ResponseFormat.RATE_EACH: self._rate_each,
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
    def __init__(self, questionnaire: Questionnaire) -> None:
        seen: set[str] = set()
        for item in questionnaire.items:
            if item.id in seen:
                raise ScoringError(f"item {item.id} appears twice in {questionnaire.id}")
            seen.add(item.id)
        if not questionnaire.bands:
            raise ScoringError(f"questionnaire {questionnaire.id} has no bands")
        self.items = tuple(_ItemPlan(item) for item in questionnaire.items)
        self.item_count = len(self.items)
        self.weights = {d: float(questionnaire.weights.get(d, 0.0)) for d in DIMENSIONS}
        self.bands = tuple(
            (band, BandResult(band.id, band.label, band.description))
            for band in questionnaire.bands
        )


#: Compiled scoring plans: id(questionnaire) -> (weak reference, plan). Scoring thousands of
#: submissions is then mostly look-ups. Bounded: an entry vanishes with its questionnaire,
#: and a plan's memo holds at most the distinct valid answers to each item.
_PLANS: dict[int, tuple[weakref.ref[Questionnaire], _QuestionnairePlan]] = {}


def _plan_for(questionnaire: Questionnaire) -> _QuestionnairePlan:
    key = id(questionnaire)
    cached = _PLANS.get(key)
    if cached is not None and cached[0]() is questionnaire:
        return cached[1]
    plan = _QuestionnairePlan(questionnaire)
    _PLANS[key] = (weakref.ref(questionnaire), plan)
    weakref.finalize(questionnaire, _PLANS.pop, key, None)
    return plan


def _choose_band(
    plan: _QuestionnairePlan, overall: float, percents: Mapping[str, float]
) -> BandResult:
    for band, result in plan.bands:
        if overall >= band.overall_min and all(
            percents.get(d, 0.0) >= minimum for d, minimum in band.dimension_min.items()
        ):
            return result
    raise ScoringError("no band matches; the last band must have no thresholds")


def score_submission(
    questionnaire: Questionnaire,
    answers: Mapping[str, Answer],
    free_text_ratings: Mapping[str, int] | None = None,
) -> SubmissionResult:
    """Score one applicant's answers against the questionnaire's rubric.

    ``answers`` maps item id to :class:`Answer`; a missing item is unanswered
    and scores 0. Answers to items outside the questionnaire (the practice
    item, say) are ignored. ``free_text_ratings`` maps free-text item id to a
    manager's anchored rating 1..5; an unrated answer is pending and makes the
    result provisional. Raises :class:`AnswerError` for an answer that was
    given but is invalid, and :class:`ScoringError` for a rating outside 1..5.
    """
    plan = _plan_for(questionnaire)
    ratings = free_text_ratings or {}
    raw = dict.fromkeys(DIMENSIONS, 0)
    maximum = dict.fromkeys(DIMENSIONS, 0)
    trace = []
    red_flags: list[RedFlag] = []
    quality: list[QualityFlag] = []
    pending = []
    too_fast = 0
    for item_plan in plan.items:
        item_id = item_plan.item_id
        answer = answers.get(item_id)
        scored = item_plan.score(answer, ratings.get(item_id))
        line = scored.line
        trace.append(line)
        for d, value in line.points.items():
            raw[d] += value
        for d, value in line.maximum.items():
            maximum[d] += value
        if scored.red_flags:
            red_flags.extend(scored.red_flags)
        if scored.quality_flags:
            quality.extend(scored.quality_flags)
        if line.pending:
            pending.append(item_id)
        if line.answered and answer is not None and answer.seconds is not None:
            flag = too_fast_flag(item_plan.item, answer, item_plan.threshold)
            if flag is not None:
                too_fast += 1
                quality.append(flag)
    summary = many_too_fast_flag(too_fast, plan.item_count)
    if summary is not None:
        quality.append(summary)

    scores = []
    percents = {}
    weighted = 0.0
    weight_total = 0.0
    for d in DIMENSIONS:
        top = maximum[d]
        percent = round(100 * raw[d] / top, PERCENT_DECIMALS) if top else 0.0
        percents[d] = percent
        scores.append(DimensionScore(d, raw[d], top, percent))
        # A dimension with nothing scored yet is unknown, not 0%: leave it out of
        # the overall instead of dragging the applicant down.
        if top and plan.weights[d] > 0:
            weighted += plan.weights[d] * percent
            weight_total += plan.weights[d]
    overall = round(weighted / weight_total, PERCENT_DECIMALS) if weight_total else 0.0
    return SubmissionResult(
        questionnaire_id=questionnaire.id,
        content_hash=questionnaire.content_hash,
        dimensions=tuple(scores),
        overall=overall,
        band=_choose_band(plan, overall, percents),
        provisional=bool(pending),
        pending_items=tuple(pending),
        red_flags=tuple(red_flags),
        quality_flags=tuple(quality),
        trace=tuple(trace),
    )
