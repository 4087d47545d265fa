"""HR's validation page: the demo's worked example, withheld figures for small samples,
and the bottom-line adverse impact of the whole process against hand-worked figures."""

from __future__ import annotations

import csv
import io
import re
import statistics
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import (
    AuditEvent,
    Decision,
    JobOutcome,
    Outcome,
    Role,
    SelfIdentification,
    Submission,
    SubmissionStatus,
    utcnow,
)
from screening.services import demo
from tests.factories import (
    create_invitation,
    create_position,
    create_user,
    sign_in,
    submit_simulated,
    visible_text,
)


def _hr(client: FlaskClient, app: Flask) -> None:
    with app.app_context():
        email = create_user(Role.HR).email
    sign_in(client, email)


def test_the_demo_shows_a_worked_example_labelled_as_demo_data(
        app: Flask, client: FlaskClient, tmp_path: Path) -> None:
    with app.app_context():
        demo.ensure_demo_data(db.session, tmp_path, 14)
        db.session.commit()
        position = demo.demo_position(db.session)
        assert position is not None
        position_id = position.id
        # The hired applicants' overall scores and satisfaction scores, straight from the
        # tables, for a correlation computed here by the standard library.
        hired_ids = db.session.scalars(select(JobOutcome.submission_id)).all()
        pairs = db.session.execute(
            select(Submission.overall_percent, JobOutcome.customer_satisfaction)
            .join(JobOutcome, JobOutcome.submission_id == Submission.id)
            .where(Submission.synthetic.is_(True), Submission.result_status == "scored",
                   Submission.provisional.is_(False))).all()
        advanced = db.session.scalars(select(Decision.submission_id).where(
            Decision.outcome == Outcome.ADVANCE)).all()
    assert len(pairs) >= 30, "the demo position reaches the 30 the figures need"
    assert set(advanced) >= {pair_id for pair_id in hired_ids}
    expected_r = statistics.correlation([p[0] for p in pairs], [p[1] for p in pairs])
    _hr(client, app)
    page = visible_text(client.get(f"/hr/validation/{position_id}").text)
    assert "Demo data: this position has no real job outcomes yet" in page
    assert "Demo data: these outcomes were simulated by the demo command (flask demo)" in page
    assert "Only hired applicants have job outcomes" in page  # the range-restriction caveat
    reading = re.search(r"The screen's overall score (goes with higher customer-satisfaction "
                        r"scores|has not shown a clear relationship with customer-satisfaction "
                        r"scores yet): r = (−?\d\.\d\d), 95% CI (−?\d\.\d\d) to (−?\d\.\d\d), "
                        r"n = (\d+)", page)
    assert reading is not None, "the plain reading of the overall score and satisfaction"
    assert float(reading.group(2).replace("−", "-")) == round(expected_r, 2)
    assert int(reading.group(5)) == len(pairs)
    # Driven by the simulated traits, the demo shows the screen working: the overall score
    # goes with staying 90 days and with satisfied customers.
    assert "The screen's overall score tells apart who stayed 90 days: r = 0." in page
    assert "The screen's overall score goes with higher customer-satisfaction scores" in page
    assert "Expectancy: the outcome by band" in page and "Check of the key" in page
    assert "hold-out sample" in page
    assert "Adverse impact of the whole process (bottom line)" in page
    download = client.get(f"/hr/validation/{position_id}.csv")
    assert download.status_code == 200
    table = list(csv.DictReader(io.StringIO(download.text.lstrip("\ufeff"))))
    overall = next(row for row in table if row["table"] == "correlation"
                   and row["score"] == "overall" and row["outcome"] == "customer_satisfaction")
    assert float(overall["value"]) == round(expected_r, 4)
    assert int(overall["n"]) == len(pairs) and overall["demo_data"] == "true"
    # The list counts real outcomes only: the demo's are not evidence.
    listing = visible_text(client.get("/hr/validation").text)
    assert "Front desk associate (demo) Main reception 0" in listing


