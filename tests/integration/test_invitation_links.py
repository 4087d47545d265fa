"""A manager can read, select and copy each live invitation link, and only live ones.

Without JavaScript the link is a read-only text box as wide as the link itself; the
"Copy link" button is added by a script of our own (tests/e2e/test_copy_link.py clicks it).
A submitted, expired or revoked invitation offers no link and no "copy the link".
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient

from screening.extensions import db
from screening.models import utcnow
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
    sign_in,
    visible_text,
)

BOX = re.compile(
    r'<label for="(?P<id>[^"]+)" class="copy-link-label">(?P<label>.*?)</label>\s*'
    r'<input type="text" id="(?P=id)" class="copy-link-input" readonly value="(?P<link>[^"]+)" '
    r'size="(?P<size>\d+)"')
SCRIPT = '<script src="/static/js/copy-link.js" defer></script>'


def _boxes(page: str) -> dict[str, tuple[str, int]]:
    """What each link box is labelled (as read aloud) -> (its link, its width in characters)."""
    return {visible_text(box["label"]): (box["link"], int(box["size"]))
            for box in BOX.finditer(page)}


def _row_of(page: str, name: str) -> str:
    """The table row that starts with this applicant, up to the next applicant's."""
    rows = page.split("<tr")
    return next(row for row in rows if f"<td>{name}<br>" in row)


def test_only_live_invitations_offer_their_link_whole_and_selectable(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager], title="Front desk")
        waiting = create_invitation(position, name="Wanda Waiting")
        create_submission(create_invitation(position, name="Sam Submitted"))
        expired = create_invitation(position, name="Eli Expired")
        expired.expires_at = utcnow() - timedelta(days=1)
        db.session.commit()
        position_id, email, token = position.id, manager.email, waiting.token
    sign_in(client, email)
    page = client.get(f"/manage/positions/{position_id}/invitations").text

    link = f"http://localhost/apply/{token}"
    assert _boxes(page) == {"Link for Wanda Waiting": (link, len(link))}
    assert SCRIPT in page
    assert "Email is off: copy the link" in _row_of(page, "Wanda Waiting")
    for name in ("Sam Submitted", "Eli Expired"):
        row = _row_of(page, name)
        assert "copy" not in row.lower() and "/apply/" not in row, name
        assert "Email is off" in visible_text(row), name


def test_the_open_link_and_a_bulk_upload_show_the_same_box(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager], title="Front desk")
        position_id, email, open_token = position.id, manager.email, position.open_token
    sign_in(client, email)
    page = client.get(f"/manage/positions/{position_id}").text
    link = f"http://localhost/apply/join/{open_token}"
    assert _boxes(page) == {"Open link for Front desk": (link, len(link))}
    assert SCRIPT in page

    upload = client.post(f"/manage/positions/{position_id}/invitations/bulk",
                         data={"file": (io.BytesIO(b"name,email\nBo Bulk,bo@example.com\n"),
                                        "list.csv")},
                         content_type="multipart/form-data")
    boxes = _boxes(upload.text)
    assert list(boxes) == ["Link for Bo Bulk"]
    bulk_link, width = boxes["Link for Bo Bulk"]
    assert re.fullmatch(r"http://localhost/apply/[\w-]{20,}", bulk_link) and width == len(bulk_link)
    assert SCRIPT in upload.text
