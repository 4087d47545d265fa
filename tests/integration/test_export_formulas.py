"""No export turns applicant or staff text into a formula, whatever separator opens it.

Every CSV the app sends (HR's exports, a manager's position CSV, the adverse-impact and
audit CSVs) and every XLSX text cell is read the ways a spreadsheet might: split on
commas, semicolons or tabs, with quotes read or ignored (tests/formulas.py).
"""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient

from screening.extensions import db
from screening.models import Outcome, Role
from screening.services import audit
from tests.factories import (
    create_position,
    create_user,
    decide,
    self_identify,
    sign_in,
    submit_simulated,
)
from tests.formulas import formula_cells

#: Text that holds a formula after a separator, but never at its very start.
HOSTILE = ["Ana;=HYPERLINK(\"http://evil\")", "Bo, +1+1", "Cy\t@SUM(A1)", 'Di;"=1+2"',
           "Ed;\r\n-2+3+cmd|' /C calc'!A0"]


@pytest.fixture
def hostile(app: Flask) -> dict[str, object]:
    with app.app_context():
        hr = create_user(Role.HR)
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title="Desk;=1+1",
                                   location="Hall, @SUM(A1)")
        for n, text in enumerate(HOSTILE):
            submission = submit_simulated(position, name=text, seed=n + 1,
                                          free_text=f"I would help; {text}")
            decide(submission, manager, Outcome.ADVANCE, note=f"Kind; {text}")
            self_identify(submission, sex="female", race="white")
        audit.record(db.session, hr, "retention.purged", None, note=HOSTILE[0])
        db.session.commit()
        return {"hr": hr.email, "manager": manager.email, "position": position.id}


def download(client: FlaskClient, path: str) -> bytes:
    with client.get(path) as response:  # streamed: read and close before the next request
        assert response.status_code == 200, path
        return response.get_data()


def csv_downloads(client: FlaskClient, hostile: dict[str, object]) -> dict[str, str]:
    position = hostile["position"]
    sign_in(client, str(hostile["hr"]))
    paths = [f"/hr/exports/download?format=csv&layout={layout}" for layout in ("wide", "long")]
    paths += [f"/hr/fairness/{position}.csv", "/hr/audit.csv"]
    texts = {path: download(client, path).decode() for path in paths}
    client.post("/logout")
    sign_in(client, str(hostile["manager"]))
    texts["position csv"] = download(client, f"/manage/positions/{position}/results.csv").decode()
    return texts


def test_no_csv_cell_becomes_a_formula_under_any_separator(client, hostile) -> None:
    texts = csv_downloads(client, hostile)
    for path, text in texts.items():
        assert formula_cells(text) == [], path
    # The hostile text did reach the files (so the check above had something to find).
    wide = list(csv.DictReader(io.StringIO(texts["/hr/exports/download?format=csv&layout=wide"]
                                           .lstrip("\ufeff"))))
    assert sorted(row["applicant_name"] for row in wide) == [
        "Ana;'=HYPERLINK(\"http://evil\")", "Bo, '+1+1", "Cy\t'@SUM(A1)", "Di;\"'=1+2\"",
        "Ed;\r\n'-2+3+cmd|' /C calc'!A0"]
    assert "Ana;'=HYPERLINK" in texts["/hr/audit.csv"]
    assert "I would help; Ana;'=HYPERLINK" in texts["/hr/exports/download?format=csv&layout=long"]


def test_no_xlsx_text_cell_holds_a_formula_piece(client, hostile) -> None:
    sign_in(client, str(hostile["hr"]))
    for layout in ("wide", "long"):
        data = download(client, f"/hr/exports/download?format=xlsx&layout={layout}")
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        texts = [cell.value.replace("_x000D_", "\r") for row in sheet.iter_rows()
                 for cell in row if isinstance(cell.value, str)]
        assert any("HYPERLINK" in text for text in texts)
        hostile_cells = [text for text in texts
                         if formula_cells(f'"{text.replace(chr(34), chr(34) * 2)}"\r\n')]
        assert hostile_cells == [], layout
