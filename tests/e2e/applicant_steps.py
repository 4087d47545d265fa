"""What an applicant does in the browser, and the checks made on every page they see."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, Response
from sqlalchemy import select

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import Answer, Invitation, Submission
from screening.services.journey import sequence_for
from tests.factories import keyed_best_form

PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core impacts that fail the build; moderate and minor ones are reported by axe only.
FAILING_IMPACTS = {"serious", "critical"}


def assert_accessible(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    assert AXE_SCRIPT.exists(), f"{AXE_SCRIPT} is missing: run `npm ci` in the project root"
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    failures = [v for v in results["violations"] if v["impact"] in FAILING_IMPACTS]
    report = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in failures
    )
    assert not failures, f"axe-core on {page.url}:\n{report}"


def assert_no_sideways_scrolling(page: Page) -> None:
    """WCAG 1.4.10: content reflows to the viewport width, nothing needs scrolling sideways."""
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"{page.url} is {width}px wide in a {viewport}px viewport"


class Applicant:
    """One applicant in one browser page; checks every page they arrive at."""

    def __init__(self, app: Flask, page: Page, base_url: str, token: str,
                 javascript: bool = True, language: str = "en") -> None:
        self.app, self.page, self.base_url, self.token = app, page, base_url, token
        #: the language every page must declare in <html lang>.
        self.language = language
        #: axe-core is a script: with JavaScript off the same pages are checked elsewhere.
        self.javascript = javascript
        self.failed_documents: list[str] = []
        page.on("response", self._record_failure)

    def _record_failure(self, response: Response) -> None:
        if response.request.resource_type == "document" and response.status >= 400:
            self.failed_documents.append(f"{response.status} {response.url}")

    # -- navigation ---------------------------------------------------------------------

    def url(self, path: str = "") -> str:
        return f"{self.base_url}/apply/{self.token}{path}"

    def open(self, path: str = "") -> None:
        self.page.goto(self.url(path))
        self.arrived()

    def arrived(self, path: str | None = None) -> None:
        """The page loaded (at ``path`` if given), without errors or accessibility failures."""
        if path is not None:
            self.page.wait_for_url(re.compile(re.escape(self.url(path)) + r"(\?.*)?$"))
        self.page.wait_for_load_state("load")
        assert not self.failed_documents, self.failed_documents
        assert self.page.evaluate("() => document.documentElement.lang") == self.language
        if self.javascript:
            assert_accessible(self.page)
        assert_no_sideways_scrolling(self.page)

    def heading(self) -> str:
        return self.page.locator("h1").inner_text()

    # -- data the test needs to answer the applicant's own item order ---------------------

    def items(self) -> tuple[Item, ...]:
        with self.app.app_context():
            submission = self._submission()
            assert submission is not None, "the applicant has not consented yet"
            return sequence_for(submission).items

    def stored_answers(self) -> dict[str, dict]:
        with self.app.app_context():
            submission = self._submission()
            assert submission is not None
            rows = db.session.scalars(select(Answer).where(Answer.submission_id == submission.id))
            return {row.item_id: row.response for row in rows}

    def submission_status(self) -> str | None:
        with self.app.app_context():
            submission = self._submission()
            return None if submission is None else submission.status.value

    def _submission(self) -> Submission | None:
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == self.token))
        assert invitation is not None
        return invitation.submission

    # -- with a mouse (or a finger) -------------------------------------------------------

    def consent_with_mouse(self) -> None:
        self.page.get_by_label("I have read the above").check()
        self.page.get_by_role("button", name="Start").click()
        self.arrived("/practice")
        self.page.get_by_role("button", name="Start the questionnaire").click()
        self.arrived("/q/1")

    def answer_with_mouse(self, item: Item) -> None:
        for name, value in keyed_best_form(item).items():
            if item.format is ResponseFormat.FREE_TEXT:
                self.page.locator("textarea[name='text']").fill(value)
            elif item.format is ResponseFormat.RANK:
                self.page.locator(f"select[name='{name}']").select_option(value)
            else:
                self.page.locator(f"input[name='{name}'][value='{value}']").check()

    def next_with_mouse(self, number: int, total: int) -> None:
        label = "Review answers" if number == total else "Next"
        self.page.get_by_role("button", name=label, exact=True).click()
        self.arrived("/review" if number == total else f"/q/{number + 1}")

    def submit_with_mouse(self) -> None:
        self.page.get_by_role("button", name="Submit my answers").click()
        self.arrived("/done")

    # -- with the keyboard only -----------------------------------------------------------

    def tab_to(self, selector: str, limit: int = 80) -> None:
        """Press Tab until the focused element matches the CSS ``selector``."""
        self._tab_until("s => document.activeElement.matches(s)", selector, limit)

    def tab_to_button(self, label: str, limit: int = 80) -> None:
        """Press Tab until the focused element is the button reading ``label``."""
        self._tab_until(
            "label => document.activeElement.tagName === 'BUTTON'"
            " && document.activeElement.textContent.trim() === label", label, limit,
        )

    def _tab_until(self, predicate: str, argument: str, limit: int) -> None:
        for _ in range(limit):
            if self.page.evaluate(predicate, argument):
                self.assert_focus_visible()
                return
            self.page.keyboard.press("Tab")
        raise AssertionError(f"{limit} presses of Tab never reached {argument} on {self.page.url}")

    def assert_focus_visible(self) -> None:
        """The focused control shows a focus ring (WCAG 2.4.7)."""
        outline = self.page.evaluate(
            "() => { const s = getComputedStyle(document.activeElement);"
            " return [s.outlineStyle, parseFloat(s.outlineWidth)]; }"
        )
        assert outline[0] != "none" and outline[1] >= 2, (
            f"no visible focus ring on {self.page.evaluate('document.activeElement.outerHTML')}"
        )

    def answer_with_keyboard(self, item: Item) -> None:
        for name, value in keyed_best_form(item).items():
            if item.format is ResponseFormat.FREE_TEXT:
                self.tab_to("textarea[name='text']")
                self.page.keyboard.type(value)
            elif item.format is ResponseFormat.RANK:
                # A closed select moves one option down per ArrowDown, from "Choose a place".
                self.tab_to(f"select[name='{name}']")
                for _ in range(int(value)):
                    self.page.keyboard.press("ArrowDown")
            else:
                self.choose_radio_with_keyboard(name, value)

    def choose_radio_with_keyboard(self, name: str, value: str) -> None:
        """Tab into the radio group, then arrow to the option (arrows also select it)."""
        self.tab_to(f"input[name='{name}']")
        values = self.page.eval_on_selector_all(f"input[name='{name}']",
                                                "inputs => inputs.map(i => i.value)")
        focused = values.index(self.page.evaluate("() => document.activeElement.value"))
        steps = (values.index(value) - focused) % len(values)
        if steps == 0:
            self.page.keyboard.press("Space")
        for _ in range(steps):
            self.page.keyboard.press("ArrowDown")
        assert self.page.locator(f"input[name='{name}'][value='{value}']").is_checked()

    def press_button_with_keyboard(self, label: str, key: str = "Enter") -> None:
        self.tab_to_button(label)
        self.page.keyboard.press(key)
