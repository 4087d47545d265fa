"""A small OpenID Connect provider on loopback, started by the single sign-on tests.

It serves what a real provider does for the authorization code flow: discovery, an
authorize endpoint that approves at once (redirecting to the client's redirect URI with a
code and the state), a token endpoint that checks the client's secret and the PKCE code
verifier and answers with an ID token signed RS256 by a key generated here, the JWKS,
userinfo and end_session. Tests set who signs in next (``next_claims``) and may make it
misbehave as an attacker's provider would: another nonce, a stranger's signing key.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID = "screening-test-client"
CLIENT_SECRET = "a-client-secret-for-tests-only"
KEY_ID = "provider-key-1"


@dataclass
class Grant:
    claims: dict[str, Any]
    nonce: str
    code_challenge: str
    redirect_uri: str


@dataclass
class TestIdentityProvider:
    """What the provider signs and what it saw; reset between tests with ``reset``."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(
        2048, parameters={"kid": KEY_ID}))
    #: the claims of whoever approves at the next authorize request (sub, email, ...)
    next_claims: dict[str, Any] = field(default_factory=dict)
    #: claims served only by the userinfo endpoint, not put in the ID token
    userinfo_only: dict[str, Any] = field(default_factory=dict)
    #: an attacker's provider: sign with this key instead, or send this nonce
    signing_key: RSAKey | None = None
    nonce_override: str | None = None
    advertise_end_session: bool = True
    grants: dict[str, Grant] = field(default_factory=dict)
    access_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    issued_id_tokens: list[str] = field(default_factory=list)
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    end_session_requests: list[dict[str, str]] = field(default_factory=list)

    __test__ = False  # a helper, not a test class

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    def reset(self) -> None:
        self.next_claims, self.userinfo_only = {}, {}
        self.signing_key, self.nonce_override = None, None
        self.advertise_end_session = True
        self.grants.clear()
        self.access_tokens.clear()
        self.issued_id_tokens.clear()
        self.authorize_requests.clear()
        self.end_session_requests.clear()

    def metadata(self) -> dict[str, Any]:
        metadata = {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "jwks_uri": f"{self.issuer}/jwks",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                      "client_secret_post"],
        }
        if self.advertise_end_session:
            metadata["end_session_endpoint"] = f"{self.issuer}/end_session"
        return metadata

    def id_token(self, grant: Grant) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
                  "nonce": self.nonce_override or grant.nonce, **grant.claims}
        key = self.signing_key or self.key
        token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
        self.issued_id_tokens.append(token)
        return token


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _handler(provider: TestIdentityProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read no log
            return

        def _json(self, body: dict[str, Any], status: int = 200) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(provider.metadata())
            elif url.path == "/jwks":
                self._json({"keys": [provider.key.as_dict(private=False)]})
            elif url.path == "/authorize":
                self._authorize(query)
            elif url.path == "/userinfo":
                bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
                claims = provider.access_tokens.get(bearer)
                if claims is None:
                    self._json({"error": "invalid_token"}, 401)
                else:
                    self._json({**claims, **provider.userinfo_only})
            elif url.path == "/end_session":
                provider.end_session_requests.append(query)
                self._redirect(query.get("post_logout_redirect_uri", provider.issuer))
            else:
                self._json({"error": "not_found"}, 404)

        def _authorize(self, query: dict[str, str]) -> None:
            provider.authorize_requests.append(query)
            if (query.get("client_id") != CLIENT_ID or query.get("response_type") != "code"
                    or query.get("code_challenge_method") != "S256"):
                self._json({"error": "invalid_request"}, 400)
                return
            code = secrets.token_urlsafe(16)
            provider.grants[code] = Grant(dict(provider.next_claims), query.get("nonce", ""),
                                          query.get("code_challenge", ""),
                                          query["redirect_uri"])
            self._redirect(f"{query['redirect_uri']}?"
                           + urlencode({"code": code, "state": query.get("state", "")}))

        def do_POST(self) -> None:
            if urlsplit(self.path).path != "/token":
                self._json({"error": "not_found"}, 404)
                return
            length = int(self.headers.get("Content-Length", "0"))
            form = {name: values[0] for name, values in
                    parse_qs(self.rfile.read(length).decode()).items()}
            client_id, secret = form.get("client_id"), form.get("client_secret")
            basic = self.headers.get("Authorization", "")
            if basic.startswith("Basic "):
                client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
            if client_id != CLIENT_ID or secret != CLIENT_SECRET:
                self._json({"error": "invalid_client"}, 401)
                return
            grant = provider.grants.pop(form.get("code", ""), None)
            if (grant is None or form.get("redirect_uri") != grant.redirect_uri
                    or s256(form.get("code_verifier", "")) != grant.code_challenge):
                self._json({"error": "invalid_grant"}, 400)
                return
            access_token = secrets.token_urlsafe(16)
            provider.access_tokens[access_token] = dict(grant.claims)
            self._json({"access_token": access_token, "token_type": "Bearer",
                        "expires_in": 300, "id_token": provider.id_token(grant)})

    return Handler


@contextmanager
def running_provider() -> Iterator[TestIdentityProvider]:
    provider = TestIdentityProvider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(provider))
    provider.issuer = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
