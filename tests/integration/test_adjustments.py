"""Adjustments: the applicant asks on the welcome page, the position's managers and HR
see it (pages and email) and grant extra time, no limit or an alternative process; the
deadline, the welcome page, the result and the exports follow the grant."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import (
    AuditEvent,
    Invitation,
    OutgoingEmail,
    Position,
    Role,
    Submission,
    SubmissionStatus,
    User,
)
from screening.services import api_tokens, journey, retention, reviews
from screening.services.exports import ExportFilters, wide_table
from screening.services.norms import norm_group
from tests.factories import (
    create_invitation,
    create_position,
    create_submission,
    create_user,
    sign_in,
    visible_text,
)
from tests.integration.test_reports_web import pdf_text
from tests.integration.test_walking_skeleton import complete_questionnaire

#: frontline-standard's limit, as its form in questions/forms states it.
STANDARD_MINUTES = 20


@pytest.fixture
def app_config(app_config: dict[str, object]) -> dict[str, object]:
    # Mail on, so requests are queued; nothing is sent (no worker runs in these tests).
    return {**app_config, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": 1, "SMTP_STARTTLS": 0}


@pytest.fixture
def setting(app: Flask) -> dict[str, object]:
    """A manager's position with one invited applicant, another manager's position, HR."""
    with app.app_context():
        return _setting()


def _setting() -> dict[str, object]:
    manager = create_user(Role.MANAGER, name="Mina Manager")
    other = create_user(Role.MANAGER, name="Otto Other")
    hr = create_user(Role.HR, name="Hana HR")
    position = create_position(managers=[manager], title="Front desk")
    other_position = create_position(managers=[other], title="Back office")
    invitation = create_invitation(position, name="Ada Applicant")
    return {"manager": manager.email, "other": other.email, "hr": hr.email,
            "position": position.id, "other_position": other_position.id,
            "invitation": invitation.id, "token": invitation.token}


def staff(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, email)
    return client


@contextmanager
def stored(app: Flask) -> Iterator[None]:
    """Read the database between requests, in a context of its own (requests need theirs)."""
    with app.app_context():
        yield


def invitation(setting: dict[str, object]) -> Invitation:
    db.session.expire_all()
    return db.session.get_one(Invitation, setting["invitation"])


def grant(client: FlaskClient, setting: dict[str, object], code: str, *,
          position: object = None) -> int:
    path = (f"/manage/positions/{position or setting['position']}/invitations/"
            f"{setting['invitation']}/adjustment")
    return client.post(path, data={"adjustment": code}).status_code


def consent(client: FlaskClient, token: object) -> None:
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 302


def begin(client: FlaskClient, token: object) -> None:
    """Consent and open the first scored question: the time limit starts there."""
    consent(client, token)
    assert client.get(f"/apply/{token}/q/1").status_code == 200


def submission_of(setting: dict[str, object]) -> Submission:
    found = invitation(setting).submission
    assert found is not None
    return found


def test_the_welcome_page_says_how_to_ask_and_the_request_reaches_managers_and_hr(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    token = setting["token"]
    welcome = visible_text(client.get(f"/apply/{token}").text)
    assert "Asking for an adjustment" in welcome
    assert "extra time, a break, a layout that works well with a screen reader" in welcome

    reply = client.post(f"/apply/{token}/adjustment",
                        data={"adjustment-needs": ["extra_time", "break"],
                              "adjustment-details": "I have dyslexia; reading takes me longer."})
    assert reply.status_code == 302
    after = visible_text(client.get(reply.headers["Location"]).text)
    assert "we have sent your request to the hiring team" in after
    assert "You have asked for an adjustment" in after

    with stored(app):
        found = invitation(setting)
        assert found.adjustment_needs == "extra_time,break"
        assert found.adjustment_details == "I have dyslexia; reading takes me longer."
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "adjustment.requested"))
        assert event is not None and event.target_id == found.id
        assert event.detail == {"needs": ["extra_time", "break"], "with_details": True}
        emails = db.session.scalars(select(OutgoingEmail).where(
            OutgoingEmail.kind == "adjustment_request")).all()
        assert sorted(e.recipient for e in emails) == sorted([setting["manager"], setting["hr"]])
        assert all(e.subject == "Adjustment requested: Ada Applicant for Front desk"
                   for e in emails)
        assert "- Extra time\n- A break" in emails[0].body_text
        # The applicant's words stay on the page: out of the audit log and the emails.
        assert "dyslexia" not in str(event.detail) + emails[0].body_text + emails[0].body_html

    for email in (setting["manager"], setting["hr"]):
        reader = staff(app, email)
        listing = visible_text(reader.get(f"/manage/positions/{setting['position']}").text)
        assert "Ada Applicant" in listing and "Adjustment requested" in listing
        page = visible_text(
            reader.get(f"/manage/positions/{setting['position']}/invitations").text)
        assert "Adjustment requested" in page
        assert "A break" in page and "I have dyslexia; reading takes me longer." in page

    # The manager of another position sees nothing of it.
    outsider = staff(app, setting["other"])
    assert outsider.get(f"/manage/positions/{setting['position']}/invitations").status_code == 404


def test_an_empty_request_is_refused_and_nothing_is_sent(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    reply = client.post(f"/apply/{setting['token']}/adjustment", data={}, follow_redirects=True)
    assert "Choose what would help you, or describe it." in visible_text(reply.text)
    with stored(app):
        assert invitation(setting).adjustment_requested_at is None
        assert db.session.scalar(select(OutgoingEmail.id)) is None


def test_plus_fifty_percent_gives_one_and_a_half_times_the_limit(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    assert grant(staff(app, setting["manager"]), setting, "extra_50") == 302
    with stored(app):
        granted = invitation(setting)
        assert granted.adjustment == "extra_50"
        assert granted.adjustment_granted_by.email == setting["manager"]
        assert granted.adjustment_granted_at is not None
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "adjustment.granted"))
        assert event is not None and event.detail["adjustment"] == "extra_50"

    welcome = visible_text(client.get(f"/apply/{setting['token']}").text)
    assert "You have been given extra time: 30 minutes instead of the usual 20." in welcome
    assert "time limit of 30 minutes" in welcome

    begin(client, setting["token"])
    with stored(app):
        submission = submission_of(setting)
        assert submission.adjustment == "extra_50"
        assert submission.deadline_at - submission.started_at == timedelta(minutes=30)
        # Past the usual 20 minutes (and its grace), answers are still taken.
        assert not journey.time_is_up(submission, submission.started_at + timedelta(minutes=25))
        assert journey.time_is_up(submission, submission.started_at + timedelta(minutes=32))


def test_untimed_means_no_deadline(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    assert grant(staff(app, setting["hr"]), setting, "untimed") == 302
    welcome = visible_text(client.get(f"/apply/{setting['token']}").text)
    assert "there is no time limit for you (usually it is 20 minutes)" in welcome
    consent(client, setting["token"])
    with stored(app):
        submission = submission_of(setting)
        assert submission.deadline_at is None
        assert not journey.time_is_up(submission, submission.started_at + timedelta(days=3))


def test_a_grant_during_the_attempt_lengthens_the_deadline_from_the_start(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    begin(client, setting["token"])
    with stored(app):
        submission = submission_of(setting)
        assert (submission.deadline_at - submission.started_at
                == timedelta(minutes=STANDARD_MINUTES))
    assert grant(staff(app, setting["manager"]), setting, "extra_100") == 302
    with stored(app):
        submission = submission_of(setting)
        assert submission.deadline_at - submission.started_at == timedelta(minutes=40)
        assert submission.adjustment == "extra_100"


def test_a_grant_before_the_first_question_counts_from_when_the_clock_starts(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    consent(client, setting["token"])
    assert grant(staff(app, setting["manager"]), setting, "extra_100") == 302
    with stored(app):
        assert submission_of(setting).deadline_at is None  # still on the practice question
    begin(client, setting["token"])
    with stored(app):
        submission = submission_of(setting)
        assert submission.started_at > submission.consented_at
        assert submission.deadline_at - submission.started_at == timedelta(minutes=40)


def test_a_manager_of_another_position_cannot_grant(
    app: Flask, setting: dict[str, object]
) -> None:
    outsider = staff(app, setting["other"])
    assert grant(outsider, setting, "untimed") == 404
    # Nor through their own position's path with this invitation.
    assert grant(outsider, setting, "untimed", position=setting["other_position"]) == 404
    with stored(app):
        assert invitation(setting).adjustment is None
        assert db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "adjustment.granted")) is None


def test_an_unknown_adjustment_is_refused(app: Flask, setting: dict[str, object]) -> None:
    assert grant(staff(app, setting["manager"]), setting, "extra_500") == 302
    with stored(app):
        assert invitation(setting).adjustment is None


def test_managers_set_the_adjustment_when_inviting(
    app: Flask, setting: dict[str, object]
) -> None:
    manager = staff(app, setting["manager"])
    form = manager.get(f"/manage/positions/{setting['position']}/invitations").text
    assert re.search(r'<select[^>]*name="adjustment"', form)
    reply = manager.post(f"/manage/positions/{setting['position']}/invitations",
                         data={"name": "Bo Applicant", "email": "bo@example.com",
                               "adjustment": "extra_25"})
    assert reply.status_code == 302
    with stored(app):
        invited = db.session.scalar(select(Invitation).where(
            Invitation.id != setting["invitation"]))
        assert invited is not None and invited.applicant.name == "Bo Applicant"
        assert invited.adjustment == "extra_25"
        assert invited.adjustment_granted_by.email == setting["manager"]
        token = invited.token
    assert "25 minutes instead of the usual 20" in visible_text(
        app.test_client().get(f"/apply/{token}").text)


def test_the_result_records_the_adjustment_on_the_page_and_in_exports(
    app: Flask, setting: dict[str, object]
) -> None:
    manager = staff(app, setting["manager"])
    assert grant(manager, setting, "extra_50") == 302
    with stored(app):
        complete_questionnaire(app.test_client(), setting["token"])
        submission = submission_of(setting)
        assert submission.status is SubmissionStatus.SUBMITTED
        assert submission.adjustment == "extra_50"
        submission_id = submission.id
        headers, rows = wide_table(db.session, ExportFilters(position_id=setting["position"]))
        (row,) = [dict(zip(headers, r, strict=True)) for r in rows]
        assert row["adjustment"] == "extra_50"
    page = visible_text(manager.get(f"/manage/submissions/{submission_id}").text)
    assert "Adjustment: Extra time +50%" in page
    listing = visible_text(manager.get(f"/manage/positions/{setting['position']}").text)
    assert "Extra time +50%" in listing
    csv_text = manager.get(f"/manage/positions/{setting['position']}/results.csv").text
    header, first = list(csv.reader(io.StringIO(csv_text)))[:2]
    assert first[header.index("adjustment")] == "extra_50"
    # The PDF summary says it on page 1, and the API carries the code.
    _, pdf = pdf_text(manager.get(f"/manage/submissions/{submission_id}/report.pdf").data)
    assert "adjustment: Extra time +50%" in " ".join(pdf.split())
    with stored(app):
        hr = db.session.scalar(select(User).where(User.email == setting["hr"]))
        _, api_token = api_tokens.create_token(db.session, name="ATS", created_by=hr)
        db.session.commit()
    api = app.test_client().get(f"/api/v1/submissions/{submission_id}",
                                headers={"Authorization": f"Bearer {api_token}"})
    assert api.get_json()["adjustment"] == "extra_50"
    # A submitted result keeps the adjustment it was sat with.
    assert grant(manager, setting, "untimed") == 302
    with stored(app):
        assert invitation(setting).adjustment == "extra_50"


def test_erasure_removes_the_applicants_words(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    client.post(f"/apply/{setting['token']}/adjustment",
                data={"adjustment-details": "My hand tremor makes typing slow."})
    with stored(app):
        found = invitation(setting)
        assert found.adjustment_details == "My hand tremor makes typing slow."
        retention.erase(db.session, found.applicant_id, None, via="test")
        db.session.commit()
        assert invitation(setting).adjustment_details == ""


def test_the_adjustment_section_is_in_spanish(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    page = visible_text(client.get(f"/apply/{setting['token']}?lang=es").text)
    assert "Cómo pedir una adaptación" in page
    assert "Pedir una adaptación" in page
    assert "Otra forma de evaluación en lugar de este cuestionario en línea" in page


def test_adjusted_and_unadjusted_results_compare_like_with_like(
    app: Flask, setting: dict[str, object]
) -> None:
    """Scores do not depend on time: the same answers give the same result, quality
    flags included, with or without extra time, and both join the same norm group."""
    assert grant(staff(app, setting["manager"]), setting, "extra_100") == 302
    with stored(app):
        position = db.session.get_one(Position, setting["position"])
        # The same answers, 30 seconds each, from both applicants.
        adjusted = create_submission(invitation(setting))
        unadjusted = create_submission(create_invitation(position, name="Cy Unadjusted"))
        rater = db.session.scalar(select(User).where(User.email == setting["manager"]))
        for submission in (adjusted, unadjusted):  # rated alike, so both results are final
            for item in reviews.free_text_items(submission):
                reviews.rate_free_text(db.session, submission, item.id, rater, 4)
        db.session.commit()
        assert not adjusted.provisional and adjusted.result_status == "scored"
        assert adjusted.adjustment == "extra_100" and unadjusted.adjustment is None
        for key in ("status", "overall", "dimensions", "band", "red_flags"):
            assert adjusted.result[key] == unadjusted.result[key], key
        assert ([f["kind"] for f in adjusted.result["quality_flags"]]
                == [f["kind"] for f in unadjusted.result["quality_flags"]])
        group = norm_group(db.session, position.questionnaire_version)
        assert group.size == 2


def test_a_request_sent_again_updates_the_page_without_a_second_email(
    app: Flask, client: FlaskClient, setting: dict[str, object]
) -> None:
    for words in ("First I asked for more time.", "Also a break, please."):
        client.post(f"/apply/{setting['token']}/adjustment",
                    data={"adjustment-needs": "extra_time", "adjustment-details": words})
    with stored(app):
        assert invitation(setting).adjustment_details == "Also a break, please."
        recipients = db.session.scalars(select(OutgoingEmail.recipient)).all()
        assert sorted(recipients) == sorted([setting["manager"], setting["hr"]])
