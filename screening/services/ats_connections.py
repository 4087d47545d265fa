"""ATS connections: an applicant-tracking system allowed to send our tests, by API key.

Greenhouse's Assessment Partner API authenticates both ways with one key per customer:
it calls us with the key as the HTTP Basic user name, and our completion callback to
Greenhouse carries the same header. So the key must be at hand again when a callback is
sent, yet a stolen database must not give it away. It is therefore never stored: it is
derived from the app's SECRET_KEY and a random salt kept on the row (an HMAC), and only
its SHA-256 is stored to recognise it (as for API tokens: 256 random bits need no slow
hash). A database without the secret key holds nothing usable; changing SECRET_KEY
leaves the keys working for calls to us, and ``callback_key`` then refuses to send a
key that no longer matches its hash, so admins make a new connection.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from screening.models import AtsConnection, AtsRequest, Position, User, utcnow
from screening.services import audit
from screening.services.api_tokens import token_hash

#: Makes a leaked key recognisable to secret scanners and to people.
KEY_PREFIX = "scr_gh_"
#: Greenhouse accepts keys of fewer than 171 characters; ours are 50.
MAX_KEY_LENGTH = 170


class AtsConnectionError(Exception):
    """A connection cannot be made or revoked; the message is shown as is."""


class KeyNoLongerDerivable(Exception):
    """SECRET_KEY changed since the connection was made: its key cannot be rebuilt."""


def _derive(secret_key: str, salt: str) -> str:
    digest = hmac.new(secret_key.encode("utf-8"), f"ats-connection:{salt}".encode(),
                      hashlib.sha256).digest()
    return KEY_PREFIX + base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def create(
    session: Session, *, name: str, all_positions: bool, positions: Sequence[Position],
    created_by: User, secret_key: str,
) -> tuple[AtsConnection, str]:
    """A new connection; returns the row and its API key (shown once)."""
    name = name.strip()
    if not name:
        raise AtsConnectionError("Give the connection a name that says which system uses it.")
    if not all_positions and not positions:
        raise AtsConnectionError("Choose the positions this connection may send tests for, "
                                 "or allow every open position.")
    salt = secrets.token_urlsafe(32)
    key = _derive(secret_key, salt)
    row = AtsConnection(name=name[:200], key_hash=token_hash(key), key_salt=salt,
                        all_positions=all_positions, created_by_id=created_by.id,
                        positions=[] if all_positions else list(positions))
    session.add(row)
    session.flush()
    audit.record(session, created_by, "ats_connection.created", row, name=row.name,
                 all_positions=all_positions, position_ids=sorted(p.id for p in row.positions))
    return row, key


def callback_key(row: AtsConnection, secret_key: str) -> str:
    """The connection's API key, rebuilt to authenticate a callback to the ATS."""
    key = _derive(secret_key, row.key_salt)
    if not hmac.compare_digest(token_hash(key), row.key_hash):
        raise KeyNoLongerDerivable(
            f"The secret key changed since the connection {row.name!r} was made, so its API "
            "key cannot be sent; create a new connection and give its key to the ATS.")
    return key


def authenticate(session: Session, key: str | None) -> AtsConnection | None:
    """The live connection whose API key is ``key``; None for a wrong or revoked key."""
    if not key or len(key) > MAX_KEY_LENGTH:
        return None
    row = session.scalar(select(AtsConnection).where(AtsConnection.key_hash == token_hash(key)))
    if row is None or row.revoked_at is not None:
        return None
    return row


def usable_positions(session: Session, row: AtsConnection) -> list[Position]:
    """The open (not archived) positions this connection may send tests for, by title."""
    if row.all_positions:
        return list(session.scalars(select(Position).where(Position.archived.is_(False))
                                    .order_by(Position.title, Position.id)))
    return [position for position in row.positions if not position.archived]


def revoke(session: Session, connection_id: int, actor: User | None) -> AtsConnection:
    row = session.get(AtsConnection, connection_id)
    if row is None:
        raise AtsConnectionError(f"There is no ATS connection {connection_id}.")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record(session, actor, "ats_connection.revoked", row, name=row.name)
    session.flush()
    return row


def listing(session: Session) -> list[AtsConnection]:
    """Every connection, oldest first."""
    return list(session.scalars(select(AtsConnection).order_by(AtsConnection.id)))


@dataclass(frozen=True)
class Activity:
    """What a connection has done: tests sent, and the completion callbacks owed for them."""

    sent: int = 0
    callbacks_delivered: int = 0
    #: tried and not (yet) taken by the ATS: being retried, or dead on Background jobs
    callbacks_not_taken: int = 0
    #: the HTTP status of the latest failed attempt (0: no answer came back)
    last_failed_status: int | None = None


def activity(session: Session) -> dict[int, Activity]:
    """Each connection's activity, by connection id (connections without any are absent)."""
    delivered = AtsRequest.callback_delivered_at.is_not(None)
    not_taken = (AtsRequest.callback_attempts > 0) & AtsRequest.callback_delivered_at.is_(None)
    counts = session.execute(
        select(AtsRequest.connection_id, func.count(AtsRequest.id),
               func.count(case((delivered, 1))), func.count(case((not_taken, 1))))
        .group_by(AtsRequest.connection_id)).all()
    latest_failures = session.execute(
        select(AtsRequest.connection_id, AtsRequest.callback_last_status)
        .where(not_taken).order_by(AtsRequest.callback_last_at)).all()
    last_status = dict(latest_failures)  # the latest attempt of each connection wins
    return {connection_id: Activity(sent, done, waiting, last_status.get(connection_id))
            for connection_id, sent, done, waiting in counts}
