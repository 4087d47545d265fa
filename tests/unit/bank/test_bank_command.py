"""`python -m screening.bank ROOT`: every problem on its own line, or a one-line OK."""

from __future__ import annotations

import subprocess
import sys

import pytest
from bank_testkit import BankFolder, best_choice_item, most_least_item

from screening.bank.__main__ import main


def test_ok_prints_a_one_line_summary(bank: BankFolder, capsys: pytest.CaptureFixture[str]) -> None:
    bank.full()
    assert main([str(bank.root)]) == 0
    assert capsys.readouterr().out == "OK: 7 items, 1 questionnaire\n"


def test_problems_are_printed_one_per_line_with_exit_1(
    bank: BankFolder, capsys: pytest.CaptureFixture[str]
) -> None:
    item = best_choice_item()
    item["options"][2]["points"]["warmth"] = 5
    bank.item(item)
    r01 = bank.item(most_least_item() | {"scenario": ""})
    assert main([str(bank.root)]) == 1
    output = capsys.readouterr()
    lines = output.out.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        f"{r01}:{bank.line_of(r01, 'scenario:')}: "
        "item R01-angry-caller-own-mistake, field scenario: must not be empty"
    )
    assert lines[1].startswith("questions/items/W01-phone-at-huddle.yaml:")
    assert lines[1].endswith("field options[2].points.warmth: 5 is above the scale maximum 4")
    assert output.err == "2 problems\n"


def test_runs_as_a_module(bank: BankFolder) -> None:
    bank.full()
    result = subprocess.run(
        [sys.executable, "-m", "screening.bank", str(bank.root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (0, "OK: 7 items, 1 questionnaire\n")
