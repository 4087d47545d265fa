"""Voluntary self-identification and the adverse-impact report, against hand-worked figures."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from screening.config import ConfigError
from screening.extensions import db
from screening.models import (
    AuditEvent,
    Decision,
    Outcome,
    Role,
    SelfIdentification,
    Submission,
    SubmissionStatus,
    utcnow,
)
from screening.services import journey
from tests.factories import (
    create_invitation,
    create_position,
    create_user,
    sign_in,
    submit_simulated,
)

# One row per applicant: (sex, race/ethnicity, band, latest decision). None = no answer.
F, M = "female", "male"
ROWS: list[tuple[str | None, str | None, str, Outcome | None]] = (
    [(F, "asian", "strong", Outcome.ADVANCE)] * 3
    + [(F, "asian", "mixed", Outcome.DO_NOT_ADVANCE)] * 5
    + [(F, "white", "weak", Outcome.DO_NOT_ADVANCE)] * 2
    + [(M, "white", "strong", Outcome.ADVANCE)] * 4
    + [(M, "white", "weak", Outcome.DO_NOT_ADVANCE)] * 4
    + [("another", "two_or_more_races", "mixed", Outcome.ADVANCE)] * 2
    + [("prefer_not_to_say", "prefer_not_to_say", "strong", Outcome.ADVANCE)] * 3
    + [(None, None, "weak", Outcome.ON_HOLD)] * 2
    + [(F, "asian", "strong", None)] * 2
    + [(M, "white", "weak", None)] * 2
)


@pytest.fixture
def position_with_outcomes(app: Flask) -> dict[str, Any]:
    with app.app_context():
        hr = create_user(Role.HR)
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title="Hotel reception")
        add_applicants(position, manager, ROWS)
        return {"hr": hr.email, "manager": manager.email, "position": position.id}


def add_applicants(position: Any, manager: Any,
                   rows: list[tuple[str | None, str | None, str, Outcome | None]]) -> None:
    """Submitted applicants with the given self-identification, band and latest decision."""
    for n, (sex, race, band, outcome) in enumerate(rows):
        invitation = create_invitation(position, name=f"Person {n}")
        submission = Submission(invitation_id=invitation.id,
                                questionnaire_version_id=position.questionnaire_version_id,
                                status=SubmissionStatus.SUBMITTED, order_seed=n,
                                consented_at=utcnow(), submitted_at=utcnow(), band_id=band)
        db.session.add(submission)
        db.session.flush()
        if outcome is not None:
            db.session.add(Decision(submission_id=submission.id, decided_by_id=manager.id,
                                    outcome=outcome, note="Decided after interview."))
        if sex is not None:
            db.session.add(SelfIdentification(submission_id=submission.id, sex=sex,
                                              race_ethnicity=race))
    db.session.commit()


def cells(html: str, label: str) -> list[str]:
    """The text of the table cells on the row whose first cell starts with ``label``."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        texts = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>",
                                                                          row, re.S)]
        if texts and texts[0].startswith(label):
            return texts
    raise AssertionError(f"no row for {label}")


def section(html: str, characteristic: str) -> str:
    start = html.index(f'id="impact-{characteristic}"')
    end = html.find("<section", start)
    return html[start:end if end != -1 else None]


def test_decision_basis_matches_the_hand_worked_figures(client, position_with_outcomes) -> None:
    # Decided applicants only (25; 4 undecided left out).
    # Sex: female 3 of 10 = 30.0%; male 4 of 8 = 50.0% (highest) -> female ratio 0.60, flagged.
    #      "another" has 2 applicants: suppressed. Undisclosed: 3 prefer not + 2 no answer = 5,
    #      hidden too, or 25 - 10 - 8 - 5 = 2 would give "another" away.
    # Race: white = 2 women (0 selected) + 8 men (4) = 4 of 10 = 40.0% (highest);
    #       asian = 3 of 8 = 37.5% -> 0.375 / 0.40 = 0.94, not flagged.
    sign_in(client, position_with_outcomes["hr"])
    page = client.get(f"/hr/fairness/{position_with_outcomes['position']}")
    assert page.status_code == 200
    html = page.text
    assert "25 decided applicants; 4 without a decision yet are left out" in html
    sex = section(html, "sex")
    assert cells(sex, "Female") == ["Female", "10", "3", "30.0%", "0.60", "Below four-fifths"]
    assert cells(sex, "Male") == ["Male (highest rate)", "8", "4", "50.0%", "1.00", "OK"]
    assert cells(sex, "Another")[1] == "Fewer than 5: not shown"
    assert cells(sex, "Preferred not to say")[1].startswith("Not shown")
    race = section(html, "race_ethnicity")
    assert cells(race, "White") == ["White (highest rate)", "10", "4", "40.0%", "1.00", "OK"]
    assert cells(race, "Asian") == ["Asian", "8", "3", "37.5%", "0.94", "OK"]
    assert cells(race, "Two or More Races")[1] == "Fewer than 5: not shown"
    assert cells(race, "Hispanic or Latino")[1] == "Fewer than 5: not shown"  # none: hidden too
    assert cells(race, "Preferred not to say")[1].startswith("Not shown")
    # Printable: the print stylesheet and the print button are there.
    assert "css/hr.css" in html and "data-print" in html


