"""An applicant asks for a review from the feedback page, HR answers it: in a real browser,
with axe-core on the applicant's pages and HR's."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page
from sqlalchemy import select

from screening.extensions import db
from screening.models import ApplicantRequest, Outcome, Role
from screening.services import reviews
from tests.e2e.applicant_steps import Applicant, assert_accessible
from tests.e2e.staff_steps import sign_in
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
)

pytestmark = pytest.mark.browser

ANSWER = "A manager read your answers again; the decision stands, for these reasons."


def test_review_request_from_feedback_to_hr_answer(app: Flask, live_server: str,
                                                   page: Page) -> None:
    with app.app_context():
        manager = create_user()
        hr = create_user(Role.HR)
        position = create_position(managers=[manager], questionnaire="frontline-short",
                                   title="Ticket office")
        submission = create_submission(create_invitation(position, name="Tao Applicant"))
        reviews.record_decision(db.session, submission, manager, Outcome.DO_NOT_ADVANCE,
                                "Not this time.")
        db.session.commit()
        token, hr_email = submission.invitation.token, hr.email

    applicant = Applicant(app, page, live_server, token)
    applicant.open("/feedback")
    page.get_by_label("Ask for a person to review the decision").check()
    page.get_by_label("Anything you would like us to know (optional)").fill(
        "My written answer may have been misread.")
    page.get_by_role("button", name="Send my request").click()
    applicant.arrived("/requests")
    assert page.get_by_text("We have your request").is_visible()
    assert page.get_by_text("HR will answer by").is_visible()

    sign_in(page, live_server, hr_email)
    page.goto(f"{live_server}/hr/requests")
    assert_accessible(page)
    page.get_by_role("link", name="Read and answer").click()
    page.wait_for_url("**/hr/requests/*")
    assert page.get_by_text("My written answer may have been misread.").is_visible()
    assert_accessible(page)
    page.get_by_label("Your answer to the applicant").fill(ANSWER)
    page.get_by_role("button", name="Record and send the answer").click()
    page.wait_for_load_state("load")
    assert page.get_by_text("Answer recorded and emailed to the applicant.").is_visible()
    with app.app_context():
        assert db.session.scalar(select(ApplicantRequest.answer)) == ANSWER

    applicant.open("/requests")
    assert page.get_by_text(ANSWER).is_visible()
