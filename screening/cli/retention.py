"""`flask --app screening.app purge` and `erase`: retention and the right to erasure."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from screening.extensions import db
from screening.services import (
    retention,
)


@click.command("purge")
@with_appcontext
@click.option("--dry-run", is_flag=True, help="List who would be anonymised; change nothing.")
def purge_command(dry_run: bool) -> None:
    """Anonymise applicants whose submission (or invitation) is older than
    SCREENING_RETENTION_DAYS; their anonymous scores stay for norms."""
    days = int(current_app.config["RETENTION_DAYS"])
    report = retention.purge(db.session, days, dry_run=dry_run)
    ids = ", ".join(str(i) for i in report.applicant_ids[:50])
    more = " ..." if len(report.applicant_ids) > 50 else ""
    verb = "would be anonymised" if dry_run else "anonymised"
    click.echo(f"Retention {days} days (before {report.cutoff:%Y-%m-%d %H:%M} UTC): "
               f"{len(report.applicant_ids)} applicant(s) {verb}."
               + (f" Ids: {ids}{more}" if ids else ""))


@click.command("erase")
@with_appcontext
@click.option("--applicant", "applicant_id", required=True, type=click.IntRange(1),
              help="The applicant's number (HR's erasure page shows it).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase_command(applicant_id: int, yes: bool) -> None:
    """Erase one applicant's personal data on their request; logged in the audit log."""
    if not yes:
        click.confirm(f"Erase applicant {applicant_id}'s personal data? This cannot be undone",
                      abort=True)
    try:
        applicant = retention.erase(db.session, applicant_id, None, via="cli")
    except retention.ErasureError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Applicant {applicant.id}: personal data erased; anonymous scores kept.")
