"""What one applicant question page costs the app itself, in process.

    python bench/pages.py [--db sqlite|postgres|both] [--batches 12] [--rounds 5]
                          [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

bench/load.py measures the whole system under gunicorn, where the client, the
server's processes and anything else on the machine share the CPUs, and run to run
the figures move by a fifth or more. This script calls the WSGI app directly, in
one thread (no HTTP, no server, no client threads), so it isolates the app's own
work and is steady enough to compare two versions of the code.

One applicant consents, then each batch GETs all 20 question pages ``--rounds``
times and POSTs an answer to each as many times (the first post stores the answer,
later ones replace it), with the session cookie, CSRF token and a fresh idempotency
key each time, as a browser would. It prints the least CPU per request over the
batches (the least is the run least disturbed by other work), and the same for a
bare Flask route (bench/bare_app.py) called the same way, with the ratio. Databases
as in bench/load.py: a SQLite file in a temporary folder, or a PostgreSQL database
``screening_bench_pages`` created and dropped here.
"""

from __future__ import annotations

import argparse
import io
import random
import secrets
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench import load  # noqa: E402  (the path above makes the project importable)
from bench.bare_app import app as bare_app  # noqa: E402

BENCH_DATABASE = "screening_bench_pages"
PAGES = 20


class WsgiBrowser:
    """One applicant's session against a WSGI app, called directly; redirects not followed."""

    def __init__(self, app: Any) -> None:
        self.app, self.cookie = app, ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> load.Reply:
        body = urlencode(form).encode() if form else b""
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(body)),
        }
        if form is not None:
            environ["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
        if self.cookie:
            environ["HTTP_COOKIE"] = f"session={self.cookie}"
        replied: list[Any] = []
        text = b"".join(self.app(environ, lambda status, headers, _=None: replied.extend(
            (status, headers)))).decode()
        status, headers = replied
        location = ""
        for name, value in headers:
            if name == "Location":
                location = value.removeprefix("http://127.0.0.1")
            elif name == "Set-Cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0].removeprefix("session=")
        return load.Reply(int(status[:3]), location, text)


def least_cpu_ms(work: Callable[[], int], batches: int) -> float:
    """The least CPU per request over ``batches`` runs of ``work`` (which says how many it made)."""
    best = float("inf")
    for _ in range(batches):
        started = time.process_time()
        requests = work()
        best = min(best, (time.process_time() - started) * 1000 / requests)
    return best


def question_pages(app: Any, token: str, rounds: int) -> tuple[Callable[[], int],
                                                                  Callable[[], int]]:
    """Consent and practice for one applicant; then the GET and the POST workloads."""
    browser = WsgiBrowser(app)
    base = f"/apply/{token}"
    page = load.expect(browser.request("GET", base), 200, "welcome").text
    reply = load.expect(browser.request("POST", base, {"consent": "y", **load.hidden_fields(page)}),
                        302, "consent", f"{base}/practice")
    page = load.expect(browser.request("GET", reply.location), 200, "practice").text
    load.expect(browser.request("POST", reply.location, load.hidden_fields(page)), 302, "practice",
                f"{base}/q/1")
    shown: dict[int, str] = {}
    rng = random.Random(1)

    def get_pages() -> int:
        for _ in range(rounds):
            for number in range(1, PAGES + 1):
                shown[number] = load.expect(browser.request("GET", f"{base}/q/{number}"), 200,
                                            f"question {number}").text
        return rounds * PAGES

    def post_answers() -> int:
        for _ in range(rounds):
            for number in range(1, PAGES + 1):
                page = shown[number]
                form = {**load.hidden_fields(page), **load.choose_answer(page, rng, 0, number),
                        "action": "next", "idempotency_key": secrets.token_urlsafe(24)}
                load.expect(browser.request("POST", f"{base}/q/{number}", form), 302,
                            f"answer {number}")
        return rounds * PAGES

    get_pages()  # warm: templates compiled, form classes built, pages to answer
    return get_pages, post_answers


def bare_route(rounds: int) -> Callable[[], int]:
    browser = WsgiBrowser(bare_app)

    def get() -> int:
        for _ in range(rounds * PAGES):
            load.expect(browser.request("GET", "/"), 200, "bare route")
        return rounds * PAGES

    return get


def measure(kind: str, args: argparse.Namespace, workdir: Path) -> None:
    if kind == "sqlite":
        url, label = f"sqlite:///{workdir / 'pages.db'}", "SQLite"
    else:
        url, label = load.create_postgres_database(args.postgres_url, BENCH_DATABASE), "PostgreSQL"
    try:
        app = load.bench_app(url, workdir / f"instance-{kind}", secrets.token_hex(32))
        (token,) = load.seed(app, 1)
        get_pages, post_answers = question_pages(app, token, args.rounds)
        post_answers()  # warm the post path too
        get_ms = least_cpu_ms(get_pages, args.batches)
        post_ms = least_cpu_ms(post_answers, args.batches)
        bare_ms = least_cpu_ms(bare_route(args.rounds), args.batches)
        print(f"  {label}: question page GET {get_ms:.2f} ms, answer POST {post_ms:.2f} ms of CPU; "
              f"bare Flask route {bare_ms:.3f} ms: {get_ms / bare_ms:.0f}x and "
              f"{post_ms / bare_ms:.0f}x")
        with app.app_context():
            app.extensions["sqlalchemy"].engine.dispose()  # before the database is dropped
    finally:
        if kind == "postgres":
            load.drop_postgres_database(args.postgres_url, BENCH_DATABASE)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(f"bench/pages.py: in-process CPU per request, the least of {args.batches} batches of "
          f"{args.rounds * PAGES} requests; Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="screening-pages-") as folder:
        for kind in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            measure(kind, args, Path(folder))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
