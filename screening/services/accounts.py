"""Staff accounts: Argon2id password hashes, sign-in with a short lock-out."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.models import Role, User, utcnow
from screening.services import messages
from screening.single_line import one_line_refusal, unsafe_characters

# OWASP Password Storage Cheat Sheet minimum for Argon2id: 19 MiB, 2 iterations, 1 lane.
PASSWORD_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
PASSWORD_MIN_LENGTH = 12
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)

# Verified against when the email is unknown, so timing does not reveal which emails exist.
_DUMMY_HASH = PASSWORD_HASHER.hash("not-a-real-password-for-timing")


class AccountError(ValueError):
    """A request about an account that cannot be carried out; the message is for the user."""


def hash_password(password: str) -> str:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError(f"Passwords need at least {PASSWORD_MIN_LENGTH} characters.")
    return PASSWORD_HASHER.hash(password)


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def create_user(
    session: Session, *, email: str, name: str, role: Role | None, password: str
) -> User:
    email = email.strip().lower()
    for what, text in (("name", name), ("email address", email)):
        if unsafe := unsafe_characters(text):  # it reaches email headers: see single_line
            raise AccountError(one_line_refusal(what, unsafe))
    if find_user_by_email(session, email) is not None:
        raise AccountError(f"An account for {email} exists already.")
    user = User(email=email, name=name, role=role, password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active, unlocked user with these credentials, or None; counts failures and locks out.

    Every path verifies one password hash (the account's, or a dummy one when there is
    no account), so how long a refusal takes does not tell which accounts exist, are
    disabled or locked. The caller shows one message for every refusal; the owner of an
    account that has just been locked is told by email instead.
    """
    user = find_user_by_email(session, email)
    matches = _verify(user.password_hash if user is not None else _DUMMY_HASH, password)
    if user is None:
        return None
    now = utcnow()
    if is_locked_out(user):
        return None
    # No role yet (single sign-on, awaiting an administrator): no session could hold it.
    if not user.active or user.role is None or not matches:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
            if user.active:
                messages.queue_lockout_notice(session, user)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if PASSWORD_HASHER.check_needs_rehash(user.password_hash):
        user.password_hash = PASSWORD_HASHER.hash(password)
    return user


def is_locked_out(user: User | None) -> bool:
    return bool(user and user.locked_until and user.locked_until > utcnow())


def _verify(password_hash: str, password: str) -> bool:
    try:
        return PASSWORD_HASHER.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def invite_staff(session: Session, *, email: str, name: str, role: Role) -> User:
    """A new account with an unusable random password; the person sets theirs by link."""
    return create_user(
        session, email=email, name=name, role=role, password=secrets.token_urlsafe(32)
    )


def set_password(user: User, password: str) -> None:
    """A new password, which also ends every session signed in with the old one."""
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(user)


def end_sessions(user: User) -> None:
    """Void every session of ``user``: their cookies name an older session generation."""
    user.session_generation += 1


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does, so a set-password link works only once."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def change_role(session: Session, actor: User, user: User, role: Role) -> None:
    if user.id == actor.id and role is not Role.ADMIN:
        raise AccountError("You cannot remove your own administrator role.")
    if user.role is not role:
        user.role = role
        user.role_from_idp = False  # an administrator's choice: single sign-on keeps it
        end_sessions(user)  # pages and forms open under the old rights must not stay usable


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    if user.id == actor.id and not active:
        raise AccountError("You cannot disable your own account.")
    if user.active and not active:
        end_sessions(user)
    user.active = active
