"""The clock starts with the first scored question, the practice answer gets feedback,
"Skip for now" saves nothing and moves on, and submitting with skipped questions asks first."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from screening.extensions import db
from screening.models import Answer, Invitation, Submission, SubmissionStatus
from screening.services.journey import sequence_for
from tests.factories import create_invitation, create_position, keyed_best_form

# The practice item of both questionnaires (questions/items/P01-practice-sugar-in-cafe.yaml).
PRACTICE_BEST = "b"  # "Smile and say, "On the table by the window. Enjoy!""
PRACTICE_OTHER = "a"


def submission_of(token: str) -> Submission:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token == token))
    assert invitation is not None and invitation.submission is not None
    return invitation.submission


def consented(app: Flask, client: FlaskClient) -> str:
    with app.app_context():
        token = create_invitation(create_position()).token
    assert client.post(f"/apply/{token}", data={"consent": "y"}).status_code == 302
    return token


def test_the_time_limit_starts_with_the_first_scored_question(
    app: Flask, client: FlaskClient
) -> None:
    token = consented(app, client)
    with app.app_context():
        consented_at = submission_of(token).consented_at
        assert submission_of(token).deadline_at is None
    # Instructions and practice, however long they take, cost nothing.
    assert "starts when the first scored question opens" in client.get(
        f"/apply/{token}/practice").text
    with app.app_context():
        submission = submission_of(token)
        submission.consented_at = submission.started_at = consented_at - timedelta(minutes=30)
        db.session.commit()
    page = client.get(f"/apply/{token}/q/1").text
    with app.app_context():
        submission = submission_of(token)
        assert submission.started_at > consented_at
        assert submission.deadline_at == submission.started_at + timedelta(minutes=20)
    assert "20 minutes left" in page
    # Later pages keep the deadline the first one set.
    client.get(f"/apply/{token}/q/2")
    with app.app_context():
        assert submission_of(token).deadline_at == submission.deadline_at


def test_reopening_an_unstarted_attempt_shows_the_practice_again(
    app: Flask, client: FlaskClient
) -> None:
    token = consented(app, client)
    reopened = client.get(f"/apply/{token}")
    assert reopened.headers["Location"].endswith(f"/apply/{token}/practice")
    client.get(f"/apply/{token}/q/1")
    resumed = client.get(f"/apply/{token}")
    assert resumed.headers["Location"].endswith(f"/apply/{token}/q/1")


def test_the_practice_answer_gets_feedback_and_is_never_stored(
    app: Flask, client: FlaskClient
) -> None:
    token = consented(app, client)
    wrong = client.post(f"/apply/{token}/practice",
                        data={"choice": PRACTICE_OTHER, "action": "check"})
    assert wrong.status_code == 200
    assert "Not quite. The most effective response here is:" in wrong.text
    assert "On the table by the window. Enjoy!" in wrong.text
    right = client.post(f"/apply/{token}/practice",
                        data={"choice": PRACTICE_BEST, "action": "check"})
    assert "Well done: you chose the most effective response." in right.text
    empty = client.post(f"/apply/{token}/practice", data={"action": "check"})
    assert "Please choose one option." in empty.text
    with app.app_context():
        assert db.session.scalar(select(func.count(Answer.id))) == 0
        assert submission_of(token).deadline_at is None
    start = client.post(f"/apply/{token}/practice", data={"action": "start"})
    assert start.headers["Location"].endswith(f"/apply/{token}/q/1")


def test_skip_for_now_saves_nothing_and_moves_on(app: Flask, client: FlaskClient) -> None:
    token = consented(app, client)
    with app.app_context():
        items = sequence_for(submission_of(token)).items
    client.get(f"/apply/{token}/q/1")
    # A half-filled page is not checked: nothing is saved and no error is shown.
    skipped = client.post(f"/apply/{token}/q/1", data={"action": "skip", "most": "zz"})
    assert skipped.headers["Location"].endswith(f"/apply/{token}/q/2")
    client.post(f"/apply/{token}/q/2", data={**keyed_best_form(items[1]), "action": "next"})
    # Skipping an answered question keeps its saved answer.
    client.post(f"/apply/{token}/q/2", data={"action": "skip"})
    last = len(items)
    at_end = client.post(f"/apply/{token}/q/{last}", data={"action": "skip"})
    assert at_end.headers["Location"].endswith(f"/apply/{token}/review")
    with app.app_context():
        saved = db.session.scalars(select(Answer.item_id)).all()
    assert saved == [items[1].id]

    review = client.get(f"/apply/{token}/review").text
    assert f"You have not answered {last - 1} questions." in review
    assert f'<a href="/apply/{token}/q/1">Answer question 1</a>' in review
    assert f'href="/apply/{token}/q/2">Answer question 2<' not in review


def test_submitting_with_skipped_questions_asks_for_confirmation(
    app: Flask, client: FlaskClient
) -> None:
    token = consented(app, client)
    with app.app_context():
        items = sequence_for(submission_of(token)).items
    for number, item in enumerate(items, start=1):
        if number not in (3, 5, 7, 9, 11):
            client.post(f"/apply/{token}/q/{number}", data=keyed_best_form(item))
    asked = client.post(f"/apply/{token}/review")
    assert asked.status_code == 200
    assert "5 questions are unanswered: submit anyway?" in asked.text
    assert f'<a href="/apply/{token}/q/5">Answer question 5</a>' in asked.text
    assert 'name="confirm_unanswered" type="hidden" value="yes"' in asked.text
    with app.app_context():
        assert submission_of(token).status is SubmissionStatus.IN_PROGRESS
    # The review page itself never carries the confirmation.
    assert 'name="confirm_unanswered" type="hidden" value=""' in client.get(
        f"/apply/{token}/review").text

    submitted = client.post(f"/apply/{token}/review", data={"confirm_unanswered": "yes"})
    assert submitted.headers["Location"].endswith(f"/apply/{token}/done")
    with app.app_context():
        submission = submission_of(token)
        assert submission.status is SubmissionStatus.SUBMITTED
        # Unanswered questions count as before: 15 of 20 answered is under 80%.
        assert len(submission.answers) == 15
        assert submission.result_status == "incomplete"


def test_every_question_answered_submits_at_once(app: Flask, client: FlaskClient) -> None:
    token = consented(app, client)
    with app.app_context():
        items = sequence_for(submission_of(token)).items
    for number, item in enumerate(items, start=1):
        client.post(f"/apply/{token}/q/{number}", data=keyed_best_form(item))
    submitted = client.post(f"/apply/{token}/review")
    assert submitted.headers["Location"].endswith(f"/apply/{token}/done")
