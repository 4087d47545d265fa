"""`flask --app screening.app outcomes import FILE`: job outcomes of hired applicants,
with the same checks and messages as HR's upload page."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from screening.extensions import db
from screening.models import utcnow
from screening.services import outcome_file, outcomes


@click.group("outcomes")
def outcomes_group() -> None:
    """Job outcomes of hired applicants, for local validation of the screen."""


@outcomes_group.command("import")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(path: Path) -> None:
    """Import FILE (.csv or .xlsx; the columns of HR's template). Every row is checked
    first: any problem, and nothing is imported (exit status 1)."""
    with path.open("rb") as handle:
        raw = handle.read(outcome_file.MAX_UPLOAD_BYTES + 1)
    result = outcomes.import_outcomes(db.session, path.name, raw, None,
                                      today=utcnow().date(), via="cli")
    if not result.imported:
        db.session.rollback()
        for problem in result.problems:
            click.echo(problem, err=True)
        count = len(result.problems)
        raise click.ClickException(
            f"Nothing was imported: {count} problem{'' if count == 1 else 's'} in {path.name}.")
    db.session.commit()
    click.echo(f"Imported {result.rows} outcome row{'' if result.rows == 1 else 's'}: "
               f"{result.created} new, {result.updated} updated.")
