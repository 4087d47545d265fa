"""Fixtures shared by the integration and browser tests: the database and the app.

The database comes from SCREENING_TEST_DATABASE_URL (PostgreSQL in CI), or a
temporary SQLite file; its schema is built once per run with the real Alembic
migrations.

One app serves every test that uses the default settings (building an app compiles
its routes and templates, which cost more than most tests), and each such test runs
inside a transaction that is rolled back afterwards: whatever the test and its
requests commit lands in a savepoint of that transaction. A test that cannot work
that way gets its own app and real commits, from emptied tables:

- it changes the settings (overrides ``app_config``) or builds more apps (``make_app``);
- or it is marked ``commits``: other threads, processes or connections must see its
  data (concurrent posts, a live server, a second database connection).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

# The builders assert on what they build; let pytest explain their failures too. Before any
# test module imports them (integration tests use the bank's builders as well).
pytest.register_assert_rewrite("tests.factories", "tests.unit.bank.factories")

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient, FlaskCliRunner  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from screening.app import create_app  # noqa: E402
from screening.extensions import db, limiter  # noqa: E402
from screening.services import accounts  # noqa: E402

TEST_DATABASE_URL_VARIABLE = "SCREENING_TEST_DATABASE_URL"
#: Taken before any fixture replaces it, for tests marked ``real_password_hashing``.
REAL_PASSWORD_HASHER = accounts.PASSWORD_HASHER


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


@pytest.fixture(scope="session", autouse=True)
def _password_hashes_once_per_password() -> Iterator[None]:
    """Argon2id at OWASP's cost takes ~20 ms a hash or check, and the suite signs the same
    test password in hundreds of times. Remember each (hash, password) answer: the
    hasher's parameters and its answers are the real ones, only repeats are free."""
    real = accounts.PASSWORD_HASHER
    hashes: dict[str, str] = {}
    checks: dict[tuple[str, str], bool | BaseException] = {}

    class Remembering:
        def hash(self, password: str) -> str:
            if password not in hashes:
                hashes[password] = real.hash(password)
            return hashes[password]

        def verify(self, password_hash: str, password: str) -> bool:
            key = (password_hash, password)
            if key not in checks:
                try:
                    checks[key] = real.verify(password_hash, password)
                except Exception as refused:
                    checks[key] = refused
            answer = checks[key]
            if isinstance(answer, BaseException):
                raise answer
            return answer

        def check_needs_rehash(self, password_hash: str) -> bool:
            return real.check_needs_rehash(password_hash)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "PASSWORD_HASHER", Remembering())
        yield


@pytest.fixture(autouse=True)
def _real_password_hashing_when_marked(request: pytest.FixtureRequest,
                                       _password_hashes_once_per_password: None) -> Iterator[None]:
    """A test marked ``real_password_hashing`` (it measures the hashing's time) gets every
    hash and check computed afresh, not remembered."""
    if request.node.get_closest_marker("real_password_hashing") is None:
        yield
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "PASSWORD_HASHER", REAL_PASSWORD_HASHER)
        yield


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[str]:
    """The run's database; with pytest-xdist (make test), one per worker process."""
    configured = os.environ.get(TEST_DATABASE_URL_VARIABLE)
    if configured and worker_id != "master":
        url = _worker_database(configured, worker_id)
        yield url
        _drop_database(configured, url)
        return
    if configured:
        _reset_postgres_schema(configured)
        yield configured
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'screening-test.db'}"


def _worker_database(url: str, worker_id: str) -> str:
    """A database of its own for one pytest-xdist worker, beside the configured one."""
    base, name = url.rsplit("/", 1)
    worker_url = f"{base}/{name}_{worker_id}"
    _drop_database(url, worker_url)
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}_{worker_id}"'))
    engine.dispose()
    return worker_url


