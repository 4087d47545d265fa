"""A job-outcomes file (CSV or XLSX) read and checked line by line, before any database
work: the columns, the limits, and a clear message for every problem, naming its line
(the spreadsheet's row number). Matching the rows with applicants and storing them is
services/outcomes.py.
"""

from __future__ import annotations

import csv
import io
import math
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from screening.ids import parse_id

SUBMISSION_ID = "submission_id"
DATE = "date"
STILL_EMPLOYED = "still_employed_90_days"
SUPERVISOR_RATING = "supervisor_rating"
CUSTOMER_SATISFACTION = "customer_satisfaction"
COMPLAINTS = "complaints"
MEASURE_COLUMNS: tuple[str, ...] = (STILL_EMPLOYED, SUPERVISOR_RATING, CUSTOMER_SATISFACTION,
                                    COMPLAINTS)
COLUMNS: tuple[str, ...] = (SUBMISSION_ID, DATE, *MEASURE_COLUMNS)
#: What each column holds, for the upload page, the template and the README.
COLUMN_HELP: dict[str, str] = {
    SUBMISSION_ID: "the submission_id column of the results export (required)",
    DATE: "the day the outcome was observed, written YYYY-MM-DD (required)",
    STILL_EMPLOYED: "yes or no",
    SUPERVISOR_RATING: "a whole number from 1 to 5",
    CUSTOMER_SATISFACTION: "a number from 0 to 100, on one scale for everyone",
    COMPLAINTS: "a whole number of complaints, 0 or more",
}

MAX_UPLOAD_BYTES = 1024 * 1024
#: An XLSX file is a zip: refuse one that would unpack to more than this (a zip bomb).
MAX_XLSX_UNPACKED_BYTES = 20 * 1024 * 1024
MAX_ROWS = 5000
MAX_COMPLAINTS = 10_000
#: How much of a bad value a message quotes.
QUOTED_CHARS = 40

YES = frozenset({"yes", "y", "true", "1"})
NO = frozenset({"no", "n", "false", "0"})


@dataclass(frozen=True)
class OutcomeRow:
    """One checked line of the file."""

    line: int
    submission_id: int
    recorded_on: date
    #: the measures the line gives (blank cells left out).
    measures: dict[str, Any]


@dataclass
class _Checked:
    rows: list[OutcomeRow] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def template_csv() -> str:
    """The header row HR fills in, as a CSV file."""
    return ",".join(COLUMNS) + "\r\n"


# -- reading the file ----------------------------------------------------------------------


class _Unreadable(Exception):
    """The file as a whole cannot be read; the message says why."""


def _is_xlsx(filename: str, raw: bytes) -> bool:
    return filename.lower().endswith(".xlsx") or raw.startswith(b"PK\x03\x04")


