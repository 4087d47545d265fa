"""Practitioners' keying panels: create, invite, rate through a single-use link, close,
and read back as the panel's consensus, a CSV of every rating, or a change to the bank.

A panellist's link is 256 random bits; only its SHA-256 is stored (as for API tokens),
so the link is shown once, when the panellist is invited. The link works until its
panellist submits, and only while the panel is open. Audit events name the panel and the
panellist by id, never by the label HR gave them.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from screening.bank import Item, Questionnaire, Review, read_bank
from screening.bank.panel_review import (
    FileChange,
    ItemChange,
    PanelReviewError,
    content_differences,
    plan_changes,
    reviewer_name,
    write_changes,
)
from screening.models import (
    KeyingPanel,
    Panellist,
    PanelResponse,
    QuestionnaireVersion,
    User,
    utcnow,
)
from screening.reports.panel import PanelReport, build_panel_report
from screening.scoring.panel import (
    MIN_PANELLISTS,
    RATING_MAX,
    RATING_MIN,
    ItemConsensus,
    NotEnoughPanellists,
    PanelConsensus,
    keyed_value,
    panel_consensus,
    panel_items,
    rounded_consensus,
)
from screening.services import audit
from screening.services.questionnaires import questionnaire_for

TOKEN_BYTES = 32
MAX_NAME = 200
MAX_COMMENT = 2000


class PanelError(ValueError):
    """The change cannot be made; the message says why and is shown as is."""


class LinkState(enum.Enum):
    """What a panellist's link can do now."""

    OPEN = "open"
    SUBMITTED = "submitted"  # the ratings were received; the link takes no more
    CLOSED = "closed"  # HR closed the panel before this panellist submitted


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# -- HR and admins ----------------------------------------------------------------------


def all_panels(session: Session) -> list[KeyingPanel]:
    return list(session.scalars(
        select(KeyingPanel).options(selectinload(KeyingPanel.panellists),
                                    selectinload(KeyingPanel.questionnaire_version))
        .order_by(KeyingPanel.id.desc())))


def panel_by_id(session: Session, panel_id: int) -> KeyingPanel | None:
    return session.get(KeyingPanel, panel_id)


def create_panel(session: Session, actor: User, version: QuestionnaireVersion, name: str
                 ) -> KeyingPanel:
    name = " ".join(name.split())
    if not name:
        raise PanelError("Give the panel a name that says who is on it.")
    if not panel_items(questionnaire_for(version).items):
        raise PanelError("This questionnaire has no situations with options to rate.")
    panel = KeyingPanel(name=name[:MAX_NAME], questionnaire_version_id=version.id,
                        created_by_id=actor.id)
    session.add(panel)
    session.flush()
    audit.record(session, actor, "panel.created", panel, version=version.version_label)
    return panel


def invite(session: Session, actor: User, panel: KeyingPanel, label: str
           ) -> tuple[Panellist, str]:
    """A new panellist and their link's token (shown once: only its hash is kept)."""
    if panel.closed_at is not None:
        raise PanelError("This panel is closed; it takes no more panellists.")
    label = " ".join(label.split())
    if not label:
        raise PanelError("Say who the link is for, so you can tell the panellists apart.")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    panellist = Panellist(panel=panel, label=label[:MAX_NAME], token_hash=token_hash(token))
    session.add(panellist)
    session.flush()
    audit.record(session, actor, "panel.panellist_invited", panellist, panel=panel.id)
    return panellist, token


def close(session: Session, actor: User, panel: KeyingPanel) -> None:
    if panel.closed_at is not None:
        raise PanelError("This panel is already closed.")
    panel.closed_at = utcnow()
    audit.record(session, actor, "panel.closed", panel,
                 completed=len(completed_panellists(panel)))


def completed_panellists(panel: KeyingPanel) -> list[Panellist]:
    return [p for p in panel.panellists if p.submitted_at is not None]


def questionnaire_of_panel(panel: KeyingPanel) -> Questionnaire:
    return questionnaire_for(panel.questionnaire_version)


def rated_items(panel: KeyingPanel) -> tuple[Item, ...]:
    """The items the panel rates, in the questionnaire's order (free-text items excluded)."""
    return panel_items(questionnaire_of_panel(panel).items)


def free_text_items(panel: KeyingPanel) -> tuple[Item, ...]:
    rated = {item.id for item in rated_items(panel)}
    return tuple(item for item in questionnaire_of_panel(panel).items if item.id not in rated)


