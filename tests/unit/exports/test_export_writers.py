"""CSV, JSON and XLSX writers: typed, injection-safe, streamed."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import UTC, datetime

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.exports import spreadsheets
from screening.exports.spreadsheets import csv_stream, json_stream, neutralise, write_xlsx
from tests.formulas import formula_cells

HEADERS = ("id", "name", "score", "flag", "at", "missing")
MOMENT = datetime(2024, 3, 1, 9, 52, 15, tzinfo=UTC)


@pytest.mark.parametrize("text", ["=1+2", "+44 20", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_formula_prefixes_are_neutralised(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_plain_text_and_numbers_are_left_alone() -> None:
    assert neutralise("Robin") == "Robin"
    assert neutralise(-3.5) == -3.5
    assert neutralise(-2) == -2


def test_csv_spells_values_and_neutralises_text_only() -> None:
    rows = [[1, "=cmd|' /C calc'!A0", -2.5, True, MOMENT, None],
            [2, "Zoë O'Neil, \"Jr\"", 0.0, False, None, None]]
    text = "".join(csv_stream(HEADERS, rows))
    assert not text.startswith("\ufeff")
    parsed = list(csv.reader(io.StringIO(text)))
    assert parsed == [
        list(HEADERS),
        ["1", "'=cmd|' /C calc'!A0", "-2.5", "true", "2024-03-01T09:52:15+00:00", ""],
        ["2", "Zoë O'Neil, \"Jr\"", "0.0", "false", "", ""],
    ]


def test_csv_bom_is_optional() -> None:
    text = "".join(csv_stream(HEADERS, [], bom=True))
    assert text == "\ufeffid,name,score,flag,at,missing\r\n"


def _counting(rows_made: list[int]):
    for number in itertools.count():
        rows_made[0] = number + 1
        yield [number, "x" * 100, 1.5, True, MOMENT, None]


@pytest.mark.parametrize("writer", [lambda rows: csv_stream(HEADERS, rows),
                                    lambda rows: json_stream(HEADERS, rows)])
def test_text_writers_stream_instead_of_reading_every_row_first(writer) -> None:
    rows_made = [0]
    chunks = writer(_counting(rows_made))
    first = next(chunks)
    # An endless row source still gives a first chunk: nothing waits for the last row.
    assert 0 < len(first) <= spreadsheets.CHUNK_CHARS + 1000
    assert rows_made[0] < 2000


def test_json_is_one_array_of_objects() -> None:
    rows = [[1, "=x", -2.5, True, MOMENT, None], [2, "Zoë", 3, False, None, None]]
    document = json.loads("".join(json_stream(HEADERS, rows)))
    assert document == [
        {"id": 1, "name": "=x", "score": -2.5, "flag": True, "at": "2024-03-01T09:52:15+00:00",
         "missing": None},
        {"id": 2, "name": "Zoë", "score": 3, "flag": False, "at": None, "missing": None},
    ]
    assert json.loads("".join(json_stream(HEADERS, []))) == []


def test_xlsx_has_typed_cells_a_frozen_header_and_an_autofilter(tmp_path) -> None:
    target = tmp_path / "out.xlsx"
    rows = [[1, "=1+2", -2.5, True, MOMENT, None], [2, "Zoë", 70, False, None, None]]
    assert write_xlsx(HEADERS, rows, str(target)) == 2
    sheet = openpyxl.load_workbook(target).active
    assert sheet.title == "results"
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == list(HEADERS)
    # Text made inert as in the CSV: a text cell never runs, but it may be saved as CSV.
    assert values[1] == [1, "'=1+2", -2.5, True, datetime(2024, 3, 1, 9, 52, 15), None]
    assert values[2] == [2, "Zoë", 70, False, None, None]
    formula_cell = sheet.cell(row=2, column=2)
    assert formula_cell.data_type == "s"  # text, never a formula
    assert sheet.cell(row=2, column=3).data_type == "n"
    assert sheet.cell(row=2, column=4).data_type == "b"
    assert sheet.cell(row=2, column=5).is_date


def test_xlsx_writes_to_a_file_object(tmp_path) -> None:
    buffer = io.BytesIO()
    write_xlsx(HEADERS, [[1, "a", 1.0, True, None, None]], buffer)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet.cell(row=2, column=2).value == "a"


def test_xlsx_continues_on_a_new_sheet_when_one_is_full(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(spreadsheets, "XLSX_MAX_DATA_ROWS", 3)
    target = tmp_path / "big.xlsx"
    assert write_xlsx(("n",), ([n] for n in range(7)), str(target)) == 7
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["results", "results 2", "results 3"]
    assert [[c.value for c in row] for row in book["results 2"].iter_rows()] == [["n"], [3], [4],
                                                                                 [5]]
    assert [[c.value for c in row] for row in book["results 3"].iter_rows()] == [["n"], [6]]
    assert book["results 3"].freeze_panes == "A2"


# -- formulas after a separator a spreadsheet might split on ---------------------------------

HOSTILE_TEXT = ["Ana;=HYPERLINK(\"http://evil\")", "Bo, +1+1", "Cy\t@SUM(A1)",
                'Di;"=1+2"', "Ed; -2+3", "Fay\r\n=cmd|' /C calc'!A0", "Gus;\t=1", " =1"]


@pytest.mark.parametrize("text", HOSTILE_TEXT)
def test_a_formula_after_a_separator_is_neutralised(text: str) -> None:
    csv_text = "".join(csv_stream(("name",), [[text]]))
    assert formula_cells(csv_text) == []
    assert formula_cells(text) != []  # the check finds the formula before neutralising


def test_neutralising_keeps_the_text_a_reader_sees() -> None:
    assert neutralise("Ana;=SUM(A1)") == "Ana;'=SUM(A1)"
    assert neutralise("Bo, +44 20 7946 0000") == "Bo, '+44 20 7946 0000"
    assert neutralise("Zoë-Ann O'Neil, 2nd; fine") == "Zoë-Ann O'Neil, 2nd; fine"
    assert neutralise('{"note": "a;=1"}') == '{"note": "a;\'=1"}'


@given(st.text(alphabet='=+-@,;\t\r\n "\'a1.', max_size=40))
def test_no_text_becomes_a_formula_under_any_separator(text: str) -> None:
    csv_text = "".join(csv_stream(("name",), [[text, 1, -2.5]]))
    assert formula_cells(csv_text) == []
    assert formula_cells("".join(csv_stream(("name",), [[neutralise(text)]]))) == []


def test_xlsx_text_cells_are_neutralised_like_the_csv(tmp_path) -> None:
    target = tmp_path / "hostile.xlsx"
    write_xlsx(("name",), [[text] for text in HOSTILE_TEXT], str(target))
    sheet = openpyxl.load_workbook(target).active
    # XLSX stores a carriage return as _x000D_, which openpyxl does not turn back.
    cells = [row[0].value.replace("_x000D_", "\r") for row in sheet.iter_rows(min_row=2)]
    assert cells == [neutralise(text) for text in HOSTILE_TEXT]
    assert all(formula_cells("".join(csv_stream(("name",), [[cell]]))) == []
               for cell in cells)
