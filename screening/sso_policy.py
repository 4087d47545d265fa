"""Who single sign-on lets in, and with which role: plain rules on an identity's claims.

The identity provider proves who someone is; these rules decide what that means here:
whether the email's domain is one the organisation allows, whether the provider has
verified the address, and which role a claim such as ``groups`` maps to. They take
settings and claims as plain values, so the web adapter and the tests share one answer.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


class SsoRole(enum.StrEnum):
    """The roles a claim may map to; the same values as ``screening.models.Role``."""

    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"


#: When several claim values map to roles, the one with the widest rights wins: someone
#: in both the managers' and the administrators' group is an administrator.
ROLE_RANK = {SsoRole.MANAGER: 1, SsoRole.HR: 2, SsoRole.ADMIN: 3}


class SsoSettingError(ValueError):
    """A single sign-on setting that cannot work; the message names the setting."""


def parse_allowed_domains(text: str) -> frozenset[str]:
    """``"example.com, Shops.Example.com"`` → the lower-cased domains; an empty list is refused."""
    domains = frozenset(part.strip().lower().lstrip("@") for part in text.split(",")
                        if part.strip())
    if not domains:
        raise SsoSettingError("SCREENING_OIDC_ALLOWED_DOMAINS must name at least one domain, "
                              "e.g. example.com")
    for domain in domains:
        if "@" in domain or "." not in domain or any(c.isspace() for c in domain):
            raise SsoSettingError(
                f"SCREENING_OIDC_ALLOWED_DOMAINS holds {domain!r}, which is not a domain "
                "(expected e.g. example.com,shops.example.com)")
    return domains


def parse_role_map(text: str) -> dict[str, SsoRole]:
    """``"screening-admins=admin,store-managers=manager"`` → claim value → role."""
    mapping: dict[str, SsoRole] = {}
    for part in text.split(","):
        if not part.strip():
            continue
        value, equals, role = part.partition("=")
        value, role = value.strip(), role.strip().lower()
        if not equals or not value:
            raise SsoSettingError(
                f"SCREENING_OIDC_ROLE_MAP entry {part.strip()!r} is not claim-value=role "
                "(e.g. screening-admins=admin,screening-hr=hr,store-managers=manager)")
        if role not in {known.value for known in SsoRole}:
            raise SsoSettingError(
                f"SCREENING_OIDC_ROLE_MAP maps {value!r} to {role!r}; the roles are "
                "admin, hr and manager")
        if value in mapping and mapping[value] is not SsoRole(role):
            raise SsoSettingError(
                f"SCREENING_OIDC_ROLE_MAP maps {value!r} to two roles")
        mapping[value] = SsoRole(role)
    return mapping


@dataclass(frozen=True)
class SsoPolicy:
    """The organisation's rules for identities from its provider."""

    allowed_domains: frozenset[str]
    role_claim: str | None = None
    role_map: Mapping[str, SsoRole] | None = None

    def email_domain_allowed(self, email: str) -> bool:
        """True when the part after the last ``@`` is exactly one of the allowed domains.

        Exactly: ``example.com`` does not admit ``evil-example.com`` nor a subdomain,
        which must be listed itself.
        """
        return email_domain(email) in self.allowed_domains

    def role_from_claims(self, claims: Mapping[str, Any]) -> SsoRole | None:
        """The widest role any value of the configured claim maps to, or None."""
        if not self.role_claim or not self.role_map:
            return None
        roles = [self.role_map[value] for value in claim_values(claims.get(self.role_claim))
                 if value in self.role_map]
        return max(roles, key=ROLE_RANK.__getitem__) if roles else None


def email_domain(email: str) -> str:
    """The domain of an address, lower-cased; "" when there is no ``@`` or nothing after it."""
    local, at, domain = email.strip().rpartition("@")
    return domain.lower() if at and local and domain else ""


def claim_values(claim: Any) -> Iterable[str]:
    """A claim as strings: providers send a group claim as a list or a single string."""
    if isinstance(claim, str):
        return [claim]
    if isinstance(claim, list | tuple):
        return [value for value in claim if isinstance(value, str)]
    return []


def email_verified(claims: Mapping[str, Any]) -> bool:
    """False only when the provider says the address is not verified.

    Providers that never verify addresses leave the claim out; one that sends it saying
    false (or "false", as some do) has not checked that this person owns the address.
    """
    verified = claims.get("email_verified", True)
    if isinstance(verified, str):
        return verified.strip().lower() == "true"
    return verified is True
