"""Local validation: does the screen predict how hired applicants did in the job? Pure.

A generic claim that situational-judgement tests predict performance says little about
one employer's jobs; local evidence does. Given the scores of hired applicants and the
outcomes HR imported for them, this module computes:

- Pearson's r between each score (overall and per dimension) and each outcome, with
  its 95% confidence interval by Fisher's z transformation, z = atanh(r) ± 1.96/√(n − 3)
  turned back with tanh. With a yes/no outcome coded 1/0, Pearson's r *is* the
  point-biserial correlation, so one formula serves both;
- the expectancy table: the outcome rate (or mean) per result band, the form managers
  read best ("of those in the strong band, 84% were still employed at 90 days");
- an empirical check of the key: per item, how often hired applicants with good and
  with poor outcomes chose the keyed best option.

What the figures cannot say is part of the result (``warnings``): only hired applicants
have outcomes, so the score range is restricted and r understates the relation in all
applicants; below MIN_VALIDATION_N people the figures are withheld, and up to a few
hundred the intervals stay wide. The plain-language sentence for a correlation is made
in one place, ``plain_reading``.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from screening.bank.cues import keyed_options
from screening.bank.model import DIMENSION_LABELS, DIMENSIONS, Questionnaire

from .psychometrics import pearson
from .result import RubricRole, SubmissionResult

#: Below this many people a figure moves too much from one cohort to the next: withheld.
MIN_VALIDATION_N = 30
#: The 97.5th percentile of the standard normal distribution: a two-sided 95% interval.
Z_95 = 1.959963984540054
#: A band with fewer people than this is marked as read-with-care in the expectancy table.
FEW_IN_BAND = 10
OVERALL = "overall"
#: The predictors, in the order the page shows them.
PREDICTORS: tuple[str, ...] = (OVERALL, *DIMENSIONS)

Value = float | bool | None


@dataclass(frozen=True)
class OutcomeMeasure:
    """One job outcome HR can import, and how its findings read."""

    key: str
    label: str
    binary: bool
    higher_is_better: bool
    #: how a finding in the good direction reads: "<predictor> tells apart who stayed ...".
    relation: str
    #: what the outcome is about, for "has not shown a clear relationship with ...".
    subject: str
    #: what higher scores went with when the finding points the wrong way.
    worse: str
    #: the good and poor groups of the key check, in words.
    good_group: str
    poor_group: str


STILL_EMPLOYED = OutcomeMeasure(
    "still_employed_90_days", "Still employed at 90 days", binary=True, higher_is_better=True,
    relation="tells apart who stayed 90 days", subject="who stayed 90 days",
    worse="fewer people staying 90 days", good_group="stayed 90 days",
    poor_group="left within 90 days")
SUPERVISOR_RATING = OutcomeMeasure(
    "supervisor_rating", "Supervisor rating (1–5)", binary=False, higher_is_better=True,
    relation="goes with higher supervisor ratings", subject="supervisor ratings",
    worse="lower supervisor ratings", good_group="rated 4 or 5", poor_group="rated 1 or 2")
CUSTOMER_SATISFACTION = OutcomeMeasure(
    "customer_satisfaction", "Customer satisfaction", binary=False, higher_is_better=True,
    relation="goes with higher customer-satisfaction scores",
    subject="customer-satisfaction scores", worse="lower customer-satisfaction scores",
    good_group="above the median", poor_group="below the median")
COMPLAINTS = OutcomeMeasure(
    "complaints", "Complaints", binary=False, higher_is_better=False,
    relation="goes with fewer complaints", subject="complaints", worse="more complaints",
    good_group="no complaints", poor_group="one or more complaints")

MEASURES: tuple[OutcomeMeasure, ...] = (
    STILL_EMPLOYED, SUPERVISOR_RATING, CUSTOMER_SATISFACTION, COMPLAINTS)

RANGE_RESTRICTION_WARNING = (
    "Only hired applicants have job outcomes, so these figures come from a group whose "
    "scores were already above the cut-off more often than not. That restricted range makes "
    "every correlation smaller than it would be among all applicants, and says nothing "
    "about how those who were not hired would have done.")
SMALL_SAMPLE_WARNING = (
    f"Figures are withheld below {MIN_VALIDATION_N} people. Even above that, a sample of a "
    "few dozen gives a wide interval: read the interval, not just r, and expect the figures "
    "to move as outcomes arrive.")
DEMO_WARNING = (
    "Demo data: these outcomes were simulated by the demo command (flask demo) from the "
    "simulated applicants' traits. They show how the page works and are no evidence about "
    "any real process.")
KEY_CHECK_CAVEAT = (
    "A difference here is a reason to look at an item again, not to change its key: decide "
    "on a hold-out sample (outcomes not used to spot the item) before any key is changed, "
    "or the change will fit this sample's chance differences.")


def not_enough_data(n: int, needed: int = MIN_VALIDATION_N) -> str:
    return f"not enough data yet (n = {n}; {needed} needed)"


# -- correlation -------------------------------------------------------------------------


@dataclass(frozen=True)
class Correlation:
    """Pearson's r with its 95% interval, or why it is not shown (``withheld``)."""

    n: int
    r: float | None = None
    low: float | None = None
    high: float | None = None
    withheld: str = ""


