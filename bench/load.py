"""Load benchmark: 200 applicants completing the standard questionnaire at once.

    python bench/load.py [--db sqlite|postgres|both] [--applicants 200]
                         [--pause-min 1] [--pause-max 3] [--level-seconds 8] [--no-saturation]
                         [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

For each database it migrates a fresh database (a SQLite file in a temporary
folder; on PostgreSQL a database ``screening_bench_load`` it creates and drops
itself, never the ``test`` database), creates one position and its invitations,
and starts gunicorn on 127.0.0.1 with ``-w 4 -k gthread --threads 2`` serving
``bench/load_app.py`` (the real app with rate limiting off: every simulated
applicant comes from 127.0.0.1). Then:

1. Paced run: APPLICANTS threads start together; each reads a page, pauses
   1 to 3 s as a person would, and answers: consent, practice, 20 items, review,
   submit, thank-you page, with CSRF tokens, cookies and idempotency keys like a
   browser. 5 % of answer posts are double clicks (the same form sent twice at
   once on two connections), 3 % are resent after their response, and one
   submit in five is double-clicked. Prints p50/p95/p99 latency per request
   and requests per second, then checks the database: every acknowledged
   answer stored exactly once with what was sent, its time counted once, one
   idempotency row per key, every submission submitted.
2. Saturation: the same journeys without pauses, closed loop, at rising
   concurrency; the highest rate with no failed request and p99 under 1 s is
   "sustainable". The same is done for a bare Flask route (bench/bare_app.py)
   under the same gunicorn settings, and the ratio printed.

Targets: 0 lost, 0 duplicated, p95 < 200 ms with pauses, saturation >= 0.3 of
the bare route. Exit status 1 if any answer was lost or duplicated or a journey
failed. Every loop is bounded in count and time; all traffic stays on 127.0.0.1.
The client runs in this process and shares the machine's CPUs with gunicorn. So
that the figures can be read on a busy machine, it prints the CPU gunicorn spends
per request (which other work hardly changes) and, for the paced run, how busy
the machine's CPUs were and with what: gunicorn, this client, everything else.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))

QUESTIONNAIRE = "frontline-standard"
GUNICORN_SETTINGS = ("-w", "4", "-k", "gthread", "--threads", "2", "--keep-alive", "5")
BENCH_DATABASE = "screening_bench_load"
TARGET_P95_MS = 200.0
TARGET_RATIO = 0.3
SATURATION_LEVELS = (4, 8, 16, 32, 64)
SUSTAINABLE_P99_MS = 1000.0
#: consent, practice, 20 items and review, with room to spare: a journey never loops forever.
MAX_PAGES_PER_JOURNEY = 40
DOUBLE_CLICK_SHARE, RESEND_SHARE, SUBMIT_DOUBLE_CLICK_SHARE = 0.05, 0.03, 0.2

HIDDEN = re.compile(r'<input id="(csrf_token|idempotency_key|shown_at)" name="\1" '
                    r'type="hidden" value="([^"]*)">')
# The attributes after value (aria-labelledby in the most/least table) may follow.
RADIO = re.compile(r'<input (?:checked )?id="[^"]+" name="([^"]+)" required type="radio" '
                   r'value="([^"]*)"')
RANK = re.compile(r'<select[^>]* name="(rank_[^"]+)"')
SESSION_COOKIE = re.compile(r"(?:^|,\s*)session=([^;]*)")


class JourneyFailed(Exception):
    """The app answered something a browser would not have expected."""


# -- the HTTP side: one simulated browser per applicant -----------------------------------


@dataclass
class Reply:
    status: int
    location: str
    text: str


@dataclass
class Recorder:
    """Every request's latency, thread-safe enough for list.append under the GIL."""

    samples: list[tuple[float, str, float]] = field(default_factory=list)  # (end, method, ms)
    reconnects: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, method: str, milliseconds: float) -> None:
        self.samples.append((time.perf_counter(), method, milliseconds))


