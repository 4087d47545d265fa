"""Check the question bank: ``python -m screening.bank questions``.

Prints every problem, one per line, and exits 1; or prints a one-line
summary and exits 0. Reviewers run it on every change to the bank.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import read_bank


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m screening.bank", description="Validate the question bank."
    )
    parser.add_argument(
        "root", nargs="?", default="questions", help="bank folder (default: questions)"
    )
    args = parser.parse_args(argv)
    bank, problems = read_bank(args.root)
    for problem in problems:
        print(problem)
    if problems:
        count = len(problems)
        print(f"{count} problem{'s' if count != 1 else ''}", file=sys.stderr)
        return 1
    items, questionnaires = len(bank.items), len(bank.questionnaires)
    print(f"OK: {_count(items, 'item')}, {_count(questionnaires, 'questionnaire')}")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


if __name__ == "__main__":
    sys.exit(main())