def _ratings_of(panellist: Panellist) -> dict[str, dict[str, int]]:
    return {response.item_id: {option: int(rating) for option, rating in
                               response.ratings.items()} for response in panellist.responses}


def consensus(panel: KeyingPanel) -> PanelConsensus:
    """The completed panellists' consensus; NotEnoughPanellists below three."""
    return panel_consensus(rated_items(panel),
                           [_ratings_of(p) for p in completed_panellists(panel)])


@dataclass(frozen=True)
class RatingPeriod:
    first: datetime
    last: datetime


def rating_period(panel: KeyingPanel) -> RatingPeriod | None:
    """From the first saved rating to the last submission of the completed panellists."""
    completed = completed_panellists(panel)
    saved = [response.saved_at for p in completed for response in p.responses]
    if not completed or not saved:
        return None
    return RatingPeriod(min(saved), max(p.submitted_at for p in completed  # type: ignore[misc]
                                        if p.submitted_at is not None))


RATINGS_COLUMNS: tuple[str, ...] = (
    "panel_id", "panellist_id", "submitted_at", "item_id", "item_format", "option_id",
    "rating", "keyed_value", "comment",
)


def ratings_table(panel: KeyingPanel) -> tuple[tuple[str, ...], list[tuple[Any, ...]]]:
    """(headers, rows): every saved rating, a row per option; the item's comment on each."""
    items = {item.id: item for item in rated_items(panel)}
    rows: list[tuple[Any, ...]] = []
    for panellist in panel.panellists:
        responses = {response.item_id: response for response in panellist.responses}
        for item_id, item in items.items():
            response = responses.get(item_id)
            if response is None:
                continue
            for option in item.options:
                rating = response.ratings.get(option.id)
                rows.append((panel.id, panellist.id, panellist.submitted_at, item_id,
                             item.format.value, option.id, rating,
                             keyed_value(item, option), response.comment))
    return RATINGS_COLUMNS, rows


# -- the panellist's link -----------------------------------------------------------------


def panellist_by_token(session: Session, token: str) -> Panellist | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(select(Panellist).where(Panellist.token_hash == token_hash(token)))


def link_state(panellist: Panellist) -> LinkState:
    if panellist.submitted_at is not None:
        return LinkState.SUBMITTED
    if panellist.panel.closed_at is not None:
        return LinkState.CLOSED
    return LinkState.OPEN


def _require_open(panellist: Panellist) -> None:
    state = link_state(panellist)
    if state is LinkState.SUBMITTED:
        raise PanelError("Your ratings were already received; thank you.")
    if state is LinkState.CLOSED:
        raise PanelError("This panel has been closed; it takes no more ratings.")


def responses_by_item(panellist: Panellist) -> dict[str, PanelResponse]:
    return {response.item_id: response for response in panellist.responses}


def is_complete(item: Item, response: PanelResponse | None) -> bool:
    return response is not None and all(option.id in response.ratings
                                        for option in item.options)


def save_ratings(session: Session, panellist: Panellist, item: Item,
                 ratings: Mapping[str, int | None], comment: str) -> PanelResponse:
    """Keep the ratings given so far (a partly rated item too) and the comment."""
    _require_open(panellist)
    known = {option.id for option in item.options}
    given = {option: int(rating) for option, rating in ratings.items()
             if option in known and rating is not None}
    if any(not RATING_MIN <= rating <= RATING_MAX for rating in given.values()):
        raise PanelError(f"Ratings are {RATING_MIN} to {RATING_MAX}.")
    response = responses_by_item(panellist).get(item.id)
    if response is None:
        response = PanelResponse(panellist=panellist, item_id=item.id)
        session.add(response)
    response.ratings = given
    response.comment = comment.strip()[:MAX_COMMENT]
    response.saved_at = utcnow()
    session.flush()
    return response


def unrated_items(panellist: Panellist, items: Sequence[Item]) -> list[Item]:
    responses = responses_by_item(panellist)
    return [item for item in items if not is_complete(item, responses.get(item.id))]


def submit(session: Session, panellist: Panellist) -> None:
    _require_open(panellist)
    missing = unrated_items(panellist, rated_items(panellist.panel))
    if missing:
        raise PanelError(f"{len(missing)} situation{'s are' if len(missing) != 1 else ' is'} "
                         "not fully rated yet.")
    panellist.submitted_at = utcnow()


# -- writing the consensus into the bank (flask bank apply-panel) --------------------------


