"""Calls to other systems refuse URLs that could reach our own network."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from screening.services import destinations
from screening.services.destinations import UnsafeDestination


@pytest.mark.parametrize(("url", "reason"), [
    ("ftp://example.com/x", "must start with https://"),
    ("https:///nohost", "must start with https://"),
    ("https://user:secret@example.com/hook", "user name or password"),
    ("http://example.com/hook", "must use https://"),
    ("http://127.0.0.1:8000/hook", "must use https://"),  # loopback http not allowed here
    ("https://example.com:99999/", "Not a valid URL"),
])
def test_urls_of_the_wrong_form_are_refused(url: str, reason: str) -> None:
    with pytest.raises(UnsafeDestination, match=reason):
        destinations.parse(url)


def test_loopback_http_is_allowed_only_when_asked_and_only_to_loopback() -> None:
    found = destinations.parse("http://127.0.0.1:8123/hook?x=1", allow_loopback_http=True)
    assert (found.host, found.port, found.path) == ("127.0.0.1", 8123, "/hook?x=1")
    with pytest.raises(UnsafeDestination, match="must use https://"):
        destinations.parse("http://10.0.0.5/hook", allow_loopback_http=True)


@pytest.mark.parametrize("host", ["127.0.0.1", "10.1.2.3", "192.168.0.10", "172.16.5.4",
                                  "169.254.169.254", "::1", "fd00::1", "0.0.0.0",  # noqa: S104
                                  "::ffff:10.0.0.1", "224.0.0.1"])
def test_private_and_reserved_addresses_are_refused_unless_allowed(host: str) -> None:
    destination = destinations.Destination("https", host, 443, "/")
    with pytest.raises(UnsafeDestination, match="private or reserved address"):
        destinations.resolve(destination)
    assert destinations.resolve(destination, allow_private=True)


def test_a_public_address_is_allowed() -> None:
    assert destinations.resolve(destinations.Destination("https", "8.8.8.8", 443, "/")) \
        == "8.8.8.8"


def test_a_name_that_resolves_to_loopback_is_refused() -> None:
    with pytest.raises(UnsafeDestination, match="localhost resolves to a private"):
        destinations.resolve(destinations.Destination("https", "localhost", 443, "/"))


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[tuple[str, str, bytes]]]]:
    seen: list[tuple[str, str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append((self.path, self.headers["X-Test"], body))
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/latest/meta-data")
            self.end_headers()
            self.wfile.write(b"moved" * 1000)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_send_delivers_once_and_never_follows_a_redirect(receiver) -> None:  # type: ignore[no-untyped-def]
    base, seen = receiver
    answer = destinations.send("POST", f"{base}/hook?v=1", b'{"a": 1}', {"X-Test": "yes"},
                               allow_loopback_http=True)
    assert answer.status == 302
    assert answer.headers["location"].startswith("http://169.254.169.254")
    assert len(answer.body_excerpt) == destinations.ANSWER_EXCERPT
    assert seen == [("/hook?v=1", "yes", b'{"a": 1}')]


def test_send_refuses_before_connecting(receiver) -> None:  # type: ignore[no-untyped-def]
    base, seen = receiver
    with pytest.raises(UnsafeDestination):
        destinations.send("POST", f"{base}/hook", b"{}", {})
    assert seen == []
