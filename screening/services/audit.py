"""The audit log: one append-only row per thing a person did to applicant data,
and reading it back for HR's viewer and its CSV export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from screening import database
from screening.models import AuditEvent, User
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
)


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
               AuditEvent.target_type, AuditEvent.target_id, AuditEvent.detail)
        .outerjoin(User, User.id == AuditEvent.actor_id),
        filters,
    ).order_by(AuditEvent.id).execution_options(yield_per=READ_BATCH)
    for row in session.execute(statement):
        detail = row[7]
        yield [row[0], row[1], row[2], row[3], row[4], row[5] or None, row[6],
               json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None]
