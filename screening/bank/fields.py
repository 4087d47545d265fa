"""Typed reading of YAML mappings that records a Problem instead of raising.

Every reader returns the value when it is right and None when it is missing
or wrong, so one pass over a file finds all of its problems.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Collection
from typing import Any

from .documents import Document, child_path
from .errors import Problem

_MISSING = object()


class FileReport:
    """Collects the problems of one bank file, each with the line of its field."""

    def __init__(self, file: str, kind: str, subject: str | None, document: Document | None):
        self.file = file
        self.kind = kind  # "item" or "questionnaire"
        self.subject = subject
        self.document = document
        self.problems: list[Problem] = []

    def add(self, field: str, message: str) -> None:
        line = self.document.line_of(field) if self.document else None
        self.add_at(field, line, message)

    def add_at(self, field: str, line: int | None, message: str) -> None:
        self.problems.append(
            Problem(
                file=self.file,
                item=self.subject,
                field=field,
                line=line,
                message=message,
                kind=self.kind,
            )
        )

    @property
    def clean(self) -> bool:
        return not self.problems


class Fields:
    """One YAML mapping at `path`, read key by key."""

    def __init__(self, report: FileReport, path: str, mapping: dict[Any, Any]):
        self.report = report
        self.path = path
        self.mapping = mapping

    def at(self, key: object) -> str:
        return child_path(self.path, key)

    def problem(self, key: object, message: str) -> None:
        self.report.add(self.at(key), message)

    def only(self, allowed: Collection[str]) -> None:
        """Reject keys we do not know: a typo must not silently drop a rationale."""
        for key in self.mapping:
            if key in allowed:
                continue
            hint = difflib.get_close_matches(str(key), list(allowed), n=1)
            advice = f"; did you mean {hint[0]!r}?" if hint else f" (allowed: {', '.join(allowed)})"
            self.problem(key, f"unknown field {key!r}{advice}")

    def has(self, key: str) -> bool:
        return key in self.mapping

    def raw(self, key: str, *, required: bool) -> Any:
        value = self.mapping.get(key, _MISSING)
        if value is _MISSING:
            if required:
                self.report.add(self.at(key), f"{key} is required")
            return _MISSING
        return value

    def text(self, key: str, *, required: bool = True) -> str | None:
        """Non-empty text, stripped so `>` and `>-` blocks hash the same."""
        value = self.raw(key, required=required)
        if value is _MISSING:
            return None
        if not isinstance(value, str):
            self.problem(key, f"must be text, not {describe(value)}")
            return None
        if not value.strip():
            self.problem(key, "must not be empty")
            return None
        return value.strip()

    def identifier(self, file_stem: str, pattern: re.Pattern[str], example: str) -> str | None:
        """The id, which must match `pattern` and equal the file name so ids stay unique."""
        value = self.text("id")
        if value is None:
            return None
        if not pattern.match(value):
            self.problem("id", f"{value!r} is not a valid id; use the form {example}")
        if value != file_stem:
            self.problem("id", f"id {value} must equal the file name ({file_stem}.yaml)")
        return value

    def whole(self, key: str, *, required: bool = True) -> int | None:
        value = self.raw(key, required=required)
        if value is _MISSING:
            return None
        if not is_whole(value):
            self.problem(key, f"must be a whole number, not {describe(value)}")
            return None
        return value

    def number(self, key: str, *, required: bool = True) -> float | None:
        value = self.raw(key, required=required)
        if value is _MISSING:
            return None
        if not is_number(value):
            self.problem(key, f"must be a number, not {describe(value)}")
            return None
        return float(value)

    def flag(self, key: str, *, default: bool = False) -> bool | None:
        value = self.raw(key, required=False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(key, f"must be true or false, not {describe(value)}")
            return None
        return value

    def mapping_at(self, key: str, *, required: bool = True) -> Fields | None:
        value = self.raw(key, required=required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.problem(key, f"must be a mapping (key: value lines), not {describe(value)}")
            return None
        return Fields(self.report, self.at(key), value)

    def sequence(self, key: str, *, required: bool = True) -> list[Any] | None:
        value = self.raw(key, required=required)
        if value is _MISSING:
            return None
        if not isinstance(value, list):
            self.problem(key, f"must be a list, not {describe(value)}")
            return None
        return value


def is_whole(value: object) -> bool:
    # bool is an int in Python, but `points: true` is a mistake, not a 1.
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def describe(value: object) -> str:
    """How a wrong value reads in a message: type and a short repr."""
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return "true" if value else "false"
    kind = {
        int: "a whole number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a mapping",
    }.get(type(value), type(value).__name__)
    if isinstance(value, list | dict):
        return kind
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} {shown}"