def fisher_interval(r: float, n: int, z: float = Z_95) -> tuple[float, float]:
    """The confidence interval of r by Fisher's z transformation; needs n > 3."""
    if n <= 3:
        raise ValueError("Fisher's interval needs more than three pairs")
    if abs(r) >= 1:
        return r, r
    centre = math.atanh(r)
    half = z / math.sqrt(n - 3)
    return math.tanh(centre - half), math.tanh(centre + half)


def correlation(
    xs: Sequence[float], ys: Sequence[float], minimum: int = MIN_VALIDATION_N
) -> Correlation:
    """Pearson's r of paired values (point-biserial when ``ys`` are 0/1) with its interval."""
    n = len(xs)
    if n != len(ys):
        raise ValueError("correlation needs pairs: the two lists differ in length")
    if n < max(minimum, 4):
        return Correlation(n, withheld=not_enough_data(n, max(minimum, 4)))
    r = pearson(xs, ys)
    if r is None:
        return Correlation(n, withheld="everyone has the same value, so r cannot be computed")
    low, high = fisher_interval(r, n)
    return Correlation(n, r, low, high)


def _figure(value: float) -> str:
    return f"{value:.2f}".replace("-", "−")


def predictor_label(predictor: str) -> str:
    if predictor == OVERALL:
        return "The screen's overall score"
    return f"The {DIMENSION_LABELS.get(predictor, predictor).lower()} score"


def plain_reading(predictor: str, measure: OutcomeMeasure, found: Correlation) -> str:
    """One sentence a manager can read: what the correlation says, with its figures."""
    subject = predictor_label(predictor)
    if found.r is None or found.low is None or found.high is None:
        return f"{subject} and {measure.subject}: {found.withheld}."
    figures = f"r = {_figure(found.r)}, 95% CI {_figure(found.low)} to {_figure(found.high)}, " \
              f"n = {found.n}"
    good_side = found.low > 0 if measure.higher_is_better else found.high < 0
    wrong_side = found.high < 0 if measure.higher_is_better else found.low > 0
    if good_side:
        return f"{subject} {measure.relation}: {figures}."
    if wrong_side:
        return (f"{subject} points the wrong way: higher scores went with {measure.worse}: "
                f"{figures}.")
    return (f"{subject} has not shown a clear relationship with {measure.subject} yet: "
            f"{figures}; the interval includes zero.")


# -- what is known of each hired applicant -------------------------------------------------


@dataclass(frozen=True)
class HiredRecord:
    """One hired applicant's scores, band, key choices and latest job outcomes."""

    overall: float
    dimensions: Mapping[str, float]
    band_id: str | None
    #: measure key -> the latest value imported (True/False for a yes/no outcome).
    outcomes: Mapping[str, Value]
    #: item id -> whether the applicant chose the keyed best option (items with one choice).
    keyed_choices: Mapping[str, bool]

    def score(self, predictor: str) -> float:
        return self.overall if predictor == OVERALL else self.dimensions[predictor]


def keyed_choices(questionnaire: Questionnaire, result: SubmissionResult) -> dict[str, bool]:
    """Per answered item with one choice to make, whether it was the keyed best option.

    Best choice: the option chosen; most/least: the option called most effective; rank:
    the option placed first. Rate-each and free-text items have no single choice.
    """
    keyed = {item.id: {option.id for option in keyed_options(item)}
             for item in questionnaire.items}
    chosen: dict[str, bool] = {}
    for line in result.trace:
        if not line.answered or not keyed.get(line.item_id):
            continue
        for rubric in line.rubric:
            first = rubric.role is RubricRole.PLACED and rubric.value == 1
            if rubric.role in (RubricRole.CHOSEN, RubricRole.MOST_EFFECTIVE) or first:
                chosen[line.item_id] = rubric.option_id in keyed[line.item_id]
    return chosen


def _numeric(value: Value) -> float:
    return float(value) if not isinstance(value, bool) else (1.0 if value else 0.0)


def good_or_poor(measure: OutcomeMeasure, values: Sequence[Value]) -> list[bool | None]:
    """Each value as a good (True) or poor (False) outcome, or neither (None), for the key
    check: customer satisfaction is split at the group's median, ties left out."""
    if measure is CUSTOMER_SATISFACTION:
        known = [float(v) for v in values if v is not None]
        median = statistics.median(known) if known else 0.0
        return [None if v is None or float(v) == median else float(v) > median
                for v in values]
    split: Callable[[Value], bool | None] = {
        STILL_EMPLOYED.key: lambda v: bool(v),
        SUPERVISOR_RATING.key: lambda v: True if _numeric(v) >= 4 else
        (False if _numeric(v) <= 2 else None),
        COMPLAINTS.key: lambda v: _numeric(v) == 0,
    }[measure.key]
    return [None if v is None else split(v) for v in values]


# -- the report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CorrelationRow:
    predictor: str
    label: str
    measure: OutcomeMeasure
    correlation: Correlation
    reading: str


