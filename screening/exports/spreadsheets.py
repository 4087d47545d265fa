"""Writers that turn (headers, rows) into CSV, XLSX or JSON, streamed row by row.

Each writer holds at most one chunk of output in memory: CSV and JSON yield
text chunks of about CHUNK_CHARS, XLSX uses XlsxWriter's constant-memory mode
(each row goes to a temporary file as soon as the next one starts).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import IO, Any

import xlsxwriter

#: A spreadsheet treats a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
#: Where a spreadsheet may start a new cell or row inside our text: a CSV written with
#: commas but opened with ";" (the default in much of Europe) or tab as the separator
#: splits a cell at each of these, and a line break ends the row once quotes are not read.
CELL_BREAKS = ",;\t\r\n"
#: A cell that starts with a formula character (the OWASP rule), or a piece of text
#: after a cell break whose first character, past spaces and quotes, starts a formula.
_FORMULA_START = re.compile(r'^(?=[=+\-@\t\r])|(?:^|(?<=[,;\t\r\n]))[ "]*(?=[=+\-@])')
#: A formula piece after a cell break: cheaper to search for than _FORMULA_START.
_FORMULA_AFTER_BREAK = re.compile(r'[,;\t\r\n][ "]*[=+\-@]')
#: First characters that may start a formula, past the spaces and quotes a reader skips.
_RISKY_FIRST = frozenset('=+-@\t\r "')
#: Enough rows per chunk to keep WSGI overhead low, few enough to stay small in memory.
CHUNK_CHARS = 64 * 1024
#: Excel's limit is 1,048,576 rows a sheet, the header included.
XLSX_MAX_DATA_ROWS = 1_048_575
XLSX_DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet could run as a formula, made inert with an apostrophe.

    The apostrophe goes before the cell when it starts with a formula character, and
    before the formula character of any piece after a cell break (``"Ana;=SUM(A1)"``
    becomes ``"Ana;'=SUM(A1)"``), so no separator a spreadsheet might split on turns
    part of a cell into a formula. Numbers stay numbers: a negative score is data.
    """
    if isinstance(value, str) and _may_hold_formula(value):
        return _FORMULA_START.sub(_apostrophe, value)
    return value


def _may_hold_formula(text: str) -> bool:
    # Runs for every text cell of every row: most have no cell break at all, and a
    # substring test rules that out far faster than any regular expression.
    return text[:1] in _RISKY_FIRST or (
        ("," in text or ";" in text or "\t" in text or "\n" in text or "\r" in text)
        and _FORMULA_AFTER_BREAK.search(text) is not None)


def _apostrophe(match: re.Match[str]) -> str:
    return match.group(0) + "'"


def text_value(value: Any) -> str:
    """How CSV spells a native value: ISO 8601 times, true/false, empty for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_stream(
    headers: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False
) -> Iterator[str]:
    """CSV text in chunks, so a large export never sits in memory whole.

    ``bom`` starts the file with U+FEFF so Excel opens it as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_csv_cell(value) for value in row])
        if buffer.tell() >= CHUNK_CHARS:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
    yield buffer.getvalue()


def _csv_cell(value: Any) -> Any:
    # The common cases first, by exact type: this runs for every cell of every row.
    kind = type(value)
    if kind is str:
        return _FORMULA_START.sub(_apostrophe, value) if _may_hold_formula(value) else value
    if kind is int or kind is float:
        return value
    return neutralise(text_value(value))


def json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_stream(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """A JSON array of one object per row (keys = headers), written incrementally."""
    parts: list[str] = ["["]
    size = 1
    separator = "\n"
    for row in rows:
        record = {name: json_value(value) for name, value in zip(headers, row, strict=True)}
        piece = separator + json.dumps(record, ensure_ascii=False, allow_nan=False)
        separator = ",\n"
        parts.append(piece)
        size += len(piece)
        if size >= CHUNK_CHARS:
            yield "".join(parts)
            parts, size = [], 0
    parts.append("\n]\n")
    yield "".join(parts)


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    target: str | IO[bytes],
    *,
    sheet_name: str = "results",
) -> int:
    """Write an .xlsx with typed cells, a frozen header and an autofilter; return rows written.

    Numbers are numbers, booleans booleans, times real date cells (UTC), text
    always a text cell (never a formula). More rows than a sheet holds continue
    on "<sheet_name> 2", "<sheet_name> 3", ... each with its own header.
    """
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "remove_timezone": True,  # cells hold UTC; the column docs say so
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    header_format = workbook.add_format({"bold": True})
    datetime_format = workbook.add_format({"num_format": XLSX_DATETIME_FORMAT})
    sheet_number = 0
    written = 0
    sheet_rows = 0
    worksheet: Any = None

    def start_sheet() -> Any:
        nonlocal sheet_number
        sheet_number += 1
        name = sheet_name if sheet_number == 1 else f"{sheet_name} {sheet_number}"
        sheet = workbook.add_worksheet(name[:31])
        for index, header in enumerate(headers):
            sheet.set_column(index, index, max(10, min(40, len(header) + 2)))
        sheet.write_row(0, 0, headers, header_format)
        sheet.freeze_panes(1, 0)
        return sheet

    def finish_sheet(sheet: Any, data_rows: int) -> None:
        sheet.autofilter(0, 0, max(data_rows, 1), max(len(headers) - 1, 0))

    worksheet = start_sheet()
    for row in rows:
        if sheet_rows == XLSX_MAX_DATA_ROWS:
            finish_sheet(worksheet, sheet_rows)
            worksheet, sheet_rows = start_sheet(), 0
        sheet_rows += 1
        for column, value in enumerate(row):
            _write_cell(worksheet, sheet_rows, column, value, datetime_format)
        written += 1
    finish_sheet(worksheet, sheet_rows)
    workbook.close()
    return written


def _write_cell(sheet: Any, row: int, column: int, value: Any, datetime_format: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    elif isinstance(value, datetime):
        # Whole seconds, as in CSV and JSON: an Excel date is a float of days and would
        # not give microseconds back exactly.
        sheet.write_datetime(row, column, value.replace(microsecond=0), datetime_format)
    else:
        # A text cell is never run, but it may be copied out or saved as CSV: neutralised
        # as in the CSV, so a value reads the same in both files.
        sheet.write_string(row, column, neutralise(str(value)))
