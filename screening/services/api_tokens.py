"""Read-only API tokens for applicant-tracking systems: only a SHA-256 of each is stored.

The token is shown once, when it is created. A stolen database therefore holds
no usable token; and a token is 256 random bits, so a fast unsalted hash is
enough (there is nothing to brute-force, unlike a password).

A token has no rights of its own: on every request it acts with its owner's rights
as they are now, so disabling or demoting the owner stops it at once. It also expires.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening import database
from screening.models import ApiToken, AtsConnection, Role, User, utcnow
from screening.services import accounts, audit

#: Makes a leaked token recognisable to secret scanners and to people.
TOKEN_PREFIX = "scr_"  # noqa: S105 - a public prefix, not a secret
MAX_TOKEN_LENGTH = 200
DEFAULT_VALID_DAYS = 365
MAX_VALID_DAYS = 3 * 365
#: How stale last_used_at may get: recording every request would make each one a write.
LAST_USED_PRECISION = timedelta(minutes=1)
#: Roles whose rights a token can carry: the API reads every position.
TOKEN_ROLES = (Role.ADMIN, Role.HR)


class ApiTokenError(Exception):
    """A token cannot be created or revoked; the message is shown as is."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    session: Session, *, name: str, created_by: User, valid_days: int = DEFAULT_VALID_DAYS,
) -> tuple[ApiToken, str]:
    """A new token named ``name``; returns the row and the token itself (shown once)."""
    name = name.strip()
    if not name:
        raise ApiTokenError("Give the token a name that says which system uses it.")
    if created_by.role not in TOKEN_ROLES:
        raise ApiTokenError("Only an admin or HR account can own an API token.")
    if not 1 <= valid_days <= MAX_VALID_DAYS:
        raise ApiTokenError(f"A token is valid for 1 to {MAX_VALID_DAYS} days, "
                            f"not {valid_days}.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name[:200], token_hash=token_hash(token), created_by_id=created_by.id,
                   expires_at=utcnow() + timedelta(days=valid_days))
    session.add(row)
    session.flush()
    audit.record(session, created_by, "api_token.created", row, name=row.name,
                 expires_at=row.expires_at.isoformat())
    return row, token


class TokenRefusal(enum.Enum):
    """Why a request's token does not give access: the API answers 401 or 403."""

    MISSING = "A valid API token is required: Authorization: Bearer <token>."
    EXPIRED = "This API token has expired; ask an admin for a new one."
    OWNER_DISABLED = "The account that owns this API token is disabled."
    OWNER_LACKS_RIGHTS = ("The account that owns this API token is no longer admin or HR, "
                          "so the token reads nothing; ask an admin for a new one.")


class TokenState(enum.Enum):
    """Whether a token reads now, and if not why: for the API and for the admins' list."""

    ACTIVE = "active"
    REVOKED = "revoked"
    EXPIRED = "expired"
    OWNER_DISABLED = "owner disabled"
    OWNER_LACKS_RIGHTS = "owner no longer admin or HR"


#: What the API answers for each state but ACTIVE: a revoked token is told apart from
#: a made-up one to nobody.
_REFUSALS = {
    TokenState.REVOKED: TokenRefusal.MISSING,
    TokenState.EXPIRED: TokenRefusal.EXPIRED,
    TokenState.OWNER_DISABLED: TokenRefusal.OWNER_DISABLED,
    TokenState.OWNER_LACKS_RIGHTS: TokenRefusal.OWNER_LACKS_RIGHTS,
}


def state(row: ApiToken, owner: User | None, now: datetime | None = None) -> TokenState:
    """The state of ``row`` at ``now`` with its owner as they are now."""
    if row.revoked_at is not None:
        return TokenState.REVOKED
    if row.expires_at <= (now or utcnow()):
        return TokenState.EXPIRED
    if owner is None or not owner.active:
        return TokenState.OWNER_DISABLED
    if owner.role not in TOKEN_ROLES:
        return TokenState.OWNER_LACKS_RIGHTS
    return TokenState.ACTIVE


def authenticate(
    session: Session, token: str | None, now: datetime | None = None,
) -> ApiToken | TokenRefusal:
    """The token row for ``token`` if it gives access now, else why not.

    Checked on every request against the owner as they are now: a disabled owner, or
    one no longer admin or HR, stops the token at once.
    """
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return TokenRefusal.MISSING
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
    if row is None:
        return TokenRefusal.MISSING
    found = state(row, session.get(User, row.created_by_id), now)
    return row if found is TokenState.ACTIVE else _REFUSALS[found]


def note_use(session: Session, row: ApiToken | AtsConnection,
             now: datetime | None = None) -> None:
    """Record when a token or ATS key ``row`` was last used, to the minute, committing
    at once."""
    now = now or utcnow()
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_PRECISION:
        return
    session.commit()  # close the read snapshot first (see audit.record_in_own_transaction)
    with database.immediate_transactions():
        row.last_used_at = now
        session.commit()


def revoke(session: Session, token_id: int, actor: User | None) -> ApiToken:
    row = session.get(ApiToken, token_id)
    if row is None:
        raise ApiTokenError(f"There is no API token {token_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, "api_token.revoked", row, name=row.name)
    session.flush()
    return row


@dataclass(frozen=True)
class TokenListing:
    """A token as admins see it (never the token itself: only its hash is stored)."""

    token: ApiToken
    owner: User
    state: TokenState


def listing(session: Session, now: datetime | None = None) -> list[TokenListing]:
    """Every token with its owner as they are now and its state, oldest first."""
    now = now or utcnow()
    rows = session.execute(select(ApiToken, User)
                           .join(User, User.id == ApiToken.created_by_id)
                           .order_by(ApiToken.id))
    return [TokenListing(token, owner, state(token, owner, now)) for token, owner in rows]


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
