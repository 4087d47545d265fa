"""A webhook receiver on loopback that keeps what it receives, and an independent check of
Standard Webhooks signatures (written from the spec, sharing no code with the app)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: How far a webhook-timestamp may be from now, as the spec's reference libraries allow.
TOLERANCE_SECONDS = 5 * 60


def signature_valid(secret: str, headers: dict[str, str], body: bytes,
                    now: float | None = None) -> bool:
    """Whether any v1 signature in ``headers`` is the HMAC-SHA256 of id.timestamp.body
    under the base64 key of the ``whsec_`` secret, with a timestamp near ``now``."""
    message_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    assert secret.startswith("whsec_")
    key = base64.b64decode(secret[len("whsec_"):])
    content = message_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1) for part in headers["webhook-signature"].split(" ")]
    return any(version == "v1" and hmac.compare_digest(value, expected)
               for version, value in offered)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each request with the next planned status (then 204), keeping every request.

    ``hold`` makes it take a request and never answer, until released: a worker killed
    while waiting for the answer.
    """

    statuses: list[int] = field(default_factory=list)
    extra_headers: dict[str, str] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    hold: threading.Event | None = None
    server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/screening"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.received.append(Received(
                    self.path, {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length)))
                if receiver.hold is not None:
                    receiver.hold.wait(30)
                    return
                status = receiver.statuses.pop(0) if receiver.statuses else 204
                self.send_response(status)
                for name, value in receiver.extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Down: the port refuses connections until start() binds it again."""
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def wait_for(self, count: int, seconds: float = 10.0) -> list[Received]:
        deadline = time.monotonic() + seconds
        while len(self.received) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.received
