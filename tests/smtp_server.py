"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import policy
from email.message import Message

from aiosmtpd.controller import Controller


class Inbox:
    def __init__(self, refused_recipients: frozenset[str] = frozenset()) -> None:
        self.messages: list[Message] = []
        #: addresses answered "550 no such mailbox", as a real server does for a typo
        self.refused_recipients = refused_recipients

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused_recipients:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def wait_for(self, count: int, seconds: float = 10.0) -> list[Message]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def smtp_server(
    port: int | None = None, refused_recipients: frozenset[str] = frozenset()
) -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox(refused_recipients)
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def body_text(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    raise AssertionError("no text/plain part")
