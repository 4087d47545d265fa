"""The keying panel's report: one model that the HR page and the PDF both lay out.

Plain data from the panel's consensus (screening.scoring.panel) and the frozen items it
rated: flagged items first, each option with the key and the panel's mean beside it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from screening.bank import Item, ResponseFormat
from screening.scoring.panel import (
    CONTRADICTION_RHO,
    KEYED_BEST_WITHIN,
    LOW_AGREEMENT,
    MIN_PANELLISTS,
    PanelConsensus,
)

CONFIDENTIAL = "Confidential: for the question bank's reviewers"

#: What the key of each format is, in the words of the report.
KEY_MEANING = {
    ResponseFormat.BEST_CHOICE: "points",
    ResponseFormat.MOST_LEAST: "points",
    ResponseFormat.RATE_EACH: "keyed effectiveness 1-5",
    ResponseFormat.RANK: "keyed place (1 = best)",
}


@dataclass(frozen=True)
class OptionRow:
    letter: str
    option_id: str
    text: str
    key_text: str  # the key as the bank writes it: "4 points", "effectiveness 5", "place 1"
    keyed_best: bool
    mean: float
    sd: float
    n: int
    panel_place: int  # 1 = the panel's best


@dataclass(frozen=True)
class ItemRow:
    item_id: str
    title: str
    format_label: str
    rwg: float
    rho: float | None
    low_agreement: bool
    contradicts_key: bool
    options: tuple[OptionRow, ...]
    consensus_order: str  # "b > d > a > c"
    comments: tuple[str, ...]

    @property
    def flags(self) -> tuple[str, ...]:
        return (*(("Low agreement",) if self.low_agreement else ()),
                *(("Consensus contradicts the key",) if self.contradicts_key else ()))


@dataclass(frozen=True)
class PanelReport:
    panel_id: int
    name: str
    questionnaire_title: str
    questionnaire_version: str
    still_open: bool
    invited: int
    completed: int
    first_rating: datetime | None
    last_rating: datetime | None
    #: None until MIN_PANELLISTS have completed: no agreement figures before that.
    enough: bool
    median_rwg: float | None
    icc_single: float | None
    icc_average: float | None
    items: tuple[ItemRow, ...]
    excluded: tuple[str, ...]  # free-text items, by title
    generated_at: datetime
    min_panellists: int = MIN_PANELLISTS
    low_agreement: float = LOW_AGREEMENT
    contradiction_rho: float = CONTRADICTION_RHO
    keyed_best_within: int = KEYED_BEST_WITHIN
    confidential: str = CONFIDENTIAL

    @property
    def flagged_count(self) -> int:
        return sum(1 for item in self.items if item.flags)

    @property
    def title(self) -> str:
        return f"Keying panel {self.panel_id}: {self.name}"


def _key_text(item: Item, option_id: str) -> str:
    option = item.option(option_id)
    if item.format is ResponseFormat.RATE_EACH:
        return f"effectiveness {option.effectiveness}"
    if item.format is ResponseFormat.RANK:
        return f"place {option.rank}"
    total = sum(option.points.values())
    return f"{total} point{'s' if total != 1 else ''}"


def build_panel_report(
    *, panel_id: int, name: str, questionnaire_title: str, questionnaire_version: str,
    still_open: bool, invited: int, completed: int, first_rating: datetime | None,
    last_rating: datetime | None, items: Sequence[Item], excluded: Sequence[Item],
    consensus: PanelConsensus | None, comments: Mapping[str, Sequence[str]],
    generated_at: datetime,
) -> PanelReport:
    """The report; ``consensus`` is None while fewer than MIN_PANELLISTS have completed."""
    by_id = {item.id: item for item in items}
    rows = []
    for entry in consensus.items if consensus is not None else ():
        item = by_id[entry.item_id]
        places = {option_id: place for place, option_id in
                  enumerate(entry.consensus_order, start=1)}
        rows.append(ItemRow(
            item_id=item.id, title=item.title,
            format_label=f"{item.format.value.replace('_', ' ')} ({KEY_MEANING[item.format]})",
            rwg=entry.rwg, rho=entry.rho, low_agreement=entry.low_agreement,
            contradicts_key=entry.contradicts_key,
            options=tuple(OptionRow(
                letter=chr(ord("A") + index), option_id=option.option_id,
                text=item.option(option.option_id).text,
                key_text=_key_text(item, option.option_id), keyed_best=option.keyed_best,
                mean=option.mean, sd=option.sd, n=option.n,
                panel_place=places[option.option_id],
            ) for index, option in enumerate(entry.options)),
            consensus_order=" > ".join(
                chr(ord("A") + [o.option_id for o in entry.options].index(option_id))
                for option_id in entry.consensus_order),
            comments=tuple(comments.get(item.id, ())),
        ))
    icc = consensus.icc if consensus is not None else None
    return PanelReport(
        panel_id=panel_id, name=name, questionnaire_title=questionnaire_title,
        questionnaire_version=questionnaire_version, still_open=still_open, invited=invited,
        completed=completed, first_rating=first_rating, last_rating=last_rating,
        enough=consensus is not None,
        median_rwg=consensus.median_rwg if consensus is not None else None,
        icc_single=icc.single if icc is not None else None,
        icc_average=icc.average if icc is not None else None,
        items=tuple(rows), excluded=tuple(item.title for item in excluded),
        generated_at=generated_at,
    )
