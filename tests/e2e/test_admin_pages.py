"""An admin, in a real browser, notices a failed email and retries it, then revokes an API
token, and discards a dead background job; axe-core runs on every page."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from screening.extensions import db
from screening.models import ApiToken, EmailStatus, Job, JobStatus, OutgoingEmail, Role, utcnow
from screening.services import api_tokens
from tests.e2e.applicant_steps import assert_accessible
from tests.e2e.staff_steps import sign_in
from tests.factories import create_user

pytestmark = pytest.mark.browser


def test_admin_retries_a_failed_email_and_revokes_a_token(
    app: Flask, live_server: str, page: Page
) -> None:
    with app.app_context():
        admin = create_user(Role.ADMIN, name="Ada Admin")
        hr = create_user(Role.HR, name="Hal Human")
        db.session.add(OutgoingEmail(
            kind="invitation", recipient="ray@example.com", subject="Your application",
            body_text="A link.", body_html="<p>A link.</p>", status=EmailStatus.FAILED,
            attempts=1, last_error="Refused: 550 No such mailbox", claimed_at=utcnow()))
        api_tokens.create_token(db.session, name="Workday sync", created_by=hr)
        db.session.commit()
        email = admin.email

    sign_in(page, live_server, email)

    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Email problems: 1").click()
    expect(page.get_by_role("heading", name="Email problems")).to_be_visible()
    expect(page.get_by_role("cell", name="ray@example.com", exact=True)).to_be_visible()
    expect(page.get_by_text("550 No such mailbox")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Retry message").click()
    expect(page.get_by_role("status").filter(has_text="is queued again")).to_be_visible()
    expect(page.get_by_text("No email problems.")).to_be_visible()
    expect(main_nav.get_by_role("link", name="Email problems: 1")).to_have_count(0)

    page.get_by_role("navigation", name="Administration").get_by_role(
        "link", name="API tokens").click()
    expect(page.get_by_role("cell", name="Workday sync", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Revoke Workday sync").click()
    expect(page.get_by_text("The token Workday sync is revoked")).to_be_visible()
    assert_accessible(page)

    with app.app_context():
        assert db.session.scalar(select(OutgoingEmail.status)) == EmailStatus.PENDING
        assert db.session.scalar(select(ApiToken.revoked_at)) is not None


def test_admin_notices_a_dead_job_and_discards_it(
    app: Flask, live_server: str, page: Page
) -> None:
    with app.app_context():
        admin = create_user(Role.ADMIN, name="Ada Admin")
        db.session.add(Job(kind="summary.render", payload={"submission_id": 8},
                           status=JobStatus.DEAD, attempts=3, max_attempts=3,
                           last_error="RenderError: the renderer stopped without a PDF",
                           claimed_at=utcnow(), finished_at=utcnow()))
        db.session.commit()
        email = admin.email

    sign_in(page, live_server, email)
    main_nav = page.get_by_role("navigation", name="Main")
    main_nav.get_by_role("link", name="Background jobs: 1").click()
    expect(page.get_by_role("heading", name="Background jobs")).to_be_visible()
    expect(page.get_by_text("Summary PDF of submission 8")).to_be_visible()
    expect(page.get_by_text("the renderer stopped without a PDF")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Discard job").click()
    expect(page.get_by_role("status").filter(has_text="was discarded")).to_be_visible()
    expect(page.get_by_text("No dead or stuck jobs.")).to_be_visible()
    expect(main_nav.get_by_role("link", name="Background jobs: 1")).to_have_count(0)
    assert_accessible(page)
    with app.app_context():
        assert db.session.scalar(select(Job)) is None
