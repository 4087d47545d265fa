"""`flask --app screening.app rescore`: re-derive every stored result and report differences."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from screening.extensions import db
from screening.services import (
    results,
)


@click.command("rescore")
@with_appcontext
@click.option("--show", default=10, show_default=True, help="Differences to print at most.")
def rescore_command(show: int) -> None:
    """Re-derive every stored result from its snapshot; report differences (expected 0)."""
    checked = differing = 0
    for submission_id, differences in results.rescore_differences(db.session):
        checked += 1
        if differences:
            differing += 1
            for difference in differences[: max(show, 0)]:
                click.echo(
                    f"submission {submission_id}: {difference.field} stored "
                    f"{difference.stored!r} but derives {difference.derived!r}",
                    err=True,
                )
    click.echo(f"Rescored {checked} submissions: {differing} with differences.")
    if differing:
        raise SystemExit(1)
