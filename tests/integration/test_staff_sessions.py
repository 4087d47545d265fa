"""Sessions that end: a cookie from before a sign-out, a new password, disabling or a role
change opens nothing; signing in (and an applicant's consent) starts a new session."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import Invitation, Role, User
from screening.web.auth.routes import set_password_link
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_user,
    hidden,
    sign_in,
)

NEW_PASSWORD = "a different long passphrase"


def copy_of_session(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie, as a thief would."""
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie to copy"
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def signed_in_twice(app: Flask, role: Role) -> tuple[int, FlaskClient, FlaskClient]:
    """A user signed in in one browser, and a copy of that browser's cookie elsewhere."""
    with app.app_context():
        user = create_user(role)
        user_id, email = user.id, user.email
    browser = app.test_client()
    sign_in(browser, email)
    copied = copy_of_session(app, browser)
    assert copied.get("/hr/").status_code == (200 if role is Role.HR else 403)
    return user_id, browser, copied


def assert_sent_to_sign_in(client: FlaskClient) -> None:
    response = client.get("/hr/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_sign_out_opens_nothing_after_it(app: Flask) -> None:
    _, browser, copied = signed_in_twice(app, Role.HR)
    assert browser.post("/logout").status_code == 302
    assert_sent_to_sign_in(copied)


def test_a_new_password_ends_every_earlier_session(app: Flask) -> None:
    user_id, _, copied = signed_in_twice(app, Role.HR)
    with app.app_context(), app.test_request_context():
        link = set_password_link(db.session.get_one(User, user_id))
    path = link.removeprefix(app.config["BASE_URL"])
    reset = app.test_client().post(path, data={"password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD})
    assert reset.status_code == 302
    assert_sent_to_sign_in(copied)


@pytest.mark.parametrize(("change", "form"), [
    ("disabled", {"role": "hr"}),  # no "active": the box unticked
    ("made a manager", {"role": "manager", "active": "y"}),
])
def test_disabling_or_a_new_role_ends_every_session(app: Flask, change: str,
                                                    form: dict[str, str]) -> None:
    user_id, browser, copied = signed_in_twice(app, Role.HR)
    with app.app_context():
        admin_email = create_user(Role.ADMIN).email
    admin = app.test_client()
    sign_in(admin, admin_email)
    assert admin.post(f"/admin/users/{user_id}", data=form).status_code == 302
    with app.app_context():  # the change itself was made
        user = db.session.get_one(User, user_id)
        assert (user.active, user.role) == ((False, Role.HR) if change == "disabled"
                                            else (True, Role.MANAGER))
        user.active = True  # switched back on: the old sessions stay ended all the same
        db.session.commit()
    assert_sent_to_sign_in(browser)
    assert_sent_to_sign_in(copied)


def test_saving_an_unchanged_account_keeps_its_sessions(app: Flask) -> None:
    user_id, browser, _ = signed_in_twice(app, Role.HR)
    with app.app_context():
        admin_email = create_user(Role.ADMIN).email
    admin = app.test_client()
    sign_in(admin, admin_email)
    assert admin.post(f"/admin/users/{user_id}",
                      data={"role": "hr", "active": "y"}).status_code == 302
    assert browser.get("/hr/").status_code == 200


def test_sign_out_everywhere_else_keeps_only_this_session(app: Flask) -> None:
    _, browser, copied = signed_in_twice(app, Role.HR)
    elsewhere = browser.post("/account/sign-out-elsewhere", follow_redirects=True)
    assert "Every other session of your account is signed out." in elsewhere.text
    assert_sent_to_sign_in(copied)
    assert browser.get("/hr/").status_code == 200


def test_a_session_id_without_a_live_generation_is_refused(app: Flask) -> None:
    """Cookies signed before this change hold the bare user id; they must not sign in."""
    with app.app_context():
        user_id = create_user(Role.HR).id
    for stale in (str(user_id), f"{user_id}:", f"{user_id}:x", f"{user_id}:99", "x:0"):
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = stale
            session["_fresh"] = True
        assert_sent_to_sign_in(client)


# -- with CSRF protection on, as in production -------------------------------------------


class TestNewSessionAtSignIn:
    @pytest.fixture
    def app_config(self, app_config: dict[str, object]) -> dict[str, object]:
        return {**app_config, "WTF_CSRF_ENABLED": True}

    def test_a_csrf_token_from_before_sign_in_is_refused_after_it(
        self, app: Flask, client: FlaskClient
    ) -> None:
        with app.app_context():
            email = create_user(Role.MANAGER, notify_mode="each").email
        planted = hidden(client.get("/login").text, "csrf_token")
        signed_in = client.post("/login", data={"email": email, "password": PASSWORD,
                                                "csrf_token": planted})
        assert signed_in.status_code == 302
        refused = client.post("/account", data={"notify_mode": "off", "csrf_token": planted})
        assert refused.status_code == 400
        fresh = hidden(client.get("/account").text, "csrf_token")
        assert fresh != planted
        saved = client.post("/account", data={"notify_mode": "daily", "csrf_token": fresh})
        assert saved.status_code == 302
        with app.app_context():
            assert db.session.scalar(select(User.notify_mode).where(User.email == email)) \
                == "daily"

    def test_an_applicants_session_is_renewed_at_consent_keeping_the_language(
        self, app: Flask, client: FlaskClient
    ) -> None:
        with app.app_context():
            token = create_invitation(create_position()).token
        welcome = client.get(f"/apply/{token}?lang=es").text
        planted = hidden(welcome, "csrf_token")
        with client.session_transaction() as session:
            secret_before = session["csrf_token"]
        consent = client.post(f"/apply/{token}", data={"consent": "y", "language": "es",
                                                       "csrf_token": planted})
        assert consent.status_code == 302
        with client.session_transaction() as session:
            assert session.get("csrf_token") != secret_before
            assert session["language"] == "es"
        with app.app_context():
            invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
            assert invitation.submission is not None
            assert invitation.submission.language == "es"
        practice = client.get(f"/apply/{token}/practice")
        # The planted token is refused: the page comes back with the "expired" notice...
        refused = client.post(f"/apply/{token}/practice", data={"csrf_token": planted})
        assert refused.status_code == 200
        assert "Su sesión había caducado" in refused.text
        # ...and the page's own token goes on to the first question.
        fresh = hidden(practice.text, "csrf_token")
        assert fresh != planted
        assert client.post(f"/apply/{token}/practice",
                           data={"csrf_token": fresh}).status_code == 302
