"""Standard Webhooks signatures (https://www.standardwebhooks.com): secrets, ids and headers.

A message is signed as ``v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`` with the
key that is the base64 part of a ``whsec_`` secret. The ``webhook-signature`` header holds
one signature per secret in use, space-separated, so during a rotation's grace period a
receiver holding either the old or the new secret accepts the message.

Pure: no Flask, no database.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

SECRET_PREFIX = "whsec_"  # noqa: S105 - the spec's public prefix, not a secret
#: 32 random bytes: inside the spec's 24..64, and as strong as the HMAC-SHA256 it keys.
SECRET_BYTES = 32
MESSAGE_ID_PREFIX = "msg_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def new_message_id() -> str:
    """The ``webhook-id``: fixed when the event happens, the same on every attempt."""
    return MESSAGE_ID_PREFIX + secrets.token_urlsafe(18)


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def headers(secrets_in_use: Iterable[str], message_id: str, timestamp: int,
            body: bytes) -> dict[str, str]:
    """The request headers of one attempt: the same id, this attempt's time, its signatures."""
    return {
        "Content-Type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(secret, message_id, timestamp, body)
                                      for secret in secrets_in_use),
    }
