"""Staff accounts and the API tokens they own: `users create`, `api-tokens ...`."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from screening import formatting
from screening.extensions import db
from screening.models import Role
from screening.services import (
    accounts,
    api_tokens,
    retention,
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


api_tokens_group = AppGroup("api-tokens", help="Tokens for the read-only API (/api/v1).")


@api_tokens_group.command("create")
@click.option("--name", required=True, help="Which system uses it, e.g. 'Workday sync'.")
@click.option("--by", "owner_email", help="Owning admin/HR account (default: the only admin).")
@click.option("--days", "valid_days", default=api_tokens.DEFAULT_VALID_DAYS, show_default=True,
              type=click.IntRange(1, api_tokens.MAX_VALID_DAYS),
              help="Days until the token expires.")
def api_tokens_create(name: str, owner_email: str | None, valid_days: int) -> None:
    """Create a token and print it once; only its SHA-256 is stored.

    The token reads with its owner's rights as they are at each request.
    """
    try:
        owner = api_tokens.token_owner(db.session, owner_email)
        row, token = api_tokens.create_token(db.session, name=name, created_by=owner,
                                             valid_days=valid_days)
        db.session.commit()
    except api_tokens.ApiTokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Token {row.id} ({row.name}), owned by {owner.email}, "
               f"expires {formatting.date_time(row.expires_at)}. Shown only now:")
    click.echo(token)


@api_tokens_group.command("list")
def api_tokens_list() -> None:
    """List tokens (never the tokens themselves): owner, expiry, last use, state."""
    for listed in api_tokens.listing(db.session):
        row = listed.token
        state = listed.state.value
        if listed.state is api_tokens.TokenState.REVOKED:
            state = f"revoked {formatting.date_time(row.revoked_at)}"
        last_used = (f"last used {formatting.date_time(row.last_used_at)}"
                     if row.last_used_at else "never used")
        click.echo("\t".join([
            str(row.id), row.name, f"owner {listed.owner.email}",
            f"created {formatting.date_time(row.created_at)}",
            f"expires {formatting.date_time(row.expires_at)}", last_used, state,
        ]))


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
