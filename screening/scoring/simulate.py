"""Synthetic applicants for demos, benchmarks and psychometric sanity checks.

Each applicant has a latent level θ on each dimension; the higher θ on an
item's main dimension, the more likely they pick the options the key rates
highly. The figures are plausible, not calibrated on real applicants: use
them to exercise the pipeline, never as norms.

Only ``random.Random(seed)`` is used, so the same seed always gives the same
applicants (no global random state, no dependence on hash order).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from screening.bank.model import (
    DIMENSIONS,
    RATING_MAX,
    RATING_MIN,
    Item,
    Option,
    Questionnaire,
    ResponseFormat,
)

from .answers import Answer
from .quality import item_word_count

#: Correlation between the three levels, through one shared factor: people who
#: are warm tend a little to be sensible and respectful too.
TRAIT_CORRELATION = 0.3
#: How strongly θ tilts option choice towards the keyed-effective options.
DISCRIMINATION = 1.5
#: An average applicant (θ = 0) still leans towards effective options.
EASE = 0.7
#: Share of applicants who click through: random answers, too fast, straight-lining.
CARELESS_SHARE = 0.05
#: Chance that an attentive applicant leaves an item unanswered.
SKIP_CHANCE = 0.01
#: Noise around the key in ratings and rankings: NOISE_FLOOR + NOISE_EXTRA / (1 + e^(1.5·θ)).
NOISE_FLOOR, NOISE_EXTRA, NOISE_SLOPE = 0.3, 2.5, 1.5
#: 240 words a minute: ordinary reading speed.
READING_SECONDS_PER_WORD = 0.25

FIRST_NAMES = (
    "Amara",
    "Ben",
    "Chloe",
    "Dev",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Kemi",
    "Liam",
    "Maya",
    "Nikos",
    "Olivia",
    "Pavel",
    "Quinn",
    "Rosa",
    "Sami",
    "Tess",
)
LAST_NAMES = (
    "Adeyemi",
    "Brennan",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
)

#: Free-text answers, one per anchored rating, worded to fit any front-line scenario.
FREE_TEXT_TEMPLATES = {
    1: "Not my problem, they should have read the sign before complaining to me.",
    2: "I would tell them the rules and that there is nothing I can do about it.",
    3: "I would apologise, explain the policy and ask a colleague if they can help.",
    4: "I would listen first, say sorry for the trouble and find someone who can fix it today.",
    5: (
        "I would thank them for telling me, listen until they finish, own the next step, "
        "find the person who can solve it and call them back to check it worked."
    ),
}


@dataclass(frozen=True)
class SimulatedApplicant:
    name: str
    #: latent level θ per dimension, standard normal.
    levels: Mapping[str, float]
    #: a careless applicant answers at random and too fast.
    careless: bool
    answers: Mapping[str, Answer]
    #: the manager's anchored rating of each free-text answer.
    free_text_ratings: Mapping[str, int]


def _clamp_rating(value: float) -> int:
    return max(RATING_MIN, min(RATING_MAX, round(value)))


def _keyed_value(item: Item, option: Option) -> float:
    """How effective the key says an option is; higher is better for every format."""
    if item.format is ResponseFormat.RATE_EACH:
        return float(option.effectiveness or 0)
    if item.format is ResponseFormat.RANK:
        return float(len(item.options) + 1 - (option.rank or 0))
    return float(sum(option.points.get(d, 0) for d in item.dimensions))


def _standardised(values: Sequence[float]) -> list[float]:
    centre = sum(values) / len(values)
    spread = math.sqrt(sum((v - centre) ** 2 for v in values) / len(values))
    return [(v - centre) / spread if spread else 0.0 for v in values]


def _pick(rng: random.Random, options: Sequence[Option], utilities: Sequence[float]) -> Option:
    """Softmax choice: each option with probability proportional to exp(utility)."""
    top = max(utilities)
    weights = [math.exp(u - top) for u in utilities]
    threshold = rng.random() * sum(weights)
    for option, weight in zip(options, weights, strict=True):
        threshold -= weight
        if threshold < 0:
            return option
    return options[-1]


def _noise_sd(level: float) -> float:
    """Judgement sharpens with the level: from about 2.7 at θ = −2 to 1.55 at 0 and 0.4 at +2."""
    return NOISE_FLOOR + NOISE_EXTRA / (1 + math.exp(NOISE_SLOPE * level))


def _answer_item(
    rng: random.Random, item: Item, level: float, careless: bool
) -> tuple[Answer, int | None]:
    options = item.options
    fmt = item.format
    if fmt in (ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST):
        tilt = 0.0 if careless else EASE + DISCRIMINATION * level
        keyed = _standardised([_keyed_value(item, o) for o in options])
        utilities = [tilt * z for z in keyed]
    if fmt is ResponseFormat.BEST_CHOICE:
        return Answer(item.id, choice=_pick(rng, options, utilities).id), None
    if fmt is ResponseFormat.MOST_LEAST:
        most = _pick(rng, options, utilities)
        rest = [o for o in options if o.id != most.id]
        least = _pick(
            rng, rest, [-u for o, u in zip(options, utilities, strict=True) if o.id != most.id]
        )
        return Answer(item.id, most=most.id, least=least.id), None
    if fmt is ResponseFormat.RATE_EACH:
        if careless:
            same = rng.randint(RATING_MIN, RATING_MAX)
            return Answer(item.id, ratings={o.id: same for o in options}), None
        sd = _noise_sd(level)
        ratings = {o.id: _clamp_rating((o.effectiveness or 3) + rng.gauss(0, sd)) for o in options}
        return Answer(item.id, ratings=ratings), None
    if fmt is ResponseFormat.RANK:
        sd = 3.0 if careless else _noise_sd(level)
        noisy = sorted(options, key=lambda o: (o.rank or 0) + rng.gauss(0, sd))
        return Answer(item.id, ranking=tuple(o.id for o in noisy)), None
    rating = 1 if careless else _clamp_rating(3 + 1.1 * level + rng.gauss(0, 0.6))
    return Answer(item.id, text=FREE_TEXT_TEMPLATES[rating]), rating


def _seconds(rng: random.Random, item: Item, careless: bool) -> float:
    words = item_word_count(item)
    if careless:
        # Clicking through: well under the time it takes to read the item.
        return round(rng.uniform(0.8, 2.5) + 0.03 * words, 1)
    reading = READING_SECONDS_PER_WORD * words * math.exp(rng.gauss(0, 0.25))
    thinking = rng.lognormvariate(math.log(8), 0.5)
    if item.format is ResponseFormat.FREE_TEXT:
        thinking += rng.uniform(30, 120)  # typing
    return round(reading + thinking, 1)


def simulate_applicant(questionnaire: Questionnaire, rng: random.Random) -> SimulatedApplicant:
    """One synthetic applicant, drawing every random number from ``rng``."""
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    shared = rng.gauss(0, 1)
    levels = {
        d: math.sqrt(TRAIT_CORRELATION) * shared
        + math.sqrt(1 - TRAIT_CORRELATION) * rng.gauss(0, 1)
        for d in DIMENSIONS
    }
    careless = rng.random() < CARELESS_SHARE
    answers: dict[str, Answer] = {}
    ratings: dict[str, int] = {}
    for item in questionnaire.items:
        if not careless and rng.random() < SKIP_CHANCE:
            continue
        answer, rating = _answer_item(rng, item, levels[item.primary_dimension], careless)
        seconds = _seconds(rng, item, careless)
        answers[item.id] = replace(answer, seconds=seconds)
        if rating is not None:
            ratings[item.id] = rating
    return SimulatedApplicant(name, levels, careless, answers, ratings)


def simulate_answers(
    questionnaire: Questionnaire, count: int, seed: int
) -> list[SimulatedApplicant]:
    """``count`` synthetic applicants; the same seed always gives the same list."""
    rng = random.Random(seed)  # noqa: S311 - reproducible fake applicants, not secrets
    return [simulate_applicant(questionnaire, rng) for _ in range(count)]


#: How strongly the simulated job outcomes follow the applicant's average level: enough
#: for the demo to show a relationship, not the near-perfect one no real screen has.
OUTCOME_SLOPE = 1.0
#: The spread of everything else that decides how a hire does (the job, the team, luck).
OUTCOME_NOISE = 0.5
#: Most people stay 90 days: the log-odds of staying for an average applicant, and how
#: much a better performer's odds rise.
STAY_LOG_ODDS, STAY_SLOPE = 1.2, 2.0


@dataclass(frozen=True)
class SimulatedOutcome:
    """Invented job outcomes of a simulated hire, for the demo's validation page."""

    still_employed_90_days: bool
    supervisor_rating: int
    customer_satisfaction: float
    complaints: int


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: fine for the small means of a complaints count."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def simulate_outcome(levels: Mapping[str, float], rng: random.Random) -> SimulatedOutcome:
    """Job outcomes that rise with the applicant's latent levels, with plenty of noise:
    the people the screen would rank high tend to stay, be rated well and draw fewer
    complaints, as a working screen's applicants would."""
    performance = (OUTCOME_SLOPE * sum(levels.values()) / len(levels)
                   + rng.gauss(0, OUTCOME_NOISE))
    stays = rng.random() < 1 / (1 + math.exp(-(STAY_LOG_ODDS + STAY_SLOPE * performance)))
    rating = _clamp_rating(3 + performance + rng.gauss(0, 0.7))
    satisfaction = round(min(100.0, max(0.0, 78 + 8 * performance + rng.gauss(0, 6))), 1)
    complaints = _poisson(rng, math.exp(-0.3 - 0.8 * performance))
    return SimulatedOutcome(stays, rating, satisfaction, complaints)
