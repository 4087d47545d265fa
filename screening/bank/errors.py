"""What can be wrong with the question bank, said so an item author can fix it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong in one bank file, pointing at the line to edit."""

    file: str  # relative path, e.g. "questions/items/W01-x.yaml"
    item: str | None  # the item or questionnaire id the file declares (else its file name)
    field: str  # dotted path, e.g. "options[2].points.warmth"; "" for the file as a whole
    line: int | None
    message: str
    #: "item" or "questionnaire": what `item` names, so the message reads right.
    kind: str = "item"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        subject = [f"{self.kind} {self.item}"] if self.item else []
        if self.field:
            subject.append(f"field {self.field}")
        # One problem per line on a terminal, whatever the YAML parser said.
        message = " ".join(self.message.split())
        if subject:
            return f"{where}: {', '.join(subject)}: {message}"
        return f"{where}: {message}"


class BankError(Exception):
    """The bank cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(problems, key=reading_order)
        count = len(self.problems)
        summary = f"{count} problem{'s' if count != 1 else ''} in the question bank"
        super().__init__("\n".join([summary, *map(str, self.problems)]))


def reading_order(problem: Problem) -> tuple[str, int, str, str]:
    """Sort key: by file, then line; problems without a line (a whole file) first."""
    return (problem.file, problem.line or 0, problem.field, problem.message)
