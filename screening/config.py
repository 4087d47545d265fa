"""Settings from SCREENING_* environment variables, read when the app is built.

Nothing here runs at import time, so tests can pass their own settings to
``create_app`` without touching the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent

#: (setting, environment variable, default, what it is for) — also the README table.
SETTINGS: tuple[tuple[str, str, Any, str], ...] = (
    (
        "DATABASE_URL",
        "SCREENING_DATABASE_URL",
        None,
        "SQLAlchemy URL; default SQLite at instance/screening.db",
    ),
    (
        "SECRET_KEY",
        "SCREENING_SECRET_KEY",
        None,
        "signs sessions and CSRF tokens; generated once into instance/secret_key when unset",
    ),
    (
        "BASE_URL",
        "SCREENING_BASE_URL",
        "http://127.0.0.1:5000",
        "public address used in printed and emailed links",
    ),
    (
        "BANK_PATH",
        "SCREENING_BANK_PATH",
        str(PROJECT_ROOT / "questions"),
        "folder holding the question bank (items/ and forms/)",
    ),
    ("INVITATION_DAYS", "SCREENING_INVITATION_DAYS", 14, "days an invitation link stays valid"),
    (
        "RETENTION_DAYS",
        "SCREENING_RETENTION_DAYS",
        365,
        "days personal data is kept after submission before purge",
    ),
    (
        "REQUEST_ANSWER_DAYS",
        "SCREENING_REQUEST_ANSWER_DAYS",
        30,
        "days HR has to answer an applicant's request for a review or an explanation",
    ),
    (
        "RATELIMIT_STORAGE_URI",
        "SCREENING_RATELIMIT_STORAGE_URI",
        "memory://",
        "Flask-Limiter storage, e.g. redis://127.0.0.1:6379/0 to share limits across servers",
    ),
    ("PDF_PAGE_SIZE", "SCREENING_PDF_PAGE_SIZE", "A4", "A4 or Letter"),
    (
        "PDF_PRERENDER",
        "SCREENING_PDF_PRERENDER",
        1,
        "1 to render an applicant's summary PDF in the background when they submit and "
        "when a rating or decision changes it, so a manager's first download is ready; "
        "0 to render it only when downloaded",
    ),
    (
        "PROXY_HOPS",
        "SCREENING_PROXY_HOPS",
        0,
        "reverse proxies in front of the app whose X-Forwarded-For and -Proto to trust; "
        "0 when clients connect directly",
    ),
    (
        "SMTP_HOST",
        "SCREENING_SMTP_HOST",
        None,
        "mail server; when unset no email is sent and the app shows links to copy",
    ),
    ("SMTP_PORT", "SCREENING_SMTP_PORT", 587, "mail server port"),
    ("SMTP_USERNAME", "SCREENING_SMTP_USERNAME", None, "mail server login, if it needs one"),
    ("SMTP_PASSWORD", "SCREENING_SMTP_PASSWORD", None, "mail server password"),
    (
        "SMTP_STARTTLS",
        "SCREENING_SMTP_STARTTLS",
        1,
        "1 to upgrade the connection with STARTTLS, 0 not to",
    ),
    ("MAIL_FROM", "SCREENING_MAIL_FROM", "screening@localhost", "sender address of every email"),
    (
        "QUEUE_URL",
        "SCREENING_QUEUE_URL",
        None,
        "task queue that hands background work to workers: unset for a SQLite file in the "
        "instance folder (one machine), redis://host:6379/1 or postgresql://... for workers "
        "on several machines",
    ),
    (
        "JOBS_STALE_SECONDS",
        "SCREENING_JOBS_STALE_SECONDS",
        600,
        "seconds after which a job or email a worker took up, and never finished, is taken "
        "to be from a worker that died and is run again",
    ),
    (
        "FAIRNESS_MIN_GROUP",
        "SCREENING_FAIRNESS_MIN_GROUP",
        5,
        "smallest group the adverse-impact report shows; 5 or more, and no page can lower it",
    ),
)


class ConfigError(click.ClickException):
    """A setting that cannot work; shown as one line by the CLI and wsgi.py."""


def settings_from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Read every SCREENING_* setting, converting numbers; unset ones keep defaults."""
    values: dict[str, Any] = {}
    for name, variable, default, _ in SETTINGS:
        raw = environ.get(variable)
        if raw is None or raw == "":
            if default is not None:
                values[name] = default
            continue
        if isinstance(default, int):
            try:
                values[name] = int(raw)
            except ValueError:
                raise ConfigError(f"{variable} must be a whole number, not {raw!r}") from None
        else:
            values[name] = raw
    return values


def fairness_minimum_group(configured: Any, floor: int) -> int:
    """The adverse-impact report's smallest group, refusing one below ``floor``."""
    if isinstance(configured, bool) or not isinstance(configured, int) or configured < floor:
        raise ConfigError(
            f"SCREENING_FAIRNESS_MIN_GROUP must be a whole number of at least {floor}, not "
            f"{configured!r}: smaller groups let people be recognised in the adverse-impact "
            "report"
        )
    return configured


def database_uri(configured: str | None, instance_path: Path) -> str:
    """The SQLAlchemy URI to use, refusing a malformed one with a message naming the setting."""
    if not configured:
        return f"sqlite:///{instance_path / 'screening.db'}"
    try:
        url = make_url(configured)
    except ArgumentError:
        raise ConfigError(
            f"SCREENING_DATABASE_URL is not a database URL SQLAlchemy understands: {configured!r} "
            "(expected e.g. postgresql+psycopg://user@host:5432/name or sqlite:///path.db)"
        ) from None
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(
            f"SCREENING_DATABASE_URL names {url.get_backend_name()!r}; "
            "screening supports sqlite and postgresql"
        )
    if url.get_backend_name() == "postgresql" and url.get_driver_name() in {"psycopg2", "pg8000"}:
        raise ConfigError(
            "SCREENING_DATABASE_URL must use the psycopg driver: postgresql+psycopg://"
        )
    if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def instance_secret_key(instance_path: Path) -> str:
    """A random key generated once and kept in the instance folder, never in the code."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # O_EXCL: two workers starting at once must agree on one key.
    try:
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
