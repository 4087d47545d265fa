"""Item analysis and reliability for one questionnaire version.

HR uses these figures to check the screen is doing its job: whether each
item agrees with the other items of its dimension, how consistent each
dimension's total is (Cronbach's alpha, with Feldt's confidence interval),
and how far an applicant's score could move by chance (SEM).

Only the standard library is used, so the F distribution needed by Feldt's
interval is computed here from the regularized incomplete beta function.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from screening.bank.cues import keyed_options, keyed_worst
from screening.bank.model import (
    DIMENSION_LABELS,
    DIMENSIONS,
    Item,
    Questionnaire,
    ResponseFormat,
)

from .result import RubricRole, SubmissionResult
from .rules import ScoringError

#: Below this many submissions the figures move too much from one cohort to the next.
MIN_SUBMISSIONS = 30
#: An item whose points hardly agree with the rest of its dimension adds noise, not signal.
WEAK_ITEM_TOTAL = 0.1
#: Below this a dimension's total is too inconsistent to rank applicants on.
LOW_ALPHA = 0.6

Matrix = Sequence[Sequence[float]]  # rows = submissions, columns = items


# -- descriptive statistics --------------------------------------------------------


def mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def sample_variance(values: Sequence[float]) -> float:
    """Variance with n − 1 in the denominator; 0 for fewer than two values."""
    if len(values) < 2:
        return 0.0
    centre = mean(values)
    return math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1)


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when either variable does not vary (r is undefined then)."""
    mx, my = mean(xs), mean(ys)
    sxy = math.fsum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = math.fsum((x - mx) ** 2 for x in xs)
    syy = math.fsum((y - my) ** 2 for y in ys)
    # Square roots taken apart: the product of two tiny sums of squares can underflow
    # to 0 where each root is still a number.
    spread = math.sqrt(sxx) * math.sqrt(syy)
    if spread <= 0:
        return None
    return max(-1.0, min(1.0, sxy / spread))  # rounding can pass ±1 by an ulp


def cronbach_alpha(matrix: Matrix) -> float | None:
    """k/(k−1)·(1 − Σ item variances / variance of the total), sample variances.

    None when alpha is undefined: fewer than two items or two submissions, or
    a total that does not vary.
    """
    if len(matrix) < 2 or not matrix[0] or len(matrix[0]) < 2:
        return None
    k = len(matrix[0])
    columns = list(zip(*matrix, strict=True))
    total_variance = sample_variance([math.fsum(row) for row in matrix])
    if total_variance <= 0:
        return None
    item_variance = math.fsum(sample_variance(column) for column in columns)
    return k / (k - 1) * (1 - item_variance / total_variance)


def corrected_item_totals(matrix: Matrix) -> list[float | None]:
    """Per item: Pearson r between the item and the total of the OTHER items.

    Leaving the item out of the total stops it correlating with itself,
    which would flatter every item (most of all in short scales).
    """
    if not matrix or len(matrix[0]) < 2:
        return [None] * (len(matrix[0]) if matrix else 0)
    totals = [math.fsum(row) for row in matrix]
    correlations = []
    for j, column in enumerate(zip(*matrix, strict=True)):
        rest = [total - row[j] for total, row in zip(totals, matrix, strict=True)]
        correlations.append(pearson(column, rest))
    return correlations


# -- the F distribution, for Feldt's interval ----------------------------------------


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the incomplete beta function (Numerical Recipes ``betacf``)."""
    tiny = 1e-300
    epsilon = 3e-16
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    # Convergence takes O(sqrt(max(a, b))) steps; Feldt's df run to the tens of thousands.
    for m in range(1, 100_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < epsilon:
            return h
    raise ArithmeticError(f"incomplete beta did not converge for a={a}, b={b}, x={x}")


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b), the CDF of the Beta(a, b) distribution at x."""
    if a <= 0 or b <= 0:
        raise ValueError("a and b must be positive")
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    front = math.exp(log_front)
    # The continued fraction converges fast only on this side of the mean; use
    # the symmetry I_x(a, b) = 1 − I_{1−x}(b, a) on the other side.
    if x < (a + 1) / (a + b + 2):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def f_cdf(value: float, df1: float, df2: float) -> float:
    """P(F ≤ value) for the F distribution with (df1, df2) degrees of freedom."""
    if value <= 0:
        return 0.0
    return regularized_incomplete_beta(df1 / 2, df2 / 2, df1 * value / (df1 * value + df2))


def f_quantile(probability: float, df1: float, df2: float) -> float:
    """The value F with P(F ≤ value) = probability, by bisection on :func:`f_cdf`."""
    if not 0 < probability < 1:
        raise ValueError("probability must be between 0 and 1")
    low, high = 0.0, 1.0
    while f_cdf(high, df1, df2) < probability:
        low, high = high, high * 2
    for _ in range(200):
        middle = (low + high) / 2
        if f_cdf(middle, df1, df2) < probability:
            low = middle
        else:
            high = middle
        if high - low <= 1e-12 * max(1.0, high):
            break
    return (low + high) / 2


