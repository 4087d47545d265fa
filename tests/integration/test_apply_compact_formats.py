"""The compact item formats as served: most and least in one table with each option once,
a labelled 1-5 scale per option for rate-each, and the time on one line."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import ResponseFormat
from screening.extensions import db
from screening.models import Invitation
from screening.services.journey import sequence_for
from tests.factories import create_invitation, create_position


def question_pages(app: Flask, client: FlaskClient, fmt: ResponseFormat) -> list[tuple]:
    with app.app_context():
        token = create_invitation(create_position()).token
    client.post(f"/apply/{token}", data={"consent": "y"})
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        items = sequence_for(invitation.submission).items
    return [(item, html.unescape(client.get(f"/apply/{token}/q/{number}").text))
            for number, item in enumerate(items, start=1) if item.format is fmt]


def test_most_and_least_is_one_table_with_each_option_once(
    app: Flask, client: FlaskClient
) -> None:
    pages = question_pages(app, client, ResponseFormat.MOST_LEAST)
    assert pages
    for item, page in pages:
        for option in item.options:
            assert page.count(option.text) == 1, option.text
        table = page.split('<table class="choice-table">', 1)[1].split("</table>", 1)[0]
        assert table.count("<tr>") == len(item.options) + 1  # a header row and one per option
        # Each radio is named by its option's row header and its column's word.
        for row in range(len(item.options)):
            option_id = re.search(rf'id="(prompt-{re.escape(item.id)}-option-{row})"', table)
            assert option_id, row
            assert f'aria-labelledby="{option_id.group(1)} most-{row}-word"' in table
            assert f'aria-labelledby="{option_id.group(1)} least-{row}-word"' in table
        assert table.count('class="cell-word">Most effective</label>') == len(item.options)
        assert table.count('class="cell-word">Least effective</label>') == len(item.options)


def test_rate_each_is_a_labelled_scale_per_option(app: Flask, client: FlaskClient) -> None:
    pages = question_pages(app, client, ResponseFormat.RATE_EACH)
    assert pages
    for item, page in pages:
        rows = page.split('<fieldset class="rating-row"')[1:]
        assert len(rows) == len(item.options)
        for row in rows:
            assert row.count('type="radio"') == 5
            assert '<span class="scale-end" aria-hidden="true">Very ineffective</span>' in row
            assert '<span class="scale-end" aria-hidden="true">Very effective</span>' in row
            assert '<span class="visually-hidden">1 – Very ineffective</span>' in row
            assert '<span class="visually-hidden">5 – Very effective</span>' in row


def test_the_time_is_stated_once(app: Flask, client: FlaskClient) -> None:
    _, page = question_pages(app, client, ResponseFormat.BEST_CHOICE)[0]
    assert page.count('class="deadline"') == 1
    assert len(re.findall(r"\d+ minutes? left</p>", page)) == 1
    assert "When this page opened" not in page and "Please finish by" not in page
