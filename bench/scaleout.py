"""Scale-out: two gunicorn servers, one PostgreSQL, Redis for the rate limits.

    python bench/scaleout.py [--applicants 200] [--pause-min 1] [--pause-max 3]
                             [--max-seconds 300]
                             [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                             [--redis-url redis://127.0.0.1:6379/14]

It creates a PostgreSQL database ``screening_scaleout`` (and drops it at the end; never
the ``test`` database), migrates and seeds it with bench/load.py's ``seed``, and starts
two gunicorn servers on two loopback ports with the same SECRET_KEY, the same database
and Redis as the limiter storage. There is no load balancer and no sticky session:
every simulated browser sends each request to the other server than its previous one,
so each applicant's pages, form posts, CSRF tokens and session cookie go back and forth
between the two servers. Then:

1. The paced applicant run of bench/load.py (its ``paced_run`` and ``run_journey``,
   imported, not copied): consent, practice, 20 items, review, submit, with pauses,
   double clicks (sent to both servers at once) and resends. p50/p95/p99 latency,
   requests per second, requests per server, and bench/load.py's exactly-once check
   of the database: 0 answers lost, 0 duplicated, every applicant submitted once.
2. A manager signs in on one server and downloads the same applicant's PDF report
   from server A (rendered, stored in the shared ``report_cache`` table) and then
   from server B (read from that table): both times and the X-Report-Cache header.
3. With rate limiting on (the servers of steps 1 and 2 run bench/load_app.py, whose
   limits are off because every simulated applicant comes from 127.0.0.1), two fresh
   servers: sign-in attempts alternate between them; the limit of 10 a minute per
   address holds across both (per-server memory storage would allow 20).

Both servers share this machine's CPUs with each other and with the client, so the
figures show that the servers cooperate, not that two machines double the capacity.
Every loop is bounded in count and time; all traffic stays on 127.0.0.1. Exit status 1
if an answer was lost or duplicated, a journey failed, the PDF was not served from the
cache by the second server, the limit did not hold, or Redis or PostgreSQL cannot be
reached. The servers are stopped and the database dropped on every exit, SIGTERM and
Ctrl-C included.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import secrets
import signal
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

from bench import load  # noqa: E402 - after the path is set, as load.py itself does

SCALEOUT_DATABASE = "screening_scaleout"
LOGIN_LIMIT_PER_MINUTE = 10  # screening/web/auth/routes.py: "10 per minute; 50 per hour"
PROBE_ATTEMPTS = 14
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
MANAGER_EMAIL, MANAGER_PASSWORD = "scaleout-manager@example.com", "scale out bench password"


class TwoServers(load.Browser):
    """A browser behind a load balancer without sticky sessions.

    bench/load.py's ``run_journey`` builds its browser as ``load.Browser(port, ...)``;
    while ``alternating`` is in force that name means this class, whose every request
    goes to the other server than the one before (a twin for a double click starts on
    the other server than its original, so the two clicks hit both servers at once).
    """

    ports: ClassVar[tuple[int, int]] = (0, 0)
    served: ClassVar[Counter[int]] = Counter()
    _starts: ClassVar[Iterator[int]] = itertools.count()
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, port: int, recorder: load.Recorder) -> None:
        super().__init__(port, recorder)
        with TwoServers._lock:
            self.turn = next(TwoServers._starts) % 2  # half the browsers start on each
        self.connections: dict[int, Any] = dict.fromkeys(self.ports)

    def twin(self) -> TwoServers:
        other = TwoServers(self.port, self.recorder)
        other.cookie, other.turn = self.cookie, self.turn ^ 1
        return other

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> load.Reply:
        self.connections[self.port] = self.connection
        self.port = self.ports[self.turn]
        self.connection = self.connections[self.port]
        self.turn ^= 1
        try:
            return super().request(method, path, form)
        finally:
            self.connections[self.port] = self.connection
            with TwoServers._lock:
                TwoServers.served[self.port] += 1

    def close(self) -> None:
        self.connections[self.port] = self.connection
        for connection in self.connections.values():
            if connection is not None:
                connection.close()


@contextmanager
def alternating(ports: tuple[int, int]) -> Iterator[None]:
    """Within the block, bench/load.py's journeys build ``TwoServers`` browsers on ``ports``."""
    TwoServers.ports = ports
    TwoServers.served.clear()
    original, load.Browser = load.Browser, TwoServers  # type: ignore[misc]
    try:
        yield
    finally:
        load.Browser = original  # type: ignore[misc]


