"""A database made before stored results held codes re-derives identically once migrated.

Results are stored the way the engine wrote them before migration d3f1a7b2c604 (its
English roles, keys, summaries, notes and flag sentences, spelled out here from that
engine's format strings), then the real migration runs and ``rescore`` compares every
result with a fresh derivation.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import MetaData, create_engine, func, select, table, text

from screening.app import create_app
from screening.bank.snapshot import scoring_hash
from screening.extensions import db
from screening.models import QuestionnaireVersion, Submission
from screening.services.questionnaires import questionnaire_for
from screening.services.results import rescore_differences, store_result
from tests.factories import create_invitation, create_position, create_user, submit_simulated

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PLACES = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}
LABELS = {"warmth": "Warmth", "common_sense": "Common sense", "respect": "Respect under pressure"}


BEFORE = "3f9983ac68df"  # the revision before submissions named their questionnaire hash


@pytest.fixture
def databases(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """Two empty databases of this test's own: (to build data at head, to hold it as before)."""
    configured = os.environ.get("SCREENING_TEST_DATABASE_URL", "")
    if not configured.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'now.db'}", f"sqlite:///{tmp_path / 'before.db'}"
        return
    urls = (_fresh_postgres_database(configured, "now"),
            _fresh_postgres_database(configured, "before"))
    yield urls
    for url in urls:
        _drop_postgres_database(configured, url)


def _app(url: str, folder: Path, bank: Path | None = None) -> Flask:
    return create_app({"TESTING": True, "DATABASE_URL": url, "INSTANCE_PATH": str(folder),
                       "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False,
                       **({"BANK_PATH": str(bank)} if bank else {})})


def _bank_scored_by_points(folder: Path) -> Path:
    """The shipped bank with its questionnaires on scoring method 1, as every version
    stored before issue #17 was (their snapshots named no method)."""
    copy = folder / "questions"
    shutil.copytree(PROJECT_ROOT / "questions", copy)
    for form in (copy / "forms").glob("*.yaml"):
        form.write_text(form.read_text(encoding="utf-8").replace(
            "scoring_method: 2", "scoring_method: 1"), encoding="utf-8")
    return copy


def _copy_rows(source: str, target: str) -> None:
    """Every row of ``source`` into ``target``, in the columns ``target`` has (its schema is
    older); reflected tables carry no model defaults, so nothing new is made up."""
    reading, writing = create_engine(source), create_engine(target)
    old = MetaData()
    old.reflect(bind=writing)
    with reading.connect() as source_rows, writing.begin() as target_rows:
        for table in db.metadata.sorted_tables:
            if table.name not in old.tables:
                continue
            kept = old.tables[table.name]
            rows = [{column: value for column, value in row._mapping.items()
                     if column in kept.c} for row in source_rows.execute(table.select())]
            if rows:
                target_rows.execute(kept.insert(), rows)
    reading.dispose()
    writing.dispose()


def _fresh_postgres_database(url: str, purpose: str) -> str:
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"screening_{purpose}_{os.getpid()}"
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.rsplit("/", 1)[0] + "/" + name


def _drop_postgres_database(admin_url: str, url: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}"'))
    engine.dispose()


def old_rubric(line: dict[str, Any], rubric: dict[str, Any], scale_max: int) -> dict[str, Any]:
    role, value, keyed = rubric["role"], rubric["value"], rubric["keyed"]
    points = rubric["points"]
    words = ", ".join(f"{LABELS[d]} {v}" for d, v in points.items())
    if role == "rated":
        agreement = next(iter(points.values()))
        old_role, key = f"rated {value}", f"keyed effectiveness {keyed}; agreement {agreement} of 4"
    elif role == "placed":
        off = abs(value - keyed)
        old_role = f"placed {PLACES[value]}"
        key = f"keyed {PLACES[keyed]}; {off} place{'s' if off != 1 else ''} off"
    elif role == "least_effective":
        own = ", ".join(f"{LABELS[d]} {scale_max - v}" for d, v in points.items())
        old_role, key = "least effective", f"{own}; rejecting it earns {scale_max} minus these"
    elif role == "ranking":
        return {**{k: v for k, v in rubric.items() if k not in ("value", "keyed")},
                "text": "Agreement with the keyed order",
                "rationale": "The keyed order earns ... every place an option is off costs "
                             "one point.",
                "role": "ranking", "key": "8 − 2 places off = 6"}
    elif role == "manager_rating":
        return {**{k: v for k, v in rubric.items() if k not in ("value", "keyed")},
                "rationale": "The manager's rating on the behavioural anchors.",
                "role": "manager rating", "key": f"rating {value} of 5"}
    else:
        old_role, key = role.replace("_", " "), words
    return {**{k: v for k, v in rubric.items() if k not in ("value", "keyed")},
            "role": old_role, "key": key}


