"""The whole path by email: invitation, link followed, short screen done, receipt."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from screening.extensions import db
from screening.models import Submission, SubmissionStatus
from tests.factories import PASSWORD, create_position, create_user
from tests.integration.test_walking_skeleton import complete_questionnaire
from tests.smtp_server import body_text, smtp_server


def test_invitation_email_to_receipt(app: Flask, app_config: dict, make_app) -> None:
    with smtp_server() as (inbox, port):
        app = make_app(
            {
                **app_config,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": port,
                "SMTP_STARTTLS": 0,
            }
        )
        with app.app_context():
            manager = create_user(name="Quinn Manager")
            position = create_position(
                managers=[manager], questionnaire="frontline-short", title="Café counter"
            )
            position_id, manager_email = position.id, manager.email
        staff = app.test_client()
        staff.post("/login", data={"email": manager_email, "password": PASSWORD})
        staff.post(
            f"/manage/positions/{position_id}/invitations",
            data={"name": "Uma Applicant", "email": "uma@example.com"},
        )
        runner = app.test_cli_runner()
        assert "sent 1, failed 0" in runner.invoke(args=["outbox", "send"]).output
        [invitation_message] = inbox.wait_for(1)
        token = re.search(r"http://localhost/apply/(\S+)", body_text(invitation_message)).group(1)

        applicant = app.test_client()
        with app.app_context():
            complete_questionnaire(applicant, token)
            assert db.session.scalar(select(Submission.status)) == SubmissionStatus.SUBMITTED
        assert "sent 2, failed 0" in runner.invoke(args=["outbox", "send"]).output
        messages = inbox.wait_for(3)
    by_recipient = {m["To"]: m for m in messages}
    receipt = by_recipient["uma@example.com"]
    assert receipt["Subject"] == "We have your answers for Café counter"
    assert "What happens next" in body_text(receipt)
    notice = by_recipient[manager_email]
    assert notice["Subject"] == "New screening result: Uma Applicant for Café counter"
