"""`flask --app screening ...` commands: thin wrappers over the services and the core."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from screening.bank import read_bank
from screening.extensions import db
from screening.models import Role
from screening.services import accounts, demo
from screening.services.questionnaires import current_bank, sync_versions


def init_app(app: Flask) -> None:
    app.cli.add_command(setup_command)
    app.cli.add_command(bank_group)
    app.cli.add_command(users_group)


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
def bank_check(path: Path | None) -> None:
    """Validate the bank at PATH (default: the configured bank) and list every problem."""
    root = path or Path(current_app.config["BANK_PATH"])
    bank, problems = read_bank(root)
    if problems:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    click.echo(f"OK: {len(bank.items)} items, {len(bank.questionnaires)} questionnaires")
    for questionnaire in bank.questionnaires.values():
        click.echo(f"  {questionnaire.version_label}  {len(questionnaire.items)} items  "
                   f"{questionnaire.title}")


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
