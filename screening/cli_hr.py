"""HR commands: export, purge, erase and API tokens. Thin wrappers over the services."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from screening.extensions import db
from screening.models import SubmissionStatus
from screening.services import api_tokens, audit, retention
from screening.services.export_records import ExportFilters
from screening.services.hr_exports import ExportFormat, ExportRequest, Layout, write_export


def init_app(app: Flask) -> None:
    app.cli.add_command(export_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(erase_command)
    app.cli.add_command(api_tokens_group)


@click.command("export")
@with_appcontext
@click.option("--format", "file_format", type=click.Choice([f.value for f in ExportFormat]),
              default=ExportFormat.CSV.value, show_default=True)
@click.option("--layout", type=click.Choice([layout.value for layout in Layout]),
              default=Layout.WIDE.value, show_default=True,
              help="wide: one row per submission; long: one row per answer.")
@click.option("--position", "position_id", type=click.IntRange(1), help="Only this position.")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]),
              help="First day (UTC) of the submission date, YYYY-MM-DD.")
@click.option("--until", type=click.DateTime(["%Y-%m-%d"]), help="Last day (UTC), inclusive.")
@click.option("--status", type=click.Choice([s.value for s in SubmissionStatus]))
@click.option("--band", help="Only this band id, e.g. front_line.")
@click.option("--bom/--no-bom", default=False, show_default=True,
              help="Start a CSV with a byte-order mark (for Excel).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="File to write; - for standard output.")
def export_command(
    file_format: str, layout: str, position_id: int | None, since: datetime | None,
    until: datetime | None, status: str | None, band: str | None, bom: bool, out_path: Path,
) -> None:
    """Export results (columns documented in docs/exports.md); logged in the audit log."""
    since_day = since.date() if since is not None else None
    until_day = until.date() if until is not None else None
    if since_day and until_day and until_day < since_day:
        raise click.BadParameter("--until must not be before --since", param_hint="--until")
    request = ExportRequest(
        format=ExportFormat(file_format),
        layout=Layout(layout),
        filters=ExportFilters(position_id=position_id, since=since_day, until=until_day,
                              status=SubmissionStatus(status) if status else None,
                              band=band or None),
        bom=bom,
    )
    audit.record_in_own_transaction(db.session, None, "export.cli", None, **request.describe())
    if str(out_path) == "-":
        write_export(db.session, request, click.get_binary_stream("stdout"))
        return
    with out_path.open("wb") as target:
        write_export(db.session, request, target)
    click.echo(f"Wrote {out_path}.", err=True)


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
        db.session.commit()
    except retention.ErasureError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Applicant {applicant.id}: personal data erased; anonymous scores kept.")


api_tokens_group = AppGroup("api-tokens", help="Tokens for the read-only API (/api/v1).")


@api_tokens_group.command("create")
@click.option("--name", required=True, help="Which system uses it, e.g. 'Workday sync'.")
@click.option("--by", "owner_email", help="Owning admin/HR account (default: the only admin).")
def api_tokens_create(name: str, owner_email: str | None) -> None:
    """Create a token and print it once; only its SHA-256 is stored."""
    try:
        owner = api_tokens.token_owner(db.session, owner_email)
        row, token = api_tokens.create_token(db.session, name=name, created_by=owner)
        db.session.commit()
    except api_tokens.ApiTokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Token {row.id} ({row.name}), owned by {owner.email}. Shown only now:")
    click.echo(token)


@api_tokens_group.command("list")
def api_tokens_list() -> None:
    """List tokens (never the tokens themselves)."""
    for row in api_tokens.list_tokens(db.session):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        click.echo(f"{row.id}\t{row.name}\tcreated {row.created_at:%Y-%m-%d}\t{state}")


@api_tokens_group.command("revoke")
@click.argument("token_id", type=click.IntRange(1, retention.MAX_ID))
def api_tokens_revoke(token_id: int) -> None:
    """Revoke a token at once."""
    try:
        row = api_tokens.revoke(db.session, token_id, None)
        db.session.commit()
    except api_tokens.ApiTokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Token {row.id} ({row.name}) revoked.")
