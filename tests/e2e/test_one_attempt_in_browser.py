"""In a browser: the open link with a used email refuses a second attempt, politely."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import Applicant
from tests.e2e.applicant_steps import assert_accessible
from tests.factories import create_invitation, create_position, create_submission

pytestmark = pytest.mark.browser


def test_a_used_email_is_refused_on_the_open_link(app: Flask, live_server: str,
                                                  page: Page) -> None:
    with app.app_context():
        position = create_position(title="Hotel front desk")
        open_token, position_id = position.open_token, position.id
        create_submission(create_invitation(position, name="Ana López",
                                            email="ana.lopez@example.com"))
    page.goto(f"{live_server}/apply/join/{open_token}")
    page.get_by_label("Your full name").fill("Ana Lopez")
    page.get_by_label("Your email address").fill("ANA.LOPEZ@example.com")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"**/apply/join/{open_token}/sent")
    assert page.get_by_role("heading", level=1).inner_text() == (
        "This email address was already used")
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Applicant)
                                 .where(Applicant.position_id == position_id)) == 1
