"""Calls to other systems' URLs (webhook endpoints, an ATS's callback) that cannot be
turned against our own network.

A URL given by an admin or by an ATS is checked before every call, not only when it is
saved: https only (plain http only to this machine's loopback, and only where the
caller allows it for development); no user name or password in it; and every address its
host resolves to must be public, unless an admin allowed private addresses for it. The
connection then goes to the very address that was checked, so a name that resolves to a
public address at the check and to a private one a moment later (DNS rebinding) cannot
redirect it; redirects are never followed; the answer read back is capped.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

#: How much of an answer's body is kept (for the delivery log).
ANSWER_EXCERPT = 2000
USER_AGENT = "screening-webhooks/1"


class UnsafeDestination(ValueError):
    """A URL we refuse to call; the message says why, for the admin who gave it."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str  # with its query, as sent in the request line


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body_excerpt: str


def parse(url: str, *, allow_loopback_http: bool = False) -> Destination:
    """Check a URL's form (not where it leads): https, or http to loopback when allowed."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise UnsafeDestination(f"Not a valid URL: {error}.") from None
    if parts.scheme not in {"https", "http"} or not parts.hostname:
        raise UnsafeDestination("The URL must start with https:// and name a host.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeDestination("The URL must not hold a user name or password.")
    if parts.scheme == "http" and not (allow_loopback_http and _is_loopback_name(parts.hostname)):
        raise UnsafeDestination(
            "The URL must use https:// (plain http:// is allowed only to 127.0.0.1 in "
            "development).")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(parts.scheme, parts.hostname, port or (443 if parts.scheme == "https"
                                                               else 80), path)


def _is_loopback_name(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_global and not address.is_multicast


def resolve(destination: Destination, *, allow_private: bool = False) -> str:
    """The address to connect to; refuses a host with any non-public address unless allowed.

    Loopback http (development) is its own permission, given by ``parse``.
    """
    try:
        found = socket.getaddrinfo(destination.host, destination.port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise UnsafeDestination(f"The host {destination.host} could not be found ({error}).") \
            from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]
    loopback_http = destination.scheme == "http"  # parse() allowed it for loopback only
    if not (allow_private or loopback_http):
        private = [str(address) for address in addresses if not _is_public(address)]
        if private:
            raise UnsafeDestination(
                f"The host {destination.host} resolves to a private or reserved address "
                f"({', '.join(sorted(set(private)))}); an admin must allow private addresses "
                "for this endpoint.")
    return str(addresses[0])


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to the checked address while verifying the certificate for the host name."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


def send(
    method: str, url: str, body: bytes, headers: dict[str, str], *, timeout: float = 10.0,
    allow_private: bool = False, allow_loopback_http: bool = False,
) -> Answer:
    """Send one request after checking where it goes. Raises UnsafeDestination for a URL
    we refuse, OSError (timeouts included) or http.client.HTTPException when the other
    side cannot be reached or answers nonsense."""
    destination = parse(url, allow_loopback_http=allow_loopback_http)
    address = resolve(destination, allow_private=allow_private)
    connection_class = (_PinnedHTTPSConnection if destination.scheme == "https"
                        else _PinnedHTTPConnection)
    connection = connection_class(destination.host, destination.port, address, timeout)
    try:
        connection.request(method, destination.path, body=body,
                           headers={"User-Agent": USER_AGENT, **headers})
        response = connection.getresponse()
        excerpt = response.read(ANSWER_EXCERPT).decode("utf-8", "replace")
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      excerpt)
    finally:
        connection.close()
