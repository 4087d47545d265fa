"""Retakes a manager allows deliberately, and the "same email as …" warning."""

from __future__ import annotations

import csv
import io

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import Applicant, AuditEvent, Invitation, Role
from screening.services import invitations, retention
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
    sign_in,
    visible_text,
)

REASON = "The fire alarm cut the first sitting short."


def submitted_applicant(app: Flask, email: str = "ana@example.com") -> dict[str, object]:
    with app.app_context():
        manager = create_user(Role.MANAGER, name="Quinn Manager")
        other_manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager])
        create_position(managers=[other_manager])
        invitation = create_invitation(position, name="Ana López", email=email)
        submission = create_submission(invitation)
        return {"manager": manager.email, "other": other_manager.email,
                "position": position.id, "submission": submission.id,
                "applicant": invitation.applicant_id}


def allow(client: FlaskClient, world: dict[str, object], reason: str = REASON):
    return client.post(f"/manage/submissions/{world['submission']}/retake",
                       data={"reason": reason})


def test_a_retake_is_a_new_linked_attempt_recorded_and_audited(
    app: Flask, client: FlaskClient
) -> None:
    world = submitted_applicant(app)
    sign_in(client, world["manager"])
    assert allow(client, world).status_code == 302
    with app.app_context():
        retake = db.session.scalar(select(Applicant).where(Applicant.retake_of_id.is_not(None)))
        assert retake is not None
        assert (retake.attempt_number, retake.retake_of_id) == (2, world["applicant"])
        assert retake.retake_allowed_by.name == "Quinn Manager"
        assert retake.retake_reason == REASON
        assert retake.retake_allowed_at is not None
        assert (retake.name, retake.email) == ("Ana López", "ana@example.com")
        assert retake.invitation is not None and retake.invitation.submission is None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "retake.allowed"))
        assert event is not None and event.target_id == retake.id
        assert event.detail["retake_of"] == world["applicant"]
        retake_token = retake.invitation.token
    # The new link opens a fresh attempt.
    assert app.test_client().get(f"/apply/{retake_token}").status_code == 200
    page = visible_text(client.get(f"/manage/submissions/{world['submission']}").text)
    assert "A retake was allowed after this attempt: attempt 2 (not started yet)" in page
    assert "Attempt 1" in page
    assert "by Quinn Manager" in page and REASON in page
    assert "Allow a retake" not in page  # one retake per attempt


def test_the_retake_shows_on_both_attempts_and_in_exports(
    app: Flask, client: FlaskClient
) -> None:
    world = submitted_applicant(app)
    sign_in(client, world["manager"])
    allow(client, world)
    with app.app_context():
        retake = db.session.scalar(select(Invitation).join(Invitation.applicant)
                                   .where(Applicant.attempt_number == 2))
        second = create_submission(retake).id
    page = visible_text(client.get(f"/manage/submissions/{second}").text)
    assert "Attempt 2" in page
    assert "A retake of attempt 1" in page
    assert "allowed by Quinn Manager" in page and REASON in page
    assert "Same email as" not in page  # an allowed retake is no warning
    listing = visible_text(client.get(f"/manage/positions/{world['position']}").text)
    assert "attempt 2 (retake)" in listing and "Same email as" not in listing
    rows = list(csv.DictReader(io.StringIO(client.get(
        f"/manage/positions/{world['position']}/results.csv").get_data().decode("utf-8-sig"))))
    by_attempt = {row["attempt_number"]: row for row in rows}
    assert by_attempt["1"]["retake_of"] == "" and by_attempt["1"]["retake_allowed_by"] == ""
    assert by_attempt["2"]["retake_of"] == str(world["applicant"])
    assert by_attempt["2"]["retake_allowed_by"] == "Quinn Manager"
    assert by_attempt["2"]["retake_allowed_at"] != ""


def test_a_retake_needs_a_reason(app: Flask, client: FlaskClient) -> None:
    world = submitted_applicant(app)
    sign_in(client, world["manager"])
    response = allow(client, world, reason="   ")
    assert response.status_code == 302
    followed = visible_text(client.get(response.headers["Location"]).text)
    assert "Retake not allowed" in followed
    with app.app_context():
        assert db.session.scalar(select(Applicant).where(Applicant.attempt_number == 2)) is None


def test_only_after_a_submitted_attempt_and_only_once(app: Flask, client: FlaskClient) -> None:
    world = submitted_applicant(app)
    with app.app_context():
        position = db.session.get(Applicant, world["applicant"]).position
        unfinished = create_submission(create_invitation(position, email="bo@example.com"),
                                       submit=False).id
    sign_in(client, world["manager"])
    client.post(f"/manage/submissions/{unfinished}/retake", data={"reason": REASON})
    allow(client, world)
    allow(client, world)
    with app.app_context():
        retakes = db.session.scalars(select(Applicant).where(Applicant.attempt_number > 1)).all()
        assert [r.retake_of_id for r in retakes] == [world["applicant"]]


def test_another_positions_manager_cannot_allow_a_retake(
    app: Flask, client: FlaskClient
) -> None:
    world = submitted_applicant(app)
    sign_in(client, world["other"])
    assert allow(client, world).status_code == 404
    with app.app_context():
        assert db.session.scalar(select(Applicant).where(Applicant.attempt_number == 2)) is None


def test_two_invitations_with_one_email_are_flagged_on_the_list_and_both_pages(
    app: Flask, client: FlaskClient
) -> None:
    world = submitted_applicant(app, email="Ana.Lopez@example.com")
    with app.app_context():
        position = db.session.get(Applicant, world["applicant"]).position
        second = create_submission(
            create_invitation(position, name="Ana Lopez", email="ana.lópez@EXAMPLE.com")).id
        create_submission(create_invitation(position, name="Bo Other", email="bo@example.com"))
    sign_in(client, world["manager"])
    listing = visible_text(client.get(f"/manage/positions/{world['position']}").text)
    assert "Same email as Ana Lopez, attempt 1" in listing
    assert "Same email as Ana López, attempt 1" in listing
    assert listing.count("Same email as") == 2
    first_page = visible_text(client.get(f"/manage/submissions/{world['submission']}").text)
    assert "Same email as Ana Lopez, attempt 1" in first_page
    second_page = visible_text(client.get(f"/manage/submissions/{second}").text)
    assert "Same email as Ana López, attempt 1" in second_page


def test_erasure_clears_the_reason_and_the_open_link_key(
    app: Flask, client: FlaskClient
) -> None:
    world = submitted_applicant(app)
    sign_in(client, world["manager"])
    allow(client, world)
    with app.app_context():
        position = db.session.get(Applicant, world["applicant"]).position
        joined = invitations.invite(db.session, position, name="Jo Joiner",
                                    email="Jo@Example.com", valid_days=7, via_open_link=True)
        assert joined.applicant.open_link_email == "jo@example.com"
        retake_id = db.session.scalar(
            select(Applicant.id).where(Applicant.attempt_number == 2))
        db.session.commit()
        for applicant_id in (retake_id, joined.applicant_id):
            retention.erase(db.session, applicant_id, None, via="test")
        retake = db.session.get(Applicant, retake_id)
        assert retake.retake_reason == retention.REMOVED_NOTE
        assert db.session.get(Applicant, joined.applicant_id).open_link_email is None
