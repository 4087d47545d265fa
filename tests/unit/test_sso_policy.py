"""Single sign-on's rules: which email domains get in, and which role a claim maps to."""

from __future__ import annotations

import pytest

from screening.sso_policy import (
    SsoPolicy,
    SsoRole,
    SsoSettingError,
    email_domain,
    email_verified,
    parse_allowed_domains,
    parse_role_map,
)

ROLE_MAP = "screening-admins=admin, screening-hr=hr ,store-managers=manager"


def policy(**changes: object) -> SsoPolicy:
    settings: dict[str, object] = {
        "allowed_domains": frozenset({"example.com", "shops.example.com"}),
        "role_claim": "groups",
        "role_map": parse_role_map(ROLE_MAP),
        **changes,
    }
    return SsoPolicy(**settings)  # type: ignore[arg-type]


@pytest.mark.parametrize("email", ["ana@example.com", "Ana@EXAMPLE.com", "bo@shops.example.com",
                                   " ana@example.com "])
def test_addresses_in_an_allowed_domain_get_in(email: str) -> None:
    assert policy().email_domain_allowed(email)


@pytest.mark.parametrize("email", [
    "eve@gmail.com",
    "eve@example.com.evil.test",   # the allowed domain as a prefix
    "eve@evil-example.com",        # ... as a suffix without the dot
    "eve@north.example.com",       # a subdomain not listed itself
    "example.com",                 # no address at all
    "@example.com",                # no one at the domain
    "eve@",
    "",
])
def test_other_addresses_are_refused(email: str) -> None:
    assert not policy().email_domain_allowed(email)


def test_the_domain_is_what_follows_the_last_at_sign() -> None:
    assert email_domain('"a@b"@Example.COM') == "example.com"
    assert email_domain("nobody") == ""


def test_allowed_domains_are_read_from_a_comma_separated_setting() -> None:
    assert parse_allowed_domains(" Example.com, @shops.example.com,,") == frozenset(
        {"example.com", "shops.example.com"})


@pytest.mark.parametrize("text", ["", " , ", "localhost", "ana@example.com", "exa mple.com"])
def test_unusable_allowed_domains_are_refused_naming_the_setting(text: str) -> None:
    with pytest.raises(SsoSettingError, match="SCREENING_OIDC_ALLOWED_DOMAINS"):
        parse_allowed_domains(text)


def test_the_role_map_reads_claim_values_and_roles() -> None:
    assert parse_role_map(ROLE_MAP) == {"screening-admins": SsoRole.ADMIN,
                                        "screening-hr": SsoRole.HR,
                                        "store-managers": SsoRole.MANAGER}


@pytest.mark.parametrize(("text", "problem"), [
    ("screening-admins", "is not claim-value=role"),
    ("=admin", "is not claim-value=role"),
    ("bosses=owner", "the roles are admin, hr and manager"),
    ("x=admin,x=hr", "maps 'x' to two roles"),
])
def test_a_broken_role_map_is_refused_saying_what_is_wrong(text: str, problem: str) -> None:
    with pytest.raises(SsoSettingError, match=problem):
        parse_role_map(text)


@pytest.mark.parametrize(("groups", "role"), [
    (["store-managers"], SsoRole.MANAGER),
    ("store-managers", SsoRole.MANAGER),                  # some providers send one string
    (["store-managers", "screening-admins"], SsoRole.ADMIN),  # the widest wins
    (["screening-hr", "store-managers", "cashiers"], SsoRole.HR),
    (["cashiers"], None),
    ([], None),
    (None, None),
    ([{"name": "screening-admins"}], None),               # not a value we can read
    (["Screening-Admins"], None),                         # values are compared exactly
])
def test_the_role_is_the_widest_one_the_claim_maps_to(groups: object,
                                                      role: SsoRole | None) -> None:
    assert policy().role_from_claims({"groups": groups}) == role


def test_without_a_role_claim_no_role_comes_from_the_provider() -> None:
    unmapped = policy(role_claim=None, role_map=None)
    assert unmapped.role_from_claims({"groups": ["screening-admins"]}) is None


def test_the_configured_claim_is_the_one_read() -> None:
    roles = policy(role_claim="roles")
    assert roles.role_from_claims({"groups": ["screening-admins"]}) is None
    assert roles.role_from_claims({"roles": ["screening-hr"]}) == SsoRole.HR


@pytest.mark.parametrize(("claims", "verified"), [
    ({}, True),                           # the provider does not say: its word is the login
    ({"email_verified": True}, True),
    ({"email_verified": "true"}, True),
    ({"email_verified": False}, False),
    ({"email_verified": "false"}, False),
    ({"email_verified": None}, False),
    ({"email_verified": 1}, False),
])
def test_an_email_the_provider_says_is_unverified_is_not_trusted(claims: dict[str, object],
                                                                 verified: bool) -> None:
    assert email_verified(claims) is verified
