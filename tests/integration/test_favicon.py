"""A favicon on every page: staff, applicant and error pages link it, and /favicon.ico answers."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from screening.extensions import db
from tests.factories import create_invitation, create_position


def _icon_links(page: str) -> dict[str, str]:
    """href -> type of every <link rel="icon"> in the page."""
    links = re.findall(r'<link rel="icon" href="([^"]+)"([^>]*)>', page)
    return {href: (re.findall(r'type="([^"]+)"', rest) or [""])[0] for href, rest in links}


def test_favicon_ico_is_an_icon_file_and_may_be_cached(client: FlaskClient) -> None:
    with client.get("/favicon.ico") as response:  # a file: closed before the test ends
        assert response.status_code == 200
        assert response.headers.getlist("Content-Type") == ["image/vnd.microsoft.icon"]
        assert response.data[:4] == b"\x00\x00\x01\x00"  # the ICO header: reserved, type 1
        assert "no-store" not in response.headers["Cache-Control"]
        assert "max-age=86400" in response.headers["Cache-Control"]


def test_staff_applicant_and_error_pages_link_both_icons(app: Flask, client: FlaskClient
                                                         ) -> None:
    with app.app_context():
        invitation = create_invitation(create_position(), name="Ana Applicant")
        db.session.commit()
        token = invitation.token
    pages = {
        "staff sign-in": client.get("/login"),
        "applicant welcome": client.get(f"/apply/{token}"),
        "error page": client.get("/no-such-page"),
    }
    assert pages["error page"].status_code == 404
    for what, page in pages.items():
        links = _icon_links(page.text)
        assert links == {"/favicon.ico": "", "/static/icons/favicon.svg": "image/svg+xml"}, what
    with client.get("/static/icons/favicon.svg") as svg:
        assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
        assert svg.data.startswith(b"<svg") and b"<script" not in svg.data
