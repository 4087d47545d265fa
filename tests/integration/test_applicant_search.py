"""Staff find applicants whatever the case and accents typed, on SQLite and PostgreSQL alike.

A manager typing "maria" must find "María"; HR looking up "JOSE" for an erasure request
must find "José". Run on both databases (CI runs the suite on PostgreSQL as well).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from screening.app import create_app
from screening.extensions import db
from screening.models import Applicant, Position, Role
from screening.services import retention
from screening.services.applicants import ListQuery, list_applicants
from tests.factories import create_invitation, create_position, create_user, sign_in, visible_text
from tests.integration.test_result_migration import (
    _drop_postgres_database,
    _fresh_postgres_database,
)

PEOPLE = {
    "María Fernández": "maria.fernandez@example.com",
    "José Ñúñez": "jose@example.com",
    "Zoë STRAßE": "zoe@ÉXAMPLE.com",
    "Mario Rossi": "mario@example.com",
    "100% Ready_Now": "ready@example.com",
    "Łukasz Øster": "lukasz@example.com",
}


@pytest.fixture
def people(app: Flask) -> dict[str, object]:
    with app.app_context():
        manager = create_user(Role.MANAGER)
        hr = create_user(Role.HR)
        position = create_position(managers=[manager], title="Front desk")
        for name, email in PEOPLE.items():
            create_invitation(position, name=name, email=email)
        return {"manager": manager.email, "hr": hr.email, "position": position.id}


def _listed(app: Flask, position_id: int, search: str) -> list[str]:
    with app.app_context():
        position = db.session.get(Position, position_id)
        page = list_applicants(db.session, position, ListQuery(search=search))
        return sorted(row.applicant.name for row in page.rows)


def _found(app: Flask, query: str) -> list[str]:
    with app.app_context():
        return sorted(a.name for a in retention.find_applicants(db.session, query))


@pytest.mark.parametrize(("typed", "expected"), [
    ("maria", ["María Fernández"]),
    ("MARÍA", ["María Fernández"]),
    ("JOSE", ["José Ñúñez"]),
    ("nunez", ["José Ñúñez"]),
    ("strasse", ["Zoë STRAßE"]),
    ("zoe", ["Zoë STRAßE"]),
    ("mari", ["María Fernández", "Mario Rossi"]),
    # A mark drawn into the letter, which Unicode does not decompose.
    ("lukasz", ["Łukasz Øster"]),
    ("OSTER", ["Łukasz Øster"]),
    # LIKE's own wildcards are letters to look for, not patterns.
    ("100%", ["100% Ready_Now"]),
    ("y_n", ["100% Ready_Now"]),
    ("%", ["100% Ready_Now"]),
    ("fernandez@", []),  # the manager's list searches names only
])
def test_the_managers_list_ignores_case_and_accents(
    app: Flask, people: dict[str, object], typed: str, expected: list[str]
) -> None:
    assert _listed(app, int(people["position"]), typed) == sorted(expected)


@pytest.mark.parametrize(("typed", "expected"), [
    ("maria", ["María Fernández"]),
    ("JOSÉ", ["José Ñúñez"]),
    ("ñuñez", ["José Ñúñez"]),
    ("Maria.Fernandez@", ["María Fernández"]),
    ("@example.com", sorted(PEOPLE)),
    ("éxample", sorted(PEOPLE)),
    ("nobody", []),
])
def test_hr_finds_by_name_or_email_ignoring_case_and_accents(
    app: Flask, people: dict[str, object], typed: str, expected: list[str]
) -> None:
    assert _found(app, typed) == sorted(expected)


def test_the_pages_show_what_the_search_found(
    app: Flask, client: FlaskClient, people: dict[str, object]
) -> None:
    sign_in(client, str(people["manager"]))
    page = visible_text(client.get(f"/manage/positions/{people['position']}?q=maria").text)
    assert "María Fernández" in page and "José Ñúñez" not in page
    client.post("/logout")
    sign_in(client, str(people["hr"]))
    page = visible_text(client.get("/hr/applicants?q=JOSE").text)
    assert "José Ñúñez" in page and "María Fernández" not in page


def test_a_renamed_or_erased_applicant_is_found_by_what_is_stored_now(
    app: Flask, people: dict[str, object]
) -> None:
    with app.app_context():
        mario = db.session.scalar(select(Applicant).where(Applicant.name == "Mario Rossi"))
        mario.name = "Mário Bianchi"
        db.session.commit()
    assert _found(app, "bianchi") == ["Mário Bianchi"]
    assert _found(app, "rossi") == []
    with app.app_context():
        maria = db.session.scalar(select(Applicant).where(Applicant.name == "María Fernández"))
        retention.anonymise(db.session, maria)
        db.session.commit()
    assert _found(app, "maria") == []
    assert _found(app, "fernandez@") == []


@pytest.fixture
def own_database(tmp_path: Path) -> Iterator[str]:
    configured = os.environ.get("SCREENING_TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'search.db'}"
        return
    url = _fresh_postgres_database(configured, "search")
    yield url
    _drop_postgres_database(configured, url)


def test_the_migration_fills_the_search_columns_of_applicants_already_stored(
    own_database: str, tmp_path: Path
) -> None:
    app = create_app({"TESTING": True, "DATABASE_URL": own_database, "SECRET_KEY": "test",
                      "INSTANCE_PATH": str(tmp_path / "instance")})
    with app.app_context():
        upgrade()
        position = create_position(title="Front desk")
        for name, email in PEOPLE.items():
            create_invitation(position, name=name, email=email)
        db.session.remove()
        # Back to before the search columns, then forward: the columns are filled afresh.
        downgrade(revision="d8e0c0de0008-1")
        upgrade()
        stored = dict(db.session.execute(
            select(Applicant.search_name, Applicant.search_email)).all())
        db.session.remove()
        db.engine.dispose()
    assert stored == {
        "maria fernandez": "maria.fernandez@example.com",
        "jose nunez": "jose@example.com",
        "zoe strasse": "zoe@example.com",
        "mario rossi": "mario@example.com",
        "100% ready_now": "ready@example.com",
        # d8e0c0de0008 folded it as "łukasz øster"; e5e0c0de0026 spells it plain.
        "lukasz oster": "lukasz@example.com",
    }
