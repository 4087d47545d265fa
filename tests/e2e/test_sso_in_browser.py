"""A hiring manager signs in with the company's identity provider, in a real browser.

The provider (tests/oidc_provider.py) and the app both run on loopback; Chromium follows
every redirect itself: to the provider, back to the callback, and at sign-out to the
provider's end_session and back to the sign-in page.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.e2e.applicant_steps import assert_accessible
from tests.factories import create_position, create_user
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, TestIdentityProvider, running_provider
from tests.smtp_server import free_port

pytestmark = [pytest.mark.browser, pytest.mark.commits]


@pytest.fixture(scope="module")
def provider() -> Iterator[TestIdentityProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture(scope="module")
def app_port() -> int:
    return free_port()


@pytest.fixture
def app_config(app_config: dict[str, object], provider: TestIdentityProvider,
               app_port: int) -> dict[str, object]:
    # The provider sends the browser back to BASE_URL's callback: the address served here.
    return {**app_config, "BASE_URL": f"http://127.0.0.1:{app_port}",
            "OIDC_DISCOVERY_URL": provider.discovery_url, "OIDC_CLIENT_ID": CLIENT_ID,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET, "OIDC_ALLOWED_DOMAINS": "example.com",
            "OIDC_ROLE_CLAIM": "groups",
            "OIDC_ROLE_MAP": "store-managers=manager,screening-admins=admin",
            "OIDC_PROVIDER_NAME": "Example Corp", "LOCAL_PASSWORDS": 0}


@pytest.fixture
def served(app: Flask, app_port: int) -> Iterator[str]:
    server = make_server("127.0.0.1", app_port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="sso-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{app_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


def test_a_manager_signs_in_with_the_provider_and_signs_out_there_too(
    app: Flask, served: str, page: Page, provider: TestIdentityProvider
) -> None:
    with app.app_context():
        manager = create_user(name="Morgan Manager", email="morgan@example.com")
        create_position(managers=[manager], title="Front desk, city branch")
    provider.next_claims = {"sub": "morgan-1", "email": "morgan@example.com",
                            "email_verified": True, "groups": ["store-managers"]}

    page.goto(f"{served}/login")
    expect(page.get_by_label("Password")).to_have_count(0)  # passwords are off
    assert_accessible(page)
    page.get_by_role("link", name="Sign in with Example Corp").click()

    expect(page.get_by_role("heading", name="Positions")).to_be_visible()
    expect(page.get_by_role("link", name="Front desk, city branch")).to_be_visible()
    expect(page.get_by_role("link", name="Morgan Manager (manager)")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{served}/login*")
    [ended] = provider.end_session_requests  # the provider's session ended too
    assert ended["id_token_hint"] == provider.issued_id_tokens[-1]
    page.goto(f"{served}/manage/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def sign_in_at_provider(page: Page, served: str, provider: TestIdentityProvider,
                        subject: str, email: str, *groups: str) -> None:
    provider.next_claims = {"sub": subject, "email": email, "email_verified": True,
                            "name": subject.replace("-", " ").title(), "groups": list(groups)}
    page.goto(f"{served}/login")
    page.get_by_role("link", name="Sign in with Example Corp").click()


def test_a_newcomer_waits_politely_until_an_admin_assigns_a_role(
    app: Flask, served: str, new_context, provider: TestIdentityProvider
) -> None:
    newcomer = new_context().new_page()
    sign_in_at_provider(newcomer, served, provider, "nia-newcomer", "nia@example.com",
                        "cashiers")
    expect(newcomer.get_by_role("heading", name="Your account is waiting for an "
                                "administrator")).to_be_visible()
    assert_accessible(newcomer)

    admin = new_context().new_page()
    sign_in_at_provider(admin, served, provider, "ada-admin", "ada@example.com",
                        "screening-admins")
    admin.goto(f"{served}/admin/users")
    expect(admin.get_by_role("heading", name="Waiting for a role (1)")).to_be_visible()
    assert_accessible(admin)
    admin.get_by_label("Role of Nia Newcomer").select_option(label="Hiring manager")
    admin.get_by_role("row", name="Nia Newcomer").get_by_role("button", name="Save").click()
    expect(admin.get_by_text("Saved Nia Newcomer: manager, active.")).to_be_visible()

    sign_in_at_provider(newcomer, served, provider, "nia-newcomer", "nia@example.com",
                        "cashiers")
    expect(newcomer.get_by_role("heading", name="Positions")).to_be_visible()
