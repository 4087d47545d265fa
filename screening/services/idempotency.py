"""Claiming a form post's idempotency key, once, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def claim_key(session: Session, table: Table, **values: Any) -> bool:
    """Insert the row keyed by ``values["key"]``; False if that key was claimed before.

    INSERT ... ON CONFLICT DO NOTHING: on PostgreSQL a concurrent insert of the same key
    waits for the first transaction and then inserts nothing; on SQLite every write
    request holds the write lock from BEGIN IMMEDIATE, so it sees the committed key.
    """
    dialect = session.get_bind().dialect.name
    shape = (table.name, dialect, tuple(sorted(values)))
    statement = _CLAIMS.get(shape)
    if statement is None:
        # Built once per table and database: it runs on every answer page.
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = _CLAIMS[shape] = (
            insert(table).values({name: bindparam(name) for name in values})
            .on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
        )
    return session.scalar(statement, values) is not None


_CLAIMS: dict[tuple[str, str, tuple[str, ...]], Any] = {}
