"""`flask --app screening.app rescore`: re-derive every stored result and report differences."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from screening.bank.model import CURRENT_SCORING_METHOD
from screening.extensions import db
from screening.services import (
    results,
)


@click.command("rescore")
@with_appcontext
@click.option("--show", default=10, show_default=True, help="Differences to print at most.")
@click.option("--method", "method", type=click.Choice(["own", "current"]), default="own",
              show_default=True,
              help="own: each result with the method it was scored with (expect 0 "
                   "differences); current: what today's method would change.")
def rescore_command(show: int, method: str) -> None:
    """Re-derive every stored result from its snapshot; report differences (expected 0)."""
    checked = differing = 0
    chosen = CURRENT_SCORING_METHOD if method == "current" else None
    for submission_id, differences in results.rescore_differences(db.session, chosen):
        checked += 1
        if differences:
            differing += 1
            for difference in differences[: max(show, 0)]:
                click.echo(
                    f"submission {submission_id}: {difference.field} stored "
                    f"{difference.stored!r} but derives {difference.derived!r}",
                    err=True,
                )
    click.echo(f"Rescored {checked} submissions: {differing} with differences"
               + (" under the current method." if chosen else "."))
    if differing and chosen is None:
        raise SystemExit(1)