def feldt_interval(
    alpha: float, submissions: int, items: int, confidence: float = 0.95
) -> tuple[float, float]:
    """Feldt's (1965) confidence interval for Cronbach's alpha.

    lower = 1 − (1 − α)·F_{1−γ/2; n−1, (n−1)(k−1)},
    upper = 1 − (1 − α)·F_{γ/2; n−1, (n−1)(k−1)}, with γ = 1 − confidence.
    """
    if submissions < 2 or items < 2:
        raise ValueError("Feldt's interval needs at least two submissions and two items")
    tail = (1 - confidence) / 2
    df1 = submissions - 1
    df2 = (submissions - 1) * (items - 1)
    lower = 1 - (1 - alpha) * f_quantile(1 - tail, df1, df2)
    upper = 1 - (1 - alpha) * f_quantile(tail, df1, df2)
    return lower, upper


def standard_error_of_measurement(total_sd: float, alpha: float) -> float:
    """SD_total·√(1 − α): the typical distance between an observed and a true total."""
    return total_sd * math.sqrt(max(0.0, 1 - alpha))


# -- the report ----------------------------------------------------------------------


@dataclass(frozen=True)
class OptionCount:
    """How often applicants chose an option in one role."""

    option_id: str
    #: chosen, most or least effective; PLACED means placed first.
    role: RubricRole
    count: int
    percent: float  # of the applicants who answered the item
    #: the key's answer in this role: the best option (the worst one for "least effective").
    keyed: bool = False
    #: a red-flag option (hostile, contemptuous or dishonest).
    red_flag: bool = False


@dataclass(frozen=True)
class ItemStatistics:
    item_id: str
    title: str
    format: str
    dimensions: tuple[str, ...]
    answered: int
    #: mean points per dimension over the submissions where the item was scored.
    mean_points: Mapping[str, float]
    maximum: Mapping[str, int]
    #: corrected item-total correlation per dimension; None where undefined.
    item_total: Mapping[str, float | None]
    option_counts: tuple[OptionCount, ...]
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class DimensionReliability:
    dimension: str
    label: str
    items: int
    #: submissions with every item of this dimension scored (pending ones are left out).
    submissions: int
    alpha: float | None
    alpha_low: float | None  # Feldt 95% interval
    alpha_high: float | None
    total_mean: float | None
    total_sd: float | None
    sem: float | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PsychometricReport:
    questionnaire_id: str
    content_hash: str
    submissions: int
    items: tuple[ItemStatistics, ...]
    dimensions: tuple[DimensionReliability, ...]
    warnings: tuple[str, ...]

    @property
    def items_to_review(self) -> tuple[ItemStatistics, ...]:
        """The items with a warning, in questionnaire order, to be named, not just counted."""
        return tuple(item for item in self.items if item.warnings)


#: The roles counted per format; for rank, PLACED counts the option placed first.
_COUNTED_ROLES = {
    ResponseFormat.BEST_CHOICE: (RubricRole.CHOSEN,),
    ResponseFormat.MOST_LEAST: (RubricRole.MOST_EFFECTIVE, RubricRole.LEAST_EFFECTIVE),
    ResponseFormat.RANK: (RubricRole.PLACED,),
}


def _option_counts(
    questionnaire: Questionnaire, results: Sequence[SubmissionResult]
) -> tuple[dict[str, dict[tuple[str, RubricRole], int]], dict[str, int]]:
    """Per item: how often each option was used in each counted role, and how many answered."""
    counts: dict[str, dict[tuple[str, RubricRole], int]] = {}
    answered: dict[str, int] = dict.fromkeys((item.id for item in questionnaire.items), 0)
    for item in questionnaire.items:
        roles = _COUNTED_ROLES.get(item.format, ())
        counts[item.id] = {(o.id, role): 0 for role in roles for o in item.options}
    for result in results:
        for line in result.trace:
            if not line.answered or line.item_id not in counts:
                continue
            answered[line.item_id] += 1
            tally = counts[line.item_id]
            for rubric in line.rubric:
                if rubric.role is RubricRole.PLACED and rubric.value != 1:
                    continue
                key = (rubric.option_id or "", rubric.role)
                if key in tally:
                    tally[key] += 1
    return counts, answered


def _is_keyed(item: Item, option_id: str, role: RubricRole) -> bool:
    """True when the key gives ``option_id`` in ``role``: the worst for least effective."""
    if role is RubricRole.LEAST_EFFECTIVE:
        worst = keyed_worst(item)
        return worst is not None and worst.id == option_id
    return any(option.id == option_id for option in keyed_options(item))