@dataclass(frozen=True)
class BandOutcome:
    band_id: str
    label: str
    n: int
    #: the share with the outcome (yes/no measures) or its mean; None when nobody is here.
    value: float | None

    @property
    def few(self) -> bool:
        return 0 < self.n < FEW_IN_BAND


@dataclass(frozen=True)
class Expectancy:
    measure: OutcomeMeasure
    n: int
    bands: tuple[BandOutcome, ...]
    withheld: str = ""


@dataclass(frozen=True)
class ItemKeyCheck:
    item_id: str
    title: str
    good_n: int
    good_keyed: int
    poor_n: int
    poor_keyed: int

    @property
    def good_share(self) -> float | None:
        return self.good_keyed / self.good_n if self.good_n else None

    @property
    def poor_share(self) -> float | None:
        return self.poor_keyed / self.poor_n if self.poor_n else None

    @property
    def difference(self) -> float | None:
        """Good minus poor: below zero, the poor performers chose the key more often."""
        if self.good_share is None or self.poor_share is None:
            return None
        return self.good_share - self.poor_share


@dataclass(frozen=True)
class KeyCheck:
    measure: OutcomeMeasure
    #: hired applicants in the good and poor groups (the rest are in neither).
    good: int
    poor: int
    items: tuple[ItemKeyCheck, ...]
    withheld: str = ""


@dataclass(frozen=True)
class ValidityReport:
    #: hired applicants with a scored result and at least one outcome.
    hired: int
    correlations: tuple[CorrelationRow, ...]
    expectancies: tuple[Expectancy, ...]
    key_checks: tuple[KeyCheck, ...]
    warnings: tuple[str, ...]
    demo: bool = False


def expectancy(
    measure: OutcomeMeasure, bands: Sequence[tuple[str, str]], records: Sequence[HiredRecord],
    minimum: int = MIN_VALIDATION_N,
) -> Expectancy:
    """The outcome's rate (yes/no) or mean per band, best band first, with n per band."""
    known = [r for r in records if r.band_id is not None and r.outcomes.get(measure.key)
             is not None]
    if len(known) < minimum:
        return Expectancy(measure, len(known), (), not_enough_data(len(known), minimum))
    rows = []
    for band_id, label in bands:
        values = [_numeric(r.outcomes[measure.key]) for r in known if r.band_id == band_id]
        rows.append(BandOutcome(band_id, label, len(values),
                                math.fsum(values) / len(values) if values else None))
    return Expectancy(measure, len(known), tuple(rows))


def key_check(
    measure: OutcomeMeasure, questionnaire: Questionnaire, records: Sequence[HiredRecord],
    minimum: int = MIN_VALIDATION_N,
) -> KeyCheck:
    """Per item, how often the good and the poor group chose the keyed best option."""
    groups = good_or_poor(measure, [r.outcomes.get(measure.key) for r in records])
    good = [r for r, g in zip(records, groups, strict=True) if g is True]
    poor = [r for r, g in zip(records, groups, strict=True) if g is False]
    if len(good) + len(poor) < minimum:
        return KeyCheck(measure, len(good), len(poor), (),
                        not_enough_data(len(good) + len(poor), minimum))
    if not good or not poor:
        only = measure.good_group if good else measure.poor_group
        return KeyCheck(measure, len(good), len(poor), (),
                        f"everyone is in one group ({only}), so there is nothing to compare")
    items = []
    for item in questionnaire.items:
        good_choices = [r.keyed_choices[item.id] for r in good if item.id in r.keyed_choices]
        poor_choices = [r.keyed_choices[item.id] for r in poor if item.id in r.keyed_choices]
        if not good_choices and not poor_choices:
            continue
        items.append(ItemKeyCheck(item.id, item.title, len(good_choices), sum(good_choices),
                                  len(poor_choices), sum(poor_choices)))
    return KeyCheck(measure, len(good), len(poor), tuple(items))


def validity_report(
    questionnaire: Questionnaire, records: Sequence[HiredRecord], *, demo: bool = False,
    minimum: int = MIN_VALIDATION_N,
) -> ValidityReport:
    """Every figure of the validation page for one questionnaire version's hired applicants."""
    rows = []
    for measure in MEASURES:
        having = [r for r in records if r.outcomes.get(measure.key) is not None]
        ys = [_numeric(r.outcomes[measure.key]) for r in having]
        for predictor in PREDICTORS:
            found = correlation([r.score(predictor) for r in having], ys, minimum)
            rows.append(CorrelationRow(predictor, predictor_label(predictor), measure, found,
                                       plain_reading(predictor, measure, found)))
    bands = [(band.id, band.label) for band in questionnaire.bands]
    warnings = [RANGE_RESTRICTION_WARNING, SMALL_SAMPLE_WARNING]
    if demo:
        warnings.insert(0, DEMO_WARNING)
    return ValidityReport(
        hired=len(records),
        correlations=tuple(rows),
        expectancies=tuple(expectancy(m, bands, records, minimum) for m in MEASURES),
        key_checks=tuple(key_check(m, questionnaire, records, minimum) for m in MEASURES),
        warnings=tuple(warnings),
        demo=demo,
    )
