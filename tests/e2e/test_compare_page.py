"""The compare page in a real browser: side by side on a desktop, a card per applicant on
a phone, with nothing to scroll sideways."""

from __future__ import annotations

import pytest
from flask import Flask
from playwright.sync_api import expect

from screening.extensions import db
from screening.services.demo import create_simulated_applicants
from tests.e2e.applicant_steps import assert_accessible, assert_no_sideways_scrolling
from tests.e2e.staff_steps import sign_in
from tests.factories import create_position, create_user

pytestmark = pytest.mark.browser


@pytest.fixture
def compare_url(app: Flask, live_server: str) -> tuple[str, str, list[str]]:
    """Three simulated applicants of one manager's position, and the page comparing them."""
    with app.app_context():
        manager = create_user(email="compare-manager@example.com")
        position = create_position(managers=[manager], title="Garden centre tills")
        assert create_simulated_applicants(db.session, position, 3, 17, rater=manager) == 3
        db.session.commit()
        submissions = [applicant.invitation.submission for applicant in position.applicants]
        ids = "&".join(f"ids={submission.id}" for submission in submissions)
        names = [applicant.name for applicant in position.applicants]
        assert len(set(names)) == 3
        return (manager.email, f"{live_server}/manage/positions/{position.id}/compare?{ids}",
                names)



def test_on_a_desktop_the_applicants_are_rows_of_one_table(
    new_context, live_server: str, compare_url: tuple[str, str, list[str]],
) -> None:
    email, url, names = compare_url
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    sign_in(page, live_server, email)
    page.goto(url)
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    rows = [page.get_by_role("row", name=name) for name in names]
    boxes = [row.bounding_box() for row in rows]
    # One row each, one above the other, every column of a row on one line across.
    assert [box["y"] for box in boxes] == sorted(box["y"] for box in boxes)
    first_cells = rows[0].get_by_role("cell")
    band, decision = first_cells.first.bounding_box(), first_cells.last.bounding_box()
    assert abs(band["y"] - decision["y"]) < 2 and decision["x"] > band["x"]
    # The comparison is the top of the page: the first applicant is on the first screen.
    assert boxes[0]["y"] + boxes[0]["height"] < 800
    assert_no_sideways_scrolling(page)
    assert_accessible(page)


def test_on_a_phone_each_applicant_is_a_card(
    new_context, live_server: str, compare_url: tuple[str, str, list[str]],
) -> None:
    email, url, names = compare_url
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                       has_touch=True).new_page()
    sign_in(page, live_server, email)
    page.goto(url)
    assert_no_sideways_scrolling(page)
    for name in names:
        card = page.get_by_role("row", name=name)
        box = card.bounding_box()
        assert box["width"] <= 390
        cells = card.get_by_role("cell")
        # A card: the values stack, each under its column's name.
        first, last = cells.first.bounding_box(), cells.last.bounding_box()
        assert last["y"] > first["y"] + first["height"] - 1
        assert abs(first["x"] - last["x"]) < 2
        labels = cells.evaluate_all(
            "cells => cells.map(c => getComputedStyle(c, '::before').content)")
        assert labels[0] == '"Band"' and labels[-1] == '"Decision"'
    assert_accessible(page)
