"""What a practitioners' keying panel agrees on, and whether it agrees with the key.

Plain data in, plain data out (no Flask, no database), so the report page, the PDF,
the CSV and `flask bank apply-panel` all use one computation. Panellists rate every
option of every option item 1..5 for effectiveness; from those ratings:

- per option: the panel's mean, standard deviation (n - 1) and number of ratings;
- per item: r_wg(J) (James, Demaree & Wolf 1984), the within-group agreement over the
  item's J options against a uniform null on the 5-point scale, σ²_EU = (A² - 1) / 12 = 2:
  r_wg(J) = J(1 - s̄²/σ²_EU) / (J(1 - s̄²/σ²_EU) + s̄²/σ²_EU), s̄² the mean of the options'
  variances; when s̄² exceeds σ²_EU (more disagreement than random rating) it is set to 0;
- per item: the consensus order (options by mean, best first) and Spearman's ρ between the
  means and the keyed value of each option (points on the item's dimensions, the keyed
  effectiveness, or n + 1 - the keyed rank), ties given their mean rank;
- for the panel: ICC(2,1) and ICC(2,k) (Shrout & Fleiss 1979, two-way random effects,
  absolute agreement) over every rated option (rows) by every panellist (columns).

Free-text items have anchors, not options: the panel does not rate them.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from screening.bank.model import RATING_MAX, RATING_MIN, Item, Option, ResponseFormat

#: Points of the rating scale (1..5): the uniform null's variance is (A² - 1) / 12.
SCALE_POINTS = RATING_MAX - RATING_MIN + 1
UNIFORM_NULL_VARIANCE = (SCALE_POINTS**2 - 1) / 12
#: Fewer completed panellists than this give no agreement figures: with two, one rater's
#: slip halves the agreement, and a variance from two ratings says next to nothing.
MIN_PANELLISTS = 3
#: Below this r_wg(J) an item's consensus is too loose to key by (LeBreton & Senter 2008
#: call 0.71-0.90 strong agreement; 0.70 is the customary cut).
LOW_AGREEMENT = 0.70
#: Below this ρ the panel's order and the key's order disagree more than they agree.
CONTRADICTION_RHO = 0.5
#: The keyed best must be among the panel's best this many options.
KEYED_BEST_WITHIN = 2


def panel_items(items: Sequence[Item]) -> tuple[Item, ...]:
    """The items a panel rates: every item with options (free-text items have none)."""
    return tuple(item for item in items if item.format is not ResponseFormat.FREE_TEXT)


def keyed_value(item: Item, option: Option) -> float:
    """How good the shipped key says ``option`` is; higher is better, on the item's own scale."""
    if item.format is ResponseFormat.RATE_EACH:
        assert option.effectiveness is not None
        return float(option.effectiveness)
    if item.format is ResponseFormat.RANK:
        assert option.rank is not None
        return float(len(item.options) + 1 - option.rank)
    return float(sum(option.points.values()))


def rwg_j(variances: Sequence[float], scale_points: int = SCALE_POINTS) -> float:
    """r_wg(J) of ``variances`` (one per option, each with n - 1), truncated to 0..1."""
    if not variances:
        raise ValueError("r_wg(J) needs at least one option's variance")
    null = (scale_points**2 - 1) / 12
    ratio = statistics.fmean(variances) / null
    if ratio >= 1:
        return 0.0  # no more agreement than rating at random
    options = len(variances)
    agreement = options * (1 - ratio)
    return agreement / (agreement + ratio)


def _ranks(values: Sequence[float]) -> list[float]:
    """1-based ranks, ties given the mean of the ranks they span."""
    order = sorted(range(len(values)), key=lambda index: values[index])
    ranks = [0.0] * len(values)
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        for position in range(start, end + 1):
            ranks[order[position]] = (start + end) / 2 + 1
        start = end + 1
    return ranks


def spearman(first: Sequence[float], second: Sequence[float]) -> float | None:
    """Spearman's ρ (Pearson's r of the tie-averaged ranks); None when either is constant."""
    if len(first) != len(second):
        raise ValueError("both sequences must be of the same length")
    if len(first) < 2:
        return None
    ranks_first, ranks_second = _ranks(first), _ranks(second)
    if len(set(ranks_first)) < 2 or len(set(ranks_second)) < 2:
        return None
    return statistics.correlation(ranks_first, ranks_second)


@dataclass(frozen=True)
class IntraclassCorrelation:
    single: float  # ICC(2,1): how far one panellist's ratings can be trusted
    average: float  # ICC(2,k): how far the panel's mean ratings can be trusted
    targets: int  # rows: options rated
    raters: int  # columns: panellists


