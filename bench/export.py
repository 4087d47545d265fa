"""Benchmark: does an export of 100,000 submissions stream (memory) and keep up (time)?

    python bench/export.py [--rows 100000] [--db sqlite|postgres|both]
                           [--format csv|xlsx|json] [--layout wide|long]
                           [--postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                           [--workdir DIR] [--keep]

For each database it bulk-inserts ROWS submitted submissions with realistic
stored results (scored from simulated applicants, each ~27 KB of JSON with its
trace) using SQLAlchemy Core executemany: into a fresh SQLite file, and into a
PostgreSQL database ``screening_bench_export`` it creates and drops itself
(never the ``test`` database). Then, in this process:

* raw scan: the export's own SELECT (same rows, same columns, compiled from
  the export query) run through the DBAPI cursor, server-side on PostgreSQL,
  every row fetched and dropped: the floor any export must pay;
* export: the real export (the code path of the web view and the CLI) written
  to a file, timed; then run again in a fresh subprocess that reports its peak
  memory growth: VmHWM − VmRSS before the export (all allocations, C included),
  and tracemalloc's peak (Python objects only).

Targets: peak memory growth < 100 MB, export time <= 5 × the raw scan.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import (
    Boolean,
    Float,
    Integer,
    String,
    Text,
    column,
    create_engine,
    insert,
    table,
)
from sqlalchemy.engine import make_url

from screening.bank import load_bank, questionnaire_to_snapshot
from screening.models import Base, Outcome, UTCDateTime
from screening.scoring import score_submission, simulate_answers

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BENCH_DATABASE = "screening_bench_export"
MEMORY_TARGET_MB = 100
TIME_TARGET_RATIO = 5.0
RESULT_POOL = 400
POSITIONS = 20
INSERT_BATCH = 2000


# -- building the data ------------------------------------------------------------------


def _tables() -> dict[str, Any]:
    """Lightweight tables: the result column is plain text, serialised once per pool entry."""
    when = UTCDateTime()
    return {
        "applicants": table(
            "applicants", column("id", Integer), column("position_id", Integer),
            column("name", String), column("email", String), column("created_at", when)),
        "invitations": table(
            "invitations", column("id", Integer), column("applicant_id", Integer),
            column("token", String), column("expires_at", when), column("via_open_link", Boolean),
            column("created_at", when)),
        "submissions": table(
            "submissions", column("id", Integer), column("invitation_id", Integer),
            column("questionnaire_version_id", Integer), column("questionnaire_hash", String),
            column("status", String),
            column("language", String), column("order_seed", Integer),
            column("consented_at", when), column("started_at", when),
            # untyped: the value is JSON text already (wrapped for psycopg on PostgreSQL)
            column("submitted_at", when), column("result"),
            column("overall_percent", Float), column("band_id", String),
            column("result_status", String), column("scoring_method", Integer),
            column("provisional", Boolean), column("warmth_percent", Float),
            column("common_sense_percent", Float), column("respect_percent", Float)),
        "decisions": table(
            "decisions", column("id", Integer), column("submission_id", Integer),
            column("decided_by_id", Integer), column("outcome", String), column("note", Text),
            column("created_at", when)),
    }


def build(url: str, rows: int) -> float:
    """Create the schema and ROWS submissions; return the seconds it took."""
    began = time.perf_counter()
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    questionnaire = load_bank(PROJECT_ROOT / "questions").questionnaires["frontline-standard"]
    pool = []
    for applicant in simulate_answers(questionnaire, RESULT_POOL, seed=2024):
        result = score_submission(questionnaire, applicant.answers, applicant.free_text_ratings)
        band = result.band.id if result.band is not None else None  # None: a status
        pool.append((json.dumps(result.to_dict()), result.overall, band,
                     result.provisional, result.percents, result.status.value, result.method))
    if engine.dialect.name == "postgresql":
        from psycopg.types.json import Json

        pool = [(Json(text, dumps=_already_json), *rest) for text, *rest in pool]
    rng = random.Random(7)
    now = datetime.now(UTC)
    tables = _tables()
    with engine.begin() as connection:
        connection.execute(insert(Base.metadata.tables["users"]), [{
            "id": 1, "email": "hr@example.com", "name": "HR", "password_hash": "x",
            "role": "hr", "active": True, "failed_logins": 0, "created_at": now}])
        connection.execute(insert(Base.metadata.tables["questionnaire_versions"]), [{
            "id": 1, "questionnaire_key": questionnaire.id, "title": questionnaire.title,
            "content_hash": questionnaire.content_hash, "scoring_hash": questionnaire.scoring_hash,
            "snapshot": questionnaire_to_snapshot(questionnaire), "created_at": now}])
        connection.execute(insert(Base.metadata.tables["positions"]), [{
            "id": p, "title": f"Front desk {p}", "location": "Reception",
            "questionnaire_version_id": 1, "feedback_enabled": True, "archived": False,
            "created_at": now} for p in range(1, POSITIONS + 1)])
    outcomes = [o.value for o in Outcome]
    for start in range(1, rows + 1, INSERT_BATCH):
        ids = range(start, min(start + INSERT_BATCH, rows + 1))
        applicants, invitations, submissions, decisions = [], [], [], []
        for n in ids:
            submitted = now - timedelta(minutes=rng.randrange(2 * 365 * 24 * 60))
            picked = pool[rng.randrange(len(pool))]
            result, overall, band, provisional, percents, status, method = picked
            applicants.append({"id": n, "position_id": 1 + n % POSITIONS,
                               "name": f"Applicant {n} Example", "email": f"a{n}@example.com",
                               "created_at": submitted})
            invitations.append({"id": n, "applicant_id": n, "token": f"bench-token-{n}",
                                "expires_at": submitted + timedelta(days=14),
                                "via_open_link": False, "created_at": submitted})
            submissions.append({"id": n, "invitation_id": n, "questionnaire_version_id": 1,
                                "questionnaire_hash": questionnaire.content_hash,
                                "status": "submitted", "language": "en",
                                "order_seed": rng.randrange(2**31), "consented_at": submitted,
                                "started_at": submitted, "submitted_at": submitted,
                                "result": result, "overall_percent": overall, "band_id": band,
                                "result_status": status, "scoring_method": method,
                                "provisional": provisional,
                                **{f"{d}_percent": p for d, p in percents.items()}})
            if n % 3 == 0:
                decisions.append({"id": n, "submission_id": n, "decided_by_id": 1,
                                  "outcome": outcomes[n % len(outcomes)], "note": "Bench note.",
                                  "created_at": submitted + timedelta(days=2)})
        with engine.begin() as connection:
            connection.execute(insert(tables["applicants"]), applicants)
            connection.execute(insert(tables["invitations"]), invitations)
            connection.execute(insert(tables["submissions"]), submissions)
            if decisions:
                connection.execute(insert(tables["decisions"]), decisions)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE")
    engine.dispose()
    return time.perf_counter() - began


def _already_json(text: str) -> str:
    return text


def create_postgres_database(server_url: str) -> str:
    import psycopg

    url = make_url(server_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE}")
        connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
    return url.set(database=BENCH_DATABASE).render_as_string(hide_password=False)


def drop_postgres_database(server_url: str) -> None:
    import psycopg

    url = make_url(server_url)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


# -- measuring --------------------------------------------------------------------------


def _app(url: str, workdir: Path) -> Any:
    from screening.app import create_app

    return create_app({"DATABASE_URL": url, "INSTANCE_PATH": str(workdir / "instance"),
                       "SECRET_KEY": "bench", "BASE_URL": "http://localhost"})


def _request(fmt: str, layout: str) -> Any:
    from screening.services.exports import ExportFormat, ExportRequest, Layout

    return ExportRequest(format=ExportFormat(fmt), layout=Layout(layout), bom=True)


def raw_scan(url: str, workdir: Path, layout: str) -> tuple[float, int]:
    """The export's SELECT through the bare DBAPI cursor: fetch every row, keep none."""
    from screening.extensions import db
    from screening.services.exports import ExportFilters, _records_statement

    app = _app(url, workdir)
    with app.app_context():
        statement = _records_statement(ExportFilters(), None, trace=layout == "long",
                                       dialect=db.engine.dialect.name)
        sql = str(statement.compile(dialect=db.engine.dialect,
                                    compile_kwargs={"literal_binds": True}))
        raw = db.engine.raw_connection()
        try:
            began = time.perf_counter()
            if db.engine.dialect.name == "postgresql":
                cursor = raw.driver_connection.cursor(name="bench_raw_scan")
                cursor.itersize = 1000
                cursor.execute(sql)
            else:
                cursor = raw.cursor()
                cursor.execute(sql)
            count = 0
            while batch := cursor.fetchmany(1000):
                count += len(batch)
            elapsed = time.perf_counter() - began
            cursor.close()
        finally:
            raw.close()
        db.engine.dispose()
    return elapsed, count