# -- the database and the servers --------------------------------------------------------


def redis_storage(url: str) -> Any:
    import redis
    from redis.connection import parse_url

    if parse_url(url).get("host") not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"refusing a Redis server that is not on loopback: {url}")
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as error:
        client.close()
        raise SystemExit(f"bench/scaleout.py: Redis is not reachable at {url} ({error}); the "
                         "two servers share their rate limits through it. Start Redis (e.g. "
                         "`redis-server --daemonize yes`) or pass --redis-url.") from None
    client.flushdb()  # this bench's own database number: its counters only
    return client


def check_postgres(admin_url: str) -> None:
    import psycopg

    try:
        psycopg.connect(dbname="postgres", connect_timeout=5,
                        **load.postgres_admin(admin_url)).close()
    except psycopg.OperationalError as error:
        raise SystemExit(f"bench/scaleout.py: PostgreSQL is not reachable at "
                         f"{admin_url.split('@')[-1]} ({str(error).strip()})") from None


def _stop_on_sigterm(signum: int, _frame: Any) -> None:
    # SystemExit unwinds the with-blocks, so the servers stop and the database is dropped;
    # a second signal must not interrupt that clean-up.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise SystemExit(f"bench/scaleout.py: stopped by signal {signum}")


@contextmanager
def gunicorn(module: str, environment: dict[str, str], log: Path) -> Iterator[load.Gunicorn]:
    """load.Gunicorn, stopped even when interrupted while it starts (SIGTERM, Ctrl-C)."""
    server = load.Gunicorn(module, environment, log)
    try:
        yield server.__enter__()
    finally:
        server.__exit__()


def add_manager(app: Any) -> int | None:
    """A manager on the seeded position; the first submitted submission's id, if any."""
    from sqlalchemy import select

    from screening.extensions import db
    from screening.models import Position, Role, Submission, SubmissionStatus
    from screening.services import accounts

    with app.app_context():
        manager = accounts.create_user(db.session, email=MANAGER_EMAIL, name="Scale Manager",
                                       role=Role.MANAGER, password=MANAGER_PASSWORD)
        position = db.session.scalars(select(Position)).one()
        position.managers.append(manager)
        submission_id = db.session.scalar(
            select(Submission.id).where(Submission.status == SubmissionStatus.SUBMITTED)
            .order_by(Submission.id).limit(1))
        db.session.commit()
        db.engine.dispose()
    return submission_id


# -- the three parts ----------------------------------------------------------------------


def applicant_run(servers: tuple[load.Gunicorn, load.Gunicorn], tokens: list[str],
                  args: argparse.Namespace, app: Any) -> tuple[bool, str]:
    ports = (servers[0].port, servers[1].port)

    def server_cpu() -> float:
        return sum(load.cpu_seconds(server.process.pid) for server in servers)

    server_before, client_before = server_cpu(), load.own_cpu_seconds()
    machine_before = load.machine_busy_seconds()
    with alternating(ports):
        recorder, outcomes, elapsed = load.paced_run(
            ports[0], tokens, (args.pause_min, args.pause_max), args.max_seconds)
        served = dict(TwoServers.served)
    servers_cpu = server_cpu() - server_before
    machine_cpu = load.machine_busy_seconds() - machine_before
    client_cpu = load.own_cpu_seconds() - client_before
    samples = recorder.samples
    print(f"applicants: {len(tokens)} at once, pauses {args.pause_min:g}-{args.pause_max:g} s, "
          f"each request to the other server than the last: {len(samples)} requests in "
          f"{elapsed:.1f} s = {len(samples) / elapsed:.0f} req/s")
    print(f"  requests per server: A {served.get(ports[0], 0)}, B {served.get(ports[1], 0)}")
    load.print_latencies(samples)
    print(f"  server CPU {servers_cpu * 1000 / max(len(samples), 1):.2f} ms per request (both "
          f"servers); gunicorn {servers_cpu / elapsed:.2f} CPUs, this client "
          f"{client_cpu / elapsed:.2f} CPUs")
    print(f"  machine: {machine_cpu / elapsed:.2f} of {os.cpu_count()} CPUs busy, of which "
          f"{(machine_cpu - servers_cpu - client_cpu) / elapsed:.2f} neither gunicorn nor "
          "this client (PostgreSQL, Redis and any other work on the machine)")
    print(f"  double clicks {sum(o.double_clicks for o in outcomes)} (one click to each "
          f"server), resends {sum(o.resends for o in outcomes)}, reconnects "
          f"{recorder.reconnects}, failed journeys {len(recorder.failures)}; load average "
          f"{os.getloadavg()[0]:.1f} at the end")
    for failure in recorder.failures[:5]:
        print(f"    {failure}")
    check = load.check_exactly_once(app, outcomes)
    print(f"  exactly once: {check.acknowledged} answers acknowledged, {check.lost} lost, "
          f"{check.duplicated} duplicated; {check.submitted} of {len(tokens)} submitted once")
    for problem in check.problems[:5]:
        print(f"    {problem}")
    ok = (check.lost == 0 and check.duplicated == 0 and not recorder.failures
          and check.submitted == len(tokens))
    summary = (f"{len(samples) / elapsed:.0f} req/s, p95 "
               f"{load.percentile([ms for _, _, ms in samples], 0.95):.0f} ms, "
               f"{check.lost} lost, {check.duplicated} duplicated")
    return ok, summary