def test_a_real_position_with_few_outcomes_withholds_every_figure(
        app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        position = create_position(title="Shop floor")
        ids = [submit_simulated(position, name=f"Hire {n}", seed=40 + n,
                                rate_free_text=True).id for n in range(3)]
        position_id = position.id
    _hr(client, app)
    body = "submission_id,date,still_employed_90_days,supervisor_rating\n" + "".join(
        f"{sid},2026-06-01,yes,{3 + n}\n" for n, sid in enumerate(ids))
    reply = client.post("/hr/outcomes", data={"file": (io.BytesIO(body.encode()), "o.csv")},
                        content_type="multipart/form-data")
    assert reply.status_code == 302
    listing = visible_text(client.get("/hr/validation").text)
    assert "Shop floor Reception 3" in listing
    page = visible_text(client.get(f"/hr/validation/{position_id}").text)
    assert "Demo data" not in page
    assert "3 hired applicants with a final result and at least one outcome." in page
    assert ("The screen's overall score and who stayed 90 days: not enough data yet "
            "(n = 3; 30 needed).") in page
    assert "r = " not in page
    with app.app_context():
        viewed = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "validation.viewed"))
        assert viewed is not None and viewed.target_id == position_id and viewed.detail == {}


def _applicant(position: Any, manager: Any, n: int, *, sex: str | None,
               outcome: Outcome | None = None, hired: bool = False,
               submitted: bool = True, retake_of: int | None = None) -> int:
    invitation = create_invitation(position, name=f"Person {n}")
    if retake_of is not None:
        invitation.applicant.retake_of_id = retake_of
    if submitted:
        submission = Submission(invitation_id=invitation.id,
                                questionnaire_version_id=position.questionnaire_version_id,
                                status=SubmissionStatus.SUBMITTED, order_seed=n,
                                consented_at=utcnow(), submitted_at=utcnow(), band_id="mixed")
        db.session.add(submission)
        db.session.flush()
        if outcome is not None:
            db.session.add(Decision(submission_id=submission.id, decided_by_id=manager.id,
                                    outcome=outcome, note="Decided."))
        if hired:
            db.session.add(JobOutcome(submission_id=submission.id,
                                      recorded_on=utcnow().date(), complaints=0))
        if sex is not None:
            db.session.add(SelfIdentification(submission_id=submission.id, sex=sex,
                                              race_ethnicity="white"))
    db.session.commit()
    return invitation.applicant_id


def test_bottom_line_adverse_impact_of_the_whole_process(app: Flask,
                                                         client: FlaskClient) -> None:
    """Hand-worked: women 3 of 5 selected (60%), men 4 of 5 (80%); 60/80 = 0.75 < 4/5.

    One woman's first attempt (turned down) was retaken and her retake advanced: she counts
    once. One woman was hired (outcomes imported) without an "advance" decision: selected.
    Someone invited who never answered counts, as not answered.
    """
    with app.app_context():
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title="Call centre")
        first = _applicant(position, manager, 0, sex="female", outcome=Outcome.DO_NOT_ADVANCE)
        _applicant(position, manager, 1, sex="female", outcome=Outcome.ADVANCE, retake_of=first)
        _applicant(position, manager, 2, sex="female", outcome=Outcome.ADVANCE)
        _applicant(position, manager, 3, sex="female", hired=True)
        _applicant(position, manager, 4, sex="female", outcome=Outcome.DO_NOT_ADVANCE)
        _applicant(position, manager, 5, sex="female", outcome=Outcome.SECONDARY)
        for n in range(6, 10):
            _applicant(position, manager, n, sex="male", outcome=Outcome.ADVANCE)
        _applicant(position, manager, 10, sex="male", outcome=Outcome.ON_HOLD)
        _applicant(position, manager, 11, sex=None, submitted=False)
        position_id = position.id
    _hr(client, app)
    page = visible_text(client.get(f"/hr/fairness/{position_id}?basis=bottom_line").text)
    assert "everyone who applied (11 applicants, finished the screen or not" in page
    assert "Female 5 3 60.0% 0.75 Below four-fifths" in page
    assert "Male (highest rate) 5 4 80.0% 1.00 OK" in page
    validation_page = visible_text(client.get(f"/hr/validation/{position_id}").text)
    assert "Female 5 3 60.0% 0.75 Below four-fifths" in validation_page
    csv = client.get(f"/hr/fairness/{position_id}.csv?basis=bottom_line").text
    assert "sex,female,Female,5,3,0.6,0.75,true,false,false" in csv
