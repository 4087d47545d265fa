"""Issue #18's keying panel in a real browser: an admin creates a panel and invites three
practitioners; each rates every situation through their own link (one on a phone, one
stopping half-way and coming back); the report's agreement figures match a computation
made here from the ratings given; `bank apply-panel` writes a change `bank check` accepts."""

from __future__ import annotations

import re
import shutil
import statistics
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Page, expect

from screening.bank import Item, ResponseFormat, read_bank
from screening.models import Role
from tests.e2e.applicant_steps import assert_accessible
from tests.e2e.staff_steps import sign_in
from tests.factories import create_user

pytestmark = pytest.mark.browser

BANK = Path(__file__).resolve().parents[2] / "questions"
QUESTIONNAIRE = "frontline-short"
PHONE = {"width": 390, "height": 844}


def _rated_items() -> list[Item]:
    bank, problems = read_bank(BANK)
    assert problems == []
    return [item for item in bank.questionnaires[QUESTIONNAIRE].items
            if item.format is not ResponseFormat.FREE_TEXT]


def _rating(panellist: int, item_index: int, option_index: int) -> int:
    """Three practitioners who largely agree; the second is harsher on the first option."""
    base = 5 - (option_index + item_index) % 4
    return max(1, base - 2) if panellist == 1 and option_index == 0 else base


def _rate_in_browser(page: Page, link: str, panellist: int, items: list[Item],
                     stop_after: int | None = None) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", name="Rate how effective each response is")
           ).to_be_visible()
    progress = page.get_by_text(re.compile(r"\d+ of \d+ situations rated"))
    done = int(progress.inner_text().split(":")[-1].split()[0])
    page.get_by_role("link", name=re.compile(r"(Start|Carry on) with situation")).click()
    for index in range(done, len(items)):
        item = items[index]
        expect(page.get_by_role("heading", name=item.title)).to_be_visible()
        for o_index, option in enumerate(item.options):
            group = page.get_by_role("group", name=option.text, exact=True)
            rating = _rating(panellist, index, o_index)
            group.get_by_role("radio", name=re.compile(rf"^{rating},")).check()
        if stop_after is not None and index + 1 == stop_after:
            page.get_by_role("button", name="Save and finish later").click()
            expect(page.get_by_text("Saved. Open your link again")).to_be_visible()
            return
        page.get_by_role("button", name=re.compile("Save and (continue|check)")).click()
    expect(page.get_by_role("heading", name="Check and send your ratings")).to_be_visible()
    page.get_by_role("button", name="Send my ratings").click()
    expect(page.get_by_role("heading", name=re.compile("your ratings were received"))
           ).to_be_visible()


def _rwg(columns: list[list[int]]) -> float:
    """r_wg(J) from its definition: J options, sample variances, uniform null σ² = 2."""
    mean_variance = statistics.fmean(statistics.variance(column) for column in columns)
    if mean_variance >= 2:
        return 0.0
    share = mean_variance / 2
    return len(columns) * (1 - share) / (len(columns) * (1 - share) + share)


def test_an_admin_runs_a_keying_panel_to_a_bank_change(
    app: Flask, live_server: str, page: Page, new_context, tmp_path: Path,
) -> None:
    with app.app_context():
        email = create_user(Role.ADMIN, name="Ada Admin").email
    items = _rated_items()

    sign_in(page, live_server, email)
    page.goto(f"{live_server}/hr/panels")
    page.get_by_label("Panel name").fill("Front desk supervisors")
    versions = page.get_by_label("Questionnaire")
    label = next(text for text in versions.locator("option").all_inner_texts()
                 if f"({QUESTIONNAIRE}@" in text)
    versions.select_option(label=label)
    page.get_by_role("button", name="Create the panel").click()
    expect(page.get_by_role("heading", name=re.compile("Keying panel \\d+: Front desk"))
           ).to_be_visible()
    panel_id = int(re.search(r"/hr/panels/(\d+)", page.url).group(1))  # type: ignore[union-attr]
    assert_accessible(page)

    links = []
    for who in ("Supervisor, harbour", "Team leader, station", "Senior receptionist"):
        page.get_by_label("Who the link is for").fill(who)
        page.get_by_role("button", name="Create their link").click()
        shown = page.get_by_label("Panellist link for the new panellist").input_value()
        # Links are made on BASE_URL (the tests' http://localhost); this server is elsewhere.
        links.append(shown.replace("http://localhost", live_server, 1))
    assert len(set(links)) == 3

    practitioners = [new_context(viewport=PHONE).new_page(),
                     new_context().new_page(), new_context().new_page()]
    _rate_in_browser(practitioners[0], links[0], 0, items)
    assert_accessible(practitioners[0])
    _rate_in_browser(practitioners[1], links[1], 1, items, stop_after=2)
    _rate_in_browser(new_context().new_page(), links[1], 1, items)  # resumed elsewhere
    _rate_in_browser(practitioners[2], links[2], 2, items)
    practitioners[0].goto(links[0])
    expect(practitioners[0].get_by_text("This link has done its job")).to_be_visible()

    page.goto(f"{live_server}/hr/panels/{panel_id}")
    page.get_by_role("button", name="Close the panel").click()
    expect(page.get_by_text("Panel closed")).to_be_visible()
    page.get_by_role("link", name="Read the report").click()
    expect(page.get_by_role("heading", name=re.compile("Keying panel"))).to_be_visible()
    assert_accessible(page)
    for index, item in enumerate(items):
        columns = [[_rating(p, index, o) for p in range(3)] for o in range(len(item.options))]
        expect(page.locator(f'[data-figure="rwg-{item.id}"]')).to_have_text(
            f"{_rwg(columns):.2f}")
        for o_index, option in enumerate(item.options):
            expect(page.locator(f'[data-figure="mean-{item.id}-{option.id}"]')).to_have_text(
                f"{statistics.fmean(columns[o_index]):.2f}")
    median = statistics.median(
        _rwg([[_rating(p, i, o) for p in range(3)] for o in range(len(item.options))])
        for i, item in enumerate(items))
    expect(page.locator('[data-figure="median-rwg"]')).to_have_text(f"{median:.2f}")

    bank = tmp_path / "bank"
    shutil.copytree(BANK, bank)
    runner = app.test_cli_runner()
    applied = runner.invoke(args=["bank", "apply-panel", str(panel_id), "--bank", str(bank)])
    assert applied.exit_code == 0, applied.output
    assert "panel_effectiveness" in applied.output
    checked = runner.invoke(args=["bank", "check", str(bank)])
    assert checked.exit_code == 0, checked.output
    written, _ = read_bank(bank)
    first = written.items[items[0].id]
    assert first.reviewed_by[-1].who == f"Practitioner panel {panel_id} (3 raters)"
    assert first.options[0].panel_effectiveness == round(
        statistics.fmean(_rating(p, 0, 0) for p in range(3)), 1)
