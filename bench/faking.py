"""Can the screen be passed without judgement? Key-blind answering rules, scored for real.

    python bench/faking.py [--bank questions] [--random 10000] [--seed 16]
                           [--simulated 2000] [--tie-breaks 100]

A test-wise applicant does not need to know what works with customers if the
right answer can be spotted by its form. This script answers every shipped
questionnaire by rules that never look at the key, scores them through the
real scoring engine (``screening.scoring.score_submission``; no Flask, no
database), and compares them with applicants who answer uniformly at random:

- ``longest``: the longest option is the best (best_choice: choose it;
  most_least: most = longest, least = shortest; rank: longest first;
  rate_each: ratings 1..5 spread by length, longest 5, shortest 1);
- ``shortest``: the mirror image;
- ``positive``: the option with the most warm, polite or thorough words per
  word (POSITIVE_WORDS, written down before the rewritten bank existed), with
  the same mapping per format;
- ``length+positive``: the sum of the two within-item ranks (0..1 each);
- ``random``: uniform answers (``--random`` of them, fixed seed): a uniform
  choice, a uniform most/least pair, a uniform order, uniform ratings 1..5.

Free-text items cannot be answered by a rule: every simulated applicant, rule
or random, gets the middle anchor rating 3 on them, so the comparison is
decided by the option items alone. Ties between options (common for
``positive``) are broken at random, as an applicant who sees the options in a
shuffled order would; a rule's figure is the mean over ``--tie-breaks`` seeded
tie-breaks, with the band it lands in most often.

For scale it also places each rule among the latent-trait applicants of
``screening.scoring.simulate`` (``--simulated``), the figure issue #16 quoted.

Exits 1, with a line saying so, if any rule scores above the random
responders' 75th percentile on any questionnaire: a screen whose key can be
found by form fails this check. To measure an older bank, run this script from
a checkout of that version (``git archive <rev> | tar -x -C DIR``, copy this
file into DIR/bench and run it there): a bank from before issue #16 does not
load with the current validator.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from screening.bank import BankError, load_bank  # noqa: E402
from screening.bank.cues import questionnaire_cues  # noqa: E402
from screening.bank.model import Item, Questionnaire, ResponseFormat  # noqa: E402
from screening.scoring import (  # noqa: E402
    Answer,
    SubmissionResult,
    percentile_rank,
    score_submission,
    simulate_answers,
)

#: Words that make an option sound warm, polite or thorough. Written down before
#: the bank of issue #16 was rewritten, and not tuned on it since: a stem matches
#: any word that starts with it ("apologis" matches "apologise", "apologising");
#: a phrase (with a space) matches where it occurs.
POSITIVE_WORDS = (
    "apologis", "apologiz", "sorry", "happy", "happi", "glad", "pleas", "help",
    "thank", "understand", "reassur", "personal", "immediate", "promis", "warm",
    "kind", "smil", "welcom", "sincer", "genuine", "care", "caring", "gentl",
    "friendl", "patien", "calm", "listen", "comfort", "support", "appreciat",
    "delight", "certain", "definite", "absolute", "complete", "fully", "ensur",
    "check", "explain", "clear", "offer", "extra", "free", "priorit", "respect",
    "empath", "enjoy", "lovely", "wonderful", "great", "best", "assur", "honest",
    "right away", "straight away", "at once", "make sure", "of course",
    "no problem", "no trouble", "anything else", "follow up", "call back",
)
#: The middle anchor: what every simulated free-text answer is rated.
FREE_TEXT_RATING = 3
FREE_TEXT_ANSWER = "I would listen, help with what I can and find someone who can do the rest."
#: Above this percentile of the random responders, a rule counts as passing by form.
LIMIT_PERCENTILE = 75
#: Issue #17's targets for the bands, checked on every shipped questionnaire:
#: no rule above the random responders' 90th percentile or ever in the top band ...
RULE_CEILING_PERCENTILE = 90
#: ... at most 1% of random responders in the top band, at most 25% above the lowest.
RANDOM_TOP_SHARE, RANDOM_ABOVE_LOWEST_SHARE = 0.01, 0.25

_WORD = re.compile(r"[a-z']+")


def positive_score(text: str) -> float:
    """Matches of POSITIVE_WORDS per word of ``text``."""
    lowered = text.lower()
    words = _WORD.findall(lowered)
    if not words:
        return 0.0
    matches = 0
    for entry in POSITIVE_WORDS:
        if " " in entry:
            matches += len(re.findall(rf"\b{re.escape(entry)}\b", lowered))
        else:
            matches += sum(1 for word in words if word.startswith(entry))
    return matches / len(words)


def _ranks(values: Sequence[float]) -> list[float]:
    """Position of each value from 0 (lowest) to 1 (highest); ties share the mean position."""
    count = len(values)
    if count < 2:
        return [0.5] * count
    order = sorted(range(count), key=lambda index: values[index])
    positions = [0.0] * count
    start = 0
    while start < count:
        end = start
        while end + 1 < count and values[order[end + 1]] == values[order[start]]:
            end += 1
        mean = (start + end) / 2
        for index in order[start : end + 1]:
            positions[index] = mean / (count - 1)
        start = end + 1
    return positions


Scorer = Callable[[Item], list[float]]


def by_length(item: Item) -> list[float]:
    return [float(len(option.text)) for option in item.options]


def by_shortness(item: Item) -> list[float]:
    return [-float(len(option.text)) for option in item.options]


def by_positive(item: Item) -> list[float]:
    return [positive_score(option.text) for option in item.options]


def by_length_and_positive(item: Item) -> list[float]:
    length, positive = _ranks(by_length(item)), _ranks(by_positive(item))
    return [a + b for a, b in zip(length, positive, strict=True)]


RULES: dict[str, Scorer] = {
    "longest": by_length,
    "shortest": by_shortness,
    "positive": by_positive,
    "length+positive": by_length_and_positive,
}


def answer_by_scores(item: Item, scores: Sequence[float], rng: random.Random) -> Answer:
    """The answer a rule gives: the highest-scoring option is taken as the most effective."""
    options = list(item.options)
    if item.format is ResponseFormat.FREE_TEXT:
        return Answer(item.id, text=FREE_TEXT_ANSWER)
    if item.format is ResponseFormat.RATE_EACH:
        positions = _ranks(scores)  # tied options get the same rating
        ratings = {o.id: 1 + round(4 * p) for o, p in zip(options, positions, strict=True)}
        return Answer(item.id, ratings=ratings)
    jitter = [rng.random() for _ in options]  # breaks ties only
    order = sorted(range(len(options)), key=lambda i: (scores[i], jitter[i]), reverse=True)
    ranked = [options[index].id for index in order]
    if item.format is ResponseFormat.BEST_CHOICE:
        return Answer(item.id, choice=ranked[0])
    if item.format is ResponseFormat.MOST_LEAST:
        return Answer(item.id, most=ranked[0], least=ranked[-1])
    return Answer(item.id, ranking=tuple(ranked))


def random_answer(item: Item, rng: random.Random) -> Answer:
    ids = [option.id for option in item.options]
    if item.format is ResponseFormat.FREE_TEXT:
        return Answer(item.id, text=FREE_TEXT_ANSWER)
    if item.format is ResponseFormat.BEST_CHOICE:
        return Answer(item.id, choice=rng.choice(ids))
    if item.format is ResponseFormat.MOST_LEAST:
        most, least = rng.sample(ids, 2)
        return Answer(item.id, most=most, least=least)
    if item.format is ResponseFormat.RATE_EACH:
        return Answer(item.id, ratings={oid: rng.randint(1, 5) for oid in ids})
    rng.shuffle(ids)
    return Answer(item.id, ranking=tuple(ids))


def _free_text_ratings(questionnaire: Questionnaire) -> dict[str, int]:
    return {
        item.id: FREE_TEXT_RATING
        for item in questionnaire.items
        if item.format is ResponseFormat.FREE_TEXT
    }


def score_rule(
    questionnaire: Questionnaire, scorer: Scorer, tie_breaks: int, seed: int
) -> list[SubmissionResult]:
    ratings = _free_text_ratings(questionnaire)
    scores = {item.id: scorer(item) for item in questionnaire.items if item.options}
    results = []
    for round_ in range(tie_breaks):
        rng = random.Random(f"{seed}:ties:{round_}")
        answers = {
            item.id: answer_by_scores(item, scores.get(item.id, []), rng)
            for item in questionnaire.items
        }
        results.append(score_submission(questionnaire, answers, ratings))
    return results


def score_random(questionnaire: Questionnaire, count: int, seed: int) -> list[SubmissionResult]:
    rng = random.Random(f"{seed}:random:{questionnaire.id}")
    ratings = _free_text_ratings(questionnaire)
    return [
        score_submission(
            questionnaire, {item.id: random_answer(item, rng) for item in questionnaire.items},
            ratings,
        )
        for _ in range(count)
    ]


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Linear interpolation between closest ranks (share 0..100)."""
    position = (len(sorted_values) - 1) * share / 100
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _label(result: SubmissionResult) -> str:
    return result.band.label if result.band is not None else f"no band ({result.status})"


