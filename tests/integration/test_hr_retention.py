"""Purge and erasure: afterwards no column of any table holds the applicant's personal data."""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy import text as sql

from screening.extensions import db
from screening.models import (
    Applicant,
    AuditEvent,
    FormPost,
    FreeTextRating,
    Outcome,
    OutgoingEmail,
    ReportCache,
    Role,
    SelfIdentification,
    Submission,
    utcnow,
)
from screening.services import audit, messages
from screening.services.results import derive_result, store_result
from tests.factories import (
    PASSWORD,
    create_invitation,
    create_position,
    create_user,
    decide,
    self_identify,
    sign_in,
    submit_simulated,
)

OLD_NAME, OLD_EMAIL = "Zoë Quillfeather-Marsh", "zoe.quillfeather@example.org"
FREE_TEXT = "PURPLE-OTTER-7731: I would say sorry, listen, and fix the delivery address."
NOTE = "Zoë Quillfeather-Marsh was calm; QUILLNOTE-5521 call her back on Monday."
NEVER_NAME, NEVER_EMAIL = "Bartholomew Nevercame", "bart.nevercame@example.org"
RECENT_NAME, RECENT_EMAIL = "Rachel Recentapplicant", "rachel.recent@example.org"


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    # A mail server is configured (so emails are queued, with names in them) but never
    # contacted: sending is left to a worker, which no test runs.
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1, "SMTP_STARTTLS": 0,
            "RETENTION_DAYS": 365}


def _as_texts(value: Any) -> list[str]:
    """Every way a stored value could show a string: JSON both escaped and not, bytes decoded."""
    if value is None:
        return []
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace"), value.decode("latin-1")]
    if isinstance(value, dict | list):
        return [json.dumps(value, ensure_ascii=False), json.dumps(value)]
    return [str(value)]


def personal_data_left(needles: list[str]) -> list[tuple[str, str, str]]:
    """(table, column, needle) for every needle found in any column of any table."""
    hits = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)).mappings():
            for column, value in row.items():
                for text in _as_texts(value):
                    hits += [(table.name, column, needle) for needle in needles
                             if needle.lower() in text.lower()]
    return sorted(set(hits))


@pytest.fixture
def people(app: Flask) -> dict[str, Any]:
    """An applicant past retention with data in every place personal data can be; one who
    never submitted and was invited long ago; one recent applicant who must stay."""
    long_ago = utcnow() - timedelta(days=400)
    with app.app_context():
        hr = create_user(Role.HR)
        manager = create_user(Role.MANAGER, name="Morgan Manager")
        position = create_position(managers=[manager], title="Front desk",
                                   questionnaire="frontline-standard")
        old = submit_simulated(position, name=OLD_NAME, email=OLD_EMAIL, seed=3,
                               submitted_at=long_ago, free_text=FREE_TEXT)
        free_text_item = next(line["item_id"] for line in old.result["trace"]
                              if line["format"] == "free_text")
        db.session.add(FreeTextRating(submission_id=old.id, item_id=free_text_item,
                                      rater_id=manager.id, rating=4))
        db.session.flush()
        db.session.refresh(old)
        store_result(db.session, old)
        decide(old, manager, Outcome.ADVANCE, note=NOTE)
        self_identify(old, sex="female", race="asian")
        db.session.add(ReportCache(cache_key=secrets.token_hex(32), submission_id=old.id,
                                   pdf=b"%PDF-1.7 " + OLD_NAME.encode() + b" report"))
        db.session.add(FormPost(key=secrets.token_hex(16), submission_id=old.id))
        messages.queue_invitation(db.session, old.invitation)
        messages.queue_receipt_and_notices(db.session, old)
        audit.record(db.session, manager, "decision.recorded", old, applicant=OLD_NAME,
                     note=NOTE)
        audit.record(db.session, hr, "phone.call", None,
                     summary=f"Spoke to {OLD_EMAIL} about {FREE_TEXT[:17]}")
        old_token = old.invitation.token

        never = create_invitation(position, name=NEVER_NAME, email=NEVER_EMAIL)
        never.created_at = never.applicant.created_at = long_ago
        messages.queue_invitation(db.session, never)

        recent = submit_simulated(position, name=RECENT_NAME, email=RECENT_EMAIL, seed=4)
        self_identify(recent, sex="male", race="white")
        db.session.commit()
        assert db.session.scalar(select(OutgoingEmail).where(
            OutgoingEmail.kind == "submission_notice")) is not None
        return {
            "hr": hr.email, "hr_id": hr.id, "old": old.invitation.applicant_id,
            "old_submission": old.id, "old_token": old_token,
            "never": never.applicant_id, "never_token": never.token,
            "recent": recent.invitation.applicant_id, "recent_submission": recent.id,
            "old_result": {k: old.result[k] for k in ("dimensions", "overall", "band")},
        }


def old_needles(people: dict[str, Any]) -> list[str]:
    return [OLD_NAME, OLD_EMAIL, "PURPLE-OTTER-7731", "QUILLNOTE-5521", people["old_token"]]


def never_needles(people: dict[str, Any]) -> list[str]:
    return [NEVER_NAME, NEVER_EMAIL, people["never_token"]]


def assert_scores_kept(people: dict[str, Any]) -> None:
    submission = db.session.get(Submission, people["old_submission"])
    assert {k: submission.result[k] for k in ("dimensions", "overall", "band")} == \
        people["old_result"]
    # The result can still be re-derived: the rating scores the placeholder, not the words.
    derived = derive_result(submission).to_dict()
    assert {k: derived[k] for k in ("dimensions", "overall", "band")} == people["old_result"]
    assert submission.invitation.applicant.anonymised_at is not None


