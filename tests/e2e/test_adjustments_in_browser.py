"""An applicant asks for extra time, a manager grants +50%, and the applicant sees and
gets the longer limit: in a real browser, with axe-core on the pages involved."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import expect
from sqlalchemy import select

from screening.extensions import db
from screening.models import AuditEvent, Invitation
from tests.e2e.applicant_steps import assert_accessible
from tests.factories import PASSWORD, create_invitation, create_position, create_user

pytestmark = pytest.mark.browser


def test_applicant_asks_for_extra_time_and_gets_the_longer_limit(
    app: Flask, live_server: str, new_context
) -> None:
    with app.app_context():
        manager = create_user(name="Morgan Manager")
        position = create_position(managers=[manager], title="Front desk")
        invitation = create_invitation(position, name="Ada Applicant")
        token, email, position_id = invitation.token, manager.email, position.id

    applicant = new_context(viewport={"width": 1024, "height": 768}).new_page()
    applicant.goto(f"{live_server}/apply/{token}")
    expect(applicant.get_by_role("heading", name="Asking for an adjustment")).to_be_visible()
    expect(applicant.get_by_text("There is a time limit of 20 minutes")).to_be_visible()
    assert_accessible(applicant)  # the welcome page with the request form
    form = applicant.get_by_role("group", name="What would help you")
    form.get_by_label("Extra time").check()
    applicant.get_by_label("Anything else you would like us to know (optional)").fill(
        "Reading on a screen takes me longer.")
    applicant.get_by_role("button", name="Ask for an adjustment").click()
    expect(applicant.get_by_text("we have sent your request to the hiring team")).to_be_visible()
    expect(applicant.get_by_text("You have asked for an adjustment.")).to_be_visible()
    assert_accessible(applicant)

    staff = new_context(viewport={"width": 1280, "height": 900}).new_page()
    staff.goto(f"{live_server}/login")
    staff.get_by_label("Email").fill(email)
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Sign in").click()
    staff.goto(f"{live_server}/manage/positions/{position_id}")
    staff.get_by_role("link", name="Adjustment requested").click()
    expect(staff.get_by_text("Reading on a screen takes me longer.")).to_be_visible()
    staff.get_by_label("Adjustment for Ada Applicant").select_option(label="Extra time +50%")
    staff.get_by_role("button", name="Save adjustment").click()
    expect(staff.get_by_text("Saved: Extra time +50% for Ada Applicant.")).to_be_visible()
    assert_accessible(staff)

    applicant.goto(f"{live_server}/apply/{token}")
    expect(applicant.get_by_text(
        "You have been given extra time: 30 minutes instead of the usual 20.")).to_be_visible()
    expect(applicant.get_by_text("There is a time limit of 30 minutes")).to_be_visible()
    assert_accessible(applicant)
    applicant.get_by_label("I have read the above and agree").check()
    applicant.get_by_role("button", name="Start").click()
    applicant.goto(f"{live_server}/apply/{token}/q/1")
    # The one time line, counting down from the granted 30 minutes.
    expect(applicant.locator(".deadline-line")).to_contain_text(
        re.compile(r"Time left: (30:00|29:[0-5]\d)"))

    with app.app_context():
        granted = db.session.scalar(select(Invitation).where(Invitation.token == token))
        submission = granted.submission
        assert submission.adjustment == "extra_50"
        assert submission.deadline_at - submission.started_at == timedelta(minutes=30)
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "adjustment.granted"))
        assert event.actor.name == "Morgan Manager"
