"""Benchmark: how many submissions per second ``score_submission`` scores.

    python bench/score.py [--bank questions] [--count 10000] [--seed 2024]

Loads the standard questionnaire from the bank (or, if the bank or
``frontline-standard`` is not available, builds a synthetic 20-item
questionnaire with every format), simulates applicants (not timed), then
times scoring all of them. For scale it also times a bare baseline in the
same process: plain loops adding up the same answers' points from
precomputed dictionaries, with no validation, trace, flags or bands. The
ratio says what the explanation and safety of the real engine cost.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.bank.model import (
    DIMENSIONS,
    Anchor,
    Band,
    Item,
    Option,
    Questionnaire,
    ResponseFormat,
)
from screening.scoring import Answer, score_submission, simulate_answers

TARGET_PER_SECOND = 5_000
STANDARD_ID = "frontline-standard"


def load_questionnaire(bank_root: Path) -> tuple[Questionnaire, str]:
    """The bank's standard questionnaire, or a synthetic one and the reason why."""
    try:
        from screening.bank import load_bank

        bank = load_bank(bank_root)
    except Exception as error:  # the bank is someone else's work in progress
        return synthetic_questionnaire(), f"synthetic ({type(error).__name__}: {error})"
    questionnaire = bank.questionnaires.get(STANDARD_ID)
    if questionnaire is None:
        return synthetic_questionnaire(), f"synthetic (no {STANDARD_ID} in {bank_root})"
    return questionnaire, f"{bank_root}/forms/{STANDARD_ID}.yaml"


def synthetic_questionnaire() -> Questionnaire:
    """20 items, the formats mixed as in a real form, wording long enough to read."""
    scenario = (
        "A customer arrives at the counter while you are finishing a call with another "
        "customer who has waited a long time, and the queue behind them is growing."
    )
    plan = [ResponseFormat.BEST_CHOICE] * 8 + [ResponseFormat.MOST_LEAST] * 5
    plan += [ResponseFormat.RATE_EACH] * 3 + [ResponseFormat.RANK] * 3
    plan += [ResponseFormat.FREE_TEXT]
    items = []
    for index, fmt in enumerate(plan):
        dims = (DIMENSIONS[index % 3], DIMENSIONS[(index + 1) % 3])
        options: tuple[Option, ...] = ()
        if fmt in (ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST):
            levels = [4, 3, 1, 0]
            options = tuple(
                Option(
                    oid,
                    f"Option {oid}: a plausible thing to do next in this situation.",
                    "Why it earns its points.",
                    {d: level for d in dims},
                    red_flag=level == 0,
                )
                for oid, level in zip("abcd", levels, strict=True)
            )
        elif fmt is ResponseFormat.RATE_EACH:
            options = tuple(
                Option(oid, f"Option {oid}: one possible response.", "Why.", effectiveness=key)
                for oid, key in zip("abcde", [5, 2, 4, 1, 3], strict=True)
            )
        elif fmt is ResponseFormat.RANK:
            options = tuple(
                Option(oid, f"Option {oid}: one possible response.", "Why.", rank=key)
                for oid, key in zip("abcd", [2, 4, 1, 3], strict=True)
            )
        items.append(
            Item(
                id=f"S{index + 1:02d}-synthetic",
                title=f"Synthetic item {index + 1}",
                dimensions=dims,
                scenario=scenario,
                prompt="What would you most likely do?",
                format=fmt,
                options=options,
                anchors=tuple(Anchor(r, f"Anchor {r}") for r in range(1, 6))
                if fmt is ResponseFormat.FREE_TEXT
                else (),
            )
        )
    return Questionnaire(
        id="synthetic-standard",
        title="Synthetic standard form",
        description="Built by bench/score.py.",
        items=tuple(items),
        weights=dict.fromkeys(DIMENSIONS, 1.0),
        bands=(
            Band("front_line", "Strong fit", "", 70, dict.fromkeys(DIMENSIONS, 60)),
            Band("probe", "Probe in interview", "", 50, {"respect": 40}),
            Band("secondary", "Secondary role", "", 0),
        ),
        content_hash="synthetic",
    )


def baseline_tables(questionnaire: Questionnaire) -> list[tuple]:
    """Per item: its format, dimensions and every lookup the bare loop needs."""
    tables = []
    for item in questionnaire.items:
        fmt = item.format
        if fmt is ResponseFormat.BEST_CHOICE:
            lookup = {o.id: dict(o.points) for o in item.options}
        elif fmt is ResponseFormat.MOST_LEAST:
            lookup = {
                o.id: (
                    {d: o.points[d] for d in item.dimensions},
                    {d: item.scale_max - o.points[d] for d in item.dimensions},
                )
                for o in item.options
            }
        elif fmt is ResponseFormat.RATE_EACH:
            lookup = {o.id: o.effectiveness for o in item.options}
        elif fmt is ResponseFormat.RANK:
            lookup = {o.id: o.rank for o in item.options}
        else:
            lookup = {}
        best = len(item.options) ** 2 // 2
        tables.append((item.id, fmt, item.dimensions, lookup, best, _item_maximum(item, best)))
    return tables


def _item_maximum(item: Item, best: int) -> dict[str, int]:
    """The most the item can give on each dimension (method 1: its format's points)."""
    if item.format is ResponseFormat.BEST_CHOICE:
        return {d: max(o.points[d] for o in item.options) for d in item.dimensions}
    if item.format is ResponseFormat.MOST_LEAST:
        return {d: max(o.points[d] for o in item.options) + item.scale_max
                - min(o.points[d] for o in item.options) for d in item.dimensions}
    if item.format is ResponseFormat.RATE_EACH:
        return dict.fromkeys(item.dimensions, 4 * len(item.options))
    if item.format is ResponseFormat.RANK:
        return dict.fromkeys(item.dimensions, best)
    return dict.fromkeys(item.dimensions, 4)


