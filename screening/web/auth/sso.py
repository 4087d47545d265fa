"""Single sign-on with OpenID Connect: Authlib's Flask client and the two routes it needs.

Authlib does the protocol: the authorization code flow with PKCE (S256), the state and
nonce kept in the signed session and checked on return, and the ID token's signature
checked against the provider's published keys (JWKS), with its issuer, audience and
expiry. What the proven identity may do here is ``services.sso``'s decision.

The client is built per app, from that app's settings, rather than held unbound in
``extensions``: its configuration (the provider, the client id) is the app's own, and
tests build apps with different providers in one process.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError
from werkzeug.wrappers import Response

from screening.config import SsoSettings, sso_settings
from screening.extensions import db, limiter
from screening.services import sso as sso_service
from screening.web.auth.routes import (
    LOGIN_LIMIT,
    bp,
    local_passwords_on,
    safe_next,
    start_session,
)

log = logging.getLogger(__name__)

EXTENSION_KEY = "screening.sso"
CLIENT_NAME = "sso"
#: Where the ID token of this session is kept: the provider's sign-out needs it as a hint.
ID_TOKEN_SESSION_FIELD = "sso_id_token"  # noqa: S105  (a session key, not a secret)
NEXT_KEY = "sso_next"
#: Anything the exchange with the provider can fail with: a forged or replayed state, an
#: error from the provider, a bad signature or claim, the provider unreachable.
EXCHANGE_FAILURES = (AuthlibBaseError, JoseError, requests.RequestException, ValueError,
                     KeyError, RuntimeError)


class IncompleteIdentity(ValueError):
    """The provider's answer lacks what single sign-on needs (an ID token, a subject)."""


@dataclass(frozen=True)
class SingleSignOn:
    settings: SsoSettings
    client: Any  # Authlib's FlaskOAuth2App, built by OAuth.register


def init_app(app: Flask) -> None:
    """Check the settings (refusing to start half-configured) and build the client."""
    settings = sso_settings(app.config)
    app.extensions[EXTENSION_KEY] = None
    app.add_template_global(provider_name, "sso_provider_name")
    app.add_template_global(local_passwords_on, "local_passwords_on")
    if settings is None:
        return
    oauth = OAuth(app)
    client = oauth.register(
        CLIENT_NAME,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.discovery_url,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "timeout": 10},
    )
    app.extensions[EXTENSION_KEY] = SingleSignOn(settings, client)


def provider_name() -> str | None:
    """The sign-in button's provider ("Sign in with ..."), or None without single sign-on."""
    sso = configured()
    return sso.settings.provider_name if sso is not None else None


def configured() -> SingleSignOn | None:
    return current_app.extensions.get(EXTENSION_KEY)


def _required() -> SingleSignOn:
    sso = configured()
    if sso is None:
        abort(404)
    return sso


def _callback_url() -> str:
    # The public address, as every link the app prints: the provider compares it with
    # the redirect URI registered for this client.
    return current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sso_callback")


@bp.get("/login/sso")
@limiter.limit(LOGIN_LIMIT)
def sso_start() -> Response | tuple[str, int]:
    """Send the browser to the provider, remembering where to go after signing in."""
    sso = _required()
    if current_user.is_authenticated:
        return redirect(url_for("manage.positions"))
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        return sso.client.authorize_redirect(_callback_url())
    except EXCHANGE_FAILURES as error:
        log.warning("Single sign-on could not start: %s: %s", type(error).__name__, error)
        return _problem(sso), 502


@bp.get("/login/sso/callback")
@limiter.limit(LOGIN_LIMIT)
def sso_callback() -> Response | tuple[str, int]:
    """The provider's answer: exchange the code, validate the ID token, sign the user in."""
    sso = _required()
    try:
        token = sso.client.authorize_access_token()
        identity = _identity(sso, token)
    except EXCHANGE_FAILURES as error:
        # The reason goes to the log for the administrator; the page says what to do.
        log.warning("Single sign-on refused: %s: %s", type(error).__name__, error)
        return _problem(sso), 400
    outcome = sso_service.sign_in_and_commit(db.session, sso.settings.policy, identity)
    if not outcome.signed_in:
        status = 200 if outcome.refusal is sso_service.SsoRefusal.AWAITING_ROLE else 403
        return render_template("auth/sso_refused.html", refusal=outcome.refusal.value,
                               provider=sso.settings.provider_name,
                               local_passwords=local_passwords_on()), status
    assert outcome.user is not None
    next_path = session.get(NEXT_KEY)
    start_session(outcome.user)
    session[ID_TOKEN_SESSION_FIELD] = token["id_token"]
    return redirect(safe_next(next_path))


def _identity(sso: SingleSignOn, token: dict[str, Any]) -> sso_service.SsoIdentity:
    """The validated claims of the ID token, completed from the userinfo endpoint.

    Authlib validates the ID token only when the token response holds one, so its absence
    is refused here. Some providers put the email or the groups only in userinfo; those
    claims are fetched with the access token, and count only for the same subject.
    """
    claims = token.get("userinfo")
    if not claims or not claims.get("sub") or not claims.get("iss"):
        raise IncompleteIdentity("the token response held no valid ID token")
    merged = dict(claims)
    wanted = ["email"] + ([sso.settings.policy.role_claim] if sso.settings.policy.role_claim
                          else [])
    metadata = sso.client.load_server_metadata()
    if any(name not in merged for name in wanted) and metadata.get("userinfo_endpoint"):
        userinfo = sso.client.userinfo(token=token)
        if userinfo.get("sub") != claims["sub"]:
            raise IncompleteIdentity("userinfo answered for another subject")
        for name, value in userinfo.items():
            merged.setdefault(name, value)
    return sso_service.SsoIdentity(issuer=str(claims["iss"]), subject=str(claims["sub"]),
                                   claims=merged)


def _problem(sso: SingleSignOn) -> str:
    return render_template("auth/sso_refused.html", refusal="failed",
                           provider=sso.settings.provider_name,
                           local_passwords=local_passwords_on())


def provider_sign_out(id_token: str | None) -> Response | None:
    """RP-initiated logout at the provider, when it offers it and this session came from it.

    The provider ends its own session too, then returns the browser to our sign-in page
    (that address must be registered at the provider as a post-logout redirect URI).
    """
    sso = configured()
    if sso is None or not id_token:
        return None
    try:
        if not sso.client.load_server_metadata().get("end_session_endpoint"):
            return None
        logout = sso.client.create_logout_url(
            post_logout_redirect_uri=current_app.config["BASE_URL"].rstrip("/")
            + url_for("auth.login"),
            id_token_hint=id_token, client_id=sso.settings.client_id)
    except EXCHANGE_FAILURES as error:
        log.warning("The provider's sign-out address is unknown: %s: %s",
                    type(error).__name__, error)
        return None
    return redirect(logout["url"])
