"""What a spreadsheet would run as a formula in a CSV file, however it splits the file.

A CSV written with commas is often opened with ";" (the default in much of Europe) or
tab as the separator, and some importers ignore quotes: then a cell ends at every
separator and a row at every line break. A piece of a cell is run as a formula when,
past spaces and quotes, it starts with = + - or @ (a number such as -2.5 is data).
"""

from __future__ import annotations

import csv
import io

FORMULA_CHARACTERS = ("=", "+", "-", "@")
SEPARATORS = (",", ";", "\t")


def runs_as_formula(cell: str) -> bool:
    start = cell.lstrip(' "\t\r\n')
    if not start.startswith(FORMULA_CHARACTERS):
        return False
    try:
        float(start)
    except ValueError:
        return True
    return False  # a negative number is a number


def formula_cells(csv_text: str) -> list[tuple[str, str]]:
    """(separator, cell) for every cell that would run, under each way of reading the file."""
    found = []
    for separator in SEPARATORS:
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            reader = csv.reader(io.StringIO(csv_text, newline=""), delimiter=separator,
                                quoting=quoting)
            found += [(separator, cell) for row in reader for cell in row
                      if runs_as_formula(cell)]
    return found
