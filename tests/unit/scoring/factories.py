"""Tiny items and questionnaires for the scoring tests, built in code.

The tests never read the real bank: its files are written and reviewed on
their own schedule, and a wording change there must not break a rule test.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence

from hypothesis import strategies as st

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
from screening.scoring import Answer

BEST, MOST_LEAST, RATE, RANK, FREE = (
    ResponseFormat.BEST_CHOICE,
    ResponseFormat.MOST_LEAST,
    ResponseFormat.RATE_EACH,
    ResponseFormat.RANK,
    ResponseFormat.FREE_TEXT,
)


def opt(
    option_id: str,
    *,
    points: Mapping[str, int] | None = None,
    effectiveness: int | None = None,
    rank: int | None = None,
    red_flag: bool = False,
    text: str | None = None,
) -> Option:
    return Option(
        id=option_id,
        text=text or f"Option {option_id} text",
        rationale=f"Why option {option_id} earns its key.",
        points=dict(points or {}),
        effectiveness=effectiveness,
        rank=rank,
        red_flag=red_flag,
    )


def make_item(
    item_id: str,
    fmt: ResponseFormat,
    dimensions: Sequence[str],
    options: Sequence[Option] = (),
    *,
    scale_max: int = 4,
    scenario: str = "A customer walks in while you are on the phone.",
    prompt: str = "What would you most likely do?",
) -> Item:
    anchors = ()
    if fmt is FREE:
        anchors = tuple(Anchor(r, f"Anchor {r} behaviour") for r in range(1, 6))
    return Item(
        id=item_id,
        title=f"Title of {item_id}",
        dimensions=tuple(dimensions),
        scenario=scenario,
        prompt=prompt,
        format=fmt,
        options=tuple(options),
        scale_max=scale_max,
        anchors=anchors,
    )


def standard_bands() -> tuple[Band, ...]:
    return (
        Band(
            "front_line",
            "Strong fit for front-line work",
            "Ready for the front line.",
            70,
            {"warmth": 60, "common_sense": 60, "respect": 60},
        ),
        Band("probe", "Probe in interview", "Probe the weaker areas.", 50, {"respect": 40}),
        Band("secondary", "May serve better in a secondary role", "Consider other roles.", 0),
    )


def make_questionnaire(
    items: Sequence[Item],
    *,
    weights: Mapping[str, float] | None = None,
    bands: Sequence[Band] | None = None,
    questionnaire_id: str = "test-form",
    scoring_method: int = LEGACY_SCORING_METHOD,
) -> Questionnaire:
    """A questionnaire of ``items``; method 1 unless asked, as the hand-worked figures are."""
    return Questionnaire(
        id=questionnaire_id,
        title="Test form",
        description="Built in the tests.",
        items=tuple(items),
        weights=dict(weights or dict.fromkeys(DIMENSIONS, 1.0)),
        bands=tuple(bands or standard_bands()),
        content_hash="0123456789abcdef" * 4,
        scoring_method=scoring_method,
    )


# -- the hand-worked questionnaire: one item of each format --------------------------

# best_choice on (warmth, common_sense): max warmth 4, common sense 3
B01 = make_item(
    "B01-phone-rings",
    BEST,
    ["warmth", "common_sense"],
    [
        opt("a", points={"warmth": 4, "common_sense": 3}, text="Answer at once and greet"),
        opt("b", points={"warmth": 2, "common_sense": 2}),
        opt("c", points={"warmth": 0, "common_sense": 1}, red_flag=True, text="Let it ring"),
        opt("d", points={"warmth": 1, "common_sense": 0}),
    ],
)
# most_least on (respect, warmth): max respect 4 + 4 − 0 = 8, warmth 3 + 4 − 0 = 7
M01 = make_item(
    "M01-angry-caller",
    MOST_LEAST,
    ["respect", "warmth"],
    [
        opt("a", points={"respect": 4, "warmth": 3}),
        opt("b", points={"respect": 2, "warmth": 2}),
        opt("c", points={"respect": 1, "warmth": 2}),
        opt("d", points={"respect": 0, "warmth": 0}, red_flag=True),
    ],
)
# rate_each on common_sense: max 4 × 4 = 16
R01 = make_item(
    "R01-out-of-stock",
    RATE,
    ["common_sense"],
    [
        opt("a", effectiveness=5),
        opt("b", effectiveness=2),
        opt("c", effectiveness=1, red_flag=True),
        opt("d", effectiveness=4),
    ],
)
# rank on (respect, common_sense); keyed order c, a, d, b; max floor(16/2) = 8
K01 = make_item(
    "K01-rude-customer",
    RANK,
    ["respect", "common_sense"],
    [
        opt("a", rank=2),
        opt("b", rank=4, red_flag=True),
        opt("c", rank=1),
        opt("d", rank=3),
    ],
)
# free_text on (warmth, respect): max 4
F01 = make_item("F01-bad-morning", FREE, ["warmth", "respect"])

HAND_ITEMS = (B01, M01, R01, K01, F01)
FREE_TEXT_ANSWER = "I would listen, say sorry and call them back tomorrow."


def hand_questionnaire(scoring_method: int = LEGACY_SCORING_METHOD) -> Questionnaire:
    return make_questionnaire(HAND_ITEMS, scoring_method=scoring_method)


def hand_answers(seconds: float | None = None) -> dict[str, Answer]:
    answers = [
        Answer(B01.id, choice="a", seconds=seconds),
        Answer(M01.id, most="b", least="d", seconds=seconds),
        Answer(R01.id, ratings={"a": 4, "b": 2, "c": 5, "d": 1}, seconds=seconds),
        Answer(K01.id, ranking=("a", "c", "b", "d"), seconds=seconds),
        Answer(F01.id, text=FREE_TEXT_ANSWER, seconds=seconds),
    ]
    return {answer.item_id: answer for answer in answers}


# -- every valid answer, and the keyed best and worst ones ----------------------------


def all_answers(item: Item) -> Iterator[Answer]:
    """Every valid answer to a (small) item with options."""
    ids = [o.id for o in item.options]
    if item.format is BEST:
        for oid in ids:
            yield Answer(item.id, choice=oid)
    elif item.format is MOST_LEAST:
        for most, least in itertools.permutations(ids, 2):
            yield Answer(item.id, most=most, least=least)
    elif item.format is RATE:
        for values in itertools.product(range(1, 6), repeat=len(ids)):
            yield Answer(item.id, ratings=dict(zip(ids, values, strict=True)))
    elif item.format is RANK:
        for order in itertools.permutations(ids):
            yield Answer(item.id, ranking=order)


def _total(option: Option) -> int:
    return sum(option.points.values())


def keyed_best(item: Item) -> Answer:
    options = item.options
    if item.format is BEST:
        return Answer(item.id, choice=max(options, key=_total).id)
    if item.format is MOST_LEAST:
        return Answer(item.id, most=max(options, key=_total).id, least=min(options, key=_total).id)
    if item.format is RATE:
        return Answer(item.id, ratings={o.id: o.effectiveness for o in options})
    return Answer(item.id, ranking=tuple(o.id for o in sorted(options, key=lambda o: o.rank)))


def keyed_worst(item: Item) -> Answer:
    options = item.options
    if item.format is BEST:
        return Answer(item.id, choice=min(options, key=_total).id)
    if item.format is MOST_LEAST:
        return Answer(item.id, most=min(options, key=_total).id, least=max(options, key=_total).id)
    if item.format is RATE:
        # the rating farthest from the key: 1 for keys of 3 and above, else 5
        return Answer(item.id, ratings={o.id: 1 if o.effectiveness >= 3 else 5 for o in options})
    return Answer(item.id, ranking=tuple(o.id for o in sorted(options, key=lambda o: -o.rank)))


# -- hypothesis strategies ----------------------------------------------------------

OPTION_IDS = "abcde"


@st.composite
def dimension_sets(draw: st.DrawFn) -> tuple[str, ...]:
    count = draw(st.integers(1, 3))
    return tuple(draw(st.permutations(DIMENSIONS))[:count])


@st.composite
def keyed_items(
    draw: st.DrawFn,
    formats: ResponseFormat | st.SearchStrategy[ResponseFormat] | None = None,
    index: int = 0,
) -> Item:
    """A valid item as the bank README describes: a keyed best and worst where needed."""
    if formats is None:
        formats = st.sampled_from([BEST, MOST_LEAST, RATE, RANK, FREE])
    fmt = draw(formats) if isinstance(formats, st.SearchStrategy) else formats
    dims = draw(dimension_sets())
    item_id = f"X{index:02d}-generated"
    if fmt is FREE:
        return make_item(item_id, fmt, dims)
    low = 3 if fmt is BEST else 4
    ids = OPTION_IDS[: draw(st.integers(low, 5))]
    red = draw(st.sets(st.sampled_from(ids)))
    if fmt is RATE:
        keys = draw(st.lists(st.integers(1, 5), min_size=len(ids), max_size=len(ids)))
        options = [
            opt(i, effectiveness=k, red_flag=i in red) for i, k in zip(ids, keys, strict=True)
        ]
    elif fmt is RANK:
        order = draw(st.permutations(range(1, len(ids) + 1)))
        options = [opt(i, rank=r, red_flag=i in red) for i, r in zip(ids, order, strict=True)]
    else:
        scale_max = 4
        rows = [{d: draw(st.integers(1, scale_max - 1)) for d in dims} for _ in ids]
        best, worst = draw(st.permutations(range(len(ids))))[:2]
        rows[best] = dict.fromkeys(dims, scale_max)  # holds the maximum on every dimension
        rows[worst] = dict.fromkeys(dims, 0)  # holds the minimum on every dimension
        options = [opt(i, points=p, red_flag=i in red) for i, p in zip(ids, rows, strict=True)]
    return make_item(item_id, fmt, dims, options)


@st.composite
def answers_for(draw: st.DrawFn, item: Item, seconds: bool = True) -> Answer | None:
    """Any valid answer to the item, or None for unanswered."""
    if draw(st.integers(0, 9)) == 0:
        return None
    ids = [o.id for o in item.options]
    timing = draw(st.none() | st.floats(0.5, 120, allow_nan=False)) if seconds else None
    if item.format is BEST:
        return Answer(item.id, choice=draw(st.sampled_from(ids)), seconds=timing)
    if item.format is MOST_LEAST:
        most, least = draw(st.permutations(ids))[:2]
        return Answer(item.id, most=most, least=least, seconds=timing)
    if item.format is RATE:
        values = draw(st.lists(st.integers(1, 5), min_size=len(ids), max_size=len(ids)))
        return Answer(item.id, ratings=dict(zip(ids, values, strict=True)), seconds=timing)
    if item.format is RANK:
        return Answer(item.id, ranking=tuple(draw(st.permutations(ids))), seconds=timing)
    return Answer(item.id, text=draw(st.sampled_from([FREE_TEXT_ANSWER, "x" * 25])), seconds=timing)


@st.composite
def scored_submissions(
    draw: st.DrawFn,
) -> tuple[Questionnaire, dict[str, Answer], dict[str, int]]:
    """A random valid questionnaire with a random valid submission and manager ratings."""
    count = draw(st.integers(1, 8))
    items = [draw(keyed_items(index=i)) for i in range(count)]
    questionnaire = make_questionnaire(
        items,
        weights={d: draw(st.sampled_from([0.5, 1.0, 2.0])) for d in DIMENSIONS},
    )
    answers = {}
    ratings = {}
    for item in items:
        answer = draw(answers_for(item))
        if answer is not None:
            answers[item.id] = answer
        if item.format is FREE and draw(st.booleans()):
            ratings[item.id] = draw(st.integers(1, 5))
    return questionnaire, answers, ratings