def _sign_in(browser: load.Browser, email: str, password: str) -> load.Reply:
    page = load.expect(browser.request("GET", "/login"), 200, "sign-in page").text
    token = CSRF.search(page)
    assert token is not None, "no CSRF token on the sign-in page"
    return browser.request("POST", "/login", {"email": email, "password": password,
                                              "csrf_token": token.group(1)})


def pdf_from_both(ports: tuple[int, int], submission_id: int) -> bool:
    """Sign in on A; download the same report from A (rendered), then from B (cached)."""
    browser = load.Browser(ports[0], load.Recorder())
    try:
        load.expect(_sign_in(browser, MANAGER_EMAIL, MANAGER_PASSWORD), 302, "manager sign-in")
    finally:
        browser.close()
    assert browser.cookie is not None
    path = f"/manage/submissions/{submission_id}/report.pdf"
    print(f"PDF report of submission {submission_id}, one manager session (signed in on A):")
    downloads = []
    for name, port in (("A", ports[0]), ("B", ports[1])):
        status, cache, size, milliseconds = _download(port, path, browser.cookie)
        downloads.append((status, cache, milliseconds))
        print(f"  server {name}: HTTP {status}, X-Report-Cache: {cache}, {milliseconds:.0f} ms, "
              f"{size / 1024:.0f} KiB")
    (first_status, first_cache, first_ms), (second_status, second_cache, second_ms) = downloads
    # A miss on A then a hit on B: B (a process that never rendered it) read A's copy.
    ok = first_status == second_status == 200 and (first_cache, second_cache) == ("miss", "hit")
    print(f"  second download served from the shared report_cache table by the other server: "
          f"{'yes' if ok else 'NO'} ({first_cache} {first_ms:.0f} ms, then {second_cache} "
          f"{second_ms:.0f} ms)")
    return ok


def _download(port: int, path: str, cookie: str) -> tuple[int, str, int, float]:
    """(status, X-Report-Cache, bytes, ms): load.Browser keeps no response headers."""
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Cookie": f"session={cookie}"})
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()
    milliseconds = (time.perf_counter() - started) * 1000
    return response.status, response.getheader("X-Report-Cache", "-"), len(body), milliseconds


def limit_probe(environment: dict[str, str], workdir: Path) -> bool:
    """Wrong sign-ins alternating between two servers with limits on and Redis storage."""
    with gunicorn("wsgi:app", environment, workdir / "gunicorn-limit-a.log") as a, \
            gunicorn("wsgi:app", environment, workdir / "gunicorn-limit-b.log") as b:
        outcomes = []
        with alternating((a.port, b.port)):
            browser = TwoServers(a.port, load.Recorder())
            browser.turn = 0
            try:
                for attempt in range(1, PROBE_ATTEMPTS + 1):
                    # GET the form from one server, POST it to the other
                    reply = _sign_in(browser, "nobody@example.com", "not the password")
                    outcomes.append((attempt, "A" if browser.port == a.port else "B",
                                     reply.status))
                    browser.turn ^= 1  # the next attempt posts to the other server
            finally:
                browser.close()
    print(f"sign-in limit ({LOGIN_LIMIT_PER_MINUTE} a minute per address), wrong passwords "
          "alternating between two fresh servers with limits on and Redis storage:")
    print("  " + ", ".join(f"{n}:{s}={status}" for n, s, status in outcomes))
    refused_from = next((n for n, _, status in outcomes if status == 429), None)
    held = refused_from == LOGIN_LIMIT_PER_MINUTE + 1 and all(
        status == 429 for n, _, status in outcomes if n > LOGIN_LIMIT_PER_MINUTE)
    before = Counter(server for n, server, _ in outcomes if refused_from and n < refused_from)
    print(f"  first refusal at attempt {refused_from} (after {before['A']} on A and "
          f"{before['B']} on B; per-server counters would allow "
          f"{2 * LOGIN_LIMIT_PER_MINUTE}): the limit held across servers: "
          f"{'yes' if held else 'NO'}")
    return held


