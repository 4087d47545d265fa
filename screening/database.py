"""Engine settings that make the embedded SQLite safe under concurrent submits."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
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
    """WAL, synchronous=NORMAL, a 5 s busy timeout, secure_delete and BEGIN IMMEDIATE on
    every SQLite engine.

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
    # Deleted or overwritten rows are zeroed, not left in free pages (erasure, purge).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _on_begin(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _begin_immediate.get() else "BEGIN")



def forget_deleted_rows(bind: Engine | Connection, vacuum_tables: Sequence[str] = ()) -> bool:
    """Make deleted and overwritten rows unrecoverable from the database's files, as far
    as the database can; erasure and the retention purge call this after they commit.

    SQLite (with secure_delete) has zeroed them in the file already, but the write-ahead
    log holds the pages as they were until a checkpoint copies it back and truncates it.
    PostgreSQL keeps old row versions until VACUUM marks them free for reuse: it does not
    overwrite them, and WAL segments and backups keep them until they are recycled.
    ``vacuum_tables`` are vacuumed there (none: autovacuum's turn, e.g. in a web request).

    Returns False when SQLite stayed busy past its timeout and the log could not be
    emptied (the next erasure or purge tries again). ``bind`` must be an engine: a
    connection belongs to its caller's transaction (a test's), inside which neither a
    checkpoint nor VACUUM can run, so it is left alone.
    """
    if not isinstance(bind, Engine):
        return True
    if bind.dialect.name == "sqlite":
        return _checkpoint_and_truncate_log(bind)
    if bind.dialect.name == "postgresql" and vacuum_tables:
        _vacuum(bind, vacuum_tables)
    return True


def _checkpoint_and_truncate_log(engine: Engine) -> bool:
    # The DB-API connection runs in autocommit (isolation_level None, see _on_connect):
    # through SQLAlchemy the pragma would run inside BEGIN IMMEDIATE and be refused.
    raw = engine.raw_connection()
    try:
        busy, _, _ = raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        raw.close()
    return not busy


def _vacuum(engine: Engine, tables: Sequence[str]) -> None:
    quote = engine.dialect.identifier_preparer.quote
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM " + ", ".join(quote(table) for table in tables))
