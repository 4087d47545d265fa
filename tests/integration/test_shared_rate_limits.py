"""Rate limits held in Redis apply across several app servers (separate processes)."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/15"
PROJECT_ROOT = Path(__file__).resolve().parents[2]

# The second server: its own process, so nothing but Redis can carry the count over.
SECOND_SERVER = """
import json, sys
from screening.app import create_app
config = json.loads(sys.argv[1])
client = create_app(config).test_client()
attempt = {"email": "nobody@example.com", "password": "wrong password here"}
address = {"REMOTE_ADDR": sys.argv[3]}
statuses = [client.post("/login", data=attempt, environ_base=address).status_code
            for _ in range(int(sys.argv[2]))]
print(json.dumps(statuses))
"""


@pytest.fixture
def redis_storage() -> str:
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError as error:  # pragma: no cover - CI always runs Redis
        pytest.fail(f"Redis is not running at {REDIS_URL}: {error}")
    # No flushdb: each test's keys carry their own prefix and expire with the limit's
    # window, and flushing would wipe the counts of a run going on beside this one.
    yield REDIS_URL


def _second_server(config: dict, attempts: int, address: str) -> list[int]:
    completed = subprocess.run(
        [sys.executable, "-c", SECOND_SERVER, json.dumps(config), str(attempts), address],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(("storage", "shared"), [("redis", True), ("memory://", False)])
def test_login_limit_across_two_servers(
    app_config: dict, make_app, redis_storage: str, storage: str, shared: bool
) -> None:
    config = {
        **app_config,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": redis_storage if storage == "redis" else storage,
    }
    # A client address of this test's own keeps its count apart from any other run's
    # (a key prefix would not: Flask-Limiter keeps the first app's prefix for good).
    address = str(ipaddress.IPv4Address(0x0A000000 + uuid.uuid4().int % 0xFFFFFF))
    first = make_app(config).test_client()
    attempt = {"email": "nobody@example.com", "password": "wrong password here"}
    assert [first.post("/login", data=attempt, environ_base={"REMOTE_ADDR": address})
            .status_code for _ in range(6)] == [200] * 6
    # Ten tries a minute per address: the second server allows only the rest when shared.
    expected = [200, 200, 200, 200, 429] if shared else [200] * 5
    assert _second_server(config, 5, address) == expected
