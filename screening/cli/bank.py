"""`flask --app screening.app bank check`: the one way to validate the question bank."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from screening.bank import read_bank
from screening.bank.cues import cue_report

bank_group = AppGroup("bank", help="Check the question bank.")


@bank_group.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--report", is_flag=True, help="Print the keyed-option cues and reading load.")
def bank_check(path: Path | None, report: bool) -> None:
    """Validate the bank at PATH (default: the configured bank) and list every problem.

    Every problem on its own line (file:line: item, field: message) and a count on
    standard error, exit 1; or a one-line summary and each questionnaire's version
    label (id@hash, for the review of a change), exit 0.
    """
    root = path or Path(current_app.config["BANK_PATH"])
    bank, problems = read_bank(root)
    if report:
        click.echo(cue_report(bank.items, bank.questionnaires))
    if problems:
        for problem in problems:
            click.echo(str(problem))
        count = len(problems)
        click.echo(f"{count} problem{'s' if count != 1 else ''}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {_count(len(bank.items), 'item')}, "
               f"{_count(len(bank.questionnaires), 'questionnaire')}")
    for questionnaire in bank.questionnaires.values():
        click.echo(
            f"  {questionnaire.version_label}  {len(questionnaire.items)} items  "
            f"{questionnaire.title}"
        )


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
