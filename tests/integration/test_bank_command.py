"""`flask --app screening.app bank check [PATH]`: every problem on its own line, or a summary."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner

from tests.unit.bank.factories import BankFolder, best_choice_item, most_least_item


def test_ok_prints_a_summary_and_each_version(runner: FlaskCliRunner, tmp_path: Path) -> None:
    bank = BankFolder(tmp_path / "questions")
    bank.full()
    result = runner.invoke(args=["bank", "check", str(bank.root)])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "OK: 7 items, 1 questionnaire"
    assert len(lines) == 2 and lines[1].strip().startswith("frontline-standard@")


def test_problems_are_printed_one_per_line_with_exit_1(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    bank = BankFolder(tmp_path / "questions")
    item = best_choice_item()
    item["options"][2]["points"]["warmth"] = 5
    bank.item(item)
    r01 = bank.item(most_least_item() | {"scenario": ""})
    result = runner.invoke(args=["bank", "check", str(bank.root)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0] == (
        f"{r01}:{bank.line_of(r01, 'scenario:')}: "
        "item R01-angry-caller-own-mistake, field scenario: must not be empty"
    )
    assert lines[1].startswith("questions/items/W01-phone-at-huddle.yaml:")
    assert lines[1].endswith("field options[2].points.warmth: 5 is above the scale maximum 4")
    assert result.stderr == "2 problems\n"


def test_the_configured_bank_is_the_default(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["bank", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: ")