def _drop_database(admin_url: str, url: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" '
                                "WITH (FORCE)"))
    engine.dispose()


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

    app = create_app(test_config(database_url, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def test_config(database_url: str, instance_path: Path, **extra: object) -> dict[str, object]:
    return {
        "TESTING": True,
        "DATABASE_URL": database_url,
        "INSTANCE_PATH": str(instance_path),
        "SECRET_KEY": "test-secret-key",
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "BASE_URL": "http://localhost",
        # Rendering every submitted applicant's PDF would cost each test a second of CPU;
        # tests of the pre-rendering turn it on.
        "PDF_PRERENDER": 0,
        # Hand-overs stay in the process; tests run jobs and send email explicitly.
        "QUEUE_URL": "memory://",
        **extra,
    }


test_config.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test


@pytest.fixture(scope="session")
def shared_app(migrated_database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(test_config(migrated_database, tmp_path_factory.mktemp("shared")))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def app_config(migrated_database: str, tmp_path: Path) -> dict[str, object]:
    """Settings for the app under test; override this fixture to change them."""
    return test_config(migrated_database, tmp_path / "instance")


def _uses_default_settings(config: dict[str, object], shared: Flask) -> bool:
    return all(key == "INSTANCE_PATH" or shared.config.get(key) == value
               for key, value in config.items())


@pytest.fixture
def app(request: pytest.FixtureRequest, app_config: dict[str, object],
        shared_app: Flask) -> Iterator[Flask]:
    commits = (request.node.get_closest_marker("commits") is not None
               or "make_app" in request.fixturenames
               or not _uses_default_settings(app_config, shared_app))
    if not commits:
        with _rolled_back(shared_app):
            yield shared_app
        return
    app = create_app(app_config)
    with app.app_context():
        _empty_all_tables()
    yield app
    with app.app_context():
        db.session.remove()
        _empty_all_tables()  # the next test may run in a transaction of its own
        db.engine.dispose()
    # Flask-Limiter keeps "enabled" on the one extension object, from the app built last:
    # limits a test turned on would otherwise stay on for the shared app's later tests.
    limiter.enabled = bool(shared_app.config["RATELIMIT_ENABLED"])


@contextmanager
def _rolled_back(app: Flask) -> Iterator[None]:
    """Every session of ``app`` joins one transaction, rolled back when the test ends.

    Flask-SQLAlchemy picks the bind of each query from its engines; pointing the
    default one at a connection inside a transaction makes every request's session
    use it, and "create_savepoint" turns their commits into savepoint releases.
    """
    from screening.queue import task_queue

    task_queue(app).huey.flush()  # what earlier tests handed over to the in-memory queue
    with app.app_context():
        engines = db._app_engines[app]  # Flask-SQLAlchemy's own map of this app's binds
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[assignment]
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        try:
            with app.app_context():
                db.session.remove()
        finally:
            outer.rollback()
            connection.close()
            engines[None] = engine
            with app.app_context():
                db.session.configure(join_transaction_mode="conditional_savepoint")


def _empty_all_tables() -> None:
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def make_app(request: pytest.FixtureRequest,
             app_config: dict[str, object]) -> Iterator[Callable[..., Flask]]:
    """Build more apps (a second server, other settings); their pools close after the test.

    A pool left to the garbage collector closes its connections in some later test,
    where the ResourceWarning (an error here) would blame the wrong test.
    """
    built: list[Flask] = []

    def build(config: dict[str, Any] | None = None) -> Flask:
        # Flask-Limiter keeps the first key prefix it sees for the whole process, so a
        # test's prefix would leak into every later test of its worker.
        assert "RATELIMIT_KEY_PREFIX" not in (config or {}), (
            "keep rate-limit counts apart with a client address or a fresh memory:// store")
        extra = create_app({**app_config, **(config or {})})
        built.append(extra)
        return extra

    yield build
    for extra in built:
        with extra.app_context():
            db.session.remove()
            db.engine.dispose()
    if "app" not in request.fixturenames:  # else ``app`` empties the tables itself
        cleaner = create_app(app_config)
        with cleaner.app_context():
            _empty_all_tables()  # what the apps committed must not reach the next test
            db.engine.dispose()