def _band_summary(results: Sequence[SubmissionResult]) -> tuple[str, float]:
    counts = Counter(_label(result) for result in results)
    label, count = counts.most_common(1)[0]
    return label, 100 * count / len(results)


def _share(results: Sequence[SubmissionResult], band_ids: set[str]) -> float:
    return sum(1 for r in results if r.band is not None and r.band.id in band_ids) / len(results)


#: Until real applicants re-set them, the top band holds at most this share of the
#: simulated applicants (the latent-trait model of scoring/simulate.py).
SIMULATED_TOP_SHARE = 0.25


def derived_cuts(
    random_overall: Sequence[float], rule_overall: Sequence[float],
    simulated_overall: Sequence[float],
) -> tuple[int, int]:
    """The cut scores the targets call for: (top band, middle band), whole percents.

    Top: above the random responders' 99th percentile, above every key-blind rule's
    best tie-break, and above all but the top quarter of the simulated applicants.
    Middle: above three quarters of the random responders.
    """
    top = math.floor(max(percentile(random_overall, 99), max(rule_overall),
                         percentile(simulated_overall, 100 * (1 - SIMULATED_TOP_SHARE)))) + 1
    middle = math.floor(percentile(random_overall, 100 * (1 - RANDOM_ABOVE_LOWEST_SHARE))) + 1
    return top, middle


