"""The audit log: one append-only row per thing a person did to applicant data."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from screening import database
from screening.models import AuditEvent, User


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
