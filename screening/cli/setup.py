"""`flask --app screening.app setup` and `demo`: the database, the bank's versions and demo data."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from screening.extensions import db
from screening.models import Position, Role
from screening.services import (
    accounts,
    demo,
)
from screening.services.questionnaires import current_bank, sync_versions


def _database_failure(error: SQLAlchemyError) -> click.ClickException:
    url = db.engine.url.render_as_string(hide_password=True)
    reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
    return click.ClickException(
        f"Cannot use the database at SCREENING_DATABASE_URL={url}: {reason}"
    )


_ROLE_LABELS = {Role.MANAGER: "Manager", Role.HR: "HR", Role.ADMIN: "Admin"}


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
    for role, email in access.staff:
        click.echo(f"  {_ROLE_LABELS[role] + ' sign-in:':<18}{base}/login")
        click.echo(f"      email:        {email}")
        click.echo(f"      password:     {access.manager_password}")
    click.echo(f"  Applicant link:   {base}/apply/{access.invitation_token}")
    click.echo(f"  Open link:        {base}/apply/join/{access.open_token}")
    click.echo(f"  Demo data:        {access.simulated} simulated applicants on the demo "
               "position, marked \"demo data\" and kept out of real applicants' figures")
    click.echo("")


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
    from screening.services.demo import create_simulated_applicants

    sync_versions(db.session, current_bank())
    access = demo.ensure_demo_data(
        db.session, Path(current_app.instance_path), current_app.config["INVITATION_DAYS"],
        applicants=0,  # only the ones asked for
    )
    manager = accounts.find_user_by_email(db.session, access.manager_email)
    position = (
        db.session.get(Position, position_id)
        if position_id is not None
        else demo.demo_position(db.session)
    )
    if position is None or manager is None:
        raise click.ClickException(f"No position with id {position_id}.")
    created = create_simulated_applicants(db.session, position, count, seed, manager,
                                          with_outcomes=True)
    db.session.commit()
    click.echo(f"Created {created} simulated applicants for {position.title} (seed {seed}), "
               "with simulated decisions and job outcomes for those advanced (demo data).")
