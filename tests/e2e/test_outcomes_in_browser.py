"""HR, in a real browser, uploads a job-outcomes file with a mistake, reads every problem
by line, uploads the corrected file and reads the validation page; axe-core runs on each."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from screening.extensions import db
from screening.models import JobOutcome, Role, Submission, SubmissionStatus, utcnow
from screening.services import demo
from tests.e2e.applicant_steps import assert_accessible
from tests.e2e.staff_steps import sign_in
from tests.factories import create_invitation, create_position, create_user

pytestmark = pytest.mark.browser


def test_hr_corrects_a_rejected_outcomes_file_and_imports_it(
    app: Flask, live_server: str, page: Page
) -> None:
    with app.app_context():
        hr = create_user(Role.HR, name="Hal Human")
        position = create_position(title="Hotel reception")
        invitation = create_invitation(position, name="Hired Person")
        submission = Submission(
            invitation_id=invitation.id, questionnaire_version_id=position.questionnaire_version_id,
            status=SubmissionStatus.SUBMITTED, order_seed=1, consented_at=utcnow(),
            submitted_at=utcnow())
        db.session.add(submission)
        db.session.commit()
        email, submission_id = hr.email, submission.id

    sign_in(page, live_server, email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="HR", exact=True).click()
    page.get_by_role("navigation", name="HR").get_by_role("link", name="Validation").click()
    page.get_by_role("link", name="Import job outcomes").first.click()
    expect(page.get_by_role("heading", name="Import job outcomes")).to_be_visible()
    assert_accessible(page)

    wrong = (f"submission_id,date,supervisor_rating\n{submission_id},2026-06-01,6\n"
             "424242,2026-06-01,4\n").encode()
    page.get_by_label("Outcomes file (.csv or .xlsx)").set_input_files(
        files=[{"name": "outcomes.csv", "mimeType": "text/csv", "buffer": wrong}])
    page.get_by_role("button", name="Check and import").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Nothing was imported. 2 problems in outcomes.csv")
    expect(problems).to_contain_text(
        "Line 2: supervisor_rating must be a whole number from 1 to 5, not '6'.")
    expect(problems).to_contain_text("Line 3: there is no submission 424242 that you can see")
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(select(JobOutcome.id)) is None

    right = f"submission_id,date,supervisor_rating\n{submission_id},2026-06-01,5\n".encode()
    page.get_by_label("Outcomes file (.csv or .xlsx)").set_input_files(
        files=[{"name": "outcomes.csv", "mimeType": "text/csv", "buffer": right}])
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_text("Imported 1 outcome row: 1 new, 0 updated.")).to_be_visible()
    expect(page.get_by_role("row", name="Hotel reception Reception 1")).to_be_visible()
    page.get_by_role("link", name="Hotel reception").click()
    # The submission has no scored result, so its outcome is in no figure yet.
    expect(page.get_by_text("1 hired applicant with a final result")).to_have_count(0)
    expect(page.get_by_text("not enough data yet (n = 0; 30 needed)")).to_be_visible()
    assert_accessible(page)


def test_hr_reads_the_demo_worked_example(
    app: Flask, live_server: str, page: Page, tmp_path
) -> None:
    with app.app_context():
        demo.ensure_demo_data(db.session, tmp_path, 14)
        db.session.commit()
        position = demo.demo_position(db.session)
        assert position is not None
        position_id = position.id
        email = create_user(Role.HR).email

    sign_in(page, live_server, email)
    page.goto(f"{live_server}/hr/validation/{position_id}")
    expect(page.locator("#demo-data")).to_contain_text("Demo data")
    expect(page.get_by_role("heading", name="Check of the key")).to_be_visible()
    key_check = page.locator("details").first
    key_check.locator("summary").click()
    expect(key_check.get_by_role("table")).to_be_visible()
    assert_accessible(page)