def timed_export(url: str, workdir: Path, fmt: str, layout: str) -> tuple[float, int]:
    from screening.extensions import db
    from screening.services.exports import write_export

    app = _app(url, workdir)
    out = workdir / f"export.{fmt}"
    with app.app_context():
        began = time.perf_counter()
        with out.open("wb") as target:
            write_export(db.session, _request(fmt, layout), target)
        elapsed = time.perf_counter() - began
        db.session.remove()
        db.engine.dispose()
    return elapsed, out.stat().st_size


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def measure_memory_child(url: str, workdir: Path, fmt: str, layout: str) -> None:
    """Run in a fresh process: print the export's peak memory growth as JSON."""
    from screening.extensions import db
    from screening.services.exports import write_export

    app = _app(url, workdir)
    with app.app_context():
        db.session.execute(db.select(1))  # connect first: the pool is not export memory
        out = workdir / f"export-memory.{fmt}"
        rss_before = _status_kb("VmRSS")
        tracemalloc.start()
        with out.open("wb") as target:
            write_export(db.session, _request(fmt, layout), target)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        hwm = _status_kb("VmHWM")
    print(json.dumps({"rss_growth_mb": (hwm - rss_before) / 1024,
                      "tracemalloc_peak_mb": traced_peak / 2**20}))


