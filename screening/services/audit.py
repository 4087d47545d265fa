"""The audit log: one append-only row per thing a person did to applicant data,
and reading it back for HR's viewer and its CSV export."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from screening import database
from screening.models import (
    ApiToken,
    Applicant,
    AuditEvent,
    Invitation,
    KeyingPanel,
    Position,
    QuestionnaireVersion,
    Submission,
    User,
)
from screening.services.periods import within_days


def record(
    session: Session,
    actor: User | None,
    action: str,
    target: Any = None,
    **detail: Any,
) -> AuditEvent:
    """Add an audit event for ``action`` on ``target`` (a model instance or None)."""
    event = AuditEvent(
        actor_id=actor.id if actor is not None else None,
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=getattr(target, "id", None),
        detail=detail,
    )
    session.add(event)
    return event


def record_in_own_transaction(
    session: Session, actor: User | None, action: str, target: Any = None, **detail: Any
) -> None:
    """Record and commit at once, from a request that so far only read.

    The read transaction is closed first, so on SQLite the write begins IMMEDIATE
    rather than upgrading a read snapshot another writer may have moved past.
    """
    session.commit()
    with database.immediate_transactions():
        record(session, actor, action, target, **detail)
        session.commit()


PAGE_SIZE = 100
READ_BATCH = 1000

AUDIT_COLUMNS: tuple[str, ...] = (
    "event_id", "at", "actor_id", "actor_email", "action", "target_type", "target_id", "detail",
    # Added 2026-12: who, in words; new columns go at the end.
    "actor_name", "target",
)

#: How a target type reads in the log, and the query giving each target's name: an
#: applicant's through their invitation, so after erasure it is "Anonymised applicant".
_TARGET_NOUNS: dict[str, str] = {
    "Submission": "submission", "Applicant": "applicant", "Invitation": "invitation",
    "Position": "position", "User": "user", "ApiToken": "API token",
    "QuestionnaireVersion": "questionnaire version", "OutgoingEmail": "email",
    "KeyingPanel": "keying panel", "Panellist": "panellist",
    "WebhookEndpoint": "webhook endpoint",
}


def _name_queries() -> dict[str, Select[Any]]:
    return {
        "Submission": select(Submission.id, Applicant.name)
        .join(Submission.invitation).join(Invitation.applicant),
        "Applicant": select(Applicant.id, Applicant.name),
        "Invitation": select(Invitation.id, Applicant.name).join(Invitation.applicant),
        "Position": select(Position.id, Position.title),
        "User": select(User.id, User.name),
        "ApiToken": select(ApiToken.id, ApiToken.name),
        "QuestionnaireVersion": select(QuestionnaireVersion.id,
                                       QuestionnaireVersion.questionnaire_key),
        "KeyingPanel": select(KeyingPanel.id, KeyingPanel.name),
    }


def target_labels(
    session: Session, targets: Iterable[tuple[str, int | None]]
) -> dict[tuple[str, int], str]:
    """"submission 2 (Robin Reyes)" for each (target type, id): one query per type.

    Applicants are named as stored, so an erased or purged one reads "Anonymised
    applicant"; a target that no longer exists keeps its type and number.
    """
    wanted: dict[str, set[int]] = {}
    for target_type, target_id in targets:
        if target_type and target_id is not None:
            wanted.setdefault(target_type, set()).add(target_id)
    queries = _name_queries()
    labels: dict[tuple[str, int], str] = {}
    for target_type, ids in wanted.items():
        noun = _TARGET_NOUNS.get(target_type, target_type)
        names: dict[int, str] = {}
        if target_type in queries:
            statement = queries[target_type]
            key = statement.selected_columns[0]
            names = {row[0]: row[1] for row in session.execute(statement.where(key.in_(ids)))}
        for target_id in ids:
            name = names.get(target_id)
            labels[(target_type, target_id)] = (
                f"{noun} {target_id} ({name})" if name else f"{noun} {target_id}")
    return labels


@dataclass(frozen=True)
class AuditFilters:
    action: str | None = None
    actor_email: str | None = None
    since: date | None = None
    until: date | None = None

    def describe(self) -> dict[str, Any]:
        # "event_action": audit.record already takes an argument called "action".
        return {
            "event_action": self.action,
            "actor_email": self.actor_email,
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
        }


def _filtered(statement: Select[Any], filters: AuditFilters) -> Select[Any]:
    if filters.action:
        statement = statement.where(AuditEvent.action == filters.action)
    if filters.actor_email:
        statement = statement.where(
            AuditEvent.actor_id.in_(
                select(User.id).where(User.email == filters.actor_email.strip().lower())
            )
        )
    return statement.where(*within_days(AuditEvent.at, filters.since, filters.until))


def page(
    session: Session, filters: AuditFilters, *, before_id: int | None = None,
    size: int | None = None,
) -> tuple[list[AuditEvent], int | None]:
    """Newest events first; returns the page and the id to pass for the next (older) page."""
    size = size or PAGE_SIZE
    statement = _filtered(select(AuditEvent).options(joinedload(AuditEvent.actor)), filters)
    if before_id is not None:
        statement = statement.where(AuditEvent.id < before_id)
    events = list(session.scalars(statement.order_by(AuditEvent.id.desc()).limit(size + 1)))
    more = len(events) > size
    events = events[:size]
    return events, (events[-1].id if more and events else None)


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).distinct().order_by(AuditEvent.action)))


def audit_rows(session: Session, filters: AuditFilters) -> Iterator[list[Any]]:
    """Every matching event, oldest first, as rows of AUDIT_COLUMNS (streamed)."""
    statement = _filtered(
        select(AuditEvent.id, AuditEvent.at, AuditEvent.actor_id, User.email, AuditEvent.action,
               AuditEvent.target_type, AuditEvent.target_id, AuditEvent.detail, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id),
        filters,
    ).order_by(AuditEvent.id).execution_options(yield_per=READ_BATCH)
    for batch in session.execute(statement).partitions():
        labels = target_labels(session, ((row[5], row[6]) for row in batch))
        for row in batch:
            detail = row[7]
            yield [row[0], row[1], row[2], row[3], row[4], row[5] or None, row[6],
                   json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None,
                   row[8], labels.get((row[5], row[6]))]
