"""A hiring manager, in a real browser, from sign-in to a recorded decision."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from screening.extensions import db
from screening.models import AuditEvent, Decision
from tests.e2e.staff_steps import sign_in
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
)

pytestmark = pytest.mark.browser


def test_manager_signs_in_reviews_and_records_a_decision(
    app: Flask, live_server: str, page: Page
) -> None:
    with app.app_context():
        manager = create_user(name="Morgan Manager")
        position = create_position(managers=[manager], title="Front desk, city branch")
        create_submission(create_invitation(position, name="Dana Applicant"))
        email = manager.email

    sign_in(page, live_server, email)
    expect(page.get_by_role("heading", name="Positions")).to_be_visible()

    page.get_by_role("link", name="Front desk, city branch").click()
    page.get_by_role("link", name="Dana Applicant").click()
    expect(page.get_by_role("heading", name="Dana Applicant")).to_be_visible()
    expect(page.get_by_text("No decision recorded yet.")).to_be_visible()

    page.get_by_role("group", name="Your decision").get_by_label("Advance to interview").check()
    page.get_by_label("Your decision in your own words").fill(
        "Calm and kind in every difficult situation; invite to interview."
    )
    page.get_by_role("button", name="Record decision").click()
    expect(page.get_by_text("Decision recorded.")).to_be_visible()
    expect(page.locator("#recorded-decision")).to_contain_text(
        "Decision: Advance to interview by Morgan Manager")

    with app.app_context():
        decision = db.session.scalar(select(Decision))
        assert decision.outcome == "advance"
        assert decision.note.startswith("Calm and kind")
        assert db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "decision.recorded")
        ).actor.name == "Morgan Manager"
