"""Names, titles and addresses that can reach an email header are refused, with a clear
message, when they hold a line break or another control character; everything else
the person typed is kept."""

from __future__ import annotations

import html
import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import Applicant, Position, Role, User
from tests.factories import create_position, create_user, sign_in, visible_text

#: What splits a line for Python's email package, and a text-direction override.
BREAKING_NAMES = [
    "Ana\u2028Bcc: victim@example.com",  # LINE SEPARATOR
    "Ana\u2029Lee",  # PARAGRAPH SEPARATOR
    "Ana\x85Lee",  # NEXT LINE
    "Ana\r\nBcc: victim@example.com",
    "Ana\tLee\x07",  # a tab and a bell (NUL is refused before any form: browser_input)
    "Ana \u202eeeL",  # RIGHT-TO-LEFT OVERRIDE: shows as "Ana Lee" reversed
]
ONE_LINE_MESSAGE = "Please write this on one line, without line breaks or control characters."


def applicants() -> int:
    return db.session.scalar(select(func.count(Applicant.id)))


@pytest.mark.parametrize("name", BREAKING_NAMES)
def test_the_open_link_refuses_a_name_that_breaks_a_line_and_keeps_the_email(
    app: Flask, client: FlaskClient, name: str
) -> None:
    with app.app_context():
        open_token = create_position(title="Cafe counter").open_token
    response = client.post(f"/apply/join/{open_token}",
                           data={"name": name, "email": "ana.lee@example.com"})
    assert response.status_code == 200
    assert f'<a href="#name">{ONE_LINE_MESSAGE}</a>' in response.text
    assert 'value="ana.lee@example.com"' in response.text
    with app.app_context():
        assert applicants() == 0
    joined = client.post(f"/apply/join/{open_token}",
                         data={"name": "Ana Lee", "email": "ana.lee@example.com"})
    assert joined.status_code == 302  # the same person, on one line, is welcome


def test_the_open_link_refuses_in_the_applicants_language(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        open_token = create_position().open_token
    with client.session_transaction() as session:
        session["language"] = "es"  # chosen on an earlier page
    response = client.post(f"/apply/join/{open_token}",
                           data={"name": "Ana\u2028Lee", "email": "ana@example.com"})
    assert "Escriba esto en una sola línea, sin saltos de línea ni caracteres de control." in \
        html.unescape(response.text)


@pytest.mark.parametrize("name", BREAKING_NAMES[:3])
def test_a_manager_cannot_invite_a_name_that_breaks_a_line(
    app: Flask, client: FlaskClient, name: str
) -> None:
    with app.app_context():
        manager = create_user()
        position_id = create_position(managers=[manager]).id
        sign_in(client, manager.email)
    response = client.post(f"/manage/positions/{position_id}/invitations",
                           data={"name": name, "email": "ana@example.com"},
                           follow_redirects=True)
    assert f"Applicant's name: {ONE_LINE_MESSAGE}" in visible_text(response.text)
    with app.app_context():
        assert applicants() == 0


def test_a_csv_row_whose_name_breaks_a_line_is_rejected_with_the_reason(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        manager = create_user()
        position_id = create_position(managers=[manager]).id
        sign_in(client, manager.email)
    # A quoted CSV cell may hold a line break; a spreadsheet writes one for Alt+Enter.
    csv_text = 'name,email\n"Ana\nBcc: victim@example.com",ana@example.com\nBo Ok,bo@example.com\n'
    response = client.post(
        f"/manage/positions/{position_id}/invitations/bulk",
        data={"file": (io.BytesIO(csv_text.encode()), "applicants.csv")},
        content_type="multipart/form-data",
    )
    page = visible_text(response.text)
    assert "1 invitation created, 1 row rejected." in page
    assert "The name has a line break or control character (U+000A control character)" in page
    with app.app_context():
        assert db.session.scalars(select(Applicant.name)).all() == ["Bo Ok"]


def test_staff_names_and_position_titles_stay_on_one_line(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        sign_in(client, create_user(Role.ADMIN).email)
    invited = client.post("/admin/users", data={"name": "Hana\u2028HR",
                                                "email": "hana@example.com", "role": "hr"})
    assert invited.status_code == 422 and ONE_LINE_MESSAGE in invited.text
    new_position = client.get("/admin/positions/new").text
    questionnaire = new_position.split('name="questionnaire"')[1].split('value="')[1].split('"')[0]
    for field in ("title", "location"):
        fields = {"title": "Front desk", "location": "Reception", field: "Front\u2029desk"}
        refused = client.post("/admin/positions/new",
                              data={**fields, "questionnaire": questionnaire})
        assert refused.status_code == 200 and ONE_LINE_MESSAGE in refused.text, field
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "hana@example.com")) is None
        assert db.session.scalar(select(func.count(Position.id))) == 0


def test_the_users_create_command_refuses_a_name_that_breaks_a_line(
    app: Flask, runner
) -> None:
    result = runner.invoke(args=["users", "create", "--email", "ops@example.com", "--name",
                                 "Ops\u2028Team", "--role", "admin", "--password",
                                 "another long passphrase"])
    assert result.exit_code == 1
    assert "The name has a line break or control character (U+2028 LINE SEPARATOR)" in \
        result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "ops@example.com")) is None