def print_server_logs(workdir: Path, lines: int = 20) -> None:
    """The end of every server's error log: what a failed run needs to be understood."""
    for log in sorted(workdir.glob("gunicorn-*.log")):
        tail = log.read_text(errors="replace").splitlines()[-lines:]
        if tail:
            print(f"-- last {len(tail)} lines of {log.name}:")
            print("\n".join(f"   {line}" for line in tail))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--pause-min", type=float, default=1.0)
    parser.add_argument("--pause-max", type=float, default=3.0)
    parser.add_argument("--max-seconds", type=float, default=300.0,
                        help="give up on the applicant run after this long")
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a loopback server; the bench creates and drops its own database")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/14",
                        help="a loopback Redis database number this bench may empty")
    args = parser.parse_args()
    if not 1 <= args.applicants <= 1000 or not 0 <= args.pause_min <= args.pause_max <= 60:
        parser.error("applicants must be 1..1000 and 0 <= pause-min <= pause-max <= 60")
    print(f"bench/scaleout.py: {os.cpu_count()} CPUs shared by two gunicorn servers "
          f"({' '.join(load.GUNICORN_SETTINGS)} each) and this client; load average "
          f"{os.getloadavg()[0]:.1f} at start")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    limits = redis_storage(args.redis_url)
    check_postgres(args.postgres_url)
    secret = secrets.token_hex(32)
    try:
        url = load.create_postgres_database(args.postgres_url, SCALEOUT_DATABASE)
        with tempfile.TemporaryDirectory(prefix="screening-scaleout-") as folder:
            workdir = Path(folder)
            app = load.bench_app(url, workdir / "instance", secret)
            tokens = load.seed(app, args.applicants)
            environment = {**os.environ, "SCREENING_DATABASE_URL": url,
                           "SCREENING_INSTANCE_PATH": str(workdir / "instance"),
                           "SCREENING_SECRET_KEY": secret,
                           "SCREENING_BASE_URL": "http://127.0.0.1",
                           "SCREENING_RATELIMIT_STORAGE_URI": args.redis_url,
                           # The PDF check needs server A to render on download and B to
                           # read A's copy; a summary rendered ahead would hit on both.
                           "SCREENING_PDF_PRERENDER": "0"}
            print(f"PostgreSQL {url.split('@')[-1]}, limiter storage {args.redis_url}, "
                  "one SECRET_KEY")
            with gunicorn("bench.load_app:app", environment, workdir / "gunicorn-a.log") as a, \
                    gunicorn("bench.load_app:app", environment, workdir / "gunicorn-b.log") as b:
                print(f"servers: A 127.0.0.1:{a.port}, B 127.0.0.1:{b.port}")
                run_ok, summary = applicant_run((a, b), tokens, args, app)
                submission_id = add_manager(app)
                if submission_id is None:
                    print("PDF report: nobody submitted, so there is no report to download")
                    pdf_ok = False
                else:
                    pdf_ok = pdf_from_both((a.port, b.port), submission_id)
            limit_ok = limit_probe(environment, workdir)
            if not (run_ok and pdf_ok and limit_ok):
                print_server_logs(workdir)
    finally:
        load.drop_postgres_database(args.postgres_url, SCALEOUT_DATABASE)
        limits.flushdb()
        limits.close()
    print(f"result: applicants {'ok' if run_ok else 'FAILED'} ({summary}); PDF cache across "
          f"servers {'ok' if pdf_ok else 'FAILED'}; login limit across servers "
          f"{'held' if limit_ok else 'FAILED'}")
    return 0 if run_ok and pdf_ok and limit_ok else 1


if __name__ == "__main__":
    sys.exit(main())