class Browser:
    """One applicant's keep-alive connection and session cookie; redirects are not followed."""

    def __init__(self, port: int, recorder: Recorder) -> None:
        self.port, self.recorder = port, recorder
        self.cookie: str | None = None
        self.connection: http.client.HTTPConnection | None = None

    def twin(self) -> Browser:
        """A second connection with the same cookie: a second click while the first is sent."""
        other = Browser(self.port, self.recorder)
        other.cookie = self.cookie
        return other

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        body = urlencode(form) if form is not None else None
        headers = {"Host": f"127.0.0.1:{self.port}", "Connection": "keep-alive"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookie:
            headers["Cookie"] = f"session={self.cookie}"
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, http.client.CannotSendRequest,
                    ConnectionResetError, BrokenPipeError):
                # The server closed an idle keep-alive connection: send again on a new one,
                # as a browser does (safe: every post carries its idempotency key).
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                self.recorder.reconnects += 1
                continue
            self.recorder.add(method, (time.perf_counter() - started) * 1000)
            for cookie in response.msg.get_all("Set-Cookie") or []:
                match = SESSION_COOKIE.search(cookie)
                if match:
                    self.cookie = match.group(1) or None
            location = urlsplit(response.getheader("Location", "")).path
            return Reply(response.status, location, data.decode("utf-8", "replace"))
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def expect(reply: Reply, status: int, what: str, location_end: str | None = None) -> Reply:
    if reply.status != status or (location_end and not reply.location.endswith(location_end)):
        raise JourneyFailed(f"{what}: got {reply.status} -> {reply.location!r}, "
                            f"expected {status} -> {location_end!r}")
    return reply


def hidden_fields(page: str) -> dict[str, str]:
    return dict(HIDDEN.findall(page))


def choose_answer(page: str, rng: random.Random, applicant: int, number: int) -> dict[str, str]:
    """A valid answer to whatever item the page shows, read from its form controls."""
    groups: dict[str, list[str]] = {}
    for name, value in RADIO.findall(page):
        groups.setdefault(name, []).append(value)
    if "choice" in groups:
        return {"choice": rng.choice(groups["choice"])}
    if "most" in groups:
        most, least = rng.sample(groups["most"], 2)
        return {"most": most, "least": least}
    ratings = {name: rng.choice(values) for name, values in groups.items()
               if name.startswith("rate_")}
    if ratings:
        return ratings
    ranks = RANK.findall(page)
    if ranks:
        places = [str(place) for place in range(1, len(ranks) + 1)]
        rng.shuffle(places)
        return dict(zip(ranks, places, strict=True))
    if 'name="text"' in page:
        return {"text": f"Applicant {applicant} would listen first, say sorry and sort out "
                        f"the next step for item {number} together with the customer."}
    raise JourneyFailed(f"no answer controls on page {number}")


# -- one applicant's journey --------------------------------------------------------------


@dataclass
class Posted:
    """One acknowledged answer: the fields sent and the most time it could have taken."""

    fields: dict[str, str]
    client_seconds: float


@dataclass
class Outcome:
    token: str
    answers: dict[int, Posted] = field(default_factory=dict)  # page number -> answer
    keys: set[str] = field(default_factory=set)
    double_clicks: int = 0
    resends: int = 0
    completed: bool = False


class Stopped(Exception):
    """The saturation window closed; the journey ends where it is."""