@dataclass(frozen=True)
class AppliedPanel:
    files: list[FileChange]
    consensus: PanelConsensus
    reviewer: str


def _agreement_text(agreement: PanelConsensus, period: RatingPeriod) -> str:
    icc = agreement.icc
    median = agreement.median_rwg
    return (f"Keying panel of {agreement.raters} practitioners, ratings "
            f"{period.first.date().isoformat()} to {period.last.date().isoformat()}; "
            f"panel median r_wg(J) {median:.2f}"
            + (f", ICC(2,k) {icc.average:.2f}, ICC(2,1) {icc.single:.2f}" if icc else ""))


def apply_to_bank(session: Session, panel: KeyingPanel, root: Path, *, on: str,
                  write: bool = True) -> AppliedPanel:
    """Write the closed panel's consensus into the item files under ``root``.

    Refuses an open panel, fewer than three completed panellists, a bank whose items no
    longer read as the panel rated them, and a panel already written. ``on`` is the day
    of the review entry (YYYY-MM-DD).
    """
    if panel.closed_at is None:
        raise PanelError(f"Panel {panel.id} is still open: close it first, so no rating "
                         "arrives after its consensus is written.")
    try:
        agreement = consensus(panel)
    except NotEnoughPanellists as too_few:
        raise PanelError(f"Panel {panel.id}: {too_few}; at least {MIN_PANELLISTS} are "
                         "needed.") from None
    period = rating_period(panel)
    assert period is not None  # three completed panellists have saved ratings
    bank, problems = read_bank(root)
    if problems:
        raise PanelError(f"The bank at {root} has problems; run `bank check` first.")
    rated = rated_items(panel)
    differences = content_differences(rated, bank.items)
    if differences:
        raise PanelError(
            f"The bank no longer holds the items panel {panel.id} rated "
            f"({panel.questionnaire_version.version_label}), so its consensus is about "
            "other words or another key:\n  " + "\n  ".join(differences))
    reviewer = reviewer_name(panel.id, agreement.raters)
    already = [item.id for item in rated
               if any(review.who == reviewer for review in bank.items[item.id].reviewed_by)]
    if already:
        raise PanelError(f"Panel {panel.id} was already written into {', '.join(already)}.")
    summary = _agreement_text(agreement, period)
    changes = []
    for entry in sorted(agreement.items, key=lambda e: [i.id for i in rated].index(e.item_id)):
        rho = "—" if entry.rho is None else f"{entry.rho:.2f}"
        changes.append(ItemChange(
            item_id=entry.item_id,
            effectiveness={o.option_id: rounded_consensus(o.mean) for o in entry.options},
            review=Review(who=reviewer, on=on, change=(
                f"{summary}; this item r_wg(J) {entry.rwg:.2f}, Spearman rho with the key "
                f"{rho}; consensus written as panel_effectiveness"
                + ("; flagged: " + ", ".join(_flags(entry)) if entry.flagged else ""))),
        ))
    try:
        files = plan_changes(root, changes, bank.items)
    except PanelReviewError as refused:
        raise PanelError(str(refused)) from None
    if write:
        write_changes(files)
        audit.record(session, None, "panel.applied", panel, items=len(files))
    return AppliedPanel(files=files, consensus=agreement, reviewer=reviewer)


def _flags(entry: ItemConsensus) -> Iterable[str]:
    if entry.low_agreement:
        yield "low agreement"
    if entry.contradicts_key:
        yield "consensus contradicts the key"


# -- the report ------------------------------------------------------------------------------


def panel_report(panel: KeyingPanel) -> PanelReport:
    """The report model of the page and the PDF: agreement only from three completed."""
    completed = completed_panellists(panel)
    try:
        agreement: PanelConsensus | None = consensus(panel)
    except NotEnoughPanellists:
        agreement = None
    comments: dict[str, list[str]] = {}
    for panellist in completed:
        for response in panellist.responses:
            if response.comment:
                comments.setdefault(response.item_id, []).append(response.comment)
    period = rating_period(panel)
    questionnaire = questionnaire_of_panel(panel)
    return build_panel_report(
        panel_id=panel.id, name=panel.name, questionnaire_title=questionnaire.title,
        questionnaire_version=panel.questionnaire_version.version_label,
        still_open=panel.closed_at is None, invited=len(panel.panellists),
        completed=len(completed), first_rating=period.first if period else None,
        last_rating=period.last if period else None, items=rated_items(panel),
        excluded=free_text_items(panel), consensus=agreement, comments=comments,
        generated_at=utcnow(),
    )