def test_band_basis_counts_everyone_submitted(client, position_with_outcomes) -> None:
    # Band "mixed" or better, all 29 submitted applicants:
    # female: 3 strong + 5 mixed + 2 undecided strong = 10 of 12 = 83.3% (highest);
    # male: 4 strong of 8 + 2 undecided weak = 4 of 10 = 40.0% -> 0.40/0.8333 = 0.48.
    sign_in(client, position_with_outcomes["hr"])
    page = client.get(f"/hr/fairness/{position_with_outcomes['position']}",
                      query_string={"basis": "band", "band": "mixed"})
    sex = section(page.text, "sex")
    assert cells(sex, "Female") == ["Female (highest rate)", "12", "10", "83.3%", "1.00", "OK"]
    assert cells(sex, "Male") == ["Male", "10", "4", "40.0%", "0.48", "Below four-fifths"]
    assert cells(sex, "Another")[1] == "Fewer than 5: not shown"
    missing_band = client.get(f"/hr/fairness/{position_with_outcomes['position']}",
                              query_string={"basis": "band", "band": ""})
    assert missing_band.status_code == 400
    assert "Choose the band applicants must reach." in missing_band.text


def test_csv_export_and_audit(app, client, position_with_outcomes) -> None:
    sign_in(client, position_with_outcomes["hr"])
    position_id = position_with_outcomes["position"]
    response = client.get(f"/hr/fairness/{position_id}.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_group = {(r["characteristic"], r["group"]): r for r in rows}
    assert by_group[("sex", "female")] == {
        "characteristic": "sex", "group": "female", "group_label": "Female", "applicants": "10",
        "selected": "3", "selection_rate": "0.3", "impact_ratio": "0.6",
        "below_four_fifths": "true", "reference_group": "false", "suppressed": "false"}
    assert by_group[("sex", "another")]["suppressed"] == "true"
    assert by_group[("sex", "another")]["applicants"] == ""
    assert by_group[("race_ethnicity", "asian")]["impact_ratio"] == "0.9375"
    assert by_group[("race_ethnicity", "undisclosed")]["applicants"] == ""
    assert by_group[("race_ethnicity", "undisclosed")]["suppressed"] == "true"
    client.get(f"/hr/fairness/{position_id}")
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent)
                                                         .order_by(AuditEvent.id))]
    assert actions == ["user.signed_in", "fairness.exported", "fairness.viewed"]


def test_no_small_group_can_be_worked_out_from_the_page(app, client) -> None:
    # Found on the page before: 2 decided applicants, one woman and one who preferred not
    # to say. "Female" was hidden, but "2 decided" and "preferred not to say: 1" were shown,
    # so Female = 2 - 1 = 1; and ?minimum=1 showed her row outright.
    with app.app_context():
        hr = create_user(Role.HR)
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title="Front desk")
        add_applicants(position, manager, [
            ("female", "prefer_not_to_say", "strong", Outcome.ADVANCE),
            ("prefer_not_to_say", "prefer_not_to_say", "strong", Outcome.ADVANCE)])
        position_id, hr_email = position.id, hr.email
    sign_in(client, hr_email)
    for query in ({}, {"minimum": "1"}):
        page = client.get(f"/hr/fairness/{position_id}", query_string=query)
        assert page.status_code == 200
        assert "2 decided applicants" in page.text
        sex = section(page.text, "sex")
        assert cells(sex, "Female")[1] == "Fewer than 5: not shown"
        assert cells(sex, "Preferred not to say")[1].startswith("Not shown")
        assert 'name="minimum"' not in page.text
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/hr/fairness/{position_id}.csv").get_data(as_text=True).lstrip("\ufeff"))))
    shown = {(r["characteristic"], r["group"]): r["applicants"] for r in rows}
    assert shown[("sex", "female")] == "" and shown[("sex", "undisclosed")] == ""


@pytest.mark.parametrize("minimum", [4, 1, 0])
def test_the_installation_cannot_lower_the_minimum_below_five(make_app, minimum) -> None:
    with pytest.raises(ConfigError, match=r"SCREENING_FAIRNESS_MIN_GROUP must be .* at least 5"):
        make_app({"FAIRNESS_MIN_GROUP": minimum})


