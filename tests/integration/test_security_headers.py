"""Security headers on every kind of response."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient


@pytest.mark.parametrize("path", ["/login", "/healthz", "/static/css/app.css", "/no-such-page"])
def test_headers_on_every_response(client: FlaskClient, path: str) -> None:
    with client.get(path) as response:  # static files stream: close them
        headers = response.headers
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http: HSTS would be ignored


def test_hsts_when_served_over_https(make_app) -> None:
    app = make_app({"BASE_URL": "https://jobs.example.com"})
    headers = app.test_client().get("/login").headers
    assert headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_no_inline_script_or_style_in_pages(client: FlaskClient) -> None:
    page = client.get("/login").text
    assert "<script>" not in page and "style=" not in page and "<style" not in page
