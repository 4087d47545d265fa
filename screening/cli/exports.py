"""`flask --app screening.app export`: results as CSV, XLSX or JSON (docs/exports.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from flask.cli import with_appcontext

from screening.extensions import db
from screening.models import SubmissionStatus
from screening.services import (
    audit,
)
from screening.services.exports import (
    ExportFilters,
    ExportFormat,
    ExportRequest,
    Layout,
    write_export,
)


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
@click.option("--band", help="Only this band id, e.g. strong.")
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
