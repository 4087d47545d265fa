"""Fixtures shared by the integration and browser tests.

The database comes from SCREENING_TEST_DATABASE_URL (PostgreSQL in CI), or a
temporary SQLite file. The schema is built once per run with the real Alembic
migrations; every test then starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text

from screening.app import create_app
from screening.extensions import db

TEST_DATABASE_URL_VARIABLE = "SCREENING_TEST_DATABASE_URL"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked ``postgres("why")`` skip, saying why, unless the run is on PostgreSQL."""
    if os.environ.get(TEST_DATABASE_URL_VARIABLE, "").startswith("postgresql"):
        return
    for item in items:
        marker = item.get_closest_marker("postgres")
        if marker is not None:
            why = marker.args[0] if marker.args else "it needs a database server"
            item.add_marker(pytest.mark.skip(
                reason=f"needs PostgreSQL ({TEST_DATABASE_URL_VARIABLE}, as in CI): {why}"))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    configured = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if configured:
        _reset_postgres_schema(configured)
        yield configured
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'screening-test.db'}"


def _reset_postgres_schema(url: str) -> None:
    """Start the run from an empty public schema, whatever an earlier run left."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_database(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Apply the real migrations once per run."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _test_config(database_url: str, instance_path: Path, **extra: object) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        **extra,
    }


@pytest.fixture
def app_config(migrated_database: str, tmp_path: Path) -> dict[str, object]:
    """Settings for the app under test; a test may change them before using ``app``."""
    return _test_config(migrated_database, tmp_path / "instance")


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        _empty_all_tables()
        db.session.commit()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_app(app_config: dict[str, object]) -> Iterator:
    """Build more apps (a second server, other settings); their pools close after the test.

    A pool left to the garbage collector closes its connections in some later test,
    where the ResourceWarning (an error here) would blame the wrong test.
    """
    built: list[Flask] = []

    def build(config: dict[str, object] | None = None) -> Flask:
        extra = create_app({**app_config, **(config or {})})
        built.append(extra)
        return extra

    yield build
    for extra in built:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()