def baseline_totals(
    tables: Sequence[tuple], answers: Mapping[str, Answer], ratings: Mapping[str, int]
) -> dict[str, int]:
    """The same rules as bare arithmetic: no validation, trace, flags, maxima or bands."""
    totals = dict.fromkeys(DIMENSIONS, 0)
    for item_id, fmt, dims, lookup, best, _ in tables:
        answer = answers.get(item_id)
        if answer is None:
            continue
        if fmt is ResponseFormat.BEST_CHOICE:
            for d, v in lookup[answer.choice].items():
                totals[d] += v
        elif fmt is ResponseFormat.MOST_LEAST:
            for d, v in lookup[answer.most][0].items():
                totals[d] += v
            for d, v in lookup[answer.least][1].items():
                totals[d] += v
        elif fmt is ResponseFormat.RATE_EACH:
            agreement = sum(4 - abs(r - lookup[oid]) for oid, r in answer.ratings.items())
            for d in dims:
                totals[d] += agreement
        elif fmt is ResponseFormat.RANK:
            off = sum(abs(p - lookup[oid]) for p, oid in enumerate(answer.ranking, 1))
            for d in dims:
                totals[d] += best - off
        elif item_id in ratings:
            for d in dims:
                totals[d] += ratings[item_id] - 1
    return totals


def baseline_shares(
    tables: Sequence[tuple], answers: Mapping[str, Answer], ratings: Mapping[str, int]
) -> dict[str, float]:
    """Scoring method 2 as bare arithmetic: each item's share of its own maximum, summed
    per dimension; rate-each as 2 + 2r of 4 (r: the ratings' correlation with the key)."""
    totals = dict.fromkeys(DIMENSIONS, 0.0)
    for item_id, fmt, dims, lookup, best, maximum in tables:
        answer = answers.get(item_id)
        if answer is None:
            continue
        if fmt is ResponseFormat.RATE_EACH:
            keys = [lookup[oid] for oid in answer.ratings]
            given = list(answer.ratings.values())
            mean_key, mean_given = sum(keys) / len(keys), sum(given) / len(given)
            spread = math.sqrt(sum((k - mean_key) ** 2 for k in keys)
                               * sum((g - mean_given) ** 2 for g in given))
            r = (sum((k - mean_key) * (g - mean_given) for k, g in zip(keys, given, strict=True))
                 / spread if spread else 0.0)
            for d in dims:
                totals[d] += (2 + 2 * r) / 4
            continue
        if fmt is ResponseFormat.FREE_TEXT and item_id not in ratings:
            continue  # pending: left out
        points = baseline_totals([(item_id, fmt, dims, lookup, best, maximum)],
                                 {item_id: answer}, ratings)
        for d in dims:
            totals[d] += points[d] / maximum[d]
    return totals


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bank", type=Path, default=Path("questions"))
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2024)
    args = parser.parse_args(argv)

    questionnaire, source = load_questionnaire(args.bank)
    formats = sorted({item.format.value for item in questionnaire.items})
    print(
        f"questionnaire: {questionnaire.id} ({len(questionnaire.items)} items: "
        f"{', '.join(formats)}) from {source}"
    )

    started = time.perf_counter()
    applicants = simulate_answers(questionnaire, args.count, args.seed)
    print(
        f"simulated {len(applicants):,} applicants in {time.perf_counter() - started:.2f} s "
        "(not timed below)"
    )
    submissions = [(a.answers, a.free_text_ratings) for a in applicants]

    timings = []
    for _ in range(3):  # the first pass also compiles the plan and fills the caches
        started = time.perf_counter()
        results = [score_submission(questionnaire, ans, rat) for ans, rat in submissions]
        timings.append(time.perf_counter() - started)
    cold, warm = timings[0], min(timings[1:])

    tables = baseline_tables(questionnaire)
    baseline = baseline_totals if questionnaire.scoring_method == 1 else baseline_shares
    baseline_timings = []
    for _ in range(3):
        started = time.perf_counter()
        totals = [baseline(tables, ans, rat) for ans, rat in submissions]
        baseline_timings.append(time.perf_counter() - started)
    baseline_time = min(baseline_timings)

    for result, expected in zip(results, totals, strict=True):
        raw = {s.dimension: s.raw for s in result.dimensions}
        if any(abs(raw[d] - expected[d]) > 1e-3 for d in DIMENSIONS):
            print("MISMATCH between the engine and the baseline", file=sys.stderr)
            return 1

    count = len(submissions)
    per_second = count / warm
    print(
        f"score_submission: {count / cold:,.0f} submissions/s on the first pass (cold caches), "
        f"{per_second:,.0f} submissions/s warm ({warm / count * 1e6:.1f} µs each)"
    )
    print(
        f"baseline (bare sums of the same points): {count / baseline_time:,.0f} submissions/s "
        f"({baseline_time / count * 1e6:.1f} µs each)"
    )
    print(
        f"ratio score_submission / baseline time: {warm / baseline_time:.1f}x (warm), "
        f"{cold / baseline_time:.1f}x (cold)"
    )
    flagged = sum(1 for r in results if r.red_flags)
    provisional = sum(1 for r in results if r.provisional)
    print(
        f"results: {flagged:,} with red flags, {provisional:,} provisional; engine and "
        "baseline raw totals agree for every submission"
    )
    verdict = "meets" if count / cold >= TARGET_PER_SECOND else "BELOW"
    print(f"target {TARGET_PER_SECOND:,}/s: {verdict} (cold pass)")
    return 0 if verdict == "meets" else 1


if __name__ == "__main__":
    raise SystemExit(main())
