"""Time on an item measured by the server: when its page was served, when its answer came.

The "too fast" flag must not depend on anything the browser sends: leaving a form field
out would otherwise make twenty answers in a second look unmeasured, hence normal. The
server records when it serves each item page (``ItemPageView``) and the answer's own
``Answer.saved_at`` says when an answer arrived; the signed clock in the form is at
most a refinement (screening.web.apply.timing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from screening.models import Answer, ItemPageView, Submission

#: Time spent on a page beyond this is not "time on the item" but a break.
MAX_SECONDS_PER_VISIT = 3600.0


def record_served(session: Session, submission: Submission, item_id: str,
                  now: datetime) -> None:
    """Remember that the page of ``item_id`` was just served (the latest visit counts)."""
    dialect = session.get_bind().dialect.name
    statement = _UPSERTS.get(dialect)
    if statement is None:
        # Built once per database: it runs on every question page.
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        values = insert(ItemPageView).values(submission_id=bindparam("submission_id"),
                                             item_id=bindparam("item_id"),
                                             served_at=bindparam("served_at"))
        statement = _UPSERTS[dialect] = values.on_conflict_do_update(
            index_elements=["submission_id", "item_id"],
            set_={"served_at": values.excluded.served_at})
    session.execute(statement, {"submission_id": submission.id, "item_id": item_id,
                                "served_at": now})


_UPSERTS: dict[str, Any] = {}


def seconds_on_item(session: Session, submission: Submission, item_id: str,
                    now: datetime) -> float:
    """Seconds this visit to ``item_id`` took, by the server's records, capped.

    A visit starts when the item's page was last served, if that was after its answer
    was last saved; an answer posted without its page being served (a script, a
    resent form) is timed from the submission's last recorded step (any page served,
    any answer saved, or the start), so it can never go unmeasured.
    """
    served, saved = session.execute(select(  # one round trip: this runs on every answer
        select(ItemPageView.served_at).where(ItemPageView.submission_id == submission.id,
                                             ItemPageView.item_id == item_id)
        .scalar_subquery(),
        select(Answer.saved_at).where(Answer.submission_id == submission.id,
                                      Answer.item_id == item_id)
        .scalar_subquery(),
    )).one()
    if served is not None and (saved is None or served > saved):
        start = served
    else:
        start = max(moment for moment in (
            session.scalar(select(func.max(ItemPageView.served_at))
                           .where(ItemPageView.submission_id == submission.id)),
            session.scalar(select(func.max(Answer.saved_at))
                           .where(Answer.submission_id == submission.id)),
            submission.started_at,
        ) if moment is not None)
    elapsed = (now - start).total_seconds()
    return round(min(max(elapsed, 0.0), MAX_SECONDS_PER_VISIT), 3)