def icc2(table: Sequence[Sequence[float]]) -> IntraclassCorrelation | None:
    """ICC(2,1) and ICC(2,k) of a complete targets x raters table; None if undefined.

    With n targets, k raters, MSR (targets), MSC (raters) and MSE (residual) of the
    two-way analysis of variance:
    ICC(2,1) = (MSR - MSE) / (MSR + (k - 1) MSE + k (MSC - MSE) / n),
    ICC(2,k) = (MSR - MSE) / (MSR + (MSC - MSE) / n).
    """
    targets = len(table)
    raters = len(table[0]) if table else 0
    if targets < 2 or raters < 2 or any(len(row) != raters for row in table):
        return None
    grand = statistics.fmean(value for row in table for value in row)
    row_means = [statistics.fmean(row) for row in table]
    column_means = [statistics.fmean(row[j] for row in table) for j in range(raters)]
    ss_rows = raters * sum((mean - grand) ** 2 for mean in row_means)
    ss_columns = targets * sum((mean - grand) ** 2 for mean in column_means)
    ss_total = sum((value - grand) ** 2 for row in table for value in row)
    ss_error = ss_total - ss_rows - ss_columns
    ms_rows = ss_rows / (targets - 1)
    ms_columns = ss_columns / (raters - 1)
    ms_error = ss_error / ((targets - 1) * (raters - 1))
    single_denominator = (ms_rows + (raters - 1) * ms_error
                          + raters * (ms_columns - ms_error) / targets)
    average_denominator = ms_rows + (ms_columns - ms_error) / targets
    if single_denominator <= 0 or average_denominator <= 0:
        return None
    return IntraclassCorrelation(
        single=(ms_rows - ms_error) / single_denominator,
        average=(ms_rows - ms_error) / average_denominator,
        targets=targets, raters=raters,
    )


@dataclass(frozen=True)
class OptionConsensus:
    option_id: str
    mean: float
    sd: float
    n: int
    keyed: float  # the shipped key's value (keyed_value)
    keyed_best: bool


@dataclass(frozen=True)
class ItemConsensus:
    item_id: str
    title: str
    format: ResponseFormat
    options: tuple[OptionConsensus, ...]  # in the bank's order
    rwg: float
    rho: float | None  # None when the panel rated every option alike
    #: option ids from the panel's best to its worst (ties: the bank's order).
    consensus_order: tuple[str, ...]
    low_agreement: bool
    contradicts_key: bool

    @property
    def flagged(self) -> bool:
        return self.low_agreement or self.contradicts_key


@dataclass(frozen=True)
class PanelConsensus:
    raters: int
    #: flagged items (low agreement or contradicting the key) first, then the others,
    #: each group in the questionnaire's order.
    items: tuple[ItemConsensus, ...]
    icc: IntraclassCorrelation | None

    @property
    def median_rwg(self) -> float | None:
        return statistics.median(item.rwg for item in self.items) if self.items else None

    @property
    def flagged(self) -> tuple[ItemConsensus, ...]:
        return tuple(item for item in self.items if item.flagged)


class NotEnoughPanellists(ValueError):
    """Fewer than MIN_PANELLISTS completed panellists: no agreement figures yet."""


#: One panellist's ratings: item id -> option id -> rating 1..5.
PanellistRatings = Mapping[str, Mapping[str, int]]


def item_consensus(item: Item, ratings: Sequence[Mapping[str, int]]) -> ItemConsensus:
    """The panel's view of ``item`` from each panellist's ratings of its options."""
    best_keyed = max(keyed_value(item, option) for option in item.options)
    options = []
    for option in item.options:
        given = [float(rating[option.id]) for rating in ratings]
        options.append(OptionConsensus(
            option_id=option.id, mean=statistics.fmean(given),
            sd=statistics.stdev(given) if len(given) > 1 else 0.0, n=len(given),
            keyed=keyed_value(item, option),
            keyed_best=keyed_value(item, option) == best_keyed,
        ))
    order = sorted(range(len(options)), key=lambda index: (-options[index].mean, index))
    consensus_order = tuple(options[index].option_id for index in order)
    rwg = rwg_j([option.sd**2 for option in options])
    rho = spearman([option.mean for option in options], [option.keyed for option in options])
    # The panel's top two, and any option tied with the second: a tie is not a demotion.
    cut = sorted((option.mean for option in options), reverse=True)[KEYED_BEST_WITHIN - 1]
    keyed_best_kept = any(option.keyed_best and option.mean >= cut for option in options)
    return ItemConsensus(
        item_id=item.id, title=item.title, format=item.format, options=tuple(options),
        rwg=rwg, rho=rho, consensus_order=consensus_order,
        low_agreement=rwg < LOW_AGREEMENT,
        contradicts_key=(rho is None or rho < CONTRADICTION_RHO or not keyed_best_kept),
    )


def panel_consensus(items: Sequence[Item], panellists: Sequence[PanellistRatings]
                    ) -> PanelConsensus:
    """Every rated item's consensus, flagged items first; ``panellists`` are complete ones.

    Raises NotEnoughPanellists below MIN_PANELLISTS, and ValueError when a panellist
    did not rate every option of every item.
    """
    if len(panellists) < MIN_PANELLISTS:
        raise NotEnoughPanellists(
            f"{len(panellists)} of {MIN_PANELLISTS} panellists have completed the panel")
    rated = panel_items(items)
    for ratings in panellists:
        for item in rated:
            missing = [o.id for o in item.options if o.id not in ratings.get(item.id, {})]
            if missing:
                raise ValueError(f"a panellist did not rate item {item.id}, "
                                 f"option {', '.join(missing)}")
    consensus = [item_consensus(item, [ratings[item.id] for ratings in panellists])
                 for item in rated]
    ordered = ([entry for entry in consensus if entry.flagged]
               + [entry for entry in consensus if not entry.flagged])
    table = [[float(ratings[item.id][option.id]) for ratings in panellists]
             for item in rated for option in item.options]
    return PanelConsensus(raters=len(panellists), items=tuple(ordered), icc=icc2(table))


def rounded_consensus(mean: float) -> float:
    """A mean rating as written into the bank: one decimal, halves rounded up."""
    return math.floor(mean * 10 + 0.5) / 10
