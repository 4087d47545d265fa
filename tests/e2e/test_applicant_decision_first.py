"""A manager opens a flagged applicant on a laptop and on a phone: everything needed to
decide is within the first screen and a half, and the page passes axe-core."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.applicant_steps import assert_accessible, assert_no_sideways_scrolling
from tests.e2e.staff_steps import sign_in
from tests.factories import create_invitation, create_position, create_user
from tests.flagged_applicant import RUSHED, create_flagged_submission

pytestmark = pytest.mark.browser

#: What a manager must see without scrolling far: cautions, the band line, the red flags,
#: the interview questions and the decision form (their top edges).
FIRST_SCREEN_AND_A_HALF = {
    "cautions": "#cautions",
    "band": "#band-heading",
    "red flags": "#red-flags",
    "interview questions": ".interview-questions",
    "decision form": "#decision",
}


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (390, 844)])
def test_the_decision_is_within_a_screen_and_a_half(
    app: Flask, live_server: str, new_context, width: int, height: int,
) -> None:
    with app.app_context():
        manager = create_user(name="Morgan Manager")
        position = create_position(managers=[manager], title="Front desk, city branch")
        submission = create_flagged_submission(
            create_invitation(position, name="Dana Flagged"), manager)
        email, submission_id = manager.email, submission.id

    page: Page = new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, live_server, email)
    expect(page.get_by_role("heading", name="Positions")).to_be_visible()
    page.goto(f"{live_server}/manage/submissions/{submission_id}")
    expect(page.get_by_role("heading", name="Dana Flagged")).to_be_visible()
    expect(page.locator("#cautions")).to_contain_text(
        f"{RUSHED} of 20 answers came faster than the questions can be read")
    expect(page.locator("#band-heading")).to_contain_text("4 red flags")
    expect(page.locator("#red-flags li")).to_have_count(4)
    expect(page.locator(".interview-questions li")).to_have_count(3)

    limit = 1.5 * height
    for what, selector in FIRST_SCREEN_AND_A_HALF.items():
        box = page.locator(selector).first.bounding_box()
        assert box is not None, what
        assert box["y"] < limit, f"{what} starts at {box['y']:.0f} px, below {limit:.0f} px"
    # The rest is folded away, and opens without a script.
    trace = page.locator("details#trace")
    assert trace.get_attribute("open") is None
    trace.locator("summary").click()
    expect(trace.locator(".trace-line").first).to_be_visible()

    assert_no_sideways_scrolling(page)
    assert_accessible(page)
