"""HR's audit log viewer and its CSV export."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from screening.extensions import db
from screening.models import AuditEvent, Role, utcnow
from screening.services import audit
from tests.factories import (
    create_position,
    create_user,
    sign_in,
    submit_simulated,
    visible_text,
)


def test_viewer_filters_pages_and_exports(app, client, monkeypatch) -> None:
    with app.app_context():
        hr = create_user(Role.HR, email="hr@example.com")
        manager = create_user(Role.MANAGER, email="lee@example.com")
        for n in range(3):
            audit.record(db.session, manager, "report.downloaded", None, n=n)
        old = audit.record(db.session, hr, "export.downloaded", None, format="csv")
        old.at = utcnow() - timedelta(days=40)
        audit.record(db.session, None, "retention.purged", None,
                     note="=HYPERLINK(\"http://evil\")")
        db.session.commit()
        hr_email = hr.email

    sign_in(client, hr_email)
    page = client.get("/hr/audit")
    assert page.status_code == 200
    assert page.text.count("report.downloaded</code>") == 3
    assert "lee@example.com" in page.text and "system (CLI or API)" in page.text
    only = client.get("/hr/audit", query_string={"action": "export.downloaded"})
    assert only.text.count("<code>export.downloaded</code>") == 1
    assert "report.downloaded</code>" not in only.text
    by_actor = client.get("/hr/audit", query_string={"actor": "lee@example.com"})
    assert by_actor.text.count("report.downloaded</code>") == 3
    to_the_end = client.get("/hr/audit", query_string={"until": "9999-12-31"})
    assert to_the_end.status_code == 200 and "<code>export.downloaded</code>" in to_the_end.text
    recent = client.get("/hr/audit", query_string={
        "since": (utcnow() - timedelta(days=1)).date().isoformat()})
    assert "<code>export.downloaded</code>" not in recent.text

    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    first = client.get("/hr/audit")
    assert "Older events" in first.text
    before = first.text.split("before=")[1].split('"')[0].split("&")[0]
    second = client.get("/hr/audit", query_string={"before": before})
    assert second.status_code == 200 and "<code>report.downloaded</code>" in second.text

    export = client.get("/hr/audit.csv")
    assert export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    docs = (Path(__file__).resolve().parents[2] / "docs" / "exports.md").read_text()
    audit_docs = docs.split("### Audit log", 1)[1]
    assert list(rows[0]) == re.findall(r"^\| `([a-z_]+)` \|", audit_docs, re.MULTILINE)
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        # Every event that existed when the export began, oldest first, field for field.
        exported = events[:len(rows)]
        assert [int(r["event_id"]) for r in rows] == [e.id for e in exported]
        for row, event in zip(rows, exported, strict=True):
            assert row["action"] == event.action
            assert row["at"] == event.at.isoformat(timespec="seconds")
            assert row["actor_email"] == (event.actor.email if event.actor else "")
        assert events[-1].action == "audit.exported"  # the export itself is logged
    purge_row = next(r for r in rows if r["action"] == "retention.purged")
    assert purge_row["detail"] == '{"note": "=HYPERLINK(\\"http://evil\\")"}'  # starts with {
    filtered = client.get("/hr/audit.csv", query_string={"action": "report.downloaded"})
    assert len(list(csv.DictReader(io.StringIO(
        filtered.get_data(as_text=True).lstrip("\ufeff"))))) == 3


def test_the_log_names_people_and_applicants_until_they_are_erased(app, client) -> None:
    with app.app_context():
        hr = create_user(Role.HR, email="hr-names@example.com", name="Hana Reyes-Ortiz")
        manager = create_user(Role.MANAGER, email="lee@example.com", name="Lee Manager")
        position = create_position(managers=[manager], title="Front desk")
        submission = submit_simulated(position, name="Robin Reyes", seed=3)
        applicant_id = submission.invitation.applicant_id
        audit.record(db.session, manager, "report.downloaded", submission)
        audit.record(db.session, manager, "position.updated", position)
        db.session.commit()
        submission_id, position_id, hr_email = submission.id, position.id, hr.email

    sign_in(client, hr_email)
    page = visible_text(client.get("/hr/audit").text)
    assert f"submission {submission_id} (Robin Reyes)" in page
    assert f"position {position_id} (Front desk)" in page
    assert "Lee Manager lee@example.com" in page
    rows = audit_csv(client)
    downloaded = next(r for r in rows if r["action"] == "report.downloaded")
    assert downloaded["target"] == f"submission {submission_id} (Robin Reyes)"
    assert downloaded["actor_name"] == "Lee Manager"

    erased = client.post(f"/hr/applicants/{applicant_id}/erase", data={"confirm": "y"})
    assert erased.status_code == 302
    page = visible_text(client.get("/hr/audit").text)
    assert f"submission {submission_id} (Anonymised applicant)" in page
    assert f"applicant {applicant_id} (Anonymised applicant)" in page  # the erasure itself
    rows = audit_csv(client)
    assert "Robin Reyes" not in page and not any("Robin Reyes" in str(r) for r in rows)
    assert next(r for r in rows if r["action"] == "report.downloaded")["target"] == (
        f"submission {submission_id} (Anonymised applicant)")


def audit_csv(client) -> list[dict[str, str]]:
    export = client.get("/hr/audit.csv")
    return list(csv.DictReader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
