"""Single sign-on: the staff account of an identity the provider has vouched for.

The web adapter has already checked the provider's signature, issuer, audience and
nonce; this module decides what the identity may do here. An account is found by the
provider's stable (issuer, subject) pair; at a person's first single sign-on an
existing account with the same email is linked to it, or a new account is created.
From then on the email alone never finds the account, so someone who gets an address
reassigned at the provider cannot take over the account of its previous holder.

Every refusal and every change is audited, with reasons and roles, never an address:
a refused email is recorded by its domain only.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.models import Role, User, utcnow
from screening.services import accounts, audit
from screening.single_line import one_line, unsafe_characters
from screening.sso_policy import SsoPolicy, email_domain, email_verified


class SsoRefusal(enum.StrEnum):
    """Why a proven identity does not sign in; the value is what the audit log records."""

    NO_EMAIL = "no_usable_email"
    EMAIL_NOT_VERIFIED = "email_not_verified"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    LINKED_ELSEWHERE = "email_linked_to_another_identity"
    DISABLED = "account_disabled"
    LOCKED = "account_locked"
    AWAITING_ROLE = "awaiting_role"


@dataclass(frozen=True)
class SsoIdentity:
    """Who the provider says signed in: its validated ID token (and userinfo) claims."""

    issuer: str
    subject: str
    claims: Mapping[str, Any]

    @property
    def email(self) -> str:
        email = self.claims.get("email")
        return email.strip().lower() if isinstance(email, str) else ""

    @property
    def display_name(self) -> str:
        name = self.claims.get("name")
        name = one_line(name) if isinstance(name, str) else ""
        return name[:200] or self.email


@dataclass(frozen=True)
class SsoOutcome:
    """The account signed in, or why not (with the account, when there is one)."""

    user: User | None
    refusal: SsoRefusal | None = None

    @property
    def signed_in(self) -> bool:
        return self.refusal is None and self.user is not None


def sign_in(session: Session, policy: SsoPolicy, identity: SsoIdentity) -> SsoOutcome:
    """Find, link or create the account of ``identity``, apply its role, and decide.

    The caller commits: a refusal still records its audit event, and a new account
    awaiting an administrator is kept so that it appears on the staff accounts page.
    """
    email = identity.email
    if not email or email_domain(email) == "" or unsafe_characters(email):
        return _refuse(session, SsoRefusal.NO_EMAIL, None)
    if not email_verified(identity.claims):
        return _refuse(session, SsoRefusal.EMAIL_NOT_VERIFIED, None, domain=email_domain(email))
    if not policy.email_domain_allowed(email):
        return _refuse(session, SsoRefusal.DOMAIN_NOT_ALLOWED, None, domain=email_domain(email))

    user = find_linked_user(session, identity.issuer, identity.subject)
    if user is None:
        user = accounts.find_user_by_email(session, email)
        if user is not None and user.oidc_subject is not None:
            return _refuse(session, SsoRefusal.LINKED_ELSEWHERE, user)
        if user is not None:
            user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
            audit.record(session, user, "user.sso_linked", user)
        else:
            user = _create_user(session, policy, identity)

    if not user.active:
        return _refuse(session, SsoRefusal.DISABLED, user)
    if accounts.is_locked_out(user):
        return _refuse(session, SsoRefusal.LOCKED, user)
    apply_provider_role(session, policy, user, identity.claims)
    if user.role is None:
        return _refuse(session, SsoRefusal.AWAITING_ROLE, user)
    user.last_login_at = utcnow()
    audit.record(session, user, "user.signed_in", user, method="sso")
    return SsoOutcome(user)


def sign_in_and_commit(session: Session, policy: SsoPolicy,
                       identity: SsoIdentity) -> SsoOutcome:
    """``sign_in``, committed. A first sign-in of a new person in two browsers at once
    makes two accounts for one identity; the unique email and (issuer, subject) keys
    refuse the later one, and that sign-in runs again and finds the account its twin
    has just created."""
    try:
        outcome = sign_in(session, policy, identity)
        session.commit()
        return outcome
    except (IntegrityError, accounts.AccountError):
        session.rollback()
    outcome = sign_in(session, policy, identity)
    session.commit()
    return outcome


def find_linked_user(session: Session, issuer: str, subject: str) -> User | None:
    return session.scalar(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))


def apply_provider_role(
    session: Session, policy: SsoPolicy, user: User, claims: Mapping[str, Any]
) -> None:
    """Give ``user`` the role the provider's claim maps to, following it at each sign-in.

    When the claim maps to no role, a role the provider gave earlier is taken away (the
    person left the group), while one an administrator chose is kept. Without a role
    claim configured, roles are the administrators' alone and nothing changes here.
    """
    if policy.role_claim is None:
        return
    mapped = policy.role_from_claims(claims)
    previous = user.role
    if mapped is not None:
        user.role, user.role_from_idp = Role(mapped.value), True
    elif user.role_from_idp:
        user.role, user.role_from_idp = None, False
    if user.role is not previous:
        accounts.end_sessions(user)  # pages open under the old rights must not stay usable
        audit.record(session, None, "user.role_from_idp", user,
                     previous=previous.value if previous else None,
                     role=user.role.value if user.role else None)


def _create_user(session: Session, policy: SsoPolicy, identity: SsoIdentity) -> User:
    """A new account for a first single sign-on, with the mapped role or none yet.

    Its password is random and never told to anyone: the person signs in through the
    provider (an administrator may still send a set-password link where passwords are on).
    """
    mapped = policy.role_from_claims(identity.claims)
    user = accounts.create_user(
        session, email=identity.email, name=identity.display_name,
        role=Role(mapped.value) if mapped else None, password=secrets.token_urlsafe(32))
    user.role_from_idp = mapped is not None
    user.oidc_issuer, user.oidc_subject = identity.issuer, identity.subject
    audit.record(session, None, "user.sso_created", user,
                 role=user.role.value if user.role else None)
    return user


def _refuse(
    session: Session, refusal: SsoRefusal, user: User | None, **detail: Any
) -> SsoOutcome:
    audit.record(session, None, "sso.refused", user, reason=refusal.value, **detail)
    return SsoOutcome(user, refusal)