def measure_memory(url: str, workdir: Path, fmt: str, layout: str) -> dict[str, float]:
    completed = subprocess.run(
        [sys.executable, __file__, "--child-memory", url, "--workdir", str(workdir),
         "--format", fmt, "--layout", layout],
        capture_output=True, text=True, check=True,
    )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def run(name: str, url: str, rows: int, workdir: Path, fmt: str, layout: str) -> bool:
    print(f"== {name}: {rows:,} submissions")
    print(f"  build (bulk insert):       {build(url, rows):8.1f} s")
    scan_seconds, scanned = raw_scan(url, workdir, layout)
    print(f"  raw SQL scan:              {scan_seconds:8.2f} s  ({scanned:,} rows)")
    export_seconds, size = timed_export(url, workdir, fmt, layout)
    ratio = export_seconds / scan_seconds
    print(f"  export {fmt}/{layout}:{'':<{13 - len(fmt) - len(layout)}}"
          f"{export_seconds:8.2f} s  ({size / 2**20:,.0f} MB file)")
    memory = measure_memory(url, workdir, fmt, layout)
    ok_time = ratio <= TIME_TARGET_RATIO
    ok_memory = memory["rss_growth_mb"] < MEMORY_TARGET_MB
    print(f"  time ratio export/scan:    {ratio:8.2f} x   (target <= {TIME_TARGET_RATIO:g}): "
          f"{'OK' if ok_time else 'MISSED'}")
    print(f"  peak memory growth (RSS):  {memory['rss_growth_mb']:8.1f} MB  "
          f"(target < {MEMORY_TARGET_MB}): {'OK' if ok_memory else 'MISSED'}")
    print(f"  tracemalloc peak (Python): {memory['tracemalloc_peak_mb']:8.1f} MB")
    return ok_time and ok_memory


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--format", choices=("csv", "xlsx", "json"), default="csv")
    parser.add_argument("--layout", choices=("wide", "long"), default="wide")
    parser.add_argument("--postgres-url",
                        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
                        help="a server URL; the bench database is created beside it")
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument("--child-memory", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child_memory:
        measure_memory_child(args.child_memory, args.workdir, args.format, args.layout)
        return 0

    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="screening-bench-export-"))
    workdir.mkdir(parents=True, exist_ok=True)
    all_ok = True
    if args.db in ("sqlite", "both"):
        path = workdir / "bench.db"
        path.unlink(missing_ok=True)
        all_ok &= run("SQLite", f"sqlite:///{path}", args.rows, workdir, args.format, args.layout)
        if not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    if args.db in ("postgres", "both"):
        url = create_postgres_database(args.postgres_url)
        try:
            all_ok &= run("PostgreSQL", url, args.rows, workdir, args.format, args.layout)
        finally:
            if not args.keep:
                drop_postgres_database(args.postgres_url)
    for leftover in workdir.glob("export*"):
        leftover.unlink()
    print("all targets met" if all_ok else "some targets missed")
    return 0 if all_ok else 1


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    raise SystemExit(main())
