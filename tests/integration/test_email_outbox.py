"""Email through a real SMTP server on loopback: queued in the request, sent after it."""

from __future__ import annotations

import re
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from screening.extensions import db
from screening.models import EmailStatus, Invitation, OutgoingEmail, utcnow
from screening.services import outbox
from tests.factories import PASSWORD, create_invitation, create_position, create_user
from tests.queued_tasks import handed_over, run_handed_over
from tests.smtp_server import body_text, free_port, smtp_server


def mail_config(app_config: dict, port: int, **extra: object) -> dict:
    return {
        **app_config,
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": port,
        "SMTP_STARTTLS": 0,
        "MAIL_FROM": "jobs@example.com",
        **extra,
    }


def test_invitation_is_handed_to_a_worker_after_the_commit_and_its_link_works(
    app: Flask, app_config: dict, make_app
) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port))
        with app.app_context():
            manager = create_user()
            position = create_position(managers=[manager], title="Hotel reception")
            ids = (position.id, manager.email)
        client = app.test_client()
        client.post("/login", data={"email": ids[1], "password": PASSWORD})
        response = client.post(
            f"/manage/positions/{ids[0]}/invitations",
            data={"name": "Mia Mail", "email": "mia@example.com"},
        )
        assert response.status_code == 302
        assert inbox.messages == []  # the request did not wait for the mail server
        with app.app_context():
            message_id = db.session.scalar(select(OutgoingEmail.id))
        assert handed_over(app) == [("send_email", (message_id,))]
        assert run_handed_over(app) == 1  # what a worker does with it
        [message] = inbox.wait_for(1)
    assert message["To"] == "mia@example.com"
    assert message["Subject"] == "Your application for Hotel reception: a short questionnaire"
    assert message.is_multipart()
    assert {p.get_content_type() for p in message.walk()} >= {"text/plain", "text/html"}
    link = re.search(r"http://localhost(/apply/\S+)", body_text(message)).group(1)
    assert "Welcome, Mia Mail" in app.test_client().get(link).text


def test_failed_sends_are_recorded_retried_and_shown(
    app: Flask, app_config: dict, make_app
) -> None:
    port = free_port()  # nothing listens here yet: the first attempt fails
    app = make_app(mail_config(app_config, port))
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager])
        ids = (position.id, manager.email)
    client = app.test_client()
    client.post("/login", data={"email": ids[1], "password": PASSWORD})
    client.post(
        f"/manage/positions/{ids[0]}/invitations",
        data={"name": "Ray Retry", "email": "ray@example.com"},
    )
    cli = app.test_cli_runner()
    result = cli.invoke(args=["outbox", "send"])
    assert "sent 0, failed 1" in result.output
    with app.app_context():
        message = db.session.scalar(select(OutgoingEmail))
        assert message.status == EmailStatus.PENDING and message.attempts == 1
        assert "ConnectionRefusedError" in message.last_error
        assert message.next_attempt_at > utcnow()
        message.next_attempt_at = utcnow()  # the back-off has passed
        db.session.commit()
    page = client.get(f"/manage/positions/{ids[0]}/invitations").text
    assert "retrying after 1 failed attempt" in page
    with smtp_server(port) as (inbox, _):
        assert "sent 1, failed 0" in cli.invoke(args=["outbox", "send"]).output
        assert inbox.wait_for(1)[0]["To"] == "ray@example.com"
        assert "sent 0, failed 0" in cli.invoke(args=["outbox", "send"]).output  # never twice
    assert "Invitation sent" in client.get(f"/manage/positions/{ids[0]}/invitations").text