def run_journey(port: int, token: str, applicant: int, recorder: Recorder,
                think: Callable[[], None], clicks: random.Random | None,
                stop: threading.Event | None = None) -> Outcome:
    """Consent, practice, every item, review, submit, thanks: like a browser would."""
    rng = random.Random(applicant)
    browser = Browser(port, recorder)
    outcome = Outcome(token)
    base = f"/apply/{token}"

    def step(method: str, path: str, form: dict[str, str] | None = None) -> Reply:
        if stop is not None and stop.is_set():
            raise Stopped
        return browser.request(method, path, form)

    def post_like_a_person(path: str, form: dict[str, str], double_share: float,
                           resend_share: float) -> Reply:
        if clicks is not None and clicks.random() < double_share:
            outcome.double_clicks += 1
            second: list[Reply] = []
            twin = browser.twin()
            other = threading.Thread(target=lambda: second.append(twin.request("POST", path, form)))
            other.start()
            reply = step("POST", path, form)
            other.join(timeout=60)
            twin.close()
            if not second or (second[0].status, second[0].location) != (reply.status,
                                                                         reply.location):
                raise JourneyFailed(f"double click on {path} went two ways")
            return reply
        reply = step("POST", path, form)
        if clicks is not None and clicks.random() < resend_share:
            outcome.resends += 1
            again = step("POST", path, form)
            if (again.status, again.location) != (reply.status, reply.location):
                raise JourneyFailed(f"resent {path} went elsewhere: {again.location}")
        return reply

    try:
        page = expect(step("GET", base), 200, "welcome").text
        think()
        reply = expect(step("POST", base, {"consent": "y", **hidden_fields(page)}), 302,
                       "consent", f"{base}/practice")
        page = expect(step("GET", reply.location), 200, "practice").text
        think()
        reply = expect(step("POST", reply.location, hidden_fields(page)), 302, "practice",
                       f"{base}/q/1")
        for number in range(1, MAX_PAGES_PER_JOURNEY + 1):
            path = reply.location
            shown = time.perf_counter()
            page = expect(step("GET", path), 200, f"question {number}").text
            fields = choose_answer(page, rng, applicant, number)
            form = {**hidden_fields(page), **fields, "action": "next"}
            outcome.keys.add(form["idempotency_key"])
            think()
            reply = expect(post_like_a_person(path, form, DOUBLE_CLICK_SHARE, RESEND_SHARE),
                           302, f"answer {number}")
            outcome.answers[number] = Posted(fields, time.perf_counter() - shown)
            if reply.location.endswith("/review"):
                break
        else:
            raise JourneyFailed("never reached the review page")
        page = expect(step("GET", reply.location), 200, "review").text
        if "You have answered every question." not in page:
            raise JourneyFailed("review lists unanswered questions")
        think()
        form = hidden_fields(page)
        outcome.keys.add(form["idempotency_key"])
        reply = expect(post_like_a_person(f"{base}/review", form, SUBMIT_DOUBLE_CLICK_SHARE, 0),
                       302, "submit", f"{base}/done")
        done = expect(step("GET", reply.location), 200, "thank-you page").text
        if "We have your answers" not in done:
            raise JourneyFailed("thank-you page without thanks")
        outcome.completed = True
    finally:
        browser.close()
    return outcome


