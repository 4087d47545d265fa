"""docs/exports.md documents every exported column, in the order the files have them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from screening.exports.results import LONG, LONG_COLUMNS, WIDE, WIDE_COLUMNS
from screening.scoring.fairness import IMPACT_COLUMNS

DOCS = Path(__file__).resolve().parents[3] / "docs" / "exports.md"


def documented_columns(heading: str) -> list[str]:
    """The first-column names of the table under the ### heading starting with ``heading``."""
    text = DOCS.read_text(encoding="utf-8")
    section = text.split(f"### {heading}", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([a-z_]+)` \|", section, re.MULTILINE)


@pytest.mark.parametrize(("heading", "columns"), [
    ("Wide layout", WIDE_COLUMNS),
    ("Long layout", LONG_COLUMNS),
    ("Adverse-impact report", IMPACT_COLUMNS),
])
def test_every_column_is_documented_in_order(heading: str, columns: tuple[str, ...]) -> None:
    assert documented_columns(heading) == list(columns)


def test_documented_types_match_the_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for column in (*WIDE, *LONG):
        assert f"| `{column.name}` | {column.kind} |" in text, column.name
