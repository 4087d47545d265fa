"""The applicant's journeys in a real browser, with axe-core run on every page they see."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from playwright.sync_api import Page

from screening.bank import ResponseFormat
from screening.extensions import db
from tests.e2e.applicant_steps import Applicant, assert_accessible
from tests.factories import create_invitation, create_position, keyed_best_form

pytestmark = pytest.mark.browser

STANDARD = "frontline-standard"


def invited(app: Flask, name: str = "Robin Browser") -> str:
    with app.app_context():
        position = create_position(questionnaire=STANDARD, title="Hotel front desk")
        return create_invitation(position, name=name).token


def expected_response(item, answer: dict) -> None:
    """The stored answer is the keyed-best answer the browser gave, stored by option id."""
    given = keyed_best_form(item)
    if item.format is ResponseFormat.BEST_CHOICE:
        assert answer["choice"] == given["choice"]
    elif item.format is ResponseFormat.MOST_LEAST:
        assert (answer["most"], answer["least"]) == (given["most"], given["least"])
    elif item.format is ResponseFormat.RATE_EACH:
        assert {f"rate_{k}": str(v) for k, v in answer["ratings"].items()} == given
    elif item.format is ResponseFormat.RANK:
        assert {f"rank_{oid}": str(place) for place, oid in
                enumerate(answer["ranking"], start=1)} == given
    else:
        assert answer["text"] == given["text"]


def test_full_standard_questionnaire(app: Flask, live_server: str, page: Page) -> None:
    token = invited(app)
    applicant = Applicant(app, page, live_server, token)
    applicant.open()
    assert applicant.heading() == "Welcome, Robin Browser"
    applicant.consent_with_mouse()

    items = applicant.items()
    assert len(items) == 20
    assert {item.format for item in items} == set(ResponseFormat)
    for number, item in enumerate(items, start=1):
        assert page.locator(".progress-label").inner_text() == f"Question {number} of 20"
        assert applicant.heading() == item.title
        applicant.answer_with_mouse(item)
        applicant.next_with_mouse(number, len(items))

    assert "You have answered every question." in page.content()
    applicant.submit_with_mouse()
    assert applicant.heading() == "Thank you, Robin Browser"
    assert "What happens next" in page.content()

    stored = applicant.stored_answers()
    assert set(stored) == {item.id for item in items}
    for item in items:
        expected_response(item, stored[item.id])
        assert stored[item.id]["seconds"] is not None
    assert applicant.submission_status() == "submitted"


def test_close_the_tab_half_way_and_resume_on_another_device_without_javascript(
    app: Flask, live_server: str, new_context
) -> None:
    token = invited(app)
    first = Applicant(app, new_context().new_page(), live_server, token)
    first.open()
    first.consent_with_mouse()
    # With JavaScript on, a countdown runs beside the stated time limit.
    countdown = first.page.locator(".countdown [role='timer']")
    assert re.fullmatch(r"(19|20):[0-5]\d", countdown.inner_text())
    items = first.items()
    for number, item in enumerate(items[:10], start=1):
        first.answer_with_mouse(item)
        first.next_with_mouse(number, len(items))
    # Half-way through the 11th item the tab (and the whole browser) is closed.
    first.answer_with_mouse(items[10])
    first.page.context.close()

    # A new browser, without cookies and with JavaScript off: only the invitation's link.
    second = Applicant(app, new_context(java_script_enabled=False).new_page(), live_server,
                       token, javascript=False)
    second.page.goto(second.url())
    second.arrived("/q/11")
    # No countdown without JavaScript, but the time left is stated on the page.
    assert second.page.locator(".countdown").count() == 0
    assert "minutes left" in second.page.locator(".deadline").inner_text()
    assert second.page.locator(".progress-label").inner_text() == "Question 11 of 20"
    assert second.heading() == items[10].title
    assert len(second.stored_answers()) == 10

    # Back shows the 10th answer as it was given on the first device.
    second.page.get_by_role("button", name="Back", exact=True).click()
    second.arrived("/q/10")
    for name, value in keyed_best_form(items[9]).items():
        if items[9].format in (ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST,
                               ResponseFormat.RATE_EACH):
            assert second.page.locator(f"input[name='{name}'][value='{value}']").is_checked()
        elif items[9].format is ResponseFormat.RANK:
            assert second.page.locator(f"select[name='{name}']").input_value() == value
        else:
            assert second.page.locator("textarea").input_value() == value

    second.page.goto(second.url())
    second.arrived("/q/11")
    for number, item in enumerate(items[10:], start=11):
        second.answer_with_mouse(item)
        second.next_with_mouse(number, len(items))
    second.submit_with_mouse()

    stored = second.stored_answers()
    assert set(stored) == {item.id for item in items}
    for item in items:
        expected_response(item, stored[item.id])
    assert second.submission_status() == "submitted"


def test_phone_sized_screen(app: Flask, live_server: str, new_context) -> None:
    token = invited(app)
    phone = new_context(viewport={"width": 360, "height": 640}, device_scale_factor=2,
                        is_mobile=True, has_touch=True)
    applicant = Applicant(app, phone.new_page(), live_server, token)
    applicant.open()  # every page checks: no sideways scrolling at 360 px, axe passes
    applicant.consent_with_mouse()
    items = applicant.items()
    for number, item in enumerate(items, start=1):
        next_button = applicant.page.get_by_role("button", name="Next", exact=True)
        if number < len(items):
            box = next_button.bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360
            assert box["height"] >= 44  # a finger-sized target
        applicant.answer_with_mouse(item)
        applicant.next_with_mouse(number, len(items))
    applicant.submit_with_mouse()
    assert applicant.submission_status() == "submitted"

    # A 1280 x 720 window at 200 % zoom is 640 x 360 CSS px at twice the pixel density;
    # 320 CSS px wide is the same window at 400 % (WCAG 1.4.4 resize text, 1.4.10 reflow).
    for name, viewport in (("Sam Zoomed", {"width": 640, "height": 360}),
                           ("Sam Narrow", {"width": 320, "height": 640})):
        zoomed = new_context(viewport=viewport, device_scale_factor=2)
        other = Applicant(app, zoomed.new_page(), live_server, invited(app, name=name))
        other.open()
        other.consent_with_mouse()
        formats_seen = set()
        for number, item in enumerate(other.items(), start=1):
            if item.format not in formats_seen:
                formats_seen.add(item.format)
                other.page.goto(other.url(f"/q/{number}"))
                other.arrived(f"/q/{number}")  # no sideways scrolling, axe passes
        assert formats_seen == set(ResponseFormat)


def test_keyboard_only(app: Flask, live_server: str, page: Page) -> None:
    token = invited(app, name="Kim Keys")
    applicant = Applicant(app, page, live_server, token)
    applicant.open()

    # The skip link is the first stop and moves focus to the content.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    applicant.assert_focus_visible()

    applicant.tab_to("input[name='consent']")
    page.keyboard.press("Space")
    applicant.press_button_with_keyboard("Start")
    applicant.arrived("/practice")
    applicant.press_button_with_keyboard("Start the questionnaire")
    applicant.arrived("/q/1")

    items = applicant.items()
    radio_formats = (ResponseFormat.BEST_CHOICE, ResponseFormat.MOST_LEAST,
                     ResponseFormat.RATE_EACH)
    first_radio_item = next(n for n, i in enumerate(items, 1) if i.format in radio_formats)
    for number, item in enumerate(items, start=1):
        applicant.answer_with_keyboard(item)
        if number == first_radio_item:
            # Enter on a radio button sends the form with its first button: Next, never Back.
            page.keyboard.press("Enter")
        else:
            applicant.press_button_with_keyboard(
                "Review answers" if number == len(items) else "Next"
            )
        applicant.arrived("/review" if number == len(items) else f"/q/{number + 1}")

    assert "You have answered every question." in page.content()
    applicant.press_button_with_keyboard("Submit my answers", key="Space")
    applicant.arrived("/done")

    stored = applicant.stored_answers()
    assert set(stored) == {item.id for item in items}
    for item in items:
        expected_response(item, stored[item.id])


def test_problem_pages_are_accessible_too(app: Flask, live_server: str, page: Page) -> None:
    """Error summaries, the lost-session notice, the open link and closed links pass axe."""
    with app.app_context():
        position = create_position(questionnaire=STANDARD, title="Hotel front desk")
        open_token = position.open_token
        expired = create_invitation(position, valid_days=-1).token
        revoked_invitation = create_invitation(position)
        revoked_invitation.revoked_at = revoked_invitation.created_at
        db.session.commit()
        revoked = revoked_invitation.token

    page.goto(f"{live_server}/apply/join/{open_token}")
    Applicant(app, page, live_server, "").arrived()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    assert page.locator(".error-summary").is_visible()
    assert_accessible(page)
    page.get_by_label("Your full name").fill("Jo Walk-in")
    page.get_by_label("Your email address").fill("jo@example.com")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/apply/*")
    token = page.url.rsplit("/", 1)[1]
    applicant = Applicant(app, page, live_server, token)
    applicant.arrived()

    page.get_by_role("button", name="Start").click()  # without ticking the box
    applicant.arrived()
    assert page.locator(".error-summary a").inner_text().startswith("Please tick the box")
    applicant.consent_with_mouse()

    total = len(applicant.items())
    for number in range(1, total + 1):
        page.goto(applicant.url(f"/q/{number}"))
        label = "Review answers" if number == total else "Next"
        page.get_by_role("button", name=label, exact=True).click()  # nothing answered
        applicant.arrived(f"/q/{number}")
        assert page.locator(".error-summary").is_visible()
        # The summary took the focus, and its first link moves focus to the control.
        assert page.evaluate("() => document.activeElement.className") == "error-summary"
        page.locator(".error-summary a").first.click()
        target = page.locator(".error-summary a").first.get_attribute("href")
        assert page.evaluate("() => '#' + document.activeElement.id") == target

    # The session cookie is lost while typing: the page comes back with the answer kept.
    items = applicant.items()
    page.goto(applicant.url("/q/1"))
    applicant.answer_with_mouse(items[0])
    page.context.clear_cookies()
    page.get_by_role("button", name="Next", exact=True).click()
    applicant.arrived("/q/1")
    assert "Your session had expired" in page.locator(".notice").inner_text()
    page.get_by_role("button", name="Next", exact=True).click()
    applicant.arrived("/q/2")
    assert items[0].id in applicant.stored_answers()

    page.goto(applicant.url("/review"))
    applicant.arrived("/review")
    assert "You have not answered 19 questions." in page.content()
    page.get_by_role("button", name="Submit my answers").click()
    applicant.arrived("/review")  # asks first, and the question page passes axe too
    assert applicant.heading() == "19 questions are unanswered: submit anyway?"
    page.get_by_role("button", name="Submit anyway").click()
    applicant.arrived("/done")
    page.goto(applicant.url())  # a used link goes to the thank-you page
    applicant.arrived("/done")

    for closed, wording in ((expired, "This link has expired"),
                            (revoked, "This link is no longer in use")):
        closed_page = Applicant(app, page, live_server, closed)
        page.goto(closed_page.url())
        assert closed_page.heading() == wording
        assert_accessible(page)
