"""What the cohort report says about a position's applicants, as plain data.

Pure, like the applicant summary it reuses: the rows, the distributions and the
side-by-side comparison the manager chose, built from stored results and the
version's one norm group. The rows keep the order they are given in: the service
passes them sorted as the manager's applicant list is (services.applicants.list_order).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from screening.bank.model import DIMENSION_LABELS, DIMENSIONS, Questionnaire
from screening.scoring import OVERALL, NormGroup, ResultStatus, SubmissionResult

from . import charts, wording
from .applicant import (
    CONFIDENTIAL,
    DECISION_SUPPORT,
    ApplicantFacts,
    percentile_text,
    strengths_and_concerns,
)

#: Applicants side by side on one comparison table (more columns stop being readable).
COMPARE_COLUMNS = 4


@dataclass(frozen=True)
class CohortEntry:
    """One submitted applicant of a position, as the service found them."""

    facts: ApplicantFacts
    result: SubmissionResult
    #: the newest recorded decision's label, or "" while none is recorded.
    decision: str


@dataclass(frozen=True)
class CohortRow:
    submission_id: int
    applicant_name: str
    submitted_at: datetime | None
    provisional: bool
    percents: tuple[float, ...]  # aligned with CohortReport.dimensions
    overall: float
    band_id: str
    #: the band's label, or "No band" for an incomplete or unreliable result.
    band_label: str
    decision: str
    red_flags: int
    #: a simulated applicant (`flask demo`): demo data, never a person.
    synthetic: bool = False
    #: False for an incomplete or unreliable result: listed, not charted nor counted in a band.
    banded: bool = True
    #: "" for a scored result; why there is no band otherwise (the table's own column).
    unbanded_reason: str = ""


@dataclass(frozen=True)
class DistributionChart:
    dimension: str
    label: str
    median: float | None
    svg: str
    #: how many results it charts: those with a band.
    count: int = 0


@dataclass(frozen=True)
class CompareLine:
    """One row of the side-by-side table: a label and one value per applicant."""

    label: str
    values: tuple[str, ...]


@dataclass(frozen=True)
class ComparePage:
    names: tuple[str, ...]
    lines: tuple[CompareLine, ...]


@dataclass(frozen=True)
class CohortReport:
    position_title: str
    position_location: str
    questionnaire_title: str
    questionnaire_versions: tuple[str, ...]
    generated_at: datetime
    dimensions: tuple[tuple[str, str], ...]  # (id, label)
    rows: tuple[CohortRow, ...]
    #: (band label, results in it), every band of the questionnaire; scored results only.
    band_counts: tuple[tuple[str, int], ...]
    #: (status, results) of those with no band: incomplete, unreliable.
    unbanded_counts: tuple[tuple[str, int], ...]
    not_submitted: int
    charts: tuple[DistributionChart, ...]
    compare: tuple[ComparePage, ...]
    norm_size: int
    #: how many of the rows are demo data; percentiles then compare with demo data only
    #: when every row is.
    demo_count: int = 0
    #: how the rows are sorted, in the manager's words ("" when not said).
    order_text: str = ""
    decision_support: str = DECISION_SUPPORT
    confidential: str = CONFIDENTIAL
    language: str = "en"

    @property
    def title(self) -> str:
        if self.compare:
            return f"Side by side: {self.position_title}"
        return f"Cohort report: {self.position_title}"


def _compare_pages(
    entries: Sequence[CohortEntry], norms: NormGroup
) -> tuple[ComparePage, ...]:
    pages = []
    for start in range(0, len(entries), COMPARE_COLUMNS):
        chunk = entries[start:start + COMPARE_COLUMNS]
        compared_with = [norms.percentiles(e.result) for e in chunk]
        lines = [
            CompareLine("Band", tuple(wording.headline(e.result) for e in chunk)),
            CompareLine("Status", tuple("Provisional" if e.result.provisional else "Final"
                                        for e in chunk)),
            CompareLine("Overall", tuple(
                f"{e.result.overall:.0f}% · "
                + percentile_text(found[OVERALL], norms.size, e.result.status)
                for e, found in zip(chunk, compared_with, strict=True))),
        ]
        for dimension in DIMENSIONS:
            values = []
            for e, found in zip(chunk, compared_with, strict=True):
                try:
                    score = e.result.dimension(dimension)
                except KeyError:
                    values.append("—")
                    continue
                values.append(f"{score.percent:.0f}% ({score.raw} of {score.maximum}) · "
                              + percentile_text(found[dimension], norms.size, e.result.status))
            lines.append(CompareLine(DIMENSION_LABELS[dimension], tuple(values)))
        highlights = [strengths_and_concerns(e.result) for e in chunk]
        lines.extend([
            CompareLine("Strengths", tuple(
                "; ".join(h.title for h in strengths) or "—" for strengths, _ in highlights)),
            CompareLine("Concerns", tuple(
                "; ".join(h.title for h in concerns) or "—" for _, concerns in highlights)),
            CompareLine("Red flags", tuple(
                "; ".join(f.item_title for f in e.result.red_flags) or "None" for e in chunk)),
            CompareLine("Response quality", tuple(
                f"{len(e.result.quality_flags)} flag(s)" if e.result.quality_flags else "No flags"
                for e in chunk)),
            CompareLine("Decision", tuple(e.decision or "Not recorded" for e in chunk)),
        ])
        pages.append(ComparePage(tuple(e.facts.applicant_name for e in chunk), tuple(lines)))
    return tuple(pages)


def build_cohort_report(
    *,
    position_title: str,
    position_location: str,
    questionnaire: Questionnaire,
    entries: Sequence[CohortEntry],
    not_submitted: int,
    compare: Sequence[int],
    norms: NormGroup,
    generated_at: datetime,
    order_text: str = "",
) -> CohortReport:
    """A position's applicants side by side: table, distributions and chosen comparisons.

    ``entries`` come in the order the table lists them (the manager's list order,
    described by ``order_text``). ``compare`` lists submission ids in the order the
    manager chose them; every id must be one of ``entries`` (the service checks
    scope before calling).
    """
    order = {d: i for i, d in enumerate(DIMENSIONS)}
    dimension_ids = sorted(
        {score.dimension for e in entries for score in e.result.dimensions} or set(DIMENSIONS),
        key=lambda d: order.get(d, len(order)),
    )
    rows = []
    for e in entries:
        percents = []
        for d in dimension_ids:
            try:
                percents.append(e.result.dimension(d).percent)
            except KeyError:
                percents.append(0.0)
        rows.append(CohortRow(
            submission_id=e.facts.submission_id,
            applicant_name=e.facts.applicant_name,
            submitted_at=e.facts.submitted_at,
            provisional=e.result.provisional,
            percents=tuple(percents),
            overall=e.result.overall,
            band_id=wording.standing(e.result),
            band_label=e.result.band.label if e.result.band is not None else "No band",
            decision=e.decision,
            red_flags=len(e.result.red_flags),
            synthetic=e.facts.synthetic,
            banded=e.result.band is not None,
            unbanded_reason="" if e.result.band is not None else wording.short_headline(e.result),
        ))
    # Incomplete and unreliable results have no band: they are counted apart, never in one.
    band_counts: dict[str, int] = {band.label: 0 for band in questionnaire.bands}
    unbanded = {status: 0 for status in ResultStatus if status is not ResultStatus.SCORED}
    for e in entries:
        if e.result.band is not None:
            band_counts[e.result.band.label] = band_counts.get(e.result.band.label, 0) + 1
        elif e.result.status in unbanded:
            unbanded[e.result.status] += 1
    charts_ = []
    for index, d in enumerate([*dimension_ids, "overall"]):
        label = "Overall" if d == "overall" else DIMENSION_LABELS.get(d, d)
        charted = [row for row in rows if row.banded]
        values = ([row.overall for row in charted] if d == "overall"
                  else [row.percents[index] for row in charted])
        median = charts.median(values)
        charts_.append(DistributionChart(
            dimension=d, label=label, median=median, count=len(values),
            svg=charts.distribution(values, title=f"{label}: distribution of {len(values)} "
                                    "applicants' percentages"),
        ))
    by_id = {e.facts.submission_id: e for e in entries}
    chosen = [by_id[submission_id] for submission_id in dict.fromkeys(compare)]
    versions = tuple(dict.fromkeys(
        f"{e.result.questionnaire_id}@{e.result.content_hash[:12]}" for e in entries
    )) or (questionnaire.version_label,)
    return CohortReport(
        position_title=position_title,
        position_location=position_location,
        questionnaire_title=questionnaire.title,
        questionnaire_versions=versions,
        generated_at=generated_at,
        dimensions=tuple((d, DIMENSION_LABELS.get(d, d)) for d in dimension_ids),
        rows=tuple(rows),
        band_counts=tuple(band_counts.items()),
        unbanded_counts=tuple((status.value.capitalize(), count)
                              for status, count in unbanded.items()),
        not_submitted=not_submitted,
        charts=tuple(charts_),
        compare=_compare_pages(chosen, norms),
        norm_size=norms.size,
        demo_count=sum(1 for e in entries if e.facts.synthetic),
        order_text=order_text,
    )