def test_purge_removes_every_trace_past_retention_and_keeps_scores(app, runner, client,
                                                                    people) -> None:
    with app.app_context():
        before = personal_data_left(old_needles(people) + never_needles(people))
        # The search works: before the purge it finds the data in all these places.
        assert {table for table, _, _ in before} >= {
            "applicants", "answers", "submissions", "decisions", "outgoing_emails",
            "audit_events", "report_cache", "invitations"}

    preview = runner.invoke(args=["purge", "--dry-run"])
    assert preview.exit_code == 0, preview.output
    assert "2 applicant(s) would be anonymised" in preview.output
    with app.app_context():
        assert personal_data_left(old_needles(people)) == before_old(before, people)

    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "2 applicant(s) anonymised" in result.output
    with app.app_context():
        assert personal_data_left(old_needles(people) + never_needles(people)) == []
        assert db.session.scalar(select(SelfIdentification).where(
            SelfIdentification.submission_id == people["old_submission"])) is None
        assert_scores_kept(people)
        # The recent applicant is untouched.
        assert {t for t, _, _ in personal_data_left([RECENT_NAME, RECENT_EMAIL])} >= {
            "applicants"}
        assert db.session.scalar(select(SelfIdentification).where(
            SelfIdentification.submission_id == people["recent_submission"])) is not None
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "retention.purged"))
        assert event.actor_id is None
        assert sorted(event.detail["applicant_ids"]) == sorted([people["old"], people["never"]])
    # The applicant's old link leads nowhere now.
    assert client.get(f"/apply/{people['old_token']}").status_code == 404
    again = runner.invoke(args=["purge"])
    assert "0 applicant(s) anonymised" in again.output


def before_old(before: list[tuple[str, str, str]], people: dict[str, Any]) -> list:
    wanted = set(old_needles(people))
    return [hit for hit in before if hit[2] in wanted]


def test_hr_erases_one_applicant_from_the_web(app, client, people) -> None:
    sign_in(client, people["hr"])
    found = client.get("/hr/applicants", query_string={"q": "quillfeather"})
    assert OLD_NAME in found.text and RECENT_NAME not in found.text
    confirm = client.get(f"/hr/applicants/{people['old']}/erase")
    assert confirm.status_code == 200 and OLD_EMAIL in confirm.text
    unconfirmed = client.post(f"/hr/applicants/{people['old']}/erase", data={})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm the erasure." in unconfirmed.text
    with app.app_context():
        assert db.session.get(Applicant, people["old"]).name == OLD_NAME

    done = client.post(f"/hr/applicants/{people['old']}/erase", data={"confirm": "y"},
                       follow_redirects=True)
    assert done.status_code == 200 and "has been erased" in done.text
    with app.app_context():
        assert personal_data_left(old_needles(people)) == []
        assert_scores_kept(people)
        assert personal_data_left([NEVER_NAME])  # only the one asked for
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "applicant.erased"))
        assert (event.actor_id, event.target_type, event.target_id) == (
            people["hr_id"], "Applicant", people["old"])
        assert event.detail == {"via": "web", "already_anonymised": False}
    assert "Erased" in client.get("/hr/applicants", query_string={"q": str(people["old"])}).text


def _csrf_token(html: str) -> str:
    return html.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


@pytest.mark.commits  # a second app, CSRF on, reads the data
def test_erasure_refuses_a_post_without_a_csrf_token(app_config, people) -> None:
    from screening.app import create_app

    guarded = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        client = guarded.test_client()
        client.post("/login", data={"email": people["hr"], "password": PASSWORD,
                                    "csrf_token": _csrf_token(client.get("/login").text)})
        refused = client.post(f"/hr/applicants/{people['old']}/erase", data={"confirm": "y"})
        assert refused.status_code == 400
        with guarded.app_context():
            assert db.session.get(Applicant, people["old"]).name == OLD_NAME
        page = client.get(f"/hr/applicants/{people['old']}/erase")
        accepted = client.post(f"/hr/applicants/{people['old']}/erase",
                               data={"confirm": "y", "csrf_token": _csrf_token(page.text)})
        assert accepted.status_code == 302
        with guarded.app_context():
            assert db.session.get(Applicant, people["old"]).anonymised_at is not None
    finally:
        with guarded.app_context():
            db.engine.dispose()


def test_cli_erases_one_applicant(app, runner, people) -> None:
    result = runner.invoke(args=["erase", "--applicant", str(people["never"]), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert personal_data_left(never_needles(people)) == []
        assert personal_data_left([OLD_NAME])  # only the one asked for
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "applicant.erased"))
        assert event.actor_id is None and event.detail["via"] == "cli"
    for number in ("999999", "99999999999999"):  # the second is beyond a 32-bit id
        unknown = runner.invoke(args=["erase", "--applicant", number, "--yes"])
        assert unknown.exit_code != 0 and f"There is no applicant {number}" in unknown.output
    asked = runner.invoke(args=["erase", "--applicant", str(people["old"])], input="n\n")
    assert asked.exit_code != 0
    with app.app_context():
        assert db.session.get(Applicant, people["old"]).name == OLD_NAME


@pytest.mark.postgres("VACUUM and its statistics are PostgreSQL's")
def test_purge_vacuums_the_tables_it_changed_on_postgresql(app, runner, people) -> None:
    with app.app_context():
        started = db.session.scalar(sql("SELECT now()"))
        db.session.rollback()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0 and "2 applicant(s) anonymised" in result.output
    with app.app_context():
        db.session.execute(sql("SELECT pg_stat_clear_snapshot()"))
        vacuumed = dict(db.session.execute(sql(
            "SELECT relname, last_vacuum FROM pg_stat_user_tables")).all())
    for table in ("applicants", "answers", "decisions", "outgoing_emails", "audit_events"):
        assert vacuumed[table] is not None and vacuumed[table] >= started, table