def analyse_results(
    questionnaire: Questionnaire, results: Sequence[SubmissionResult]
) -> PsychometricReport:
    """Item analysis and reliability from scored submissions of ONE questionnaire version.

    Each result's trace is its item-score vector. A submission with a pending
    (unrated) free-text item is left out of that item's mean and of the
    reliability of the dimensions the item measures.
    """
    for result in results:
        if (result.questionnaire_id, result.content_hash) != (
            questionnaire.id,
            questionnaire.content_hash,
        ):
            raise ScoringError(
                "psychometrics mixes questionnaire versions: "
                f"{result.questionnaire_id}@{result.content_hash[:12]} is not "
                f"{questionnaire.version_label}"
            )
    n = len(results)
    vectors = [{line.item_id: line for line in result.trace} for result in results]
    option_tallies, answered_counts = _option_counts(questionnaire, results)

    item_totals: dict[str, dict[str, float | None]] = {item.id: {} for item in questionnaire.items}
    reliabilities = []
    for d in DIMENSIONS:
        measuring = [item for item in questionnaire.items if d in item.dimensions]
        if not measuring:
            continue
        rows = []
        for vector in vectors:
            lines = [vector.get(item.id) for item in measuring]
            if all(line is not None and not line.pending for line in lines):
                rows.append([float(line.points[d]) for line in lines if line is not None])
        correlations = corrected_item_totals(rows) if rows else [None] * len(measuring)
        for item, r in zip(measuring, correlations, strict=True):
            item_totals[item.id][d] = r
        reliabilities.append(_reliability(d, len(measuring), rows))

    item_stats = []
    for item in questionnaire.items:
        scored = [
            vector[item.id]
            for vector in vectors
            if item.id in vector and not vector[item.id].pending
        ]
        mean_points = {
            d: (mean([line.points[d] for line in scored]) if scored else 0.0)
            for d in item.dimensions
        }
        maximum = dict(scored[0].maximum) if scored else {}
        answered = answered_counts[item.id]
        counts = tuple(
            OptionCount(option_id, role, count, 100 * count / answered if answered else 0.0,
                        keyed=_is_keyed(item, option_id, role),
                        red_flag=item.option(option_id).red_flag)
            for (option_id, role), count in option_tallies[item.id].items()
        )
        warnings = []
        for d, r in item_totals[item.id].items():
            if r is not None and r < WEAK_ITEM_TOTAL:
                warnings.append(
                    f"Weak item: its {DIMENSION_LABELS[d].lower()} points hardly agree with "
                    f"the other {DIMENSION_LABELS[d].lower()} items (item-total r = {r:.2f}, "
                    f"below {WEAK_ITEM_TOTAL}); review its key and wording."
                )
        if len(scored) >= 2 and all(
            sample_variance([line.points[d] for line in scored]) == 0 for d in item.dimensions
        ):
            warnings.append(
                "Everyone scored the same on this item, so it does not tell applicants apart."
            )
        item_stats.append(
            ItemStatistics(
                item_id=item.id,
                title=item.title,
                format=item.format.value,
                dimensions=item.dimensions,
                answered=answered,
                mean_points=mean_points,
                maximum=maximum,
                item_total=dict(item_totals[item.id]),
                option_counts=counts,
                warnings=tuple(warnings),
            )
        )

    warnings = []
    if n < MIN_SUBMISSIONS:
        warnings.append(
            f"Too few submissions for stable figures: {n} so far, at least "
            f"{MIN_SUBMISSIONS} needed; read every number here as a rough first look."
        )
    return PsychometricReport(
        questionnaire_id=questionnaire.id,
        content_hash=questionnaire.content_hash,
        submissions=n,
        items=tuple(item_stats),
        dimensions=tuple(reliabilities),
        warnings=tuple(warnings),
    )


def _reliability(dimension: str, k: int, rows: list[list[float]]) -> DimensionReliability:
    label = DIMENSION_LABELS[dimension]
    n = len(rows)
    totals = [math.fsum(row) for row in rows]
    total_mean = mean(totals) if totals else None
    total_sd = math.sqrt(sample_variance(totals)) if n >= 2 else None
    alpha = cronbach_alpha(rows) if k >= 2 else None
    low = high = sem = None
    warnings = []
    if alpha is None:
        if k < 2:
            reason = "only one item measures it"
        elif n < 2:
            reason = "fewer than two submissions have every one of its items scored"
        else:
            reason = "everybody has the same total so far"
        warnings.append(f"Reliability of {label.lower()} cannot be estimated: {reason}.")
    else:
        low, high = feldt_interval(alpha, n, k)
        assert total_sd is not None
        sem = standard_error_of_measurement(total_sd, alpha)
        if alpha < LOW_ALPHA:
            warnings.append(
                f"Low reliability: {label.lower()} alpha is {alpha:.2f} (below {LOW_ALPHA}); "
                "its total is too inconsistent to rank applicants on by itself."
            )
    return DimensionReliability(
        dimension=dimension,
        label=label,
        items=k,
        submissions=n,
        alpha=alpha,
        alpha_low=low,
        alpha_high=high,
        total_mean=total_mean,
        total_sd=total_sd,
        sem=sem,
        warnings=tuple(warnings),
    )