# -- the server side ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cpu_seconds(root_pid: int) -> float:
    """User + system CPU used so far by a process and its children (Linux /proc; else 0).

    The machine may be busy with other work; CPU per request does not depend on that,
    where requests per second do.
    """
    pids = [root_pid]
    try:
        children = Path(f"/proc/{root_pid}/task/{root_pid}/children").read_text().split()
        pids += [int(child) for child in children]
    except OSError:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def machine_busy_seconds() -> float:
    """CPU-seconds all CPUs have spent busy since boot (Linux /proc/stat; else 0)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


class Gunicorn:
    """gunicorn on a loopback port with the bench settings, stopped on exit."""

    def __init__(self, module: str, environment: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self.log = log
        command = [sys.executable, "-m", "gunicorn", *GUNICORN_SETTINGS,
                   "-b", f"127.0.0.1:{self.port}", "--log-level", "warning",
                   "--error-logfile", str(log), module]
        self.process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def __enter__(self) -> Gunicorn:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited:\n{self.log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/healthz")
                status = connection.getresponse().status
                connection.close()
                if status in (200, 404):  # the bare app has no /healthz
                    return self
            except OSError:
                pass
            time.sleep(0.2)
        self.__exit__()
        raise SystemExit("gunicorn did not start within 60 s")

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# -- databases ----------------------------------------------------------------------------


def postgres_admin(url: str) -> dict[str, Any]:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit(f"refusing a PostgreSQL server that is not on loopback: {parsed.host}")
    return {"host": parsed.host, "port": parsed.port or 5432,
            "user": parsed.username or "postgres", "password": parsed.password}


def create_postgres_database(url: str, name: str = BENCH_DATABASE) -> str:
    """A fresh database ``name`` on the loopback server; its URL (never the ``test`` one)."""
    import psycopg

    admin = postgres_admin(url)
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    password = f":{admin['password']}" if admin["password"] else ""
    return (f"postgresql+psycopg://{admin['user']}{password}@{admin['host']}:{admin['port']}"
            f"/{name}")


def drop_postgres_database(url: str, name: str = BENCH_DATABASE) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **postgres_admin(url)) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def bench_app(database_url: str, instance: Path, secret: str) -> Any:
    from screening.app import create_app

    return create_app({"DATABASE_URL": database_url, "INSTANCE_PATH": str(instance),
                       "SECRET_KEY": secret, "RATELIMIT_ENABLED": False})


def seed(app: Any, count: int) -> list[str]:
    """Migrate, then one position on the standard questionnaire and ``count`` invitations."""
    from flask_migrate import upgrade

    from screening.extensions import db
    from screening.services import invitations, positions
    from screening.services.questionnaires import current_bank, current_version, sync_versions

    with app.app_context():
        upgrade()
        sync_versions(db.session, current_bank())
        version = current_version(db.session, QUESTIONNAIRE)
        assert version is not None
        position = positions.create_position(db.session, title="Bench front desk",
                                             location="Loopback", version=version, managers=[])
        tokens = [invitations.invite(db.session, position, name=f"Bench Applicant {i}",
                                   email=f"bench{i}@example.com", valid_days=14).token
                  for i in range(count)]
        db.session.commit()
        db.engine.dispose()
    return tokens


# -- checking the database after the paced run --------------------------------------------


@dataclass
class Check:
    acknowledged: int = 0
    lost: int = 0
    duplicated: int = 0
    submitted: int = 0
    problems: list[str] = field(default_factory=list)


def stored_matches(item: Any, fields: dict[str, str], response: dict[str, Any]) -> bool:
    from screening.bank import ResponseFormat

    if item.format is ResponseFormat.BEST_CHOICE:
        return response["choice"] == fields["choice"]
    if item.format is ResponseFormat.MOST_LEAST:
        return (response["most"], response["least"]) == (fields["most"], fields["least"])
    if item.format is ResponseFormat.RATE_EACH:
        return response["ratings"] == {k.removeprefix("rate_"): int(v) for k, v in fields.items()}
    if item.format is ResponseFormat.RANK:
        places = {k.removeprefix("rank_"): int(v) for k, v in fields.items()}
        return response["ranking"] == sorted(places, key=places.__getitem__)
    return response["text"] == fields["text"].strip()


def check_exactly_once(app: Any, outcomes: list[Outcome]) -> Check:
    from sqlalchemy import func, select

    from screening.extensions import db
    from screening.models import Answer, FormPost, Invitation, Submission, SubmissionStatus
    from screening.services.journey import sequence_for

    check = Check()
    with app.app_context():
        for outcome in outcomes:
            invitation = db.session.scalar(
                select(Invitation).where(Invitation.token == outcome.token))
            submissions = db.session.scalar(select(func.count(Submission.id)).where(
                Submission.invitation_id == invitation.id))
            if submissions != 1:
                check.duplicated += max(submissions - 1, 0)
                check.problems.append(f"{submissions} submissions for one invitation")
                continue
            submission = invitation.submission
            items = sequence_for(submission).items
            rows = db.session.scalars(
                select(Answer).where(Answer.submission_id == submission.id)).all()
            by_item: dict[str, list[Answer]] = {}
            for row in rows:
                by_item.setdefault(row.item_id, []).append(row)
            check.duplicated += sum(len(same) - 1 for same in by_item.values())
            for number, posted in outcome.answers.items():
                check.acknowledged += 1
                stored = by_item.get(items[number - 1].id)
                if not stored or not stored_matches(items[number - 1], posted.fields,
                                                    stored[0].response):
                    check.lost += 1
                    check.problems.append(f"answer {number} of {outcome.token[:8]} lost")
                elif stored[0].seconds is not None and \
                        stored[0].seconds > posted.client_seconds + 1.0:
                    # A double click counted twice would show as twice the time on the page.
                    check.duplicated += 1
                    check.problems.append(
                        f"answer {number} of {outcome.token[:8]}: {stored[0].seconds:.1f} s "
                        f"stored, at most {posted.client_seconds:.1f} s spent")
            keys = db.session.scalar(select(func.count(FormPost.id)).where(
                FormPost.submission_id == submission.id))
            if keys != len(outcome.keys):
                check.duplicated += abs(keys - len(outcome.keys))
                check.problems.append(f"{keys} key rows for {len(outcome.keys)} keyed posts")
            if submission.status is SubmissionStatus.SUBMITTED and submission.result:
                check.submitted += 1
            else:
                check.problems.append(f"{outcome.token[:8]} not submitted")
        db.session.remove()
        db.engine.dispose()
    return check


# -- the two runs -------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def own_cpu_seconds() -> float:
    """CPU this client process has used so far, user and system."""
    times = os.times()
    return times.user + times.system


def print_latencies(samples: list[tuple[float, str, float]]) -> None:
    for method in (None, "GET", "POST"):
        print(f"  latency ms, {method or 'all':5} {latency_line(samples, method)}")


def latency_line(samples: list[tuple[float, str, float]], method: str | None = None) -> str:
    values = [ms for _, m, ms in samples if method is None or m == method]
    return (f"p50 {percentile(values, 0.50):6.1f}  p95 {percentile(values, 0.95):6.1f}  "
            f"p99 {percentile(values, 0.99):6.1f}  max {max(values):7.1f}  "
            f"({len(values)} requests)")


def paced_run(port: int, tokens: list[str], pause: tuple[float, float],
              max_seconds: float) -> tuple[Recorder, list[Outcome], float]:
    recorder = Recorder()
    outcomes: list[Outcome | None] = [None] * len(tokens)
    barrier = threading.Barrier(len(tokens), timeout=60)

    def applicant(index: int) -> None:
        think_rng = random.Random(10_000 + index)
        clicks = random.Random(20_000 + index)
        try:
            barrier.wait()
            outcomes[index] = run_journey(
                port, tokens[index], index, recorder,
                lambda: time.sleep(think_rng.uniform(*pause)), clicks)
        except Exception as error:  # every failure is reported, none stops the others
            recorder.failures.append(f"applicant {index}: {error!r}")

    threads = [threading.Thread(target=applicant, args=(i,), daemon=True)
               for i in range(len(tokens))]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + max_seconds
    for thread in threads:
        thread.join(timeout=max(0.1, deadline - time.monotonic()))
    elapsed = time.perf_counter() - started
    unfinished = sum(thread.is_alive() for thread in threads)
    if unfinished:
        recorder.failures.append(f"{unfinished} applicants unfinished after {max_seconds:.0f} s")
    return recorder, [o for o in outcomes if o is not None], elapsed


@dataclass
class Level:
    concurrency: int
    per_second: float
    p95: float
    p99: float
    errors: int
    client_cpu: float  # share of one CPU the client process used
    server_cpu_ms: float  # gunicorn's CPU per request, whatever else runs on the machine

    @property
    def sustainable(self) -> bool:
        return self.errors == 0 and self.per_second > 0 and self.p99 <= SUSTAINABLE_P99_MS


def closed_loop(concurrency: int, seconds: float, server_pid: int,
                work: Callable[[Recorder, threading.Event], None]) -> Level:
    """``concurrency`` threads doing ``work`` back to back; requests counted in the window."""
    recorder = Recorder()
    stop = threading.Event()
    threads = [threading.Thread(target=work, args=(recorder, stop), daemon=True)
               for _ in range(concurrency)]
    cpu_before, server_before = own_cpu_seconds(), cpu_seconds(server_pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    ended = time.perf_counter()
    cpu_after, server_after = own_cpu_seconds(), cpu_seconds(server_pid)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    in_window = [ms for end, _, ms in recorder.samples if end <= ended]
    cpu = cpu_after - cpu_before
    server_ms = (server_after - server_before) * 1000 / max(len(in_window), 1)
    return Level(concurrency, len(in_window) / (ended - started), percentile(in_window, 0.95),
                 percentile(in_window, 0.99), len(recorder.failures), cpu / (ended - started),
                 server_ms)


def journeys_without_pauses(port: int, tokens: Iterator[tuple[int, str]],
                            lock: threading.Lock) -> Callable[[Recorder, threading.Event], None]:
    def work(recorder: Recorder, stop: threading.Event) -> None:
        for _ in range(1000):  # bounded: far more journeys than one window holds
            with lock:
                taken = next(tokens, None)
            if taken is None or stop.is_set():
                return
            index, token = taken
            try:
                run_journey(port, token, index, recorder, lambda: None, None, stop)
            except Stopped:
                return
            except Exception as error:
                recorder.failures.append(repr(error))
    return work


def bare_requests(port: int) -> Callable[[Recorder, threading.Event], None]:
    def work(recorder: Recorder, stop: threading.Event) -> None:
        browser = Browser(port, recorder)
        try:
            for _ in range(10_000_000):  # bounded; the window's stop event ends it first
                if stop.is_set():
                    return
                reply = browser.request("GET", "/")
                if reply.status != 200:
                    recorder.failures.append(f"bare route answered {reply.status}")
        except Exception as error:
            recorder.failures.append(repr(error))
        finally:
            browser.close()
    return work


def saturation(label: str, seconds: float, server_pid: int,
               make_work: Callable[[], Callable[..., None]]) -> tuple[Level, float]:
    """The best sustainable level, and the median server CPU per request over all levels."""
    print(f"  {label}")
    print("    concurrency    req/s   p95 ms   p99 ms  errors  client CPU  server CPU ms/req")
    closed_loop(4, min(2.0, seconds), server_pid, make_work())  # warm-up: templates, pools
    best: Level | None = None
    server_ms: list[float] = []
    for concurrency in SATURATION_LEVELS:
        level = closed_loop(concurrency, seconds, server_pid, make_work())
        server_ms.append(level.server_cpu_ms)
        print(f"    {concurrency:11d} {level.per_second:8.0f} {level.p95:8.1f} {level.p99:8.1f}"
              f" {level.errors:7d} {level.client_cpu:10.0%} {level.server_cpu_ms:18.2f}"
              f"{'' if level.sustainable else '  (not sustainable)'}")
        if level.sustainable and (best is None or level.per_second > best.per_second):
            best = level
    return best or Level(0, 0.0, 0.0, 0.0, 0, 0.0, 0.0), percentile(server_ms, 0.5)


def bench_database(kind: str, args: argparse.Namespace, workdir: Path) -> bool:
    secret = secrets.token_hex(32)
    instance = workdir / f"instance-{kind}"
    if kind == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
        label = f"SQLite ({url})"
    else:
        url = create_postgres_database(args.postgres_url)
        label = f"PostgreSQL ({url.split('@')[-1]})"
    try:
        app = bench_app(url, instance, secret)
        saturation_tokens = 40 * len(SATURATION_LEVELS) * int(args.level_seconds + 2) + 200
        tokens = seed(app, args.applicants + saturation_tokens)
        paced_tokens, spare = tokens[:args.applicants], tokens[args.applicants:]
        environment = {**os.environ, "SCREENING_DATABASE_URL": url,
                       "SCREENING_INSTANCE_PATH": str(instance), "SCREENING_SECRET_KEY": secret,
                       "SCREENING_BASE_URL": "http://127.0.0.1"}
        print(f"\n== {label}; gunicorn {' '.join(GUNICORN_SETTINGS)}")
        app_log = workdir / f"gunicorn-{kind}.log"
        with Gunicorn("bench.load_app:app", environment, app_log) as app_server:
            server_before, machine_before = cpu_seconds(app_server.process.pid), \
                machine_busy_seconds()
            client_before = own_cpu_seconds()
            recorder, outcomes, elapsed = paced_run(
                app_server.port, paced_tokens, (args.pause_min, args.pause_max), args.max_seconds)
            paced_cpu = cpu_seconds(app_server.process.pid) - server_before
            machine_cpu = machine_busy_seconds() - machine_before
            client_cpu = own_cpu_seconds() - client_before
            samples = recorder.samples
            print(f"paced run: {args.applicants} applicants at once, pauses "
                  f"{args.pause_min:g}-{args.pause_max:g} s: {len(samples)} requests in "
                  f"{elapsed:.1f} s = {len(samples) / elapsed:.0f} req/s")
            print_latencies(samples)
            print(f"  server CPU {paced_cpu * 1000 / max(len(samples), 1):.2f} ms per request, "
                  f"{paced_cpu / elapsed:.0%} of one CPU")
            print(f"  machine: {machine_cpu / elapsed:.2f} of {os.cpu_count()} CPUs busy: gunicorn "
                  f"{paced_cpu / elapsed:.2f}, this client {client_cpu / elapsed:.2f}, everything "
                  f"else {(machine_cpu - paced_cpu - client_cpu) / elapsed:.2f} (the database "
                  "server and any other work on the machine)")
            print(f"  double clicks {sum(o.double_clicks for o in outcomes)}, resends "
                  f"{sum(o.resends for o in outcomes)}, reconnects {recorder.reconnects}, "
                  f"failed journeys {len(recorder.failures)}")
            for failure in recorder.failures[:5]:
                print(f"    {failure}")
            check = check_exactly_once(app, outcomes)
            print(f"  exactly once: {check.acknowledged} answers acknowledged, "
                  f"{check.lost} lost, {check.duplicated} duplicated; "
                  f"{check.submitted} of {args.applicants} submitted once")
            for problem in check.problems[:5]:
                print(f"    {problem}")
            p95 = percentile([ms for _, _, ms in samples], 0.95)
            exactly_once = check.lost == 0 and check.duplicated == 0 and not recorder.failures \
                and check.submitted == args.applicants
            if args.no_saturation:
                print(f"targets: lost 0 [{'met' if check.lost == 0 else 'MISSED'}], duplicated 0 "
                      f"[{'met' if check.duplicated == 0 else 'MISSED'}], p95 {p95:.0f} < "
                      f"{TARGET_P95_MS:.0f} ms [{'met' if p95 < TARGET_P95_MS else 'MISSED'}]")
                return exactly_once

            print(f"saturation: no pauses, closed loop, {args.level_seconds:g} s per level")
            lock = threading.Lock()
            spare_tokens = iter(enumerate(spare, start=args.applicants))
            best_app, app_cpu_ms = saturation(
                "screening (full journeys)", args.level_seconds, app_server.process.pid,
                lambda: journeys_without_pauses(app_server.port, spare_tokens, lock))
        with Gunicorn("bench.bare_app:app", environment, workdir / "gunicorn-bare.log") as bare:
            best_bare, bare_cpu_ms = saturation("bare Flask route", args.level_seconds,
                                                bare.process.pid, lambda: bare_requests(bare.port))
        ratio = best_app.per_second / best_bare.per_second if best_bare.per_second else 0.0
        print(f"  sustainable: screening {best_app.per_second:.0f} req/s (at "
              f"{best_app.concurrency}), bare route {best_bare.per_second:.0f} req/s (at "
              f"{best_bare.concurrency}): ratio {ratio:.2f}")
        if app_cpu_ms:
            print(f"  server CPU per request: screening {app_cpu_ms:.2f} ms, bare route "
                  f"{bare_cpu_ms:.2f} ms: ratio {bare_cpu_ms / app_cpu_ms:.2f} (the same ratio "
                  "without other work on the machine)")
        print("targets: "
              f"lost 0 [{'met' if check.lost == 0 else 'MISSED'}], "
              f"duplicated 0 [{'met' if check.duplicated == 0 else 'MISSED'}], "
              f"p95 {p95:.0f} < {TARGET_P95_MS:.0f} ms "
              f"[{'met' if p95 < TARGET_P95_MS else 'MISSED'}], "
              f"saturation {ratio:.2f} >= {TARGET_RATIO} "
              f"[{'met' if ratio >= TARGET_RATIO else 'MISSED'}]")
        return exactly_once
    finally:
        if kind == "postgres":
            drop_postgres_database(args.postgres_url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--applicants", type=int, default=200)
    parser.add_argument("--pause-min", type=float, default=1.0)
    parser.add_argument("--pause-max", type=float, default=3.0)
    parser.add_argument("--level-seconds", type=float, default=8.0)
    parser.add_argument("--max-seconds", type=float, default=300.0,
                        help="give up on the paced run after this long")
    parser.add_argument("--no-saturation", action="store_true",
                        help="only the paced run and the exactly-once check")
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a loopback server; the bench creates and drops its own database")
    args = parser.parse_args()
    if not 1 <= args.applicants <= 1000 or not 0 <= args.pause_min <= args.pause_max <= 60:
        parser.error("applicants must be 1..1000 and 0 <= pause-min <= pause-max <= 60")
    print(f"bench/load.py: {os.cpu_count()} CPUs shared by gunicorn and this client; "
          f"Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.1f} at start")
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    ok = True
    with tempfile.TemporaryDirectory(prefix="screening-load-") as folder:
        for kind in kinds:
            ok = bench_database(kind, args, Path(folder)) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
