"""HR imports job outcomes of hired applicants: CSV and XLSX upload, the CLI, all or nothing."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import (
    AuditEvent,
    JobOutcome,
    Role,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from screening.services import outcomes, retention
from tests.factories import create_invitation, create_position, create_user, sign_in, visible_text


def _submission(position: Any, n: int, *, submitted: bool = True) -> int:
    invitation = create_invitation(position, name=f"Hired Person {n}")
    submission = Submission(
        invitation_id=invitation.id, questionnaire_version_id=position.questionnaire_version_id,
        status=SubmissionStatus.SUBMITTED if submitted else SubmissionStatus.IN_PROGRESS,
        order_seed=n, consented_at=utcnow(), submitted_at=utcnow() if submitted else None)
    db.session.add(submission)
    db.session.commit()
    return submission.id


@pytest.fixture
def hires(app: Flask) -> dict[str, Any]:
    with app.app_context():
        hr = create_user(Role.HR)
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title="Hotel reception")
        ids = [_submission(position, n) for n in range(3)]
        unfinished = _submission(position, 9, submitted=False)
        return {"hr": hr.email, "manager": manager.email, "position": position.id,
                "ids": ids, "unfinished": unfinished}


def _outcomes() -> list[tuple[int, date, bool | None, int | None, float | None, int | None]]:
    rows = db.session.execute(select(
        JobOutcome.submission_id, JobOutcome.recorded_on, JobOutcome.still_employed_90_days,
        JobOutcome.supervisor_rating, JobOutcome.customer_satisfaction, JobOutcome.complaints,
    ).order_by(JobOutcome.submission_id, JobOutcome.recorded_on))
    return [tuple(row) for row in rows]


def _upload(client: FlaskClient, body: bytes, filename: str = "outcomes.csv") -> Any:
    return client.post("/hr/outcomes", data={"file": (io.BytesIO(body), filename)},
                       content_type="multipart/form-data")


def test_hr_uploads_a_csv_and_a_second_import_updates_instead_of_duplicating(
        app: Flask, client: FlaskClient, hires: dict[str, Any]) -> None:
    first, second, _ = hires["ids"]
    sign_in(client, hires["hr"])
    body = (f"submission_id,date,still_employed_90_days,supervisor_rating,"
            f"customer_satisfaction,complaints\r\n"
            f"{first},2026-06-01,yes,4,81.5,0\r\n"
            f"{second},2026-06-01,No,,,2\r\n").encode()
    reply = _upload(client, body)
    assert reply.status_code == 302 and reply.location.endswith("/hr/validation")
    page = visible_text(client.get(reply.location).text)
    assert "Imported 2 outcome rows: 2 new, 0 updated." in page
    with app.app_context():
        assert _outcomes() == [(first, date(2026, 6, 1), True, 4, 81.5, 0),
                               (second, date(2026, 6, 1), False, None, None, 2)]
    # The same submission and date again: updated; a blank cell keeps the earlier value;
    # a new date is a new row. Columns may come in any order.
    again = (f"date,submission_id,supervisor_rating,complaints\n"
             f"2026-06-01,{first},5,\n2026-09-01,{first},3,1\n").encode()
    reply = _upload(client, again)
    assert reply.status_code == 302
    assert "Imported 2 outcome rows: 1 new, 1 updated." in visible_text(
        client.get(reply.location).text)
    with app.app_context():
        assert _outcomes() == [(first, date(2026, 6, 1), True, 5, 81.5, 0),
                               (first, date(2026, 9, 1), None, 3, None, 1),
                               (second, date(2026, 6, 1), False, None, None, 2)]
        events = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "outcomes.imported").order_by(AuditEvent.id)).all()
        # Counts only: no submission number, no value, no name.
        assert [e.detail for e in events] == [
            {"rows": 2, "created": 2, "updated": 0, "via": "web"},
            {"rows": 2, "created": 1, "updated": 1, "via": "web"}]


def _xlsx(rows: list[list[Any]]) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet("outcomes")
    dated = book.add_format({"num_format": "yyyy-mm-dd"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write_datetime(r, c, value, dated)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


def test_hr_uploads_an_xlsx_with_date_number_and_boolean_cells(
        app: Flask, client: FlaskClient, hires: dict[str, Any]) -> None:
    first, second, third = hires["ids"]
    body = _xlsx([
        ["Submission ID", "Date", "Still employed 90 days", "Supervisor rating",
         "Customer satisfaction", "Complaints"],
        [first, datetime(2026, 5, 2), True, 3, 77, 0],
        [second, "2026-05-03", "yes", 5.0, 90.25, None],
        [],
        [third, datetime(2026, 5, 4), False, None, None, 3],
    ])
    sign_in(client, hires["hr"])
    reply = _upload(client, body, "outcomes.xlsx")
    assert reply.status_code == 302, visible_text(reply.text)
    with app.app_context():
        assert _outcomes() == [(first, date(2026, 5, 2), True, 3, 77.0, 0),
                               (second, date(2026, 5, 3), True, 5, 90.25, None),
                               (third, date(2026, 5, 4), False, None, None, 3)]


def test_an_xlsx_problem_names_the_spreadsheets_row(
        app: Flask, client: FlaskClient, hires: dict[str, Any]) -> None:
    first, second, _ = hires["ids"]
    body = _xlsx([
        ["submission_id", "date", "supervisor_rating"],
        [first, datetime(2026, 5, 2), 4],
        [], [],
        [second, datetime(2026, 5, 2), 6],
    ])
    sign_in(client, hires["hr"])
    reply = _upload(client, body, "outcomes.xlsx")
    assert reply.status_code == 400
    page = visible_text(reply.text)
    assert "Line 5: supervisor_rating must be a whole number from 1 to 5, not '6'." in page
    with app.app_context():
        assert _outcomes() == []


def test_a_malformed_file_reports_every_bad_row_with_its_line_and_imports_nothing(
        app: Flask, client: FlaskClient, hires: dict[str, Any]) -> None:
    first, second, third = hires["ids"]
    with app.app_context():
        retention.erase(db.session, db.session.get(Submission, third).invitation.applicant_id,
                        None, via="cli")
        db.session.commit()
    lines = [
        "submission_id,date,still_employed_90_days,supervisor_rating,customer_satisfaction,"
        "complaints",
        f"{first},2026-06-01,yes,4,80,0",          # line 2: good
        f"{second},2026-06-01,yes,6,80,0",         # line 3: rating out of range
        "99999,2026-06-01,yes,4,,",                # line 4: no such submission
        f"{second},03/06/2026,maybe,,120,-1",      # line 5: four problems
        f"{first},2026-06-01,no,,,",               # line 6: the pair of line 2 again
        f"{hires['unfinished']},2026-06-01,yes,,,",  # line 7: never submitted
        f"{third},2026-06-01,yes,,,",              # line 8: erased applicant
        f"{second},2026-06-02,,,,",                # line 9: no outcome at all
        "abc,2999-01-01,yes,,,",                   # line 10: not a number; in the future
    ]
    sign_in(client, hires["hr"])
    reply = _upload(client, "\n".join(lines).encode(), "bad.csv")
    assert reply.status_code == 400
    page = visible_text(reply.text)
    expected = [
        "Line 3: supervisor_rating must be a whole number from 1 to 5, not '6'.",
        "Line 4: there is no submission 99999 that you can see; use the submission_id column "
        "of the results export.",
        "Line 5: date must be a date written YYYY-MM-DD, not '03/06/2026'.",
        "Line 5: still_employed_90_days must be yes or no, not 'maybe'.",
        "Line 5: customer_satisfaction must be a number from 0 to 100, not '120'.",
        "Line 5: complaints must be a whole number from 0 to 10000, not '-1'.",
        f"Line 6: submission {first} on 2026-06-01 is already on line 2.",
        f"Line 7: submission {hires['unfinished']} was never submitted, so it has no score to "
        "compare an outcome with.",
        f"Line 8: submission {third} belongs to an applicant whose personal data was removed "
        "(erased or past the retention period); no outcome can be attached to it.",
        "Line 9: no outcome given; fill in at least one of still_employed_90_days, "
        "supervisor_rating, customer_satisfaction, complaints.",
        "Line 10: submission_id must be a submission number from the results export, not "
        "'abc'.",
        "Line 10: date 2999-01-01 is in the future.",
    ]
    assert f"Nothing was imported. {len(expected)} problems in bad.csv" in page
    positions = [page.index(problem) for problem in expected]
    assert positions == sorted(positions), "problems are listed in file order"
    assert page.count("Line ") == len(expected)
    with app.app_context():
        assert _outcomes() == []  # line 2 was good, and still nothing was imported
        assert db.session.scalar(select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "outcomes.imported")) == 0


@pytest.mark.parametrize(("body", "filename", "problem"), [
    (b"", "empty.csv", "The file is empty: it needs a header row naming the columns "
                       "submission_id, date, still_employed_90_days"),
    (b"submission_id,date\n", "head.csv", "The file has a header row but no outcomes below it."),
    (b"submission,date,rating\n1,2026-01-01,4\n", "typo.csv",
     "Line 1: the header row has a missing column submission_id; a unknown column "
     "'submission', 'rating'. The columns are: submission_id, date,"),
    (b"PK\x03\x04 not really a workbook", "fake.xlsx",
     "The file is not a readable Excel workbook (.xlsx)."),
])
def test_a_file_that_cannot_be_read_says_why(client: FlaskClient, hires: dict[str, Any],
                                             body: bytes, filename: str, problem: str) -> None:
    sign_in(client, hires["hr"])
    reply = _upload(client, body, filename)
    assert reply.status_code == 400
    assert problem in visible_text(reply.text)


def test_a_workbook_with_an_entity_expansion_bomb_is_refused_unread(
        app: Flask, client: FlaskClient, hires: dict[str, Any]) -> None:
    """An upload is untrusted XML: openpyxl parses it with defusedxml, which refuses
    entity declarations (the "billion laughs" that would eat the server's memory)."""
    honest = _xlsx([["submission_id", "date", "complaints"], [hires["ids"][0], "2026-06-01", 0]])
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
            '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>')
    source, rebuilt = zipfile.ZipFile(io.BytesIO(honest)), io.BytesIO()
    with zipfile.ZipFile(rebuilt, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = bomb.encode() + data.split(b"?>", 1)[1]
            target.writestr(info, data)
    sign_in(client, hires["hr"])
    reply = _upload(client, rebuilt.getvalue(), "outcomes.xlsx")
    assert reply.status_code == 400
    assert "The file is not a readable Excel workbook (.xlsx)." in visible_text(reply.text)
    with app.app_context():
        assert _outcomes() == []


def test_the_upload_refuses_other_file_types_and_offers_a_template(
        client: FlaskClient, hires: dict[str, Any]) -> None:
    sign_in(client, hires["hr"])
    reply = _upload(client, b"submission_id,date\n", "outcomes.xls")
    assert reply.status_code == 400
    assert "Upload a .csv or .xlsx file." in visible_text(reply.text)
    template = client.get("/hr/outcomes/template.csv")
    assert template.status_code == 200
    assert template.text == ("submission_id,date,still_employed_90_days,supervisor_rating,"
                             "customer_satisfaction,complaints\r\n")


def test_managers_can_neither_import_nor_read_validation(
        app: Flask, client: FlaskClient, hires: dict[str, Any]) -> None:
    sign_in(client, hires["manager"])
    body = f"submission_id,date,complaints\n{hires['ids'][0]},2026-06-01,0\n".encode()
    assert _upload(client, body).status_code == 403
    for path in ("/hr/outcomes", "/hr/outcomes/template.csv", "/hr/validation",
                 f"/hr/validation/{hires['position']}"):
        assert client.get(path).status_code == 403, path
    with app.app_context():
        assert _outcomes() == []


def test_the_service_matches_only_submissions_the_importer_may_see(
        app: Flask, hires: dict[str, Any]) -> None:
    """The web page is for HR and admins (who see every position); the service itself
    scopes by the user too, so no other caller can reach another manager's applicants."""
    with app.app_context():
        outsider = create_user(Role.MANAGER)
        owner = db.session.scalar(select(User).where(User.email == hires["manager"]))
        body = f"submission_id,date,complaints\n{hires['ids'][0]},2026-06-01,0\n".encode()
        refused = outcomes.import_outcomes(db.session, "o.csv", body, outsider,
                                           today=date(2026, 12, 1), via="web")
        assert refused.problems == (
            f"Line 2: there is no submission {hires['ids'][0]} that you can see; use the "
            "submission_id column of the results export.",)
        allowed = outcomes.import_outcomes(db.session, "o.csv", body, owner,
                                           today=date(2026, 12, 1), via="web")
        assert allowed.imported and allowed.created == 1


def test_cli_imports_with_the_same_checks_and_messages(
        app: Flask, runner: Any, hires: dict[str, Any], tmp_path: Path) -> None:
    first, second, _ = hires["ids"]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"submission_id,date,supervisor_rating\n{first},2026-06-01,4\n"
                   f"{second},2026-06-01,6\n")
    refused = runner.invoke(args=["outcomes", "import", str(bad)])
    assert refused.exit_code == 1
    assert "Line 3: supervisor_rating must be a whole number from 1 to 5, not '6'." in \
        refused.output
    assert "Nothing was imported: 1 problem in bad.csv." in refused.output
    with app.app_context():
        assert _outcomes() == []
    good = tmp_path / "good.csv"
    good.write_text(f"submission_id,date,supervisor_rating\n{first},2026-06-01,4\n")
    done = runner.invoke(args=["outcomes", "import", str(good)])
    assert done.exit_code == 0, done.output
    assert "Imported 1 outcome row: 1 new, 0 updated." in done.output
    with app.app_context():
        assert _outcomes() == [(first, date(2026, 6, 1), None, 4, None, None)]
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "outcomes.imported"))
        assert event is not None and event.actor_id is None
        assert event.detail == {"rows": 1, "created": 1, "updated": 0, "via": "cli"}


def test_cli_refuses_a_file_over_the_size_limit(app: Flask, runner: Any,
                                                tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    big.write_bytes(b"submission_id,date\n" + b"1,2026-01-01\n" * 90_000)
    refused = runner.invoke(args=["outcomes", "import", str(big)])
    assert refused.exit_code == 1
    assert "The file is larger than 1 MB; split it into smaller files." in refused.output


def test_erasure_deletes_the_applicants_outcomes(
        app: Flask, client: FlaskClient, hires: dict[str, Any]) -> None:
    first, second, _ = hires["ids"]
    sign_in(client, hires["hr"])
    body = (f"submission_id,date,complaints\n{first},2026-06-01,0\n{first},2026-07-01,1\n"
            f"{second},2026-06-01,2\n").encode()
    assert _upload(client, body).status_code == 302
    with app.app_context():
        applicant_id = db.session.get(Submission, first).invitation.applicant_id
    reply = client.post(f"/hr/applicants/{applicant_id}/erase", data={"confirm": "y"})
    assert reply.status_code == 302
    with app.app_context():
        assert _outcomes() == [(second, date(2026, 6, 1), None, None, None, 2)]
