"""The invitation link box in a real browser: readable whole, copied with one click, announced."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from tests.e2e.applicant_steps import assert_accessible
from tests.e2e.staff_steps import sign_in
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
)

pytestmark = pytest.mark.browser


def _invitations_page(app: Flask) -> tuple[str, str, str]:
    with app.app_context():
        manager = create_user(name="Morgan Manager")
        position = create_position(managers=[manager], title="Front desk")
        waiting = create_invitation(position, name="Wanda Waiting")
        create_submission(create_invitation(position, name="Sam Submitted"))
        return manager.email, f"/manage/positions/{position.id}/invitations", waiting.token



def test_copy_link_puts_the_whole_link_on_the_clipboard_and_says_so(
    app: Flask, live_server: str, new_context
) -> None:
    email, path, token = _invitations_page(app)
    context = new_context(viewport={"width": 1280, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page = context.new_page()
    sign_in(page, live_server, email)
    page.goto(f"{live_server}{path}")

    box = page.get_by_role("textbox", name="Link for Wanda Waiting")
    expect(box).to_have_value(f"http://localhost/apply/{token}")
    # The whole link shows: the box is not narrower than its text.
    assert box.evaluate("el => el.scrollWidth <= el.clientWidth"), "the link is cut off"
    expect(page.get_by_role("button", name="Copy link for Sam Submitted")).to_have_count(0)
    assert_accessible(page)

    page.get_by_role("button", name="Copy link for Wanda Waiting").click()
    expect(page.get_by_role("status").filter(has_text="Copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == \
        f"http://localhost/apply/{token}"


def test_without_javascript_the_link_is_still_there_to_select(
    app: Flask, live_server: str, new_context
) -> None:
    email, path, token = _invitations_page(app)
    page = new_context(viewport={"width": 390, "height": 844},
                       java_script_enabled=False).new_page()
    sign_in(page, live_server, email)
    page.goto(f"{live_server}{path}")
    box = page.get_by_role("textbox", name="Link for Wanda Waiting")
    expect(box).to_have_value(f"http://localhost/apply/{token}")
    expect(box).to_have_attribute("readonly", "")
    expect(page.get_by_role("button", name="Copy link for Wanda Waiting")).to_have_count(0)
