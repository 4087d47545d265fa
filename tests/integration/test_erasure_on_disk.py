"""Erasure reaches the disk: an erased applicant's words are in neither the SQLite file
nor its write-ahead log afterwards, not even in free pages a raw search would find.

Each test builds its own SQLite database (whatever the run's database is), since the
test reads that file's bytes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import upgrade
from sqlalchemy import event
from sqlalchemy.engine import Engine

from screening.app import create_app
from screening.extensions import db
from screening.models import Outcome, Role
from screening.services import messages, retention
from screening.services.retention import ANONYMISED_NAME
from tests.factories import create_position, create_user, decide, sign_in, submit_simulated

NAME = "Quentin Zephyrwood-Oakhollow"
EMAIL = "quentin.zephyrwood@example.net"
WRITTEN_ANSWER = "MAGENTA-WALRUS-4417: I would apologise, listen and rebook the delivery."
DECISION_NOTE = "TANGERINE-HERON-9902 was calm with the angry caller; invite him back."
ERASED_STRINGS = (NAME, EMAIL, "MAGENTA-WALRUS-4417", "TANGERINE-HERON-9902")


@pytest.fixture
def sqlite_built_without_secure_delete() -> Iterator[None]:
    """Debian's SQLite zeroes deleted rows by default; most other builds (python.org's,
    macOS's) do not. Every new connection starts as theirs would, before the app's own
    settings run."""

    def as_most_builds(dbapi_connection: Any, _record: Any) -> None:
        if isinstance(dbapi_connection, sqlite3.Connection):
            dbapi_connection.execute("PRAGMA secure_delete=OFF")

    event.listen(Engine, "connect", as_most_builds, insert=True)
    yield
    event.remove(Engine, "connect", as_most_builds)


@pytest.fixture
def sqlite_app(tmp_path: Path, sqlite_built_without_secure_delete: None) -> Iterator[Flask]:
    app = create_app({
        "TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path / 'erasure.db'}",
        "INSTANCE_PATH": str(tmp_path / "instance"), "SECRET_KEY": "test",
        "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False, "RETENTION_DAYS": 30,
        # Email is queued (the applicant's own messages are deleted rows) but never sent.
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1,
    })
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def on_disk(database: Path) -> bytes:
    """The database file and its write-ahead log, as a raw search of the disk sees them."""
    log = database.with_name(database.name + "-wal")
    return database.read_bytes() + (log.read_bytes() if log.exists() else b"")


def strings_on_disk(database: Path) -> list[str]:
    raw = on_disk(database)
    return [text for text in ERASED_STRINGS if text.encode() in raw]


def applicant_with_every_kind_of_personal_data(hr_email: str = "hr@example.com") -> int:
    manager = create_user(Role.MANAGER, name="Mona Manager")
    create_user(Role.HR, email=hr_email)
    position = create_position(managers=[manager], title="Front desk")
    submission = submit_simulated(position, name=NAME, email=EMAIL, free_text=WRITTEN_ANSWER,
                                  submitted_at=retention.utcnow() - timedelta(days=90))
    decide(submission, manager, Outcome.ADVANCE, note=DECISION_NOTE)
    messages.queue_invitation(db.session, submission.invitation)
    messages.queue_receipt_and_notices(db.session, submission)
    db.session.commit()
    return submission.invitation.applicant_id


def _erase_on_the_web(app: Flask, applicant_id: int) -> None:
    client: FlaskClient = app.test_client()
    sign_in(client, "hr@example.com")
    erased = client.post(f"/hr/applicants/{applicant_id}/erase", data={"confirm": "y"})
    assert erased.status_code == 302, erased.text


def _erase_from_the_cli(app: Flask, applicant_id: int) -> None:
    result = app.test_cli_runner().invoke(args=["erase", "--applicant", str(applicant_id),
                                                "--yes"])
    assert result.exit_code == 0, result.output


def _purge(app: Flask, _applicant_id: int) -> None:
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0 and "1 applicant(s) anonymised" in result.output, result.output


@pytest.mark.parametrize("erase", [_erase_on_the_web, _erase_from_the_cli, _purge],
                         ids=["hr-web-erasure", "cli-erasure", "retention-purge"])
def test_erased_personal_data_is_not_left_in_the_file_or_its_log(
    sqlite_app: Flask, erase: Callable[[Flask, int], None]
) -> None:
    database = Path(sqlite_app.config["DATABASE_URL"].removeprefix("sqlite:///"))
    with sqlite_app.app_context():
        applicant_id = applicant_with_every_kind_of_personal_data()
    # The search works: before the erasure every string is on disk.
    assert strings_on_disk(database) == list(ERASED_STRINGS)
    # As in a database written to long ago, the rows are in the file itself, not only in
    # the log: deleting them must clear the file's pages too.
    with closing(sqlite3.connect(database)) as connection:
        assert connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0

    erase(sqlite_app, applicant_id)

    assert strings_on_disk(database) == []
    with sqlite_app.app_context():  # and the app still reads the anonymised applicant
        assert db.session.get(retention.Applicant, applicant_id).name == ANONYMISED_NAME
