"""Every form control's ``autocomplete`` is a token browsers and password managers know.

An invalid value (``autocomplete="None"`` was on every plain input) is ignored by
browsers, so a sign-in box would not offer the saved account and an applicant's
name would not be filled in. Every page the app serves is fetched as the user it is
for (the route table of test_route_security covers every endpoint), and each
autocomplete attribute is checked against the HTML standard's autofill grammar.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tests.integration import test_route_security as route_table
from tests.integration.test_route_security import ROUTES, Site, _allowed_visitor, _headers

#: The route table's app and data, built once for this module.
site = route_table.site

# The HTML standard, "Autofill" (4.10.18.7.1): field names, contact field names and tokens.
FIELD_NAMES = {
    "name", "honorific-prefix", "given-name", "additional-name", "family-name",
    "honorific-suffix", "nickname", "username", "new-password", "current-password",
    "one-time-code", "organization-title", "organization", "street-address",
    "address-line1", "address-line2", "address-line3", "address-level4", "address-level3",
    "address-level2", "address-level1", "country", "country-name", "postal-code", "cc-name",
    "cc-given-name", "cc-additional-name", "cc-family-name", "cc-number", "cc-exp",
    "cc-exp-month", "cc-exp-year", "cc-csc", "cc-type", "transaction-currency",
    "transaction-amount", "language", "bday", "bday-day", "bday-month", "bday-year", "sex",
    "url", "photo",
}
CONTACT_FIELD_NAMES = {
    "tel", "tel-country-code", "tel-national", "tel-area-code", "tel-local",
    "tel-local-prefix", "tel-local-suffix", "tel-extension", "email", "impp",
}
CONTACT_TOKENS = {"home", "work", "mobile", "fax", "pager"}


def valid_autofill(value: str) -> bool:
    """``on``/``off``, or [section-*] [shipping|billing] [contact] field-name [webauthn]."""
    tokens = value.lower().split()
    if tokens in (["on"], ["off"]):
        return True
    if tokens and tokens[-1] == "webauthn":
        tokens = tokens[:-1]
    if not tokens:
        return False
    *before, field = tokens
    if before and before[0].startswith("section-") and len(before[0]) > len("section-"):
        before = before[1:]
    if before and before[0] in ("shipping", "billing"):
        before = before[1:]
    if field in FIELD_NAMES:
        return before == []
    if field in CONTACT_FIELD_NAMES:
        return before == [] or (len(before) == 1 and before[0] in CONTACT_TOKENS)
    return False


@pytest.mark.parametrize(("value", "valid"), [
    ("name", True), ("email", True), ("current-password", True), ("off", True),
    ("section-a billing work email", True), ("username webauthn", True),
    ("None", False), ("", False), ("nope", False), ("work name", False), ("email off", False),
])
def test_the_grammar_itself(value: str, valid: bool) -> None:
    assert valid_autofill(value) is valid


class _AutocompleteValues(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str, str]] = []  # (tag, name, autocomplete)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if "autocomplete" in values:
            self.found.append((tag, values.get("name") or "", values["autocomplete"] or ""))


PAGES = sorted(name for name, route in ROUTES.items() if route.get is not None)


@pytest.mark.parametrize("endpoint", PAGES)
def test_every_autocomplete_on_every_page_is_a_valid_token(site: Site, endpoint: str) -> None:
    route = ROUTES[endpoint]
    path = site.url(route.get or "")
    reply = _allowed_visitor(route, site).send("GET", path, headers=_headers(route, site))
    assert reply.status == route.get_status, path
    if not reply.content_type.startswith("text/html"):
        return
    parser = _AutocompleteValues()
    parser.feed(reply.text)
    wrong = [found for found in parser.found if not valid_autofill(found[2])]
    assert wrong == [], f"{path}: invalid autocomplete values"


def test_the_forms_that_fill_in_a_person_use_the_right_tokens(site: Site) -> None:
    """Sign-in offers the saved account; an applicant joining is offered their own details."""
    def values(path: str) -> dict[str, str]:
        parser = _AutocompleteValues()
        parser.feed(site.visitor("anonymous").send("GET", site.url(path)).text)
        return {name: value for _, name, value in parser.found}

    assert values("/login") == {"email": "username", "password": "current-password"}
    join = values(ROUTES["apply.join"].get or "")
    assert (join["name"], join["email"]) == ("name", "email")
