"""screening: situational-judgement screening for front-line, customer-facing jobs."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import StrictUndefined

from screening.config import (
    PROJECT_ROOT,
    ConfigError,
    database_uri,
    fairness_minimum_group,
    instance_secret_key,
    settings_from_environment,
)
from screening.scoring.fairness import MINIMUM_GROUP_FLOOR


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then SCREENING_* environment, then the caller's overrides."""
    overrides = dict(config or {})
    instance_path = (
        overrides.pop("INSTANCE_PATH", None)
        or os.environ.get("SCREENING_INSTANCE_PATH")
        or str(PROJECT_ROOT / "instance")
    )
    app = Flask(
        __name__, instance_path=str(instance_path), template_folder=str(PROJECT_ROOT / "templates")
    )
    app.config.from_mapping(
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,  # tokens live as long as the session; see apply/forms.py
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        RATELIMIT_HEADERS_ENABLED=True,
        # A moving window: a fixed one lets 10 tries at 0:59 and 10 more at 1:00 through.
        RATELIMIT_STRATEGY="moving-window",
    )
    app.config.update(settings_from_environment(os.environ))
    app.config.update(overrides)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    app.config["SQLALCHEMY_DATABASE_URI"] = database_uri(app.config.get("DATABASE_URL"), instance)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret_key(instance)
    app.config["SESSION_COOKIE_SECURE"] = str(app.config["BASE_URL"]).startswith("https://")
    app.config["FAIRNESS_MIN_GROUP"] = fairness_minimum_group(
        app.config["FAIRNESS_MIN_GROUP"], MINIMUM_GROUP_FLOOR)
    trust_proxy_headers(app)

    if app.testing:
        # A misspelt template variable fails the test instead of rendering as nothing.
        app.jinja_env.undefined = StrictUndefined

    register_extensions(app)
    register_queue(app)
    register_bank(app)
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app


def trust_proxy_headers(app: Flask) -> None:
    """Behind a reverse proxy, take the client's address and scheme from its headers.

    Only as many hops as configured: without a proxy, a client could otherwise forge
    X-Forwarded-For and escape the per-address rate limits.
    """
    hops = int(app.config.get("PROXY_HOPS") or 0)
    if hops < 0:
        raise ConfigError(f"SCREENING_PROXY_HOPS must be 0 or more, not {hops}")
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops
        )


def register_extensions(app: Flask) -> None:
    from screening import database
    from screening.extensions import csrf, db, limiter, login_manager, migrate

    database.configure_sqlite()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)

    from screening.web import language  # Flask-Babel: the applicant's language

    language.init_app(app)

    from screening.web.auth import sso  # single sign-on's client, when configured

    sso.init_app(app)


def register_queue(app: Flask) -> None:
    """Background work: the job handlers and the task queue that hands work to workers."""
    from screening import queue

    queue.init_app(app)


def register_bank(app: Flask) -> None:
    from screening.services.questionnaires import load_bank_for_app

    load_bank_for_app(app)


def register_blueprints(app: Flask) -> None:
    from screening.web import admin, api, apply, ats, auth, health, hr, icons, manage, panel
    from screening.web.converters import IdConverter

    app.url_map.converters["id"] = IdConverter  # before any rule that uses <id:...>
    for blueprint in (health.bp, icons.bp, auth.bp, apply.bp, manage.bp, hr.bp, admin.bp,
                      api.bp, ats.bp, panel.bp):
        app.register_blueprint(blueprint)


def register_error_handlers(app: Flask) -> None:
    from screening.web import browser_input, errors, security, template_helpers

    errors.init_app(app)
    browser_input.init_app(app)  # no NUL anywhere; form posts only, files only where uploaded
    security.init_app(app)
    template_helpers.init_app(app)


def register_cli(app: Flask) -> None:
    from screening import cli

    cli.init_app(app)
