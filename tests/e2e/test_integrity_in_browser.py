"""Integrity signals in a real browser: the page's own script counts and posts them.

What is covered: Chromium runs static/js/integrity.js under the app's real Content
Security Policy (this context does not bypass it); a real paste (text on the
clipboard, Control+V into the written answer) is counted; leaving the page is counted
on ``visibilitychange`` to hidden; the counts reach the database with the answer; with
JavaScript off nothing is reported.

What is not: headless Chromium never hides a page (another tab brought to the front,
a minimised window or a frozen page all stay "visible"; tried), so the test makes the
page report itself hidden and fires the event the browser would fire. The script's
reaction to that event is real; the browser's decision to fire it is not tested.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page
from sqlalchemy import select

from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import Answer, Invitation
from screening.services.journey import sequence_for
from tests.factories import create_invitation, create_position, keyed_best_form

pytestmark = pytest.mark.browser

PASTED = "I would apologise, listen to the whole story, and offer a replacement at once."
#: What the browser does when the applicant switches to another tab and back.
LEAVE_AND_COME_BACK = """() => {
  for (const state of ["hidden", "visible"]) {
    Object.defineProperty(document, "visibilityState", {value: state, configurable: true});
    document.dispatchEvent(new Event("visibilitychange"));
  }
}"""


@pytest.fixture
def contexts(browser: Browser) -> Iterator[list[BrowserContext]]:
    """Contexts that keep the app's Content Security Policy (unlike ``new_context``)."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def open_page(browser: Browser, contexts: list[BrowserContext], origin: str,
              javascript: bool = True) -> tuple[Page, list[str]]:
    context = browser.new_context(java_script_enabled=javascript)
    context.set_default_timeout(30_000)
    contexts.append(context)
    if javascript:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
    page = context.new_page()
    refusals: list[str] = []
    page.on("console", lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text else None)
    return page, refusals


def start(app: Flask, page: Page, base: str) -> str:
    with app.app_context():
        token = create_invitation(create_position(title="Hotel front desk")).token
    page.goto(f"{base}/apply/{token}")
    page.get_by_label("I have read the above").check()
    page.get_by_role("button", name="Start").click()
    page.get_by_role("button", name="Start the questionnaire").click()
    page.wait_for_url(f"{base}/apply/{token}/q/1")
    return token


def answer(page: Page, item) -> None:
    for name, value in keyed_best_form(item).items():
        if item.format is ResponseFormat.RANK:
            page.locator(f"select[name='{name}']").select_option(value)
        elif item.format is ResponseFormat.FREE_TEXT:
            page.locator(f"textarea[name='{name}']").fill(value)
        else:
            page.locator(f"input[name='{name}'][value='{value}']").check()


def stored(app: Flask, token: str) -> dict[str, tuple[int | None, int | None]]:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        rows = db.session.scalars(select(Answer).where(
            Answer.submission_id == invitation.submission.id))
        return {row.item_id: (row.left_page_count, row.paste_count) for row in rows}


def items_of(app: Flask, token: str):
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        return sequence_for(invitation.submission).items


def test_leaving_the_page_and_a_real_paste_are_counted_and_stored(
    app: Flask, live_server: str, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page, refusals = open_page(browser, contexts, live_server)
    token = start(app, page, live_server)
    items = items_of(app, token)

    # A choice question (the order is the applicant's own): answered after leaving the
    # page twice.
    chosen = next(n for n, item in enumerate(items, start=1)
                  if item.format is not ResponseFormat.FREE_TEXT)
    page.goto(f"{live_server}/apply/{token}/q/{chosen}")
    page.evaluate(LEAVE_AND_COME_BACK)
    page.evaluate(LEAVE_AND_COME_BACK)
    answer(page, items[chosen - 1])
    page.get_by_role("button", name="Review answers" if chosen == len(items) else "Next",
                     exact=True).click()
    page.wait_for_url(lambda url: f"/q/{chosen}" not in url)

    # The written answer: pasted from the clipboard with the keyboard.
    number = next(n for n, item in enumerate(items, start=1)
                  if item.format is ResponseFormat.FREE_TEXT)
    page.goto(f"{live_server}/apply/{token}/q/{number}")
    page.evaluate("text => navigator.clipboard.writeText(text)", PASTED)
    page.locator("textarea[name='text']").click()
    page.keyboard.press("Control+V")
    assert page.locator("textarea[name='text']").input_value() == PASTED
    page.get_by_role("button", name="Review answers" if number == len(items) else "Next",
                     exact=True).click()
    page.wait_for_url(lambda url: f"/q/{number}" not in url)

    counts = stored(app, token)
    assert counts[items[chosen - 1].id] == (2, 0)
    assert counts[items[number - 1].id] == (0, 1)
    assert refusals == []  # the script ran under the app's own policy


def test_without_javascript_nothing_is_reported(
    app: Flask, live_server: str, browser: Browser, contexts: list[BrowserContext]
) -> None:
    page, _ = open_page(browser, contexts, live_server, javascript=False)
    token = start(app, page, live_server)
    items = items_of(app, token)
    answer(page, items[0])
    page.get_by_role("button", name="Next", exact=True).click()
    page.wait_for_url(f"{live_server}/apply/{token}/q/2")
    assert stored(app, token) == {items[0].id: (None, None)}
