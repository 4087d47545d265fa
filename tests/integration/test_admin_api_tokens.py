"""Admins see every API token with its owner as they are now, its expiry and last use,
and revoke one; the token is never shown after it was made."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from markupsafe import escape
from sqlalchemy import select

from screening.extensions import db
from screening.models import ApiToken, AuditEvent, Role, User, utcnow
from screening.services import api_tokens
from tests.factories import create_position, create_user, sign_in, visible_text

PAGE = "/admin/api-tokens"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def row_text(page: str, token_name: str) -> str:
    """The visible text of the table row naming ``token_name``."""
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        if f"<td>{escape(token_name)}</td>" in row:
            return visible_text(row)
    raise AssertionError(f"no row for {token_name}")


@pytest.fixture
def tokens(app: Flask) -> dict[str, object]:
    """An admin to look, and an HR-owned token made as an admin makes one: with the CLI."""
    with app.app_context():
        admin = create_user(Role.ADMIN, name="Ada Admin", email="ada@example.com")
        create_user(Role.HR, name="Hal Human", email="hal@example.com")
        create_position(title="Front desk")
        return {"admin": admin.email}


def made_with_cli(runner: FlaskCliRunner, name: str, owner: str, days: int = 30) -> str:
    made = runner.invoke(args=["api-tokens", "create", "--name", name, "--by", owner,
                               "--days", str(days)])
    assert made.exit_code == 0, made.output
    return made.output.strip().splitlines()[-1]


def test_the_page_shows_owner_expiry_and_last_use_and_never_the_token(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tokens: dict[str, object]
) -> None:
    token = made_with_cli(runner, "Workday sync", "hal@example.com")
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        expires, created = row.expires_at, row.created_at
    sign_in(client, str(tokens["admin"]))
    page = client.get(PAGE)
    assert page.status_code == 200
    assert token not in page.text and token[:12] not in page.text
    before = row_text(page.text, "Workday sync")
    assert before == (f"Workday sync Hal Human hal@example.com HR, active "
                      f"{created:%d %b %Y, %H:%M} UTC {expires:%d %b %Y, %H:%M} UTC Never "
                      f"Active Revoke Workday sync")

    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200
    with app.app_context():
        used = db.session.scalar(select(ApiToken.last_used_at))
    assert used is not None
    after = row_text(client.get(PAGE).text, "Workday sync")
    assert f"{expires:%d %b %Y, %H:%M} UTC {used:%d %b %Y, %H:%M} UTC Active" in after
    assert "Never" not in after


def test_an_expired_token_and_a_disabled_owner_are_shown(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tokens: dict[str, object]
) -> None:
    made_with_cli(runner, "Old trial", "hal@example.com", days=1)
    made_with_cli(runner, "Payroll", "ada@example.com")
    with app.app_context():
        trial = db.session.scalar(select(ApiToken).where(ApiToken.name == "Old trial"))
        trial.expires_at = utcnow() - timedelta(hours=1)
        db.session.scalar(select(User).where(User.email == "hal@example.com")).active = False
        db.session.commit()
    sign_in(client, str(tokens["admin"]))
    page = client.get(PAGE).text
    trial_row = row_text(page, "Old trial")
    assert "HR, disabled" in trial_row
    assert "UTC Expired Never Reads nothing: expired" in trial_row
    assert "Administrator, active" in row_text(page, "Payroll")
    assert "Reads nothing" not in row_text(page, "Payroll")


def test_revoke_stops_the_token_at_once_and_is_audited(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tokens: dict[str, object]
) -> None:
    token = made_with_cli(runner, "Workday sync", "hal@example.com")
    other = made_with_cli(runner, "Payroll", "hal@example.com")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.name == "Workday sync"))
    sign_in(client, str(tokens["admin"]))
    reply = client.post(f"{PAGE}/{token_id}/revoke")
    assert (reply.status_code, reply.location) == (302, PAGE)
    page = client.get(PAGE).text
    assert "The token Workday sync is revoked: it reads nothing from now on." in page
    assert re.search(r"Revoked \d\d \w+ \d{4}, \d\d:\d\d UTC —$", row_text(page, "Workday sync"))
    assert f"{PAGE}/{token_id}/revoke" not in page

    refused = client.get("/api/v1/positions", headers=bearer(token))
    assert refused.status_code == 401 and refused.mimetype == "application/json"
    assert client.get("/api/v1/positions", headers=bearer(other)).status_code == 200
    with app.app_context():
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "api_token.revoked")).all()
        assert (event.actor.email, event.target_id) == ("ada@example.com", token_id)
    # Revoking again changes nothing and records nothing more.
    assert client.post(f"{PAGE}/{token_id}/revoke").status_code == 302
    assert "was already revoked" in client.get(PAGE).text
    with app.app_context():
        assert db.session.scalar(select(db.func.count(AuditEvent.id)).where(
            AuditEvent.action == "api_token.revoked")) == 1


def test_the_cli_list_and_the_page_agree_on_each_tokens_state(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, tokens: dict[str, object]
) -> None:
    made_with_cli(runner, "Demoted owner's", "hal@example.com")
    with app.app_context():
        db.session.scalar(select(User).where(User.email == "hal@example.com")).role = \
            Role.MANAGER
        db.session.commit()
    listed = runner.invoke(args=["api-tokens", "list"]).output
    assert listed.rstrip().endswith("owner no longer admin or HR")
    sign_in(client, str(tokens["admin"]))
    assert "Hiring manager, active" in row_text(client.get(PAGE).text, "Demoted owner's")
    assert "Reads nothing: owner no longer admin or HR" in row_text(
        client.get(PAGE).text, "Demoted owner's")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR])
def test_only_admins_see_or_revoke_tokens(app: Flask, client: FlaskClient, role: Role) -> None:
    with app.app_context():
        hr = create_user(Role.HR)
        row, _ = api_tokens.create_token(db.session, name="ATS", created_by=hr)
        db.session.commit()
        token_id = row.id
        email = create_user(role).email
    sign_in(client, email)
    assert client.get(PAGE).status_code == 403
    assert client.post(f"{PAGE}/{token_id}/revoke").status_code == 403
    with app.app_context():
        assert db.session.get_one(ApiToken, token_id).revoked_at is None
    assert "API tokens" not in client.get("/manage/").text


def test_an_unknown_token_is_not_found(app: Flask, client: FlaskClient,
                                       runner: FlaskCliRunner, tokens: dict[str, object]) -> None:
    token = made_with_cli(runner, "ATS", "hal@example.com")
    with app.app_context():
        token_id = db.session.scalar(select(ApiToken.id))
    sign_in(client, str(tokens["admin"]))
    assert client.post(f"{PAGE}/{token_id + 1000}/revoke").status_code == 404
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 200
    assert client.post(f"{PAGE}/{token_id}/revoke").status_code == 302
    assert client.get("/api/v1/positions", headers=bearer(token)).status_code == 401


def test_the_pages_are_reached_from_the_admin_navigation(
    client: FlaskClient, tokens: dict[str, object]
) -> None:
    sign_in(client, str(tokens["admin"]))
    home = client.get("/manage/").text
    assert re.search(r'<nav aria-label="Main"[^>]*>.*href="/admin/users">Admin</a>', home,
                     flags=re.S)
    section = client.get("/admin/users").text
    assert 'href="/admin/email-problems">Email problems (0)</a>' in section
    assert 'href="/admin/api-tokens">API tokens</a>' in section