def old_shape(result: dict[str, Any], scale_max: dict[str, int]) -> dict[str, Any]:
    """A result as the engine stored it before the migration."""
    trace = []
    for line in result["trace"]:
        old = {k: v for k, v in line.items() if k != "answer_text"}
        old["rubric"] = [old_rubric(line, r, scale_max[line["item_id"]]) for r in line["rubric"]]
        if line["format"] == "free_text" and line["answered"]:
            old["answer_summary"] = f'"{line["answer_text"]}"'
        else:
            old["answer_summary"] = "Some answer in words" if line["answered"] else "Not answered"
        old["note"] = "How the rubric lines combine."
        trace.append(old)
    added_later = ("method", "status", "answered", "item_count", "overall_error", "band_cap",
                   "close_to_line")
    return {
        **{key: value for key, value in result.items() if key not in added_later},
        "dimensions": [{**{k: v for k, v in d.items() if k != "error"},
                        "label": LABELS[d["dimension"]]} for d in result["dimensions"]],
        "quality_flags": [{"kind": f["kind"], "item_id": f["item_id"],
                           "message": f"Answered in {f['seconds'] or 0:.1f} s, too fast."}
                          for f in result["quality_flags"]],
        "trace": trace,
    }


def test_a_database_from_before_migrates_keeping_every_row_and_rescores_alike(
    databases: tuple[str, str], tmp_path: Path
) -> None:
    now_url, before_url = databases
    now = _app(now_url, tmp_path / "now", _bank_scored_by_points(tmp_path))
    with now.app_context():
        upgrade()
        rater = create_user()
        position = create_position(managers=[rater])
        for n in range(6):
            submit_simulated(position, name=f"Applicant {n}", seed=300 + n,
                             rate_free_text=n % 2 == 0)
        fast = submit_simulated(position, name="In a hurry", seed=399)
        for answer in fast.answers:  # every answer far faster than it can be read
            answer.response = {**answer.response, "seconds": 0.5}
            answer.seconds = 0.5
        db.session.flush()
        store_result(db.session, fast)
        create_invitation(position, name="Not started")
        db.session.commit()
        questionnaire = questionnaire_for(position.questionnaire_version)
        scale_max = {item.id: item.scale_max for item in questionnaire.items}
        stored = db.session.scalars(select(Submission).where(Submission.result.is_not(None))).all()
        assert any(flag["kind"] == "too_fast" for s in stored for flag in s.result["quality_flags"])
        for submission in stored:
            submission.result = old_shape(submission.result, scale_max)
        db.session.commit()
        counts = {name: db.session.scalar(select(func.count()).select_from(table(name)))
                  for name in ("answers", "free_text_ratings", "decisions", "submissions")}
        db.session.remove()
        db.engine.dispose()

    before = _app(before_url, tmp_path / "before", tmp_path / "questions")
    with before.app_context():
        upgrade(revision=BEFORE)
        db.engine.dispose()
    _copy_rows(now_url, before_url)

    with before.app_context():
        upgrade()  # the real migrations, as an operator runs them
        after = {name: db.session.scalar(select(func.count()).select_from(table(name)))
                 for name in counts}
        assert after == counts  # rebuilding a table kept every row pointing at it
        checked = list(rescore_differences(db.session))
        assert len(checked) == 7
        assert [differences for _, differences in checked if differences] == []
        # Results from before scoring method 2 keep method 1 and its band, with no status
        # that method did not know; real applicants are not mistaken for demo data.
        migrated = db.session.scalars(select(Submission).where(Submission.result.is_not(None)))
        for submission in migrated:
            assert (submission.scoring_method, submission.result["method"]) == (1, 1)
            assert submission.result_status == "scored" and submission.band_id is not None
            assert submission.synthetic is False
        version = db.session.scalar(select(QuestionnaireVersion))
        assert version.scoring_hash == scoring_hash(version.snapshot)
        db.session.remove()
        db.engine.dispose()
