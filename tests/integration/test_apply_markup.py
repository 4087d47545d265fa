"""The page structure assistive technology relies on, checked without a browser.

The browser tests run axe-core on the rendered pages; these checks run in every
``make test`` and name the exact rule an item page must keep.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import Invitation
from screening.services.journey import sequence_for
from tests.factories import create_invitation, create_position


class Structure(HTMLParser):
    """Controls, labels, fieldsets and legends of one page."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.lang: str | None = None
        self.controls: list[dict[str, str]] = []
        self.label_targets: set[str] = set()
        self.ids: set[str] = set()
        self.fieldsets: list[dict] = []  # {"legend": str, "first_child": str, "depth": int}
        self._open_fieldsets: list[dict] = []
        self._in_legend: dict | None = None
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if self._open_fieldsets and self._open_fieldsets[-1]["first_child"] is None:
            self._open_fieldsets[-1]["first_child"] = tag
        if tag == "html":
            self.lang = attributes.get("lang")
        elif tag == "fieldset":
            fieldset = {"legend": "", "first_child": None, "depth": len(self._open_fieldsets),
                        "attrs": attributes}
            self.fieldsets.append(fieldset)
            self._open_fieldsets.append(fieldset)
        elif tag == "legend" and self._open_fieldsets:
            self._in_legend = self._open_fieldsets[-1]
        elif tag == "label" and "for" in attributes:
            self.label_targets.add(attributes["for"])
        elif tag in {"input", "select", "textarea"} and attributes.get("type") != "hidden":
            self.controls.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self._open_fieldsets:
            self._open_fieldsets.pop()
        elif tag == "legend":
            self._in_legend = None

    def handle_data(self, data: str) -> None:
        if self._in_legend is not None:
            self._in_legend["legend"] += data


def assert_every_control_labelled(structure: Structure) -> None:
    for control in structure.controls:
        assert control.get("id") in structure.label_targets, f"no label for {control}"


def consented(app: Flask, client: FlaskClient) -> tuple[str, tuple[Item, ...]]:
    with app.app_context():
        token = create_invitation(create_position()).token
    client.post(f"/apply/{token}", data={"consent": "y"})
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        return token, sequence_for(invitation.submission).items


@pytest.mark.parametrize("response_format", list(ResponseFormat))
@pytest.mark.parametrize("with_errors", [False, True])
def test_each_item_is_one_fieldset_with_the_question_as_legend(
    app: Flask, client: FlaskClient, response_format: ResponseFormat, with_errors: bool
) -> None:
    token, items = consented(app, client)
    number, item = next((n, i) for n, i in enumerate(items, 1) if i.format is response_format)
    if with_errors:
        page = client.post(f"/apply/{token}/q/{number}", data={}).text
    else:
        page = client.get(f"/apply/{token}/q/{number}").text
    structure = Structure(page)

    assert structure.lang == "en"
    outer = [f for f in structure.fieldsets if f["depth"] == 0]
    assert len(outer) == 1
    assert " ".join(outer[0]["legend"].split()) == item.prompt
    for fieldset in structure.fieldsets:
        assert fieldset["first_child"] == "legend"
        assert fieldset["legend"].strip()
    # Every control sits inside the item's fieldset and has its own label.
    assert structure.controls
    assert_every_control_labelled(structure)
    if with_errors:
        described = [f["attrs"].get("aria-describedby", "") for f in structure.fieldsets]
        described += [c.get("aria-describedby", "") for c in structure.controls]
        error_ids = {i for ids in described for i in ids.split() if i.endswith("-error")}
        assert error_ids and error_ids <= structure.ids


def test_other_applicant_pages_label_every_control(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        position = create_position()
        token, open_token = create_invitation(position).token, position.open_token
    pages = {
        "join": client.get(f"/apply/join/{open_token}").text,
        "join with errors": client.post(f"/apply/join/{open_token}", data={}).text,
        "welcome": client.get(f"/apply/{token}").text,
        "welcome with errors": client.post(f"/apply/{token}", data={}).text,
    }
    client.post(f"/apply/{token}", data={"consent": "y"})
    pages["practice"] = client.get(f"/apply/{token}/practice").text
    pages["review"] = client.get(f"/apply/{token}/review").text
    for name, page in pages.items():
        structure = Structure(page)
        assert structure.lang == "en", name
        assert_every_control_labelled(structure)
        for fieldset in structure.fieldsets:
            assert fieldset["first_child"] == "legend", name
