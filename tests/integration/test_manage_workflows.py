"""What a hiring manager does: invite, review, rate, decide, compare; and account safety."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import AuditEvent, Decision, Invitation, Role, Submission, User
from screening.services import accounts
from screening.services.journey import sequence_for
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_submission,
    create_user,
    keyed_best_form,
    visible_text,
)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def _worst_form(item):
    form = keyed_best_form(item)
    if item.format is ResponseFormat.BEST_CHOICE:
        return {"choice": min(item.options, key=lambda o: sum(o.points.values())).id}
    if item.format is ResponseFormat.MOST_LEAST:
        return {"most": form["least"], "least": form["most"]}
    if item.format is ResponseFormat.RATE_EACH:
        return {k: "1" if int(v) >= 3 else "5" for k, v in form.items()}
    if item.format is ResponseFormat.RANK:
        n = len(item.options)
        return {k: str(n + 1 - int(v)) for k, v in form.items()}
    return form


def test_bulk_invitations_report_each_rejected_row(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager])
        create_invitation(position, email="already@example.com")
        email, position_id = manager.email, position.id
    sign_in(client, email)
    csv_text = (
        "name,email\n"
        "Ana Ok,ana@example.com\n"
        "No Email,\n"
        "Bad Email,not-an-email\n"
        "Again,already@example.com\n"
        ",nameless@example.com\n"
        "Ana Twice,ana@example.com\n"
        "Bo Ok,bo@example.com\n"
    )
    response = client.post(
        f"/manage/positions/{position_id}/invitations/bulk",
        data={"file": (io.BytesIO(csv_text.encode()), "applicants.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    page = response.text
    assert "2 invitations created, 5 rows rejected." in page
    for line, reason in [
        (3, "Not a valid email address"),
        (4, "Not a valid email address"),
        (5, "already invited"),
        (6, "The name is empty"),
        (7, "already invited"),
    ]:
        assert re.search(rf"\b{line} [^\d]*?{reason}", visible_text(page)), (line, reason)
    with app.app_context():
        names = {i.applicant.name for i in db.session.scalars(select(Invitation))}
        assert {"Ana Ok", "Bo Ok"} <= names and "Ana Twice" not in names


def test_revoke_extend_and_reissue_change_what_the_applicant_sees(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager])
        invitation = create_invitation(position, name="Kim Link")
        ids = (position.id, invitation.id)
        old_token, email = invitation.token, manager.email
    sign_in(client, email)
    url = f"/manage/positions/{ids[0]}/invitations/{ids[1]}"

    client.post(url, data={"action": "revoke"})
    applicant = app.test_client()
    assert "no longer in use" in applicant.get(f"/apply/{old_token}").text

    client.post(url, data={"action": "reissue", "days": "5"})
    with app.app_context():
        new_token = db.session.get(Invitation, ids[1]).token
    assert new_token != old_token
    assert applicant.get(f"/apply/{old_token}").status_code == 404
    assert "Welcome, Kim Link" in applicant.get(f"/apply/{new_token}").text

    with app.app_context():
        before = db.session.get(Invitation, ids[1]).expires_at
    client.post(url, data={"action": "extend", "days": "3"})
    with app.app_context():
        after = db.session.get(Invitation, ids[1]).expires_at
        assert (after - before).days == 3
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert {"invitation.revoke", "invitation.reissue", "invitation.extend"} <= set(actions)


def test_two_raters_and_a_decision_are_recorded_and_audited(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        first, second = create_user(name="Rater One"), create_user(name="Rater Two")
        position = create_position(managers=[first, second])
        submission = create_submission(create_invitation(position, name="Pat Written"))
        free_text = [
            i for i in sequence_for(submission).items if i.format is ResponseFormat.FREE_TEXT
        ]
        assert submission.provisional and len(free_text) == 1
        item_id, submission_id = free_text[0].id, submission.id
        emails = (first.email, second.email)

    sign_in(client, emails[0])
    page = client.get(f"/manage/submissions/{submission_id}").text
    assert "Written answers to rate" in page and free_text[0].anchors[0].description in page
    client.post(
        f"/manage/submissions/{submission_id}/ratings", data={"item_id": item_id, "rating": "5"}
    )
    client.post("/logout")
    sign_in(client, emails[1])
    client.post(
        f"/manage/submissions/{submission_id}/ratings", data={"item_id": item_id, "rating": "2"}
    )
    page = client.get(f"/manage/submissions/{submission_id}").text
    assert "Rater One gave 5" in page and "Rater Two gave 2" in page
    assert "The raters disagree by 3 points" in page

    with app.app_context():
        stored = db.session.get(Submission, submission_id)
        assert stored.provisional is False
        line = next(t for t in stored.result["trace"] if t["item_id"] == item_id)
        # mean of 5 and 2 is 3.5, rounded half up to 4: 4 - 1 = 3 points per dimension
        assert set(line["points"].values()) == {3}

    refused = client.post(
        f"/manage/submissions/{submission_id}/decision", data={"outcome": "advance", "note": "ok"}
    )
    assert refused.status_code == 422
    assert "Write between 10 and 4,000 characters." in refused.text
    accepted = client.post(
        f"/manage/submissions/{submission_id}/decision",
        data={"outcome": "advance", "note": "Strong, calm answers throughout."},
    )
    assert accepted.status_code == 302
    with app.app_context():
        decision = db.session.scalar(select(Decision))
        assert decision.outcome == "advance" and decision.decided_by.name == "Rater Two"
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        rated = [e for e in events if e.action == "free_text.rated"]
        assert [(e.actor.name, e.detail["rating"]) for e in rated] == [
            ("Rater One", 5),
            ("Rater Two", 2),
        ]
        assert any(e.action == "decision.recorded" and e.actor.name == "Rater Two" for e in events)


def test_list_filters_sorts_searches_and_compares(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager])
        strong = create_submission(create_invitation(position, name="Sam Strong"))
        weak = create_submission(
            create_invitation(position, name="Wes Weak"), answer_with=_worst_form
        )
        create_invitation(position, name="Ivy Invited")
        ids = (position.id, strong.id, weak.id)
        assert strong.band_id == "strong" and weak.band_id == "weak"
        email = manager.email
    sign_in(client, email)
    base = f"/manage/positions/{ids[0]}"

    row_name = re.compile(r'<a href="/manage/submissions/\d+">([^<]+)</a>|<td>(Ivy Invited)</td>')

    def names(query: str) -> list[str]:
        return [
            linked or plain for linked, plain in row_name.findall(client.get(base + query).text)
        ]

    assert names("?sort=overall&order=desc")[:2] == ["Sam Strong", "Wes Weak"]
    assert names("?sort=overall&order=asc")[:2] == ["Wes Weak", "Sam Strong"]
    assert names("?band=weak") == ["Wes Weak"]
    assert names("?status=invited") == ["Ivy Invited"]
    assert names("?q=sam") == ["Sam Strong"]
    compare = client.get(f"{base}/compare?ids={ids[1]}&ids={ids[2]}")
    assert compare.status_code == 200
    assert "Sam Strong" in compare.text and "Wes Weak" in compare.text
    too_few = client.get(f"{base}/compare?ids={ids[1]}", follow_redirects=True)
    assert "Choose between 2 and 5" in too_few.text


def test_login_locks_out_after_repeated_failures(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        email = create_user().email
    for _ in range(accounts.MAX_FAILED_LOGINS):
        assert sign_in(client, email, "wrong password!!") == 200
    assert sign_in(client, email) == 200  # right password, but locked for now
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert accounts.is_locked_out(user)


def test_passwords_are_argon2id_at_owasp_minimum(app: Flask) -> None:
    with app.app_context():
        user = create_user()
        # $argon2id$v=19$m=19456,t=2,p=1$... : OWASP's minimum for Argon2id
        assert user.password_hash.startswith("$argon2id$v=19$m=19456,t=2,p=1$")
        try:
            accounts.hash_password("short")
        except accounts.AccountError as error:
            assert "12 characters" in str(error)
        else:
            raise AssertionError("a short password was accepted")


def test_admin_invites_a_colleague_who_sets_a_password_once(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        admin_email = create_user(Role.ADMIN).email
    sign_in(client, admin_email)
    page = client.post(
        "/admin/users", data={"name": "Hana HR", "email": "hana@example.com", "role": "hr"}
    ).text
    link = re.search(r'value="(http://localhost/account/set-password/[^"]+)"', page).group(1)
    path = link.removeprefix("http://localhost")
    newcomer = app.test_client()
    new_password = "a long enough passphrase"
    assert (
        newcomer.post(path, data={"password": new_password, "confirm": new_password}).status_code
        == 302
    )
    assert sign_in(newcomer, "hana@example.com", new_password) == 302
    assert newcomer.get(path).status_code == 410  # used once, never again


def test_users_create_command(app: Flask, runner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Ops@Example.com",
            "--role",
            "admin",
            "--password",
            "another long passphrase",
        ]
    )
    assert result.exit_code == 0, result.output
    duplicate = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "ops@example.com",
            "--role",
            "hr",
            "--password",
            "another long passphrase",
        ]
    )
    assert duplicate.exit_code == 1 and "exists already" in duplicate.output
    with app.app_context():
        assert (
            db.session.scalar(select(User.role).where(User.email == "ops@example.com")) == "admin"
        )


def test_session_cookie_flags(app_config: dict, make_app) -> None:

    secure = make_app({"BASE_URL": "https://jobs.example.com"})
    assert secure.config["SESSION_COOKIE_SECURE"] is True
    assert secure.config["SESSION_COOKIE_HTTPONLY"] is True
    assert secure.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    plain = make_app()
    assert plain.config["SESSION_COOKIE_SECURE"] is False


def test_compare_refuses_values_that_cannot_be_ids(app: Flask, client: FlaskClient) -> None:
    """Found by form fuzzing: a huge or non-ASCII id was a 500; it names nobody, so 404."""
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager])
        first = create_submission(create_invitation(position))
        first_id, position_id, email = first.id, position.id, manager.email
    sign_in(client, email)
    base = f"/manage/positions/{position_id}/compare?ids={first_id}"
    for value in ("9223372036854775808", "2147483648", "²", "-1"):
        assert client.get(f"{base}&ids={value}").status_code == 404, value
