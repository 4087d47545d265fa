"""Staff sign in with the organisation's identity provider (OpenID Connect).

A real provider runs on loopback (tests/oidc_provider.py): the app fetches its discovery
document and keys over HTTP, the browser's hops to the provider are made with
``requests``, and the ID tokens are signed RS256 with a key the test generated. So each
test goes through the whole flow a hiring team's browser goes through.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from joserfc.jwk import RSAKey
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from screening.extensions import db
from screening.models import AuditEvent, Role, User, utcnow
from tests.factories import PASSWORD, create_position, create_user, sign_in, visible_text
from tests.oidc_provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    KEY_ID,
    TestIdentityProvider,
    running_provider,
)

ROLE_MAP = "screening-admins=admin,screening-hr=hr,store-managers=manager"


@pytest.fixture(scope="module")
def provider_server() -> Iterator[TestIdentityProvider]:
    with running_provider() as provider:
        yield provider


@pytest.fixture
def provider(provider_server: TestIdentityProvider) -> TestIdentityProvider:
    provider_server.reset()
    return provider_server


def sso_settings(provider: TestIdentityProvider, **extra: object) -> dict[str, object]:
    return {
        "OIDC_DISCOVERY_URL": provider.discovery_url,
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_ALLOWED_DOMAINS": "example.com, shops.example.com",
        "OIDC_ROLE_CLAIM": "groups",
        "OIDC_ROLE_MAP": ROLE_MAP,
        "OIDC_PROVIDER_NAME": "Example Corp",
        **extra,
    }


@pytest.fixture
def app_config(app_config: dict[str, object],
               provider_server: TestIdentityProvider) -> dict[str, object]:
    return {**app_config, **sso_settings(provider_server)}


def person(subject: str, email: str, *groups: str, **claims: Any) -> dict[str, Any]:
    return {"sub": subject, "email": email, "email_verified": True, "name": subject.title(),
            "groups": list(groups), **claims}


def go_to_provider(client: FlaskClient, provider: TestIdentityProvider,
                   claims: dict[str, Any]) -> str:
    """Start single sign-on and let the provider approve: the callback URL it sends back."""
    provider.next_claims = claims
    start = client.get("/login/sso")
    assert start.status_code == 302, start.text
    assert start.location.startswith(f"{provider.issuer}/authorize?")
    approved = requests.get(start.location, allow_redirects=False, timeout=10)
    assert approved.status_code == 302, approved.text
    return approved.headers["Location"]


def come_back(client: FlaskClient, callback_url: str) -> TestResponse:
    url = urlsplit(callback_url)
    assert url.path == "/login/sso/callback"
    return client.get(f"{url.path}?{url.query}")


def sso_sign_in(client: FlaskClient, provider: TestIdentityProvider,
                claims: dict[str, Any]) -> TestResponse:
    return come_back(client, go_to_provider(client, provider, claims))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def signed_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def test_a_manager_signs_in_with_the_mapped_role_and_reaches_their_position(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    with app.app_context():
        manager = create_user(Role.MANAGER, email="mo@example.com", name="Mo Manager")
        position = create_position(managers=[manager], title="Front desk Leeds")
        position_id, manager_id = position.id, manager.id

    reply = sso_sign_in(client, provider, person("mo-123", "Mo@Example.com", "store-managers"))

    assert reply.status_code == 302 and reply.location == "/manage/"
    page = client.get(f"/manage/positions/{position_id}")
    assert page.status_code == 200 and "Front desk Leeds" in page.text
    assert client.get("/admin/users").status_code == 403  # a manager, not an admin
    with app.app_context():
        linked = db.session.get(User, manager_id)
        assert linked is not None and linked.role is Role.MANAGER and linked.role_from_idp
        assert (linked.oidc_issuer, linked.oidc_subject) == (provider.issuer, "mo-123")
        assert linked.last_login_at is not None
        [signed] = events("user.signed_in")
        assert (signed.actor_id, signed.target_id, signed.detail) == (
            manager_id, manager_id, {"method": "sso"})
        assert len(events("user.sso_linked")) == 1
    # PKCE and the nonce were sent: the provider checked the code verifier itself.
    [authorize] = provider.authorize_requests
    assert authorize["code_challenge_method"] == "S256" and authorize["nonce"]
    assert authorize["scope"].split() == ["openid", "email", "profile"]


def test_a_new_person_gets_the_role_their_group_maps_to(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    reply = sso_sign_in(client, provider,
                        person("hr-9", "hana@shops.example.com", "store-managers",
                               "screening-hr", "other-group"))
    assert reply.status_code == 302
    assert client.get("/hr/").status_code == 200  # the widest of the mapped roles
    with app.app_context():
        created = user_by_email("hana@shops.example.com")
        assert created is not None and created.role is Role.HR and created.name == "Hr-9"
        [event] = events("user.sso_created")
        assert event.detail == {"role": "hr"}


def test_the_role_follows_the_provider_at_each_sign_in(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    assert sso_sign_in(client, provider, person("s-1", "sam@example.com",
                                                "store-managers")).status_code == 302
    other_browser = app.test_client()
    assert sso_sign_in(other_browser, provider, person("s-1", "sam@example.com",
                                                       "screening-hr")).status_code == 302
    assert not signed_in(client)  # the session opened as a manager ended with the change
    assert other_browser.get("/hr/").status_code == 200

    left_groups = sso_sign_in(app.test_client(), provider, person("s-1", "sam@example.com"))
    assert left_groups.status_code == 200
    assert "waiting for an administrator" in visible_text(left_groups.text)
    assert not signed_in(other_browser)
    with app.app_context():
        assert [e.detail for e in events("user.role_from_idp")] == [
            {"previous": "manager", "role": "hr"}, {"previous": "hr", "role": None}]


def test_an_email_outside_the_allowed_domains_is_refused_and_no_account_made(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    for email in ("eve@gmail.com", "eve@example.com.evil.test", "eve@evil-example.com"):
        reply = sso_sign_in(client, provider, person("eve", email, "screening-admins"))
        assert reply.status_code == 403
        assert "outside the domains this service accepts" in visible_text(reply.text)
        assert not signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 0
        refusals = events("sso.refused")
        assert [e.detail for e in refusals] == [
            {"reason": "domain_not_allowed", "domain": domain}
            for domain in ("gmail.com", "example.com.evil.test", "evil-example.com")]
        assert all(e.actor_id is None and e.target_id is None for e in refusals)


def test_an_unverified_email_is_refused(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    reply = sso_sign_in(client, provider, person("u-1", "una@example.com", "store-managers",
                                                 email_verified=False))
    assert reply.status_code == 403 and "has not verified" in visible_text(reply.text)
    with app.app_context():
        assert user_by_email("una@example.com") is None


def test_an_unmapped_person_waits_until_an_admin_assigns_a_role(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    waiting = sso_sign_in(client, provider, person("w-7", "wes@example.com", "cashiers"))
    assert waiting.status_code == 200
    assert "An administrator must assign you a role" in visible_text(waiting.text)
    assert not signed_in(client)
    with app.app_context():
        wes = user_by_email("wes@example.com")
        assert wes is not None and wes.role is None
        wes_id = wes.id
        create_user(Role.ADMIN, email="ada@example.com", name="Ada Admin")

    admin = app.test_client()
    sign_in(admin, "ada@example.com")
    listing = visible_text(admin.get("/admin/users").text)
    assert "Waiting for a role (1)" in listing and "W-7 (wes@example.com)" in listing
    assigned = admin.post(f"/admin/users/{wes_id}", data={"role": "manager", "active": "y"})
    assert assigned.status_code == 302

    again = sso_sign_in(client, provider, person("w-7", "wes@example.com", "cashiers"))
    assert again.status_code == 302 and signed_in(client)
    with app.app_context():
        wes = db.session.get(User, wes_id)
        assert wes is not None and wes.role is Role.MANAGER and not wes.role_from_idp
        [change] = events("user.changed")
        assert change.detail == {"role": "manager", "active": True}
        assert [e.detail["reason"] for e in events("sso.refused")] == ["awaiting_role"]


def test_an_admin_saving_without_a_role_is_told_and_nothing_changes(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    sso_sign_in(client, provider, person("w-8", "wyn@example.com"))
    with app.app_context():
        wyn_id = user_by_email("wyn@example.com").id  # type: ignore[union-attr]
        create_user(Role.ADMIN, email="ada@example.com")
    admin = app.test_client()
    sign_in(admin, "ada@example.com")
    admin.post(f"/admin/users/{wyn_id}", data={"role": "", "active": "y"})
    assert "please choose a role" in visible_text(admin.get("/admin/users").text)
    with app.app_context():
        assert db.session.get(User, wyn_id).role is None  # type: ignore[union-attr]


@pytest.mark.parametrize("state", ["disabled", "locked"])
def test_a_disabled_or_locked_account_cannot_sign_in_by_sso(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider, state: str
) -> None:
    with app.app_context():
        if state == "disabled":
            create_user(Role.MANAGER, email="dee@example.com", active=False)
        else:
            from datetime import timedelta
            create_user(Role.MANAGER, email="dee@example.com",
                        locked_until=utcnow() + timedelta(minutes=10))
    reply = sso_sign_in(client, provider, person("d-1", "dee@example.com", "store-managers"))
    assert reply.status_code == 403
    assert ("is disabled" if state == "disabled" else "is locked") in visible_text(reply.text)
    assert not signed_in(client)
    with app.app_context():
        [refused] = events("sso.refused")
        assert refused.detail == {"reason": f"account_{state}"}
        assert events("user.signed_in") == []


def test_an_account_linked_to_one_identity_is_never_found_by_email_for_another(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    assert sso_sign_in(client, provider, person("first", "pat@example.com",
                                                "store-managers")).status_code == 302
    intruder = app.test_client()
    reply = sso_sign_in(intruder, provider, person("second", "PAT@example.com",
                                                   "screening-admins"))
    assert reply.status_code == 403 and not signed_in(intruder)
    # The linked identity keeps signing in by its subject, whatever its email becomes.
    renamed = sso_sign_in(app.test_client(), provider,
                          person("first", "pat.new@example.com", "store-managers"))
    assert renamed.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))) == 1
        pat = user_by_email("pat@example.com")
        assert pat is not None and pat.role is Role.MANAGER and pat.oidc_subject == "first"


def test_a_forged_or_replayed_state_is_refused(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    callback = go_to_provider(client, provider, person("f-1", "fay@example.com",
                                                       "store-managers"))
    url = urlsplit(callback)
    query = parse_qs(url.query)
    forged = client.get(f"{url.path}?code={query['code'][0]}&state=forged-state")
    assert forged.status_code == 400 and "MismatchingStateError" in caplog.text
    assert "did not complete" in visible_text(forged.text)
    # Another browser cannot use the callback URL: the state lives in this one's session.
    assert come_back(app.test_client(), callback).status_code == 400
    assert come_back(client, callback).status_code == 302
    client.post("/logout")
    assert come_back(client, callback).status_code == 400  # a state is good once
    with app.app_context():
        assert len(events("user.signed_in")) == 1


def test_a_wrong_nonce_is_refused(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider.nonce_override = "a-nonce-from-another-sign-in"
    reply = sso_sign_in(client, provider, person("n-1", "ned@example.com", "store-managers"))
    assert reply.status_code == 400 and not signed_in(client)
    assert "InvalidClaimError" in caplog.text and "nonce" in caplog.text
    with app.app_context():
        assert user_by_email("ned@example.com") is None


@pytest.mark.parametrize("key_id", [KEY_ID, "a-key-the-provider-never-published"])
def test_an_id_token_signed_by_another_key_is_refused(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider, key_id: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    provider.signing_key = RSAKey.generate_key(2048, parameters={"kid": key_id})
    reply = sso_sign_in(client, provider, person("k-1", "kim@example.com", "screening-admins"))
    assert reply.status_code == 400 and not signed_in(client)
    assert ("BadSignatureError" if key_id == KEY_ID else "InvalidKeyIdError") in caplog.text
    with app.app_context():
        assert user_by_email("kim@example.com") is None


def test_groups_served_only_by_userinfo_still_map_a_role(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    claims = person("u-5", "uma@example.com")
    del claims["groups"]
    provider.userinfo_only = {"groups": ["screening-admins"]}
    assert sso_sign_in(client, provider, claims).status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_sign_out_ends_the_session_and_signs_out_at_the_provider(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    sso_sign_in(client, provider, person("o-1", "ola@example.com", "store-managers"))
    cookie_before = client.get_cookie("session")
    assert cookie_before is not None

    out = client.post("/logout")

    assert out.status_code == 302
    end = urlsplit(out.location)
    assert f"{end.scheme}://{end.netloc}{end.path}" == f"{provider.issuer}/end_session"
    params = parse_qs(end.query)
    assert params["id_token_hint"] == [provider.issued_id_tokens[-1]]
    assert params["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert params["client_id"] == [CLIENT_ID]
    back = requests.get(out.location, allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://localhost/login"
    assert not signed_in(client)
    # A copy of the cookie from before signing out opens nothing either.
    copied = app.test_client()
    copied.set_cookie("session", cookie_before.value, domain="localhost")
    assert not signed_in(copied)
    with app.app_context():
        [event] = events("user.signed_out")
        assert event.detail == {"method": "sso"}


def test_without_an_end_session_endpoint_sign_out_returns_to_the_sign_in_page(
    client: FlaskClient, provider: TestIdentityProvider
) -> None:
    provider.advertise_end_session = False
    sso_sign_in(client, provider, person("o-2", "oli@example.com", "store-managers"))
    out = client.post("/logout")
    assert out.status_code == 302 and out.location == "/login"
    assert not signed_in(client)


def test_the_sign_in_page_offers_the_provider_and_keeps_where_you_were_going(
    client: FlaskClient, provider: TestIdentityProvider
) -> None:
    page = client.get("/login?next=/hr/")
    assert "Sign in with Example Corp" in visible_text(page.text)
    assert 'name="password"' in page.text  # passwords are on by default
    provider.next_claims = person("h-2", "hal@example.com", "screening-hr")
    start = client.get("/login/sso?next=/hr/")
    approved = requests.get(start.location, allow_redirects=False, timeout=10)
    reply = come_back(client, approved.headers["Location"])
    assert reply.location == "/hr/"


class TestLocalPasswordsOff:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "LOCAL_PASSWORDS": 0}

    def test_the_password_form_is_not_offered_and_a_post_is_refused(
        self, app: Flask, client: FlaskClient, provider: TestIdentityProvider
    ) -> None:
        with app.app_context():
            create_user(Role.ADMIN, email="ada@example.com")
        page = client.get("/login")
        assert "Sign in with Example Corp" in visible_text(page.text)
        assert 'name="password"' not in page.text
        refused = client.post("/login", data={"email": "ada@example.com",
                                              "password": PASSWORD})
        assert refused.status_code == 403
        assert "Password sign-in is turned off" in visible_text(refused.text)
        assert not signed_in(client)
        with app.app_context():
            ada = user_by_email("ada@example.com")
            assert ada is not None and ada.last_login_at is None

    def test_password_links_and_changes_are_off_and_the_admin_signs_in_by_sso(
        self, app: Flask, client: FlaskClient, provider: TestIdentityProvider
    ) -> None:
        from screening.web.auth.routes import set_password_link

        with app.app_context():
            ada = create_user(Role.ADMIN, email="ada@example.com")  # as `users create` makes
            with app.test_request_context():
                link = set_password_link(ada)
            ada_id = ada.id
        assert sso_sign_in(client, provider,
                           person("ada-1", "ada@example.com")).status_code == 302
        users_page = client.get("/admin/users")
        assert users_page.status_code == 200 and "New password link" not in users_page.text
        assert client.post(f"/admin/users/{ada_id}/reset").status_code == 404
        invited = client.post("/admin/users", data={"name": "Ivy", "email": "ivy@example.com",
                                                    "role": "manager"})
        assert "signs in with Example Corp as ivy@example.com" in visible_text(invited.text)
        assert "/account/set-password/" not in invited.text
        stranger = app.test_client()
        path = urlsplit(link).path
        assert stranger.get(path).status_code == 410
        assert stranger.post(path, data={"password": "a brand new passphrase",
                                         "confirm": "a brand new passphrase"}).status_code == 410


class TestRateLimits:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "RATELIMIT_ENABLED": True}

    @pytest.mark.parametrize("path", ["/login/sso", "/login/sso/callback?code=x&state=y"])
    def test_sso_start_and_callback_are_limited_like_the_login(
        self, client: FlaskClient, provider: TestIdentityProvider, path: str
    ) -> None:
        address = {"REMOTE_ADDR": f"10.20.{len(path)}.1"}
        statuses = [client.get(path, environ_base=address).status_code for _ in range(11)]
        assert statuses[:10] == [statuses[0]] * 10 and statuses[0] in (302, 400)
        assert statuses[10] == 429


def test_password_sign_ins_and_sign_outs_are_audited_like_single_sign_on(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        ada_id = create_user(Role.ADMIN, email="ada@example.com").id
    sign_in(client, "ada@example.com")
    client.post("/logout")
    with app.app_context():
        assert [(e.action, e.actor_id, e.target_id, e.detail) for e in
                db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))] == [
            ("user.signed_in", ada_id, ada_id, {"method": "password"}),
            ("user.signed_out", ada_id, ada_id, {"method": "password"}),
        ]


def test_an_account_awaiting_a_role_cannot_sign_in_with_a_password_either(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider
) -> None:
    sso_sign_in(client, provider, person("p-1", "pia@example.com"))
    with app.app_context():
        from screening.services import accounts

        pia = user_by_email("pia@example.com")
        assert pia is not None and pia.role is None
        accounts.set_password(pia, PASSWORD)  # as a set-password link would
        db.session.commit()
    refused = client.post("/login", data={"email": "pia@example.com", "password": PASSWORD})
    assert refused.status_code == 200 and "did not sign you in" in visible_text(refused.text)
    assert not signed_in(client)


def test_a_first_sign_in_in_two_browsers_at_once_makes_one_account(
    app: Flask, client: FlaskClient, provider: TestIdentityProvider,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The twin's account is committed just after this sign-in looked for it (as happens
    on PostgreSQL when both run at once): the unique keys refuse a second account, and
    this sign-in finds the twin's instead of failing."""
    newcomer = person("twin-1", "tam@example.com", "store-managers")
    assert sso_sign_in(app.test_client(), provider, newcomer).status_code == 302

    from screening.services import accounts
    from screening.services import sso as sso_service

    misses = {"linked": 1, "email": 2}  # the first attempt's lookups, before the commit
    real_linked, real_email = sso_service.find_linked_user, accounts.find_user_by_email

    def linked_too_early(*args: Any) -> User | None:
        if misses["linked"]:
            misses["linked"] -= 1
            return None
        return real_linked(*args)

    def email_too_early(*args: Any) -> User | None:
        if misses["email"]:
            misses["email"] -= 1
            return None
        return real_email(*args)

    monkeypatch.setattr(sso_service, "find_linked_user", linked_too_early)
    monkeypatch.setattr(accounts, "find_user_by_email", email_too_early)
    reply = sso_sign_in(client, provider, newcomer)

    assert reply.status_code == 302
    assert misses == {"linked": 0, "email": 0}
    assert signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id))
                                 .where(User.email == "tam@example.com")) == 1
        assert len(events("user.sso_created")) == 1
