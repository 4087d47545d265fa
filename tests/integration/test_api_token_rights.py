"""An API token reads with its owner's rights as they are at each request, and expires."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from screening.extensions import db
from screening.models import ApiToken, Role, User, utcnow
from screening.services import api_tokens
from tests.factories import create_position, create_user


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def owned_token(app: Flask) -> tuple[int, int, str]:
    """(owner id, token id, token) for an HR account's token, with a position to read."""
    with app.app_context():
        owner = create_user(Role.HR)
        create_position(title="Front desk")
        row, token = api_tokens.create_token(db.session, name="ATS", created_by=owner)
        db.session.commit()
        return owner.id, row.id, token


def change_owner(app: Flask, owner_id: int, **fields: object) -> None:
    with app.app_context():
        owner = db.session.get_one(User, owner_id)
        for name, value in fields.items():
            setattr(owner, name, value)
        db.session.commit()


def refusal(client: FlaskClient, token: str) -> tuple[int, str]:
    response = client.get("/api/v1/positions", headers=bearer(token))
    assert response.mimetype == "application/json"
    return response.status_code, response.get_json()["error"]["message"]


def test_a_disabled_owners_token_is_refused_at_once(app: Flask, client: FlaskClient,
                                                    owned_token: tuple[int, int, str]) -> None:
    owner_id, _, token = owned_token
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200
    change_owner(app, owner_id, active=False)
    assert refusal(client, token) == (401, "The account that owns this API token is disabled.")
    change_owner(app, owner_id, active=True)
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200


def test_a_demoted_owners_token_reads_nothing(app: Flask, client: FlaskClient,
                                              owned_token: tuple[int, int, str]) -> None:
    """Tokens are for admin and HR accounts (a manager cannot own one), so a token whose
    owner became a manager reads nothing at all, not even the manager's own positions."""
    owner_id, _, token = owned_token
    change_owner(app, owner_id, role=Role.MANAGER)
    with app.app_context():
        create_position(title="Managed by the owner",
                        managers=[db.session.get_one(User, owner_id)])
    status, message = refusal(client, token)
    assert status == 403
    assert "no longer admin or HR" in message
    for path in ("/api/v1/submissions", "/api/v1/positions/1"):
        assert client.get(path, headers=bearer(token)).status_code == 403
    change_owner(app, owner_id, role=Role.ADMIN)
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200


def test_a_token_expires(app: Flask, client: FlaskClient, runner: FlaskCliRunner) -> None:
    with app.app_context():
        create_user(Role.ADMIN, email="admin@example.com")
    made = runner.invoke(args=["api-tokens", "create", "--name", "Short trial", "--days", "2"])
    assert made.exit_code == 0, made.output
    token = made.output.strip().splitlines()[-1]
    with app.app_context():
        row = db.session.scalar(db.select(ApiToken))
        left = row.expires_at - utcnow()
        assert timedelta(days=2) - timedelta(minutes=1) < left <= timedelta(days=2)
        row.expires_at = utcnow() - timedelta(seconds=1)  # two days later
        db.session.commit()
    assert refusal(client, token) == (
        401, "This API token has expired; ask an admin for a new one.")
    listing = runner.invoke(args=["api-tokens", "list"]).output
    assert listing.rstrip().endswith("expired")


@pytest.mark.parametrize("days", ["0", "1096", "a year"])
def test_an_expiry_out_of_range_is_refused_clearly(app: Flask, runner: FlaskCliRunner,
                                                  days: str) -> None:
    with app.app_context():
        create_user(Role.ADMIN, email="admin@example.com")
    made = runner.invoke(args=["api-tokens", "create", "--name", "x", "--days", days])
    assert made.exit_code == 2
    assert "--days" in made.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(ApiToken.id))) == 0


def test_admins_see_each_tokens_owner_expiry_and_last_use(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner,
    owned_token: tuple[int, int, str],
) -> None:
    owner_id, token_id, token = owned_token
    with app.app_context():
        owner_email = db.session.get_one(User, owner_id).email
        expires_at = db.session.get_one(ApiToken, token_id).expires_at
    before = runner.invoke(args=["api-tokens", "list"]).output
    assert f"owner {owner_email}" in before
    assert f"expires {expires_at:%d %b %Y, %H:%M} UTC" in before
    assert "never used" in before

    started = utcnow().replace(microsecond=0)
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200
    with app.app_context():
        used_at = db.session.get_one(ApiToken, token_id).last_used_at
    assert used_at is not None and started <= used_at <= utcnow()
    after = runner.invoke(args=["api-tokens", "list"]).output
    assert f"last used {used_at:%d %b %Y, %H:%M} UTC" in after

    # Within the minute a second request does not write again.
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200
    with app.app_context():
        assert db.session.get_one(ApiToken, token_id).last_used_at == used_at
