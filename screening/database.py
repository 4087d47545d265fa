"""Engine settings that make the embedded SQLite safe under concurrent submits."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

_configured = False

#: Whether the next SQLite transaction takes the write lock at BEGIN. Requests that
#: only read (GET, HEAD) begin DEFERRED so readers run side by side under WAL.
_begin_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=True)


def set_transactions_immediate(immediate: bool) -> None:
    _begin_immediate.set(immediate)


@contextmanager
def immediate_transactions() -> Iterator[None]:
    """Writes inside a read-only request: the next transaction takes the write lock up front."""
    token = _begin_immediate.set(True)
    try:
        yield
    finally:
        _begin_immediate.reset(token)


def configure_sqlite() -> None:
    """WAL, synchronous=NORMAL, a 5 s busy timeout and BEGIN IMMEDIATE on every SQLite engine.

    BEGIN IMMEDIATE takes the write lock when a transaction starts, so two writers
    queue on the busy timeout instead of one failing with "database is locked"
    when it upgrades a read lock mid-transaction.
    """
    global _configured
    if _configured:
        return
    _configured = True
    event.listen(Engine, "connect", _on_connect)
    event.listen(Engine, "begin", _on_begin)


def _on_connect(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")
