"""Compact formats on a 390 x 844 phone: the first option in the first screen, most and
least in one table, a 1-5 scale per option, and skip -> review -> answer -> submit."""

from __future__ import annotations

import pytest
from flask import Flask

from screening.bank import Item, ResponseFormat
from tests.e2e.applicant_steps import Applicant
from tests.factories import create_invitation, create_position, keyed_best_form

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def invited(app: Flask) -> str:
    with app.app_context():
        position = create_position(questionnaire="frontline-standard", title="Hotel front desk")
        return create_invitation(position, name="Pat Phone").token


def assert_option_group_in_first_screen(applicant: Applicant, item: Item) -> None:
    """Without scrolling, the first answer control of the item is fully in the viewport."""
    page = applicant.page
    assert page.evaluate("() => window.scrollY") == 0
    first = page.locator("form input[type=radio], form select, form textarea").first
    box = first.bounding_box()
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (
        f"{item.format} item {item.id}: its first option ends at "
        f"{box['y'] + box['height']:.0f}px on an {PHONE['height']}px screen")


def test_compact_formats_and_skipping_on_a_phone(
    app: Flask, live_server: str, new_context
) -> None:
    phone = new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True, has_touch=True)
    applicant = Applicant(app, phone.new_page(), live_server, invited(app))
    page = applicant.page
    applicant.open()
    applicant.consent_with_mouse()
    items = applicant.items()
    numbers = {fmt: next(n for n, item in enumerate(items, 1) if item.format is fmt)
               for fmt in (ResponseFormat.MOST_LEAST, ResponseFormat.RATE_EACH)}

    # The time is stated once: one line, in local time with JavaScript.
    assert page.locator(".deadline").count() == 1
    box = page.locator(".deadline").bounding_box()
    assert box is not None and box["height"] < 40, box
    assert "(until " in page.locator(".deadline-line").inner_text()

    skipped = []
    for number, item in enumerate(items, start=1):
        assert_option_group_in_first_screen(applicant, item)
        if item.format is ResponseFormat.MOST_LEAST:
            most_least_on_a_phone(applicant, item)
        if item.format is ResponseFormat.RATE_EACH:
            rate_each_on_a_phone(applicant, item)
        if number in numbers.values() or number % 4 == 0:
            applicant.answer_with_mouse(item)
            applicant.next_with_mouse(number, len(items))
        else:
            page.get_by_role("button", name="Skip for now").click()
            applicant.arrived("/review" if number == len(items) else f"/q/{number + 1}")
            skipped.append(number)
    assert len(applicant.stored_answers()) == len(items) - len(skipped)

    # The review page links every skipped question; answer one from there.
    links = page.locator(".skipped-list a")
    assert links.all_inner_texts() == [f"Answer question {n}" for n in skipped]
    links.first.click()
    applicant.arrived(f"/q/{skipped[0]}")
    applicant.answer_with_mouse(items[skipped[0] - 1])
    page.get_by_role("button", name="Save and go to review").click()
    applicant.arrived("/review")
    left = len(skipped) - 1
    assert page.locator(".skipped-list a").count() == left

    # Submitting with questions unanswered asks first; the second button submits.
    page.get_by_role("button", name="Submit my answers").click()
    applicant.arrived("/review")
    assert applicant.heading() == f"{left} questions are unanswered: submit anyway?"
    assert applicant.submission_status() == "in_progress"
    page.get_by_role("button", name="Submit anyway").click()
    applicant.arrived("/done")
    assert applicant.submission_status() == "submitted"
    assert len(applicant.stored_answers()) == len(items) - left


def most_least_on_a_phone(applicant: Applicant, item: Item) -> None:
    page = applicant.page
    # Each option is printed once, as a row of one table.
    for option in item.options:
        assert page.get_by_text(option.text, exact=True).count() == 1
    table = page.locator("table.choice-table")
    assert table.locator("tbody tr").count() == len(item.options)
    # Each radio is named by its option and its column.
    best = keyed_best_form(item)
    option = item.option(best["most"]).text
    most = page.get_by_role("radio", name=f"{option} Most effective", exact=True)
    least = page.get_by_role("radio", name=f"{option} Least effective", exact=True)
    assert most.count() == 1 and least.count() == 1
    # Stacked: the option's words above its two radios, side by side.
    words = page.locator("tbody th", has_text=option).bounding_box()
    most_box, least_box = most.bounding_box(), least.bounding_box()
    assert words and most_box and least_box
    assert most_box["y"] >= words["y"] + words["height"] - 1
    assert abs(most_box["y"] - least_box["y"]) < 2 and least_box["x"] > most_box["x"]


def rate_each_on_a_phone(applicant: Applicant, item: Item) -> None:
    page = applicant.page
    # A radio group per option, named by the option's words.
    assert page.locator("fieldset.rating-row").count() == len(item.options)
    option_group = page.get_by_role("group", name=item.options[0].text, exact=True)
    assert option_group.count() == 1
    # One horizontal scale: five radios on one line, worded at both ends.
    boxes = [option_group.get_by_role("radio").nth(n).bounding_box() for n in range(5)]
    assert all(boxes)
    assert max(b["y"] for b in boxes) - min(b["y"] for b in boxes) < 2
    assert [b["x"] for b in boxes] == sorted(b["x"] for b in boxes)
    ends = option_group.locator(".scale-end").all_inner_texts()
    assert ends == ["Very ineffective", "Very effective"]
    assert option_group.get_by_role("radio", name="1 – Very ineffective").count() == 1
