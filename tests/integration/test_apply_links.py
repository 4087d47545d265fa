"""Links that no longer work get a polite page; used links go to the thank-you page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import Answer, Applicant, Invitation, Submission, utcnow
from screening.services.journey import sequence_for
from tests.factories import create_invitation, create_position, keyed_best_form


def invitation_token(app: Flask, **fields: object) -> str:
    with app.app_context():
        return create_invitation(create_position(title="Hotel front desk"), **fields).token


def revoke(app: Flask, token: str) -> None:
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        assert invitation is not None
        invitation.revoked_at = utcnow()
        db.session.commit()


def submissions(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Submission.id))) or 0


def test_an_expired_link_says_so_kindly_and_cannot_start(app: Flask, client: FlaskClient) -> None:
    token = invitation_token(app, valid_days=-1)
    page = client.get(f"/apply/{token}")
    assert page.status_code == 410
    assert "This link has expired" in page.text
    assert "We are sorry" in page.text and "Hotel front desk" in page.text
    assert "ask for a new link" in page.text
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 410
    assert submissions(app) == 0


def test_a_withdrawn_link_says_so_and_stops_answers(app: Flask, client: FlaskClient) -> None:
    token = invitation_token(app)
    client.post(f"/apply/{token}", data={"consent": "y"})
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        first = sequence_for(invitation.submission).items[0]
    revoke(app, token)

    for path in ("", "/practice", "/q/1", "/review"):
        page = client.get(f"/apply/{token}{path}")
        assert page.status_code == 410, path
        assert "This link is no longer in use" in page.text
        assert "please contact the person who sent it to you" in page.text
    answer = client.post(f"/apply/{token}/q/1", data=keyed_best_form(first))
    assert answer.status_code == 410
    assert client.post(f"/apply/{token}/review").status_code == 410
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) == 0
        assert db.session.scalar(select(Submission)).submitted_at is None


def test_a_used_link_shows_the_thank_you_page(app: Flask, client: FlaskClient) -> None:
    token = invitation_token(app, name="Robin Example")
    client.post(f"/apply/{token}", data={"consent": "y"})
    client.post(f"/apply/{token}/review", data={"confirm_unanswered": "yes"})
    for path in ("", "/q/1", "/review", "/practice"):
        response = client.get(f"/apply/{token}{path}")
        assert response.headers["Location"].endswith(f"/apply/{token}/done"), path
    done = client.get(f"/apply/{token}/done").text
    assert "Thank you, Robin Example" in done
    assert "What happens next" in done and "Hotel front desk" in done
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 302
    assert submissions(app) == 1


def test_a_started_sitting_may_finish_after_the_link_expires(
    app: Flask, client: FlaskClient
) -> None:
    token = invitation_token(app)
    client.post(f"/apply/{token}", data={"consent": "y"})
    with app.app_context():
        invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
        invitation.expires_at = utcnow()
        db.session.commit()
    assert client.get(f"/apply/{token}/q/1").status_code == 200


@pytest.mark.parametrize("token", ["no-such-token", "x" * 65])
def test_an_unknown_link_is_not_found(client: FlaskClient, token: str) -> None:
    response = client.get(f"/apply/{token}")
    assert response.status_code == 404
    assert "We could not find that page" in response.text


def test_the_done_page_waits_for_a_submission(app: Flask, client: FlaskClient) -> None:
    token = invitation_token(app)
    assert client.get(f"/apply/{token}/done").headers["Location"].endswith(f"/apply/{token}")


def test_the_open_link_signs_up_and_refuses_bad_details(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        position = create_position(title="Cafe counter")
        open_token = position.open_token
    page = client.get(f"/apply/join/{open_token}")
    assert "Apply for Cafe counter" in page.text

    bad = client.post(f"/apply/join/{open_token}", data={"name": "Sam", "email": "not-an-email"})
    assert bad.status_code == 200
    assert '<a href="#email">Please enter a valid email address.</a>' in bad.text
    assert 'value="Sam"' in bad.text

    joined = client.post(f"/apply/join/{open_token}",
                         data={"name": " Sam Walk-in ", "email": "Sam@Example.com"})
    assert "Welcome, Sam Walk-in" in client.get(joined.headers["Location"]).text
    with app.app_context():
        applicant = db.session.scalar(select(Applicant))
        assert applicant.email == "sam@example.com"
        assert applicant.invitation.via_open_link

    with app.app_context():
        db.session.get(type(position), position.id).archived = True
        db.session.commit()
    assert client.get(f"/apply/join/{open_token}").status_code == 404


@pytest.fixture
def rate_limits_on(app_config: dict[str, object]) -> None:
    """Ask for this before ``app``: the limits the test fixtures turn off are back on."""
    app_config["RATELIMIT_ENABLED"] = True


def test_the_open_link_is_rate_limited_per_address(
    rate_limits_on: None, app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        open_token = create_position().open_token
    statuses = [client.post(f"/apply/join/{open_token}",
                            data={"name": "Same Person", "email": "same@example.com"}).status_code
                for _ in range(6)]
    assert statuses == [302] * 5 + [429]
    other = client.post(f"/apply/join/{open_token}",
                        data={"name": "Someone Else", "email": "else@example.com"})
    assert other.status_code == 302


def test_a_blank_looking_name_is_refused_on_the_open_link(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        open_token = create_position().open_token
    for name in ("   ", "\u200b\u200b", "\u3000", "..."):
        response = client.post(f"/apply/join/{open_token}",
                               data={"name": name, "email": "blank@example.com"})
        assert response.status_code == 200, name
        assert "Please enter your name." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Applicant.id))) == 0
