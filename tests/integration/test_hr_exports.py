"""HR exports: every format matches the database row for row; filters, access, audit, CLI."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import (
    OUTCOME_LABELS,
    AuditEvent,
    Outcome,
    Role,
    Submission,
    SubmissionStatus,
)
from screening.scoring import SubmissionResult, percentile_rank
from screening.services import journey
from tests.factories import (
    create_invitation,
    create_position,
    create_user,
    decide,
    self_identify,
    sign_in,
    submit_simulated,
)

DIMENSIONS = ("warmth", "common_sense", "respect")
T0 = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
#: applicants who submit on the front-desk position (enough for 30 scored and final).
FRONT = 34


@pytest.fixture
def cohort(app: Flask) -> dict[str, Any]:
    """FRONT submitted applicants on one position: all final but one, whose written answer
    is not rated yet (provisional, so outside the norm group); the simulator makes a few
    answer faster than they could read (unreliable, also outside), and the rest, at least
    30, make the norm group;
    one in progress, one on another position, a few decisions and a self-identification."""
    with app.app_context():
        hr = create_user(Role.HR)
        manager = create_user(Role.MANAGER)
        front = create_position(managers=[manager], title="Front desk")
        other = create_position(title="Call centre", questionnaire="frontline-short")
        submitted = []
        for n in range(FRONT):
            name = "=HYPERLINK(\"http://evil\")" if n == 0 else f"Applicant {n} Zoë"
            submitted.append(submit_simulated(front, name=name, seed=100 + n,
                                              submitted_at=T0 + timedelta(days=n),
                                              rate_free_text=n != 5))
        decide(submitted[1], manager, Outcome.ON_HOLD)
        decide(submitted[1], manager, Outcome.ADVANCE)  # the newest decision counts
        decide(submitted[2], manager, Outcome.DO_NOT_ADVANCE, note="Rude on the phone screen.")
        # Signed up through the open link, in Spanish, 12 min 34.6 s from start to submit.
        submitted[4].invitation.via_open_link = True
        submitted[4].language = "es"
        submitted[4].started_at = submitted[4].submitted_at - timedelta(seconds=754.6)
        self_identify(submitted[3], sex="female", race="native_hawaiian_or_pacific_islander")
        # The question pages' integrity counts: one applicant left the page during two
        # questions and pasted into one; another's pages reported no leaving or pasting.
        # The others had JavaScript off (nothing reported).
        left, pasted, quiet = submitted[6].answers[:3]
        left.left_page_count, left.paste_count = 2, 0
        pasted.left_page_count, pasted.paste_count = 1, 3
        quiet.left_page_count, quiet.paste_count = 0, None
        for answer in submitted[7].answers:
            answer.left_page_count, answer.paste_count = 0, 0
        # Sat with 50% more time: recorded on the result, in the norm group like the rest.
        submitted[8].adjustment = "extra_50"
        waiting = journey.start(db.session, create_invitation(front, name="Still Going"))
        db.session.commit()
        elsewhere = submit_simulated(other, name="Other Position", seed=7,
                                     submitted_at=T0 + timedelta(days=3))
        return {"hr": hr.email, "hr_id": hr.id, "manager": manager.email,
                "front": front.id, "other": other.id,
                "waiting": waiting.id, "elsewhere": elsewhere.id,
                "submitted": [s.id for s in submitted]}


def expected_rows(position_id: int | None = None) -> list[dict[str, Any]]:
    """The wide layout computed straight from the ORM objects and scoring.percentile_rank."""
    submissions = db.session.scalars(select(Submission).order_by(Submission.id)).all()
    # The norm rule, spelled out again: final, scored (not incomplete or unreliable),
    # real or demo apart, pooled across versions whose scoring content is the same.
    norm: dict[tuple[str, bool], dict[str, list[float]]] = {}
    for s in submissions:
        if (s.status == SubmissionStatus.SUBMITTED and not s.provisional
                and s.result["status"] == "scored"):
            key = (s.questionnaire_version.scoring_hash, s.synthetic)
            group = norm.setdefault(key, {})
            result = SubmissionResult.from_dict(s.result)
            for score in result.dimensions:
                group.setdefault(score.dimension, []).append(score.percent)
            group.setdefault("overall", []).append(result.overall)
    rows = []
    for s in submissions:
        applicant = s.invitation.applicant
        if position_id is not None and applicant.position_id != position_id:
            continue
        result = SubmissionResult.from_dict(s.result) if s.result else None
        group = (norm.get((s.questionnaire_version.scoring_hash, s.synthetic), {})
                 if result else {})
        # A result that is not a judgement is not compared with the group at all.
        compared = result is not None and result.status.value == "scored"
        decision = s.decisions[-1] if s.decisions else None
        row: dict[str, Any] = {
            "submission_id": s.id, "applicant_id": applicant.id,
            "applicant_name": applicant.name, "applicant_email": applicant.email,
            "position_id": applicant.position_id, "position": applicant.position.title,
            "questionnaire_version": s.questionnaire_version.version_label,
            "started_at": s.started_at, "submitted_at": s.submitted_at,
            "status": s.status.value,
        }
        for dimension in DIMENSIONS:
            score = result.dimension(dimension) if result else None
            row[f"{dimension}_raw"] = score.raw if score else None
            row[f"{dimension}_max"] = score.maximum if score else None
            row[f"{dimension}_percent"] = score.percent if score else None
            row[f"{dimension}_percentile"] = (
                percentile_rank(score.percent, group[dimension]) if score and compared
                else None)
        row.update({
            "overall_percent": result.overall if result else None,
            "overall_percentile": percentile_rank(result.overall, group["overall"])
            if result and compared else None,
            "norm_group_size": len(group["overall"]) if result else None,
            "result_status": result.status.value if result else None,
            "answered": result.answered if result else None,
            "item_count": result.item_count if result else None,
            "band": result.band.id if result and result.band else None,
            "band_label": result.band.label if result and result.band else None,
            "band_cap": result.band_cap.value if result and result.band_cap else None,
            "close_to_line": "; ".join(result.close_to_line) if result else None,
            "scoring_method": result.method if result else None,
            "provisional": result.provisional if result else None,
            "red_flags": "; ".join(f"{f.item_id}:{f.option_id}" for f in result.red_flags)
            if result else "",
            "quality_flags": "; ".join(f.kind for f in result.quality_flags) if result else "",
            "decision": decision.outcome.value if decision else None,
            "decision_label": OUTCOME_LABELS[decision.outcome] if decision else None,
            "decided_at": decision.created_at if decision else None,
            "synthetic": s.synthetic,
            "language": s.language,
            "came_in_via": "open_link" if s.invitation.via_open_link else "invitation",
            "seconds_taken": round((s.submitted_at - s.started_at).total_seconds())
            if s.submitted_at else None,
            "decision_note": decision.note if decision else None,
            "decided_by": decision.decided_by.name if decision else None,
            "free_text_ratings": "; ".join(
                f"{r.item_id}:{r.rating} by {r.rater.name}"
                for r in sorted(s.ratings, key=lambda r: (r.item_id, r.id))) or None,
            "quality_flag_counts": flag_counts([f.kind for f in result.quality_flags])
            if result else None,
        })
        reported = [a for a in s.answers
                    if a.left_page_count is not None or a.paste_count is not None]
        row["integrity_items"] = len(reported)
        for column, counts in (("left_page", [a.left_page_count or 0 for a in reported]),
                               ("paste", [a.paste_count or 0 for a in reported])):
            row[f"{column}_items"] = sum(1 for n in counts if n) if reported else None
            row[f"{column}_times"] = sum(counts) if reported else None
        row["adjustment"] = s.adjustment
        applicant = s.invitation.applicant
        row["attempt_number"] = applicant.attempt_number
        row["retake_of"] = applicant.retake_of_id
        row["retake_allowed_by"] = (applicant.retake_allowed_by.name
                                    if applicant.retake_allowed_by else None)
        row["retake_allowed_at"] = applicant.retake_allowed_at
        rows.append(row)
    return rows


def flag_counts(kinds: list[str]) -> str | None:
    """'too_fast×3; straight_lining×1': counted by hand, most first, ties as first seen."""
    counts: dict[str, int] = {}
    for kind in kinds:
        counts[kind] = counts.get(kind, 0) + 1
    ordered = sorted(counts.items(), key=lambda pair: -pair[1])
    return "; ".join(f"{kind}×{count}" for kind, count in ordered) or None


def as_csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return str(value)


def download(client: FlaskClient, **params: Any):
    response = client.get("/hr/exports/download", query_string=params)
    assert response.status_code == 200, response.text
    return response


def test_managers_position_csv_is_the_wide_layout_with_percentiles(
    app, client, cohort
) -> None:
    """The manager's CSV of one position: the same rows as HR's export of it."""
    sign_in(client, cohort["manager"])
    response = client.get(f"/manage/positions/{cohort['front']}/results.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    with app.app_context():
        expected = expected_rows(cohort["front"])
    assert len(rows) == len(expected) == FRONT + 1
    for got, want in zip(rows, expected, strict=True):
        assert got == {key: as_csv_text(value) for key, value in want.items()}
    scored = [row for row in rows
              if row["status"] == "submitted" and row["result_status"] == "scored"]
    assert scored and all(row["warmth_percentile"] != "" for row in scored)
    not_judged = [row for row in rows if row["result_status"] in {"incomplete", "unreliable"}]
    assert not_judged and all(row["warmth_percentile"] == row["overall_percentile"] == ""
                              for row in not_judged)


def test_wide_csv_matches_the_database_row_for_row(app, client, cohort) -> None:
    sign_in(client, cohort["hr"])
    response = download(client, format="csv", layout="wide", bom="y")
    assert response.is_streamed
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    with app.app_context():
        expected = expected_rows()
    assert len(rows) == len(expected) == FRONT + 2
    for got, want in zip(rows, expected, strict=True):
        assert got == {key: as_csv_text(value) for key, value in want.items()}
    # At least 30 scored and final, so percentiles are filled in...
    assert rows[5]["warmth_percentile"] != ""
    # ...but not for the other position's version (1 score) nor the unfinished one.
    by_name = {row["applicant_name"]: row for row in rows}
    assert by_name["Other Position"]["warmth_percentile"] == ""
    assert by_name["Still Going"]["status"] == "in_progress"
    assert by_name["Still Going"]["warmth_percent"] == ""
    assert by_name["'=HYPERLINK(\"http://evil\")"]["applicant_id"] != ""
    assert by_name["Applicant 1 Zoë"]["decision"] == "advance"
    # The analyst's columns, by hand: who decided and why, how they came in, how long.
    assert by_name["Applicant 2 Zoë"]["decision_note"] == "Rude on the phone screen."
    assert by_name["Applicant 2 Zoë"]["decided_by"] == by_name["Applicant 1 Zoë"]["decided_by"]
    assert by_name["Applicant 2 Zoë"]["decided_by"] not in ("", None)
    assert (by_name["Applicant 4 Zoë"]["came_in_via"], by_name["Applicant 4 Zoë"]["language"],
            by_name["Applicant 4 Zoë"]["seconds_taken"]) == ("open_link", "es", "755")
    assert by_name["Applicant 6 Zoë"]["came_in_via"] == "invitation"
    assert " by Simulated rater" in by_name["Applicant 6 Zoë"]["free_text_ratings"]
    assert by_name["Applicant 5 Zoë"]["free_text_ratings"] == ""  # not rated yet
    assert by_name["Still Going"]["seconds_taken"] == ""
    # Self-identification is never part of an export.
    assert "Native Hawaiian" not in body.decode() and "native_hawaiian" not in body.decode()
    assert not any("sex" in name or "race" in name for name in rows[0])


def test_xlsx_matches_the_database_with_typed_cells(app, client, cohort) -> None:
    sign_in(client, cohort["hr"])
    response = download(client, format="xlsx", layout="wide")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    last_column = sheet.cell(row=1, column=sheet.max_column).column_letter
    assert sheet.auto_filter.ref == f"A1:{last_column}{FRONT + 3}"  # header + all rows
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    headers, data = table[0], table[1:]
    with app.app_context():
        expected = expected_rows()
    assert len(data) == len(expected)
    for values, want in zip(data, expected, strict=True):
        got = dict(zip(headers, values, strict=True))
        for key, value in want.items():
            if isinstance(value, datetime):
                value = value.astimezone(UTC).replace(tzinfo=None, microsecond=0)
            if value == "":
                value = None  # an empty text cell is a blank cell
            if isinstance(value, str) and value.startswith("="):
                value = "'" + value  # made inert, as in the CSV (copied out, saved as CSV)
            assert got[key] == value, key
    assert isinstance(data[0][headers.index("warmth_percent")], float)
    assert isinstance(data[0][headers.index("submission_id")], int)
    assert data[0][headers.index("applicant_name")] == '\'=HYPERLINK("http://evil")'
    assert sheet.cell(row=2, column=headers.index("applicant_name") + 1).data_type == "s"


def test_json_matches_the_database(app, client, cohort) -> None:
    sign_in(client, cohort["hr"])
    response = download(client, format="json", layout="wide")
    assert response.mimetype == "application/json"
    document = json.loads(response.get_data())
    with app.app_context():
        expected = expected_rows()
    assert [row["submission_id"] for row in document] == [r["submission_id"] for r in expected]
    for got, want in zip(document, expected, strict=True):
        assert got == {key: value.isoformat(timespec="seconds") if isinstance(value, datetime)
                       else (None if value == "" else value) for key, value in want.items()}


def test_long_layout_has_one_row_per_scored_item(app, client, cohort) -> None:
    sign_in(client, cohort["hr"])
    response = download(client, format="csv", layout="long", position=cohort["front"])
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    with app.app_context():
        traces = [(s.id, line) for s in db.session.scalars(select(Submission)
                                                             .order_by(Submission.id))
                  if s.result and s.invitation.applicant.position_id == cohort["front"]
                  for line in s.result["trace"]]
    assert len(rows) == len(traces) == FRONT * 20
    for row, (submission_id, line) in zip(rows, traces, strict=True):
        assert row["submission_id"] == str(submission_id)
        assert row["item_id"] == line["item_id"] and row["format"] == line["format"]
        for dimension in DIMENSIONS:
            points = line["points"].get(dimension)
            assert row[f"{dimension}_points"] == ("" if points is None else str(points))
        chosen = [r for r in line["rubric"] if r["option_id"]]
        assert row["options"] == "; ".join(f"{r['option_id']}={_in_words(r)}" for r in chosen)


def _in_words(rubric: dict[str, Any]) -> str:
    """How docs/exports.md says the options column spells each use of an option."""
    places = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th"}
    return {
        "chosen": "chosen", "most_effective": "most effective",
        "least_effective": "least effective", "rated": f"rated {rubric['value']}",
        "placed": f"placed {places.get(rubric['value'])}",
    }[rubric["role"]]


def test_filters_position_status_band_and_dates(app, client, cohort) -> None:
    sign_in(client, cohort["hr"])

    def ids(**params: Any) -> list[int]:
        body = download(client, format="csv", **params).get_data(as_text=True)
        return [int(row["submission_id"]) for row in csv.DictReader(io.StringIO(body))]

    submitted = cohort["submitted"]
    assert ids(position=cohort["other"]) == [cohort["elsewhere"]]
    assert ids(status="in_progress") == [cohort["waiting"]]
    # Submitted T0 + n days: 2..4 January-10-based days inclusive are n = 2, 3, 4, plus the
    # other position's applicant submitted at T0 + 3 days.
    assert ids(since="2026-01-12", until="2026-01-14", status="submitted") == sorted(
        [*submitted[2:5], cohort["elsewhere"]])
    with app.app_context():
        band = db.session.get(Submission, submitted[0]).band_id
        in_band = sorted(s.id for s in db.session.scalars(select(Submission))
                         if s.band_id == band)
    assert ids(band=band) == in_band


def test_the_last_possible_day_is_a_valid_end_date(client, cohort) -> None:
    sign_in(client, cohort["hr"])
    body = download(client, format="csv", since="2026-01-12", until="9999-12-31").get_data()
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    # n = 2..FRONT-1, the other position's, the unfinished one
    assert len(rows) == FRONT - 2 + 1 + 1


def test_invalid_filters_show_the_form_again(client, cohort) -> None:
    sign_in(client, cohort["hr"])
    response = client.get("/hr/exports/download",
                          query_string={"format": "csv", "layout": "wide",
                                        "since": "2026-02-01", "until": "2026-01-01"})
    assert response.status_code == 400
    assert "must not be before the start date" in response.text
    bad_format = client.get("/hr/exports/download", query_string={"format": "exe"})
    assert bad_format.status_code == 400


def test_exports_are_audited_with_their_filters(app, client, cohort) -> None:
    sign_in(client, cohort["hr"])
    download(client, format="xlsx", layout="long", position=cohort["front"], status="submitted")
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action ==
                                                           "export.downloaded"))
        assert event.actor_id == cohort["hr_id"]
        assert event.detail == {"format": "xlsx", "layout": "long",
                                "position_id": cohort["front"], "since": None, "until": None,
                                "status": "submitted", "band": None}


@pytest.mark.parametrize("path", ["/hr/", "/hr/exports", "/hr/exports/download?format=csv",
                                  "/hr/analytics", "/hr/fairness", "/hr/audit", "/hr/audit.csv",
                                  "/hr/applicants"])
def test_only_hr_and_admin_may_enter(app, client, cohort, path) -> None:
    assert client.get(path).status_code == 302  # anonymous: to the sign-in page
    sign_in(client, cohort["manager"])
    assert client.get(path).status_code == 403
    client.post("/logout")
    with app.app_context():
        admin = create_user(Role.ADMIN).email
    sign_in(client, admin)
    response = client.get(path)
    assert response.status_code == 200
    response.close()  # a download streams: closing it ends its database transaction


def test_cli_export_writes_every_format(app, runner, cohort, tmp_path) -> None:
    target = tmp_path / "results.xlsx"
    result = runner.invoke(args=["export", "--format", "xlsx", "--layout", "wide",
                                 "--position", str(cohort["front"]), "--status", "submitted",
                                 "--out", str(target)])
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(target).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == cohort["submitted"]

    csv_file = tmp_path / "results.csv"
    result = runner.invoke(args=["export", "--since", "2026-01-12", "--until", "2026-01-12",
                                 "--bom", "--out", str(csv_file)])
    assert result.exit_code == 0, result.output
    text = csv_file.read_text(encoding="utf-8")
    assert text.startswith("\ufeffsubmission_id,")
    assert [r["submission_id"] for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))] == [
        str(cohort["submitted"][2])]

    json_file = tmp_path / "answers.json"
    result = runner.invoke(args=["export", "--format", "json", "--layout", "long",
                                 "--position", str(cohort["other"]), "--out", str(json_file)])
    assert result.exit_code == 0, result.output
    answers = json.loads(json_file.read_text())
    assert {row["submission_id"] for row in answers} == {cohort["elsewhere"]}
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "export.cli"))
        assert [e.detail["format"] for e in events] == ["xlsx", "csv", "json"]

    refused = runner.invoke(args=["export", "--since", "2026-02-01", "--until", "2026-01-01",
                                  "--out", str(csv_file)])
    assert refused.exit_code != 0 and "--until" in refused.output


def test_rows_come_from_a_server_side_cursor_on_postgresql(app, cohort, monkeypatch) -> None:
    from sqlalchemy import event

    from screening.services import exports

    monkeypatch.setattr(exports, "BATCH_SIZE", 4)
    cursors: list[str] = []

    def spy(conn, cursor, statement, params, context, executemany) -> None:
        if statement.lstrip().startswith("SELECT submissions.id"):
            cursors.append(type(cursor).__name__)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", spy)
        try:
            records = exports.submission_records(db.session,
                                                        exports.ExportFilters())
            assert next(records).submission_id == cohort["submitted"][0]
            assert len(list(records)) == FRONT + 1
        finally:
            event.remove(db.engine, "before_cursor_execute", spy)
        expected = "ServerCursor" if db.engine.dialect.name == "postgresql" else "Cursor"
        assert cursors == [expected]
