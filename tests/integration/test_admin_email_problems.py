"""Admins see the email that will not go (failed, or stuck "sending"), with the reason,
and retry or discard it; the worker then sends what was retried."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import delete, select

from screening.extensions import db
from screening.models import AuditEvent, EmailStatus, OutgoingEmail, Role, utcnow
from screening.services import outbox
from tests.factories import create_user, sign_in, visible_text
from tests.smtp_server import free_port, smtp_server

PAGE = "/admin/email-problems"


def mail_config(app_config: dict, port: int) -> dict:
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": port, "SMTP_STARTTLS": 0,
            "MAIL_FROM": "jobs@example.com"}


def stored(subject: str, recipient: str = "lee@example.com", **fields: object) -> int:
    """A message as the outbox keeps it, written directly (as any code path could)."""
    message = OutgoingEmail(kind="submission_notice", recipient=recipient, subject=subject,
                            body_text="A result.", body_html="<p>A result.</p>", **fields)
    db.session.add(message)
    db.session.commit()
    return message.id


def failed(subject: str, reason: str = "Refused: 550 No such mailbox", **fields: object) -> int:
    return stored(subject, **{"status": EmailStatus.FAILED, "attempts": 1,
                               "last_error": reason, "claimed_at": utcnow(), **fields})


def admin_client(app: Flask) -> FlaskClient:
    with app.app_context():
        email = create_user(Role.ADMIN, name="Ada Admin").email
    client = app.test_client()
    sign_in(client, email)
    return client


def status_of(app: Flask, message_id: int) -> EmailStatus | None:
    with app.app_context():
        message = db.session.get(OutgoingEmail, message_id)
        return None if message is None else message.status


def audited(app: Flask, action: str) -> list[tuple[str, int | None, dict, str]]:
    with app.app_context():
        return [(e.target_type, e.target_id, e.detail, e.actor.name if e.actor else "")
                for e in db.session.scalars(select(AuditEvent).where(AuditEvent.action == action))]


def test_a_refused_message_is_shown_with_its_reason_and_a_retry_is_then_sent(
    app_config: dict, make_app
) -> None:
    port = free_port()
    app = make_app(mail_config(app_config, port))
    runner = app.test_cli_runner()
    with app.app_context():
        message_id = stored("Your application for Night desk", recipient="ray@example.com")
    # The mailbox does not exist yet: the server answers 550, so the message fails for good.
    with smtp_server(port, refused_recipients=frozenset({"ray@example.com"})):
        assert "sent 0, failed 1 (0 to be retried)" in runner.invoke(
            args=["outbox", "send"]).output
    assert status_of(app, message_id) == EmailStatus.FAILED

    admin = admin_client(app)
    page = admin.get(PAGE)
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "1 message needs a look." in text
    assert "ray@example.com" in text
    assert "Submission notice Your application for Night desk" in text
    assert re.search(r"Failed Refused: SMTPRecipientsRefused: .*550.*No such mailbox", text)
    # Noticed from any staff page, not only this one.
    assert "Email problems: 1" in visible_text(admin.get("/manage/").text)

    retried = admin.post(f"{PAGE}/{message_id}/retry")
    assert (retried.status_code, retried.location) == (302, PAGE)
    after = visible_text(admin.get(PAGE).text)
    assert f"Message {message_id} is queued again." in after
    assert "No email problems." in after and "ray@example.com" not in after
    assert "Email problems:" not in visible_text(admin.get("/manage/").text)
    assert audited(app, "email.retried") == [
        ("OutgoingEmail", message_id,
         {"kind": "submission_notice", "status": "failed", "attempts": 1}, "Ada Admin")]

    with smtp_server(port) as (inbox, _):  # the mailbox exists now
        assert "sent 1, failed 0" in runner.invoke(args=["outbox", "send"]).output
        [received] = inbox.wait_for(1)
    assert (received["To"], received["Subject"]) == ("ray@example.com",
                                                     "Your application for Night desk")
    assert status_of(app, message_id) == EmailStatus.SENT


def test_a_message_that_cannot_be_built_is_listed_with_the_reason(
    app_config: dict, make_app
) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port))
        with app.app_context():
            broken = stored("Broken", recipient="ana@example.com\u2028Bcc: victim@example.com")
            stored("Plain")
        assert "sent 1, failed 1" in app.test_cli_runner().invoke(
            args=["outbox", "send"]).output
        assert [m["To"] for m in inbox.wait_for(1)] == ["lee@example.com"]
    text = visible_text(admin_client(app).get(PAGE).text)
    assert "1 message needs a look." in text
    assert "Could not be built: ValueError: the recipient address holds U+2028" in text
    assert re.search(rf"\b{broken}\b", text) and "Plain" not in text


def test_only_messages_stuck_sending_past_the_stale_claim_are_listed(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        long_ago = utcnow() - outbox.STALE_CLAIM - timedelta(minutes=1)
        stored("Stuck", status=EmailStatus.SENDING, claimed_at=long_ago, attempts=1)
        stored("Being sent", status=EmailStatus.SENDING, claimed_at=utcnow(), attempts=1)
        stored("Waiting", status=EmailStatus.PENDING)
        stored("Delivered", status=EmailStatus.SENT, sent_at=utcnow(), attempts=1)
        admin = create_user(Role.ADMIN).email
    sign_in(client, admin)
    text = visible_text(client.get(PAGE).text)
    assert "1 message needs a look." in text
    assert "Submission notice Stuck" in text and "Stuck sending" in text
    for fine in ("Being sent", "Waiting", "Delivered"):
        assert fine not in text


def test_discard_removes_the_message_and_is_audited(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        kept = failed("Kept for later")
        dropped = failed("Old notice", attempts=6)
        admin = create_user(Role.ADMIN, name="Ada Admin").email
    sign_in(client, admin)
    assert "2 messages need a look." in visible_text(client.get(PAGE).text)
    reply = client.post(f"{PAGE}/{dropped}/discard")
    assert (reply.status_code, reply.location) == (302, PAGE)
    text = visible_text(client.get(PAGE).text)
    assert f"Message {dropped} was discarded and will not be sent." in text
    assert "1 message needs a look." in text
    assert "Old notice" not in text and "Kept for later" in text
    assert status_of(app, dropped) is None and status_of(app, kept) == EmailStatus.FAILED
    assert audited(app, "email.discarded") == [
        ("OutgoingEmail", dropped,
         {"kind": "submission_notice", "status": "failed", "attempts": 6}, "Ada Admin")]
    log = visible_text(client.get("/hr/audit?action=email.discarded").text)
    assert f"Ada Admin {admin} email.discarded email {dropped} attempts: 6" in log


@pytest.mark.parametrize("action", ["retry", "discard"])
def test_a_message_that_is_no_longer_a_problem_is_left_alone(
    app: Flask, client: FlaskClient, action: str
) -> None:
    """Sent (or retried by another admin) since the page was loaded: never sent twice."""
    with app.app_context():
        sent = stored("Delivered", status=EmailStatus.SENT, sent_at=utcnow(), attempts=1)
        admin = create_user(Role.ADMIN).email
    sign_in(client, admin)
    assert client.post(f"{PAGE}/{sent}/{action}").status_code == 302
    text = visible_text(client.get(PAGE).text)
    assert f"Message {sent} is no longer failed or stuck (it is sent now)" in text
    assert status_of(app, sent) == EmailStatus.SENT
    assert audited(app, f"email.{'retried' if action == 'retry' else 'discarded'}") == []


def test_many_problems_are_counted_and_paged(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        ids = [failed(f"Notice number {n}") for n in range(outbox.PROBLEMS_PAGE_SIZE + 3)]
        admin = create_user(Role.ADMIN).email
    sign_in(client, admin)
    first = client.get(PAGE).text
    total = outbox.PROBLEMS_PAGE_SIZE + 3
    assert (f"{total} messages need a look; the newest {outbox.PROBLEMS_PAGE_SIZE} are listed"
            in visible_text(first))
    assert f"Email problems ({total})" in visible_text(first)
    shown = set(map(int, re.findall(r"/admin/email-problems/(\d+)/retry", first)))
    assert shown == set(ids[3:])  # the newest first
    older = re.search(r'href="(/admin/email-problems\?before=\d+)">Older problems', first)
    assert older
    rest = client.get(older.group(1).replace("&amp;", "&")).text
    assert set(map(int, re.findall(r"/admin/email-problems/(\d+)/retry", rest))) == set(ids[:3])
    assert "Older problems" not in rest


def test_what_a_message_holds_is_shown_as_text(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        failed("<script>alert(1)</script> result", reason="Could not be built: <b>bad</b>")
        admin = create_user(Role.ADMIN).email
    sign_in(client, admin)
    page = client.get(PAGE).text
    assert "<script>alert(1)</script>" not in page and "<b>bad</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; result" in page
    assert "Could not be built: &lt;b&gt;bad&lt;/b&gt;" in page


@pytest.mark.parametrize("role", [Role.MANAGER, Role.HR])
def test_only_admins_see_or_act_on_email_problems(
    app: Flask, client: FlaskClient, role: Role
) -> None:
    with app.app_context():
        message_id = failed("Manager notice", recipient="mo@example.com")
        email = create_user(role).email
    sign_in(client, email)
    assert client.get(PAGE).status_code == 403
    for action in ("retry", "discard"):
        assert client.post(f"{PAGE}/{message_id}/{action}").status_code == 403
    assert status_of(app, message_id) == EmailStatus.FAILED
    assert "Email problems" not in client.get("/manage/").text
    client.post("/logout")
    anonymous = client.get(PAGE)
    assert anonymous.status_code == 302 and anonymous.location.startswith("/login")


@pytest.mark.parametrize("action", ["retry", "discard"])
def test_an_unknown_message_is_not_found(app: Flask, client: FlaskClient, action: str) -> None:
    with app.app_context():
        known = failed("Known")
        admin = create_user(Role.ADMIN).email
    sign_in(client, admin)
    assert client.post(f"{PAGE}/{known + 1000}/{action}").status_code == 404
    assert status_of(app, known) == EmailStatus.FAILED
    assert client.post(f"{PAGE}/{known}/{action}").status_code == 302
    assert status_of(app, known) != EmailStatus.FAILED


@pytest.mark.parametrize("action", [outbox.retry, outbox.discard])
def test_a_message_discarded_meanwhile_is_told_not_a_server_error(app: Flask, action) -> None:
    """Another admin discards it between this request's lookup and its retry or discard."""
    with app.app_context():
        message_id = failed("Gone")
        message = db.session.get_one(OutgoingEmail, message_id)
        db.session.execute(delete(OutgoingEmail).where(OutgoingEmail.id == message_id),
                           execution_options={"synchronize_session": False})
        with pytest.raises(outbox.OutboxError, match=rf"^Message {message_id} is no longer "
                                                     r"failed or stuck \(it is discarded now\)"):
            action(db.session, message, None)
        db.session.rollback()
