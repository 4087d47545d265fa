"""`flask --app screening ...` commands: thin wrappers over the services and the core."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from screening.bank import read_bank
from screening.bank.cues import cue_report
from screening.extensions import db
from screening.models import Role
from screening.services import accounts, demo, messages, outbox, rescoring
from screening.services.questionnaires import current_bank, sync_versions


def init_app(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(bank_group)
    app.cli.add_command(users_group)
    app.cli.add_command(rescore_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(outbox_group)
    from screening import cli_reports  # the report command lives in its own module

    cli_reports.init_app(app)
    from screening import cli_hr  # export, purge, erase, api-tokens

    cli_hr.init_app(app)


def _database_failure(error: SQLAlchemyError) -> click.ClickException:
    url = db.engine.url.render_as_string(hide_password=True)
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return click.ClickException(
        f"Cannot use the database at SCREENING_DATABASE_URL={url}: {reason}"
    )


@click.command("setup")
@with_appcontext
@click.option("--demo/--no-demo", "with_demo", default=True, help="Create the demo records.")
def setup_command(with_demo: bool) -> None:
    """Apply migrations, store the question bank's versions and create demo data once."""
    try:
        upgrade()
        versions = sync_versions(db.session, current_bank())
        db.session.commit()
        click.echo(f"Question bank: {len(versions)} questionnaire version(s) stored.")
        if not with_demo:
            return
        access = demo.ensure_demo_data(
            db.session, Path(current_app.instance_path), current_app.config["INVITATION_DAYS"]
        )
        db.session.commit()
    except OperationalError as error:
        raise _database_failure(error) from None
    base = current_app.config["BASE_URL"].rstrip("/")
    click.echo("")
    click.echo(f"  Manager sign-in:  {base}/login")
    click.echo(f"      email:        {access.manager_email}")
    click.echo(f"      password:     {access.manager_password}")
    click.echo(f"  Applicant link:   {base}/apply/{access.invitation_token}")
    click.echo(f"  Open link:        {base}/apply/join/{access.open_token}")
    click.echo("")


bank_group = AppGroup("bank", help="Check the question bank.")


@bank_group.command("check")
@click.argument("path", required=False, type=click.Path(file_okay=False, path_type=Path))
@click.option("--report", is_flag=True, help="Print the keyed-option cues and reading load.")
def bank_check(path: Path | None, report: bool) -> None:
    """Validate the bank at PATH (default: the configured bank) and list every problem."""
    root = path or Path(current_app.config["BANK_PATH"])
    bank, problems = read_bank(root)
    if report:
        click.echo(cue_report(bank.items, bank.questionnaires))
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    click.echo(f"OK: {len(bank.items)} items, {len(bank.questionnaires)} questionnaires")
    for questionnaire in bank.questionnaires.values():
        click.echo(
            f"  {questionnaire.version_label}  {len(questionnaire.items)} items  "
            f"{questionnaire.title}"
        )


users_group = AppGroup("users", help="Manage staff accounts.")


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", default="", help="Display name (default: the email).")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.password_option(help="Prompted for when not given.")
def users_create(email: str, name: str, role: str, password: str) -> None:
    """Create a staff account."""
    try:
        user = accounts.create_user(
            db.session, email=email, name=name or email, role=Role(role), password=password
        )
        db.session.commit()
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created {user.role} account {user.email}.")


@click.command("rescore")
@with_appcontext
@click.option("--show", default=10, show_default=True, help="Differences to print at most.")
def rescore_command(show: int) -> None:
    """Re-derive every stored result from its snapshot; report differences (expected 0)."""
    checked = differing = 0
    for submission_id, differences in rescoring.rescore_differences(db.session):
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


@click.command("demo")
@with_appcontext
@click.option(
    "--applicants",
    "count",
    type=click.IntRange(1, 200_000),
    required=True,
    help="How many synthetic applicants to create.",
)
@click.option("--seed", type=int, default=1, show_default=True)
@click.option(
    "--position",
    "position_id",
    type=int,
    default=None,
    help="Position to fill (default: the demo position).",
)
def demo_command(count: int, seed: int, position_id: int | None) -> None:
    """Create synthetic applicants whose answers follow a latent-trait model."""
    from screening.models import Position
    from screening.services.simulation import create_simulated_applicants

    sync_versions(db.session, current_bank())
    access = demo.ensure_demo_data(
        db.session, Path(current_app.instance_path), current_app.config["INVITATION_DAYS"]
    )
    manager = accounts.find_user_by_email(db.session, access.manager_email)
    position = (
        db.session.get(Position, position_id)
        if position_id is not None
        else demo.demo_position(db.session)
    )
    if position is None or manager is None:
        raise click.ClickException(f"No position with id {position_id}.")
    created = create_simulated_applicants(db.session, position, count, seed, manager)
    db.session.commit()
    click.echo(f"Created {created} simulated applicants for {position.title} (seed {seed}).")


outbox_group = AppGroup("outbox", help="Send queued email: invitations, reminders, receipts.")


def _smtp_or_exit() -> outbox.SmtpSettings:
    settings = outbox.SmtpSettings.from_config(current_app.config)
    if settings is None:
        raise click.ClickException("SCREENING_SMTP_HOST is not set: no email can be sent.")
    return settings


@outbox_group.command("send")
def outbox_send() -> None:
    """Queue due reminders and digests, then send everything that is due once."""
    settings = _smtp_or_exit()
    reminders = messages.queue_reminders(db.session)
    digests = messages.queue_digests(db.session)
    db.session.commit()
    sent, failed = outbox.send_pending(db.session, settings)
    click.echo(
        f"Queued {reminders} reminder(s) and {digests} digest(s); "
        f"sent {sent}, failed {failed} (failures are retried)."
    )


@outbox_group.command("work")
@click.option("--interval", type=click.IntRange(5, 3600), default=60, show_default=True)
@click.option(
    "--seconds",
    type=click.IntRange(0),
    default=0,
    help="Stop after this long (0: run until stopped).",
)
def outbox_work(interval: int, seconds: int) -> None:
    """Keep sending: the production worker (run one or more; they never send twice)."""
    import time

    settings = _smtp_or_exit()
    deadline = time.monotonic() + seconds if seconds else None
    while deadline is None or time.monotonic() < deadline:
        messages.queue_reminders(db.session)
        messages.queue_digests(db.session)
        db.session.commit()
        outbox.send_pending(db.session, settings)
        time.sleep(
            interval if deadline is None else min(interval, max(deadline - time.monotonic(), 0))
        )
