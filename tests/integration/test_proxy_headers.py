"""Behind a reverse proxy the client's own address counts, and only when configured."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from screening.config import ConfigError

LOGIN_LIMIT_PER_MINUTE = 10  # screening/web/auth/routes.py


def _login_statuses(app: Flask, attempts: int, forwarded_for: Callable[[int], str]) -> list[int]:
    client = app.test_client()
    return [
        client.post("/login", data={"email": "nobody@example.com", "password": "wrong"},
                    headers={"X-Forwarded-For": forwarded_for(attempt)}).status_code
        for attempt in range(attempts)
    ]


@pytest.fixture
def limited_config(app_config: dict[str, object]) -> dict[str, object]:
    app_config["RATELIMIT_ENABLED"] = True
    return app_config


def test_without_a_proxy_a_forged_forwarded_for_does_not_escape_the_login_limit(
    limited_config: dict[str, object], make_app: Callable[..., Flask]
) -> None:
    app = make_app(limited_config)
    statuses = _login_statuses(app, LOGIN_LIMIT_PER_MINUTE + 1, lambda n: f"203.0.113.{n}")
    assert statuses[:LOGIN_LIMIT_PER_MINUTE] == [200] * LOGIN_LIMIT_PER_MINUTE
    assert statuses[-1] == 429


def test_behind_one_proxy_each_client_address_has_its_own_limit(
    limited_config: dict[str, object], make_app: Callable[..., Flask]
) -> None:
    app = make_app({**limited_config, "PROXY_HOPS": 1})
    # Many applicants behind one proxy: none of them is stopped by the others' attempts.
    spread = _login_statuses(app, LOGIN_LIMIT_PER_MINUTE + 5, lambda n: f"203.0.113.{n}")
    assert spread == [200] * (LOGIN_LIMIT_PER_MINUTE + 5)
    # One client hammering through the proxy is still stopped.
    same = _login_statuses(app, LOGIN_LIMIT_PER_MINUTE + 1, lambda n: "198.51.100.7")
    assert same[-1] == 429


def test_a_negative_proxy_count_is_refused_with_the_setting_named(
    app_config: dict[str, object], make_app: Callable[..., Flask]
) -> None:
    with pytest.raises(ConfigError, match="SCREENING_PROXY_HOPS"):
        make_app({**app_config, "PROXY_HOPS": -1})