def report(
    questionnaire: Questionnaire, args: argparse.Namespace, out: Callable[[str], None]
) -> list[str]:
    """Print one questionnaire's figures; returns the rules above the limit."""
    option_items = [item for item in questionnaire.items if item.options]
    free_text = len(questionnaire.items) - len(option_items)
    out(
        f"{questionnaire.version_label}: {len(questionnaire.items)} items, "
        f"{len(option_items)} with options"
        + (f", {free_text} free text (every simulated answer rated {FREE_TEXT_RATING})"
           if free_text else "")
    )
    cues = questionnaire_cues(questionnaire)  # the bank check's own count
    longest, shortest = cues.keyed_longest, cues.keyed_shortest
    out(
        f"  keyed option is the longest in {longest.count} of {longest.total} option "
        f"items ({100 * longest.share:.0f}%), the shortest in "
        f"{shortest.count} ({100 * shortest.share:.0f}%)"
    )
    randoms = score_random(questionnaire, args.random, args.seed)
    overall = sorted(result.overall for result in randoms)
    p75 = percentile(overall, LIMIT_PERCENTILE)
    p90 = percentile(overall, RULE_CEILING_PERCENTILE)
    bands = Counter(_label(result) for result in randoms)
    out(
        f"  random responders ({args.random:,}, seed {args.seed}): mean "
        f"{sum(overall) / len(overall):.1f}%, 75th percentile {p75:.1f}%, "
        f"90th percentile {percentile(overall, 90):.1f}%"
    )
    for band in questionnaire.bands:
        out(f"    {bands.get(band.label, 0) / len(randoms):6.1%}  {band.label}")
    simulated_results = [
        score_submission(questionnaire, applicant.answers, applicant.free_text_ratings)
        for applicant in simulate_answers(questionnaire, args.simulated, args.seed)
    ]
    simulated = sorted(result.overall for result in simulated_results)
    shares = Counter(_label(result) for result in simulated_results)
    out(f"  simulated applicants ({args.simulated:,}): "
        + ", ".join(f"{shares.get(band.label, 0) / len(simulated):.0%} {band.label}"
                    for band in questionnaire.bands)
        + "".join(f", {count / len(simulated):.0%} {label}" for label, count in shares.items()
                  if label.startswith("no band")))
    out(
        f"  {'rule':<16}{'overall':>8}  {'band (share of tie-breaks)':<48}"
        f"{'pct random':>11}{'pct simulated':>14}"
    )
    above = []
    top = {questionnaire.bands[0].id}
    rule_overall: list[float] = []
    for name, scorer in RULES.items():
        results = score_rule(questionnaire, scorer, args.tie_breaks, args.seed)
        rule_overall += [result.overall for result in results]
        mean = sum(result.overall for result in results) / len(results)
        label, share = _band_summary(results)
        versus_random = percentile_rank(mean, overall)
        versus_simulated = percentile_rank(mean, simulated)
        out(
            f"  {name:<16}{mean:7.1f}%  {f'{label} ({share:.0f}%)':<48}"
            f"{versus_random:>11.1f}{versus_simulated:>14.1f}"
        )
        if mean > p75:
            above.append(f"{questionnaire.id}: {name} scores {mean:.1f}%, above the random "
                         f"responders' {LIMIT_PERCENTILE}th percentile {p75:.1f}%")
        if mean > p90:
            above.append(f"{questionnaire.id}: {name} scores {mean:.1f}%, above the random "
                         f"responders' {RULE_CEILING_PERCENTILE}th percentile {p90:.1f}%")
        if _share(results, top):
            above.append(f"{questionnaire.id}: {name} reaches the top band in "
                         f"{_share(results, top):.0%} of its tie-breaks")
    top_share = _share(randoms, top)
    above_lowest = _share(randoms, {band.id for band in questionnaire.bands[:-1]})
    out(f"  targets: random responders in the top band {top_share:.2%} (at most "
        f"{RANDOM_TOP_SHARE:.0%}), above the lowest band {above_lowest:.1%} (at most "
        f"{RANDOM_ABOVE_LOWEST_SHARE:.0%}); rules at most the random "
        f"{RULE_CEILING_PERCENTILE}th percentile {p90:.1f}% and never in the top band")
    top_cut, middle_cut = derived_cuts(overall, rule_overall, simulated)
    out(f"  cut scores these figures call for: top band overall {top_cut}% (random 99th "
        f"percentile {percentile(overall, 99):.1f}%, best rule tie-break "
        f"{max(rule_overall):.1f}%, simulated 75th percentile "
        f"{percentile(simulated, 100 * (1 - SIMULATED_TOP_SHARE)):.1f}%), every dimension "
        f"and the middle band overall {middle_cut}% (random 75th percentile {p75:.1f}%)")
    if top_share > RANDOM_TOP_SHARE:
        above.append(f"{questionnaire.id}: {top_share:.2%} of random responders in the top band")
    if above_lowest > RANDOM_ABOVE_LOWEST_SHARE:
        above.append(f"{questionnaire.id}: {above_lowest:.1%} of random responders above the "
                     "lowest band")
    return above


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bank", type=Path, default=PROJECT_ROOT / "questions")
    parser.add_argument("--random", type=int, default=10_000, help="uniform random responders")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--simulated", type=int, default=2_000, help="latent-trait applicants")
    parser.add_argument("--tie-breaks", type=int, default=100)
    args = parser.parse_args(argv)
    try:
        bank = load_bank(args.bank)
    except BankError as error:
        print(
            f"The bank at {args.bank} does not load with this code ({len(error.problems)} "
            "problems, the first: " + str(error.problems[0]) + "). To measure an older bank, "
            "run this script from a checkout of that version.",
            file=sys.stderr,
        )
        return 2
    shown = os.path.relpath(args.bank) if args.bank.is_absolute() else str(args.bank)
    command = " ".join(
        ["python bench/faking.py", f"--bank {shown}", f"--random {args.random}",
         f"--seed {args.seed}", f"--simulated {args.simulated}", f"--tie-breaks {args.tie_breaks}"]
    )
    print(f"$ {command}")
    print(
        "Key-blind rules scored by the real engine; 'pct' = percentile rank of the rule's mean "
        "overall among the random responders and among the latent-trait simulated applicants."
    )
    above: list[str] = []
    for questionnaire in bank.questionnaires.values():
        print()
        above += report(questionnaire, args, print)
    print()
    if above:
        for line in above:
            print(f"MISSED: {line}")
        return 1
    print(
        f"OK: no key-blind rule scores above the random responders' {LIMIT_PERCENTILE}th "
        "percentile or reaches the top band, and the random responders stay out of the top "
        "band and mostly in the lowest, on every questionnaire."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

