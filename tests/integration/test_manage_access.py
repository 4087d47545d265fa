"""Every manager and admin route against every role: allowed, 403 or 404 as designed."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.models import Role
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_submission,
    create_user,
)


@dataclass
class World:
    ids: dict[str, int]
    emails: dict[str, str]


@pytest.fixture
def world(app: Flask) -> World:
    with app.app_context():
        users = {
            "admin": create_user(Role.ADMIN),
            "hr": create_user(Role.HR),
            "own_manager": create_user(Role.MANAGER),
            "other_manager": create_user(Role.MANAGER),
        }
        position = create_position(managers=[users["own_manager"]])
        create_position(managers=[users["other_manager"]])
        first = create_submission(create_invitation(position, name="First Applicant"))
        second = create_submission(create_invitation(position, name="Second Applicant"))
        pending = create_invitation(position, name="Pending Applicant")
        return World(
            ids={
                "position": position.id,
                "submission": first.id,
                "second": second.id,
                "invitation": pending.id,
                "user": users["hr"].id,
            },
            emails={name: user.email for name, user in users.items()},
        )


def sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text


MANAGE_GETS = [
    "/manage/",
    "/manage/positions/{position}",
    "/manage/positions/{position}/invitations",
    "/manage/positions/{position}/compare?ids={submission}&ids={second}",
    "/manage/submissions/{submission}",
    "/manage/positions/{position}/results.csv",
]
MANAGE_POSTS = [
    (
        "/manage/positions/{position}/invitations",
        {"name": "New Person", "email": "new@example.com"},
    ),
    ("/manage/positions/{position}/invitations/{invitation}", {"action": "extend", "days": "3"}),
    (
        "/manage/submissions/{submission}/decision",
        {"outcome": "on_hold", "note": "Waiting for the second interview slot."},
    ),
]
ADMIN_ONLY = ["/admin/users"]
ADMIN_AND_HR = ["/admin/positions", "/admin/positions/new", "/admin/positions/{position}"]


def _url(template: str, world: World) -> str:
    return template.format(**world.ids)


@pytest.mark.parametrize("template", MANAGE_GETS + ADMIN_ONLY + ADMIN_AND_HR)
def test_anonymous_is_sent_to_sign_in(client: FlaskClient, world: World, template: str) -> None:
    response = client.get(_url(template, world))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["own_manager", "hr", "admin"])
@pytest.mark.parametrize("template", MANAGE_GETS)
def test_manage_pages_open_to_the_positions_people(
    client: FlaskClient, world: World, role: str, template: str
) -> None:
    sign_in(client, world.emails[role])
    assert client.get(_url(template, world)).status_code == 200


@pytest.mark.parametrize("template", MANAGE_GETS[1:])
def test_other_manager_gets_404_for_every_id(
    client: FlaskClient, world: World, template: str
) -> None:
    sign_in(client, world.emails["other_manager"])
    assert client.get(_url(template, world)).status_code == 404


@pytest.mark.parametrize(("template", "data"), MANAGE_POSTS)
def test_manage_posts(client: FlaskClient, world: World, template: str, data: dict) -> None:
    sign_in(client, world.emails["other_manager"])
    assert client.post(_url(template, world), data=data).status_code == 404
    client.post("/logout")
    sign_in(client, world.emails["own_manager"])
    assert client.post(_url(template, world), data=data).status_code == 302


@pytest.mark.parametrize("template", ADMIN_ONLY)
@pytest.mark.parametrize(("role", "status"), [("own_manager", 403), ("hr", 403), ("admin", 200)])
def test_admin_only_pages(
    client: FlaskClient, world: World, template: str, role: str, status: int
) -> None:
    sign_in(client, world.emails[role])
    assert client.get(_url(template, world)).status_code == status


@pytest.mark.parametrize("template", ADMIN_AND_HR)
@pytest.mark.parametrize(("role", "status"), [("own_manager", 403), ("hr", 200), ("admin", 200)])
def test_position_admin_pages(
    client: FlaskClient, world: World, template: str, role: str, status: int
) -> None:
    sign_in(client, world.emails[role])
    assert client.get(_url(template, world)).status_code == status


@pytest.mark.parametrize(("role", "status"), [("own_manager", 403), ("hr", 403), ("admin", 302)])
def test_only_admin_changes_accounts(
    client: FlaskClient, world: World, role: str, status: int
) -> None:
    sign_in(client, world.emails[role])
    response = client.post(
        f"/admin/users/{world.ids['user']}", data={"role": "manager", "active": "y"}
    )
    assert response.status_code == status


def test_bulk_upload_refused_to_other_manager(client: FlaskClient, world: World) -> None:
    sign_in(client, world.emails["other_manager"])
    upload = {"file": (io.BytesIO(b"name,email\nA B,ab@example.com\n"), "list.csv")}
    response = client.post(
        _url("/manage/positions/{position}/invitations/bulk", world),
        data=upload,
        content_type="multipart/form-data",
    )
    assert response.status_code == 404


def test_positions_list_shows_only_own_positions(
    client: FlaskClient, world: World, app: Flask
) -> None:
    sign_in(client, world.emails["other_manager"])
    page = client.get("/manage/").text
    assert page.count("/manage/positions/") == 1
    assert f'/manage/positions/{world.ids["position"]}"' not in page