def test_a_larger_minimum_from_the_environment_applies(monkeypatch, make_app,
                                                       position_with_outcomes) -> None:
    monkeypatch.setenv("SCREENING_FAIRNESS_MIN_GROUP", "9")
    app = make_app()
    client = app.test_client()
    sign_in(client, position_with_outcomes["hr"])
    page = client.get(f"/hr/fairness/{position_with_outcomes['position']}").text
    # Female (10) stays; Male (8) is now under 9 and hidden.
    assert cells(section(page, "sex"), "Male")[1] == "Fewer than 9: not shown"
    assert cells(section(page, "sex"), "Female")[1] == "10"


def test_managers_cannot_see_the_report(client, position_with_outcomes) -> None:
    sign_in(client, position_with_outcomes["manager"])
    assert client.get(f"/hr/fairness/{position_with_outcomes['position']}").status_code == 403


# -- the applicant's form -------------------------------------------------------------


@pytest.fixture
def submitted(app: Flask) -> dict[str, Any]:
    with app.app_context():
        manager = create_user(Role.MANAGER)
        position = create_position(managers=[manager], title="Pharmacy counter")
        done = submit_simulated(position, name="Sam Selfid", seed=5)
        waiting = create_invitation(position, name="Not Yet")
        journey.start(db.session, waiting)
        db.session.commit()
        return {"token": done.invitation.token, "submission": done.id,
                "waiting": waiting.token, "manager": manager.email, "position": position.id}


def _stored(app: Flask, submission_id: int) -> tuple[str, str] | None:
    with app.app_context():
        row = db.session.scalar(select(SelfIdentification)
                                .where(SelfIdentification.submission_id == submission_id))
        return (row.sex, row.race_ethnicity) if row else None


def test_offered_only_after_submission(client, submitted) -> None:
    assert client.get(f"/apply/{submitted['waiting']}/about-you").status_code == 404
    assert client.post(f"/apply/{submitted['waiting']}/about-you",
                       data={"sex": "male"}).status_code == 404
    assert client.get("/apply/not-a-real-token/about-you").status_code == 404
    page = client.get(f"/apply/{submitted['token']}/about-you")
    assert page.status_code == 200
    assert "voluntary" in page.text and "Native Hawaiian or Other Pacific Islander" in page.text
    assert "Prefer not to say" in page.text


def test_answers_are_stored_and_can_be_changed(app, client, submitted) -> None:
    url = f"/apply/{submitted['token']}/about-you"
    saved = client.post(url, data={"sex": "female",
                                   "race_ethnicity": "native_hawaiian_or_pacific_islander"})
    assert saved.status_code == 200 and "Thank you" in saved.text
    assert _stored(app, submitted["submission"]) == ("female",
                                                     "native_hawaiian_or_pacific_islander")
    prefilled = client.get(url).text
    assert '<input checked id="sex-0" name="sex" type="radio" value="female">' in prefilled
    client.post(url, data={"save": "1"})  # nothing chosen: prefer not to say
    assert _stored(app, submitted["submission"]) == ("prefer_not_to_say", "prefer_not_to_say")
    for wrong in ("martian", " "):  # a blank-looking value is not "skipped"
        refused = client.post(url, data={"sex": wrong})
        assert refused.status_code == 200 and "Not a valid choice" in refused.text
    assert _stored(app, submitted["submission"]) == ("prefer_not_to_say", "prefer_not_to_say")


def test_never_shown_to_managers_nor_in_pdfs_or_exports(app, client, submitted) -> None:
    client.post(f"/apply/{submitted['token']}/about-you",
                data={"sex": "another", "race_ethnicity": "native_hawaiian_or_pacific_islander"})
    sign_in(client, submitted["manager"])
    pages = [
        client.get(f"/manage/positions/{submitted['position']}").text,
        client.get(f"/manage/submissions/{submitted['submission']}").text,
        client.get(f"/manage/positions/{submitted['position']}/results.csv").get_data(as_text=True),
    ]
    pdf = client.get(f"/manage/submissions/{submitted['submission']}/report.pdf")
    assert pdf.mimetype == "application/pdf"
    pages.append("\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages))
    for text in pages:
        assert "Sam Selfid" in text  # the page is about this applicant...
        for secret in ("Native Hawaiian", "native_hawaiian", "Another sex", "non-binary"):
            assert secret not in text  # ...and says nothing of how they self-identified


@pytest.mark.commits  # a second app, CSRF on, reads the data
def test_the_form_refuses_a_post_without_a_csrf_token(app_config, submitted) -> None:
    from screening.app import create_app

    guarded = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    try:
        client = guarded.test_client()
        response = client.post(f"/apply/{submitted['token']}/about-you", data={"sex": "male"})
        assert response.status_code == 400
        assert _stored(guarded, submitted["submission"]) is None
        page = client.get(f"/apply/{submitted['token']}/about-you")
        token = page.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
        accepted = client.post(f"/apply/{submitted['token']}/about-you",
                               data={"sex": "male", "csrf_token": token})
        assert accepted.status_code == 200
        assert _stored(guarded, submitted["submission"]) == ("male", "prefer_not_to_say")
    finally:
        with guarded.app_context():
            db.engine.dispose()