def _csv_lines(raw: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's default outside UTF-8
    # newline="": the csv module reads CR, LF and CRLF line ends itself, as its docs ask.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        while True:
            line = reader.line_num + 1
            try:
                yield line, next(reader)
            except StopIteration:
                return
    except csv.Error as error:
        raise _Unreadable(f"The file is not a readable CSV file: {error}.") from None


def _xlsx_lines(raw: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook  # only an XLSX upload needs it

    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _Unreadable("The file is not a readable Excel workbook (.xlsx).") from None
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise _Unreadable("The workbook unpacks to more than 20 MB; split it into smaller "
                          "files.")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it skips (styles, validation); none of
            # them matter to the values read here.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                for counted, cells in enumerate(sheet.iter_rows(), start=1):
                    # The sheet's own row number: a workbook may leave empty rows out.
                    number = next((cell.row for cell in cells
                                   if getattr(cell, "row", None)), counted)
                    yield number, [cell.value for cell in cells]
            finally:
                workbook.close()
    except _Unreadable:
        raise
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise _Unreadable("The file is not a readable Excel workbook (.xlsx).") from None


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _heading(cell: Any) -> str:
    return str(cell or "").strip().lower().replace(" ", "_")


# -- checking each value -------------------------------------------------------------------


def _quoted(cell: Any) -> str:
    text = cell.isoformat() if isinstance(cell, date) else str(cell).strip()
    return f"'{text[:QUOTED_CHARS]}{'…' if len(text) > QUOTED_CHARS else ''}'"


def _whole_number(cell: Any) -> int | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if math.isfinite(cell) and cell.is_integer() else None
    text = str(cell).strip()
    if text.startswith("-") and text[1:].isascii() and text[1:].isdigit():
        return -int(text[1:])
    return int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None


def _number(cell: Any) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        value = float(cell)
    else:
        try:
            value = float(str(cell).strip())
        except ValueError:
            return None
    return value if math.isfinite(value) else None


def _date(cell: Any) -> date | None:
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = str(cell).strip()
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _measure(column: str, cell: Any) -> tuple[Any, str]:
    """The value of one outcome cell, or the reason it is refused."""
    if column == STILL_EMPLOYED:
        if isinstance(cell, bool):
            return cell, ""
        text = str(cell).strip().lower()
        if text in YES or text in NO:
            return text in YES, ""
        return None, f"{column} must be yes or no, not {_quoted(cell)}"
    if column == SUPERVISOR_RATING:
        rating = _whole_number(cell)
        if rating is None or not 1 <= rating <= 5:
            return None, f"{column} must be a whole number from 1 to 5, not {_quoted(cell)}"
        return rating, ""
    if column == CUSTOMER_SATISFACTION:
        score = _number(cell)
        if score is None or not 0 <= score <= 100:
            return None, f"{column} must be a number from 0 to 100, not {_quoted(cell)}"
        return score, ""
    count = _whole_number(cell)
    if count is None or not 0 <= count <= MAX_COMPLAINTS:
        return None, (f"{column} must be a whole number from 0 to {MAX_COMPLAINTS}, "
                      f"not {_quoted(cell)}")
    return count, ""


def _check_line(line: int, cells: dict[str, Any], today: date,
                checked: _Checked) -> None:
    problems = []
    submission_id = None
    raw_id = cells.get(SUBMISSION_ID)
    if _blank(raw_id):
        problems.append(f"{SUBMISSION_ID} is empty")
    else:
        number = _whole_number(raw_id)
        submission_id = parse_id(str(number)) if number is not None else None
        if submission_id is None:
            problems.append(f"{SUBMISSION_ID} must be a submission number from the results "
                            f"export, not {_quoted(raw_id)}")
    recorded_on = None
    raw_date = cells.get(DATE)
    if _blank(raw_date):
        problems.append(f"{DATE} is empty")
    else:
        recorded_on = _date(raw_date)
        if recorded_on is None:
            problems.append(f"{DATE} must be a date written YYYY-MM-DD, not {_quoted(raw_date)}")
        elif recorded_on > today:
            problems.append(f"{DATE} {recorded_on.isoformat()} is in the future")
    measures: dict[str, Any] = {}
    for column in MEASURE_COLUMNS:
        cell = cells.get(column)
        if _blank(cell):
            continue
        value, problem = _measure(column, cell)
        if problem:
            problems.append(problem)
        else:
            measures[column] = value
    if all(_blank(cells.get(column)) for column in MEASURE_COLUMNS):
        problems.append("no outcome given; fill in at least one of "
                        + ", ".join(MEASURE_COLUMNS))
    checked.problems += [f"Line {line}: {problem}." for problem in problems]
    if not problems and submission_id is not None and recorded_on is not None:
        checked.rows.append(OutcomeRow(line, submission_id, recorded_on, measures))


def check_file(filename: str, raw: bytes, today: date) -> tuple[list[OutcomeRow], list[str]]:
    """Every line of the file checked on its own: the good rows, and every problem."""
    checked = _Checked()
    if len(raw) > MAX_UPLOAD_BYTES:
        return [], ["The file is larger than 1 MB; split it into smaller files."]
    lines = _xlsx_lines(raw) if _is_xlsx(filename, raw) else _csv_lines(raw)
    header: list[str] | None = None
    seen: dict[tuple[int, date], int] = {}
    data_rows = 0
    try:
        for line, cells in lines:
            if all(_blank(cell) for cell in cells):
                continue
            if header is None:
                header = [_heading(cell) for cell in cells]
                unknown = [h for h in header if h and h not in COLUMNS]
                missing = [c for c in (SUBMISSION_ID, DATE) if c not in header]
                repeated = sorted({h for h in header if h and header.count(h) > 1})
                if unknown or missing or repeated:
                    return [], [_header_problem(line, unknown, missing, repeated)]
                continue
            data_rows += 1
            if data_rows > MAX_ROWS:
                return [], [f"The file has more than {MAX_ROWS} rows; split it into smaller "
                            "files."]
            named = {h: cell for h, cell in zip(header, cells, strict=False) if h}
            before = len(checked.rows)
            _check_line(line, named, today, checked)
            if len(checked.rows) > before:
                row = checked.rows[-1]
                key = (row.submission_id, row.recorded_on)
                if key in seen:
                    checked.rows.pop()
                    checked.problems.append(
                        f"Line {line}: submission {row.submission_id} on "
                        f"{row.recorded_on.isoformat()} is already on line {seen[key]}.")
                else:
                    seen[key] = line
    except _Unreadable as unreadable:
        return [], [str(unreadable)]
    if header is None:
        return [], ["The file is empty: it needs a header row naming the columns "
                    + ", ".join(COLUMNS) + "."]
    if data_rows == 0:
        return [], ["The file has a header row but no outcomes below it."]
    return checked.rows, checked.problems


def _header_problem(line: int, unknown: Sequence[str], missing: Sequence[str],
                    repeated: Sequence[str]) -> str:
    parts = []
    if missing:
        parts.append("missing column " + ", ".join(missing))
    if unknown:
        parts.append("unknown column " + ", ".join(f"'{u[:QUOTED_CHARS]}'" for u in unknown))
    if repeated:
        parts.append("repeated column " + ", ".join(repeated))
    return (f"Line {line}: the header row has a " + "; a ".join(parts)
            + ". The columns are: " + ", ".join(COLUMNS) + ".")