def test_one_reminder_before_the_link_expires(app: Flask, app_config: dict, make_app) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port))
        with app.app_context():
            position = create_position(title="Bank branch")
            soon = create_invitation(position, name="Sol Soon", email="sol@example.com")
            create_invitation(position, name="Lee Later", email="lee@example.com")
            soon.expires_at = utcnow() + timedelta(hours=20)
            db.session.commit()
            soon_id = soon.id
        cli = app.test_cli_runner()
        assert "Queued 1 reminder(s)" in cli.invoke(args=["outbox", "send"]).output
        assert "Queued 0 reminder(s)" in cli.invoke(args=["outbox", "send"]).output
        [message] = inbox.wait_for(1)
    assert message["To"] == "sol@example.com"
    assert message["Subject"] == "Reminder: your questionnaire for Bank branch"
    with app.app_context():
        assert (
            db.session.scalar(select(Invitation.reminder_sent_at).where(Invitation.id == soon_id))
            is not None
        )


def test_without_smtp_nothing_is_queued_and_links_are_shown(app: Flask, client) -> None:
    with app.app_context():
        manager = create_user()
        position = create_position(managers=[manager])
        ids = (position.id, manager.email)
    client.post("/login", data={"email": ids[1], "password": PASSWORD})
    client.post(
        f"/manage/positions/{ids[0]}/invitations",
        data={"name": "Nia NoMail", "email": "nia@example.com"},
    )
    page = client.get(f"/manage/positions/{ids[0]}/invitations").text
    assert "Email is off: copy the link" in page
    assert re.search(r'<label for="link-\d+" class="copy-link-label">Link<span '
                     r'class="visually-hidden"> for Nia NoMail</span></label>\s*<input '
                     r'type="text" id="link-\d+" class="copy-link-input" readonly '
                     r'value="http://localhost/apply/[^"]+"', page)
    with app.app_context():
        assert db.session.scalar(select(OutgoingEmail)) is None


def test_managers_choose_each_daily_or_no_notices(app: Flask, app_config: dict, make_app) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port))
        with app.app_context():
            each, daily, off = (create_user(name=name) for name in ("Each", "Daily", "Off"))
            position_id = create_position(managers=[each, daily, off], title="Clinic desk").id
            emails = {u.name: u.email for u in (each, daily, off)}
        client = app.test_client()
        for name, mode in (("Daily", "daily"), ("Off", "off")):
            client.post("/login", data={"email": emails[name], "password": PASSWORD})
            assert client.post("/account", data={"notify_mode": mode}).status_code == 302
            client.post("/logout")
        with app.app_context():
            from screening.models import Position, Submission
            from screening.services import messages
            from tests.factories import create_submission

            position = db.session.get(Position, position_id)
            submission = create_submission(
                create_invitation(position, name="Ola Applicant", email="ola@example.com")
            )
            messages.queue_receipt_and_notices(
                db.session, db.session.get(Submission, submission.id)
            )
            messages.queue_receipt_and_notices(
                db.session, db.session.get(Submission, submission.id)
            )
            db.session.commit()
        app.test_cli_runner().invoke(args=["outbox", "send"])
        received = inbox.wait_for(3)
    recipients = sorted(m["To"] for m in received)
    assert recipients == sorted([emails["Each"], emails["Daily"], "ola@example.com"])
    subjects = {m["To"]: m["Subject"] for m in received}
    assert subjects["ola@example.com"] == "We have your answers for Clinic desk"
    assert subjects[emails["Each"]] == "New screening result: Ola Applicant for Clinic desk"
    assert subjects[emails["Daily"]] == "1 new screening result(s)"


def _queued(**fields: str) -> int:
    """A message as the outbox stores it, written directly (as any code path could)."""
    message = OutgoingEmail(kind="submission_notice", body_text="A result.",
                            body_html="<p>A result.</p>", **fields)
    db.session.add(message)
    db.session.commit()
    return message.id


def _statuses() -> dict[str, tuple[EmailStatus, str]]:
    return {m.subject: (m.status, m.last_error) for m in db.session.scalars(select(OutgoingEmail))}


