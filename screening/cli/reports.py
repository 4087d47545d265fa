"""`flask --app screening.app report`: the PDF reports from the command line.

Thin like the views: look the rows up, ask reports for the content, let
screening.reports render it, and record in the audit log what left the system.
"""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from screening.extensions import db
from screening.models import Position, Submission
from screening.reports.batch import BatchError, default_jobs, write_zip
from screening.reports.pdf import RenderError
from screening.services import (
    audit,
    reports,
)


@click.command("report")
@click.argument("submission_id", metavar="[SUBMISSION]", type=int, required=False)
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write SUBMISSION's summary PDF.")
@click.option("--position", "position_id", type=int,
              help="Render the summary of every submitted applicant of this position.")
@click.option("--zip", "zip_path", type=click.Path(dir_okay=False, path_type=Path),
              help="The ZIP file to write for --position.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes rendering --zip in parallel (default: every CPU core).")
@click.option("--full-record", is_flag=True,
              help="The full record (every answer and the method): instead of the summary "
                   "for SUBMISSION, beside each summary in the --zip.")
@with_appcontext
def report_command(
    submission_id: int | None,
    out_path: Path | None,
    position_id: int | None,
    zip_path: Path | None,
    jobs: int | None,
    full_record: bool,
) -> None:
    """Write PDF reports: one applicant's summary, or all of a position's in a ZIP.

    \b
      flask --app screening.app report SUBMISSION --out FILE.pdf [--full-record]
      flask --app screening.app report --position ID --zip OUT.zip [--jobs N] [--full-record]
    """
    page_size = current_app.config["PDF_PAGE_SIZE"]
    if position_id is not None or zip_path is not None:
        if submission_id is not None or out_path is not None:
            raise click.UsageError("give either SUBMISSION --out FILE or --position ID --zip FILE")
        if position_id is None or zip_path is None:
            raise click.UsageError("--position and --zip go together")
        _write_position_zip(position_id, zip_path, page_size, jobs, full_record)
        return
    if submission_id is None or out_path is None:
        raise click.UsageError("give SUBMISSION --out FILE.pdf, or --position ID --zip OUT.zip")
    _write_one(submission_id, out_path, page_size, full_record)


def _write_one(submission_id: int, out_path: Path, page_size: str, full_record: bool) -> None:
    submission = db.session.get(Submission, submission_id)
    if submission is None:
        raise click.ClickException(f"no submission {submission_id}")
    try:
        file = reports.applicant_report_file(
            db.session, submission, page_size=page_size,
            kind=reports.RECORD_KIND if full_record else reports.APPLICANT_KIND)
    except reports.ReportUnavailable as error:
        raise click.ClickException(f"submission {submission_id}: {error}") from None
    except RenderError as error:
        raise click.ClickException(f"submission {submission_id}: {error}") from None
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_bytes(file.pdf)
    action = "record.downloaded" if full_record else "report.downloaded"
    audit.record_in_own_transaction(db.session, None, action, submission,
                                    via="cli", cached=file.cached)
    source = ", from the cache" if file.cached else ""
    click.echo(f"Wrote {out_path} ({len(file.pdf):,} bytes{source}).")


def _write_position_zip(position_id: int, zip_path: Path, page_size: str, jobs: int | None,
                        full_record: bool) -> None:
    position = db.session.get(Position, position_id)
    if position is None:
        raise click.ClickException(f"no position {position_id}")
    rendered = reports.position_reports(db.session, position)
    db.session.commit()
    workers = jobs or default_jobs()
    started = time.perf_counter()
    try:
        count = write_zip(rendered, zip_path, page_size=page_size, jobs=workers,
                          full_record=full_record)
    except BatchError as error:
        raise click.ClickException(str(error)) from None
    elapsed = time.perf_counter() - started
    audit.record_in_own_transaction(db.session, None, "report.zip_exported", position,
                                    via="cli", count=count, full_record=full_record)
    click.echo(f"Wrote {count} report{'s' if count != 1 else ''} to {zip_path} "
               f"in {elapsed:.1f} s with {workers} process{'es' if workers != 1 else ''}.")
