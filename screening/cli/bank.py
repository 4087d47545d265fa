"""`flask --app screening.app bank check`: the one way to validate the question bank;
`bank apply-panel`: a keying panel's consensus written into it as a reviewable change."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from screening.bank import read_bank
from screening.bank.cues import cue_report
from screening.extensions import db
from screening.models import utcnow
from screening.services import panels

bank_group = AppGroup("bank", help="Check the question bank; write a keying panel into it.")


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


@bank_group.command("apply-panel")
@click.argument("panel_id", type=int)
@click.option("--bank", "path", type=click.Path(file_okay=False, path_type=Path),
              help="The bank folder to write into (default: the configured bank).")
def bank_apply_panel(panel_id: int, path: Path | None) -> None:
    """Write closed keying panel PANEL_ID's consensus into the item files, for review.

    Each rated item gets `panel_effectiveness` per option, a `reviewed_by` entry naming
    the panel, its size, the day and the agreement, and a raised `revision`. Prints the
    diff of every file it wrote; nothing else changes, and nothing is committed: review
    it with git. Refuses an open panel, fewer than three completed panellists, a bank
    whose items no longer read as the panel rated them, and a panel already written.
    """
    root = path or Path(current_app.config["BANK_PATH"])
    panel = panels.panel_by_id(db.session, panel_id)
    if panel is None:
        raise click.ClickException(f"There is no keying panel {panel_id}.")
    try:
        applied = panels.apply_to_bank(db.session, panel, root, on=utcnow().date().isoformat())
    except panels.PanelError as refused:
        raise click.ClickException(str(refused)) from None
    db.session.commit()
    for file in applied.files:
        click.echo(file.diff(root), nl=False)
    flagged = len(applied.consensus.flagged)
    click.echo(f"Wrote {applied.reviewer} into {_count(len(applied.files), 'item file')} "
               f"under {root} ({flagged} flagged). Review the change with `git diff`, "
               "run `bank check`, and commit it.")
