"""Read-only API tokens for applicant-tracking systems: only a SHA-256 of each is stored.

The token is shown once, when it is created. A stolen database therefore holds
no usable token; and a token is 256 random bits, so a fast unsalted hash is
enough (there is nothing to brute-force, unlike a password).
"""

from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.models import ApiToken, Role, User, utcnow
from screening.services import accounts, audit

#: Makes a leaked token recognisable to secret scanners and to people.
TOKEN_PREFIX = "scr_"  # noqa: S105 - a public prefix, not a secret
MAX_TOKEN_LENGTH = 200


class ApiTokenError(Exception):
    """A token cannot be created or revoked; the message is shown as is."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(session: Session, *, name: str, created_by: User) -> tuple[ApiToken, str]:
    """A new token named ``name``; returns the row and the token itself (shown once)."""
    name = name.strip()
    if not name:
        raise ApiTokenError("Give the token a name that says which system uses it.")
    if created_by.role not in (Role.ADMIN, Role.HR):
        raise ApiTokenError("Only an admin or HR account can own an API token.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name[:200], token_hash=token_hash(token), created_by_id=created_by.id)
    session.add(row)
    session.flush()
    audit.record(session, created_by, "api_token.created", row, name=row.name)
    return row, token


def authenticate(session: Session, token: str | None) -> ApiToken | None:
    """The live token row for ``token``; None for a missing, unknown or revoked one."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def revoke(session: Session, token_id: int, actor: User | None) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise ApiTokenError(f"There is no API token {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, "api_token.revoked", row, name=row.name)
    session.flush()
    return row


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def token_owner(session: Session, email: str | None) -> User:
    """The account a CLI-made token belongs to: ``email``, or the only admin there is."""
    if email:
        user = accounts.find_user_by_email(session, email)
        if user is None:
            raise ApiTokenError(f"There is no account {email}.")
        return user
    admins = list(session.scalars(
        select(User).where(User.role == Role.ADMIN, User.active.is_(True)).limit(2)
    ))
    if len(admins) != 1:
        raise ApiTokenError(
            "Say which admin or HR account owns the token with --by EMAIL "
            f"({'there is no active admin' if not admins else 'there are several admins'})."
        )
    return admins[0]
