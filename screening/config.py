"""Settings from SCREENING_* environment variables, read when the app is built.

Nothing here runs at import time, so tests can pass their own settings to
``create_app`` without touching the environment.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from screening.sso_policy import (
    SsoPolicy,
    SsoSettingError,
    parse_allowed_domains,
    parse_role_map,
)

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
        "ATS_ALLOW_LOOPBACK_HTTP",
        "SCREENING_ATS_ALLOW_LOOPBACK_HTTP",
        0,
        "1 (development and tests only) to let an ATS call the Greenhouse endpoints over plain "
        "http from this machine, and to send its callbacks to http://127.0.0.1; 0 for https only",
    ),
    (
        "FAIRNESS_MIN_GROUP",
        "SCREENING_FAIRNESS_MIN_GROUP",
        5,
        "smallest group the adverse-impact report shows; 5 or more, and no page can lower it",
    ),
    (
        "WEBHOOKS_ALLOW_LOOPBACK_HTTP",
        "SCREENING_WEBHOOKS_ALLOW_LOOPBACK_HTTP",
        0,
        "1 in development only: webhook endpoints may be plain http:// to 127.0.0.1 or "
        "localhost; 0 (the default) allows https:// only",
    ),
    (
        "OIDC_DISCOVERY_URL",
        "SCREENING_OIDC_DISCOVERY_URL",
        None,
        "single sign-on: the identity provider's OpenID Connect discovery document "
        "(https://.../.well-known/openid-configuration); unset turns single sign-on off",
    ),
    ("OIDC_CLIENT_ID", "SCREENING_OIDC_CLIENT_ID", None,
     "single sign-on: this app's client id at the identity provider"),
    ("OIDC_CLIENT_SECRET", "SCREENING_OIDC_CLIENT_SECRET", None,
     "single sign-on: this app's client secret at the identity provider"),
    (
        "OIDC_ALLOWED_DOMAINS",
        "SCREENING_OIDC_ALLOWED_DOMAINS",
        None,
        "single sign-on: comma-separated email domains allowed in, e.g. example.com; "
        "required when single sign-on is on",
    ),
    (
        "OIDC_ROLE_CLAIM",
        "SCREENING_OIDC_ROLE_CLAIM",
        None,
        "single sign-on: the claim holding the person's groups or roles, e.g. groups; "
        "unset: an administrator assigns each new person's role",
    ),
    (
        "OIDC_ROLE_MAP",
        "SCREENING_OIDC_ROLE_MAP",
        None,
        "single sign-on: claim value=role pairs, e.g. "
        "screening-admins=admin,screening-hr=hr,store-managers=manager",
    ),
    ("OIDC_PROVIDER_NAME", "SCREENING_OIDC_PROVIDER_NAME", "your company account",
     "single sign-on: the sign-in button reads \"Sign in with\" and this"),
    (
        "LOCAL_PASSWORDS",
        "SCREENING_LOCAL_PASSWORDS",
        1,
        "1 lets staff sign in with a password; 0 turns password sign-in, set-password "
        "links and password changes off for everyone (needs single sign-on)",
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


@dataclass(frozen=True)
class SsoSettings:
    """Single sign-on as configured: where the provider is, this app's client, the rules."""

    discovery_url: str
    client_id: str
    client_secret: str
    provider_name: str
    policy: SsoPolicy


_LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}


def sso_settings(config: Mapping[str, Any]) -> SsoSettings | None:
    """Single sign-on's settings, checked; None when it is off (no discovery URL).

    Refuses to start rather than run half-configured: no allowed domains would let any
    account of the provider in, and password sign-in turned off without single sign-on
    would let nobody in.
    """
    discovery_url = str(config.get("OIDC_DISCOVERY_URL") or "").strip()
    local_passwords = config.get("LOCAL_PASSWORDS", 1)
    if local_passwords not in (0, 1):
        raise ConfigError(f"SCREENING_LOCAL_PASSWORDS must be 1 or 0, not {local_passwords!r}")
    if not discovery_url:
        if not local_passwords:
            raise ConfigError("SCREENING_LOCAL_PASSWORDS=0 needs single sign-on "
                              "(SCREENING_OIDC_DISCOVERY_URL and the other OIDC settings); "
                              "without either nobody could sign in")
        return None
    url = urlsplit(discovery_url)
    if url.scheme != "https" and not (url.scheme == "http" and url.hostname in _LOOPBACK_HOSTS):
        raise ConfigError("SCREENING_OIDC_DISCOVERY_URL must be an https:// URL (plain http "
                          f"only on this machine, for testing), not {discovery_url!r}")
    for name in ("OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "OIDC_ALLOWED_DOMAINS"):
        if not str(config.get(name) or "").strip():
            raise ConfigError(f"SCREENING_{name} is required when single sign-on is on "
                              "(SCREENING_OIDC_DISCOVERY_URL is set)")
    role_claim = str(config.get("OIDC_ROLE_CLAIM") or "").strip() or None
    role_map_text = str(config.get("OIDC_ROLE_MAP") or "").strip()
    try:
        domains = parse_allowed_domains(str(config["OIDC_ALLOWED_DOMAINS"]))
        role_map = parse_role_map(role_map_text) if role_map_text else None
    except SsoSettingError as error:
        raise ConfigError(str(error)) from None
    if bool(role_claim) != bool(role_map):
        raise ConfigError("SCREENING_OIDC_ROLE_CLAIM and SCREENING_OIDC_ROLE_MAP go together: "
                          "set both to take roles from the provider, or neither to have an "
                          "administrator assign them")
    return SsoSettings(
        discovery_url=discovery_url,
        client_id=str(config["OIDC_CLIENT_ID"]).strip(),
        client_secret=str(config["OIDC_CLIENT_SECRET"]),
        provider_name=str(config.get("OIDC_PROVIDER_NAME") or "your company account").strip(),
        policy=SsoPolicy(allowed_domains=domains, role_claim=role_claim, role_map=role_map),
    )


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