def test_a_message_that_cannot_be_built_is_failed_and_the_next_one_sent(
    app: Flask, app_config: dict, make_app
) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port))
        with app.app_context():
            broken = _queued(recipient="ana@example.com\nBcc: victim@example.com",
                             subject="Broken")
            _queued(recipient="mo@example.com", subject="New result: Ana\u2028Bcc: x@example.com")
            _queued(recipient="lee@example.com", subject="Plain")
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        assert result.exit_code == 0, result.output
        assert "sent 2, failed 1 (0 to be retried)" in result.output
        assert (f"Message {broken} (submission_notice) failed and will not be retried: Could "
                "not be built: ValueError: the recipient address holds U+000A") in result.output
        received = inbox.wait_for(2)
    assert sorted((m["To"], m["Subject"]) for m in received) == [
        ("lee@example.com", "Plain"),
        ("mo@example.com", "New result: Ana Bcc: x@example.com"),  # one line, no new header
    ]
    assert all(m["Bcc"] is None for m in received)
    with app.app_context():
        status, reason = _statuses()["Broken"]
        assert status == EmailStatus.FAILED  # at once: building it again would fail again
        assert reason.startswith("Could not be built: ") and "U+000A" in reason
        assert EmailStatus.SENDING not in {s for s, _ in _statuses().values()}


def test_a_recipient_the_server_refuses_is_failed_at_once_and_the_next_one_sent(
    app: Flask, app_config: dict, make_app
) -> None:
    with smtp_server(refused_recipients=frozenset({"typo@example.com"})) as (inbox, port):
        app = make_app(mail_config(app_config, port))
        with app.app_context():
            _queued(recipient="typo@example.com", subject="Refused")
            _queued(recipient="lee@example.com", subject="Plain")
        result = app.test_cli_runner().invoke(args=["outbox", "send"])
        assert "sent 1, failed 1" in result.output
        assert [m["To"] for m in inbox.wait_for(1)] == ["lee@example.com"]
    with app.app_context():
        status, reason = _statuses()["Refused"]
        assert status == EmailStatus.FAILED  # a 5xx answer is final; retrying cannot help
        assert "550" in reason and "No such mailbox" in reason


def test_run_due_survives_a_bad_message(app: Flask, app_config: dict, make_app) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(mail_config(app_config, port))
        with app.app_context():
            _queued(recipient="ana@example.com\u2028Bcc: victim@example.com", subject="Broken")
            _queued(recipient="lee@example.com", subject="Plain")
        result = app.test_cli_runner().invoke(args=["jobs", "run-due"])
        assert result.exit_code == 0, result.output
        assert "Email: sent 1, failed 1 (0 to be retried)." in result.output
        assert [m["To"] for m in inbox.wait_for(1)] == ["lee@example.com"]
    with app.app_context():
        assert _statuses()["Broken"][0] == EmailStatus.FAILED


def test_a_retry_keeps_the_message_id_so_a_receiver_can_tell_a_repeat(
    app: Flask, app_config: dict, make_app
) -> None:
    port = free_port()  # nothing listens yet: the first attempt fails
    app = make_app(mail_config(app_config, port))
    with app.app_context():
        message_id = _queued(recipient="lee@example.com", subject="Twice")
        message = db.session.get(OutgoingEmail, message_id)
        first = outbox.message_id_header(outbox.SmtpSettings.from_config(app.config), message)
    assert "sent 0, failed 1" in app.test_cli_runner().invoke(args=["outbox", "send"]).output
    with app.app_context():
        db.session.get(OutgoingEmail, message_id).next_attempt_at = utcnow()
        db.session.commit()
    with smtp_server(port) as (inbox, _):
        assert "sent 1, failed 0" in app.test_cli_runner().invoke(
            args=["outbox", "send"]).output
        [received] = inbox.wait_for(1)
    assert received["Message-ID"] == first
    assert first == f"<outbox-{message_id}.{message.created_at:%Y%m%d%H%M%S%f}@example.com>"
