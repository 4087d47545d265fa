"""Data builders for the HR tests: scored submissions through the real journey service."""

from __future__ import annotations

from datetime import datetime

from flask.testing import FlaskClient
from sqlalchemy import select

from screening.extensions import db
from screening.models import (
    Decision,
    Outcome,
    Position,
    Role,
    SelfIdentification,
    Submission,
    User,
)
from screening.scoring import simulate_answers
from screening.services import journey, reviews
from screening.services.questionnaires import questionnaire_for
from tests.factories import PASSWORD, create_invitation, create_user


def _simulation_rater() -> User:
    found = db.session.scalar(select(User).where(User.email == "simulated-rater@example.com"))
    return found or create_user(Role.MANAGER, email="simulated-rater@example.com",
                                name="Simulated rater")


def submit_simulated(
    position: Position,
    *,
    name: str,
    email: str | None = None,
    seed: int = 1,
    submitted_at: datetime | None = None,
    free_text: str | None = None,
    rate_free_text: bool = False,
) -> Submission:
    """A submission answered like a simulated applicant and submitted via journey.submit.

    With ``rate_free_text`` its written answers are rated as the simulator would (a
    final result, counted in norms); without, the result stays provisional.
    """
    invitation = create_invitation(position, name=name, **({"email": email} if email else {}))
    submission = journey.start(db.session, invitation)
    questionnaire = questionnaire_for(submission.questionnaire_version)
    applicant = simulate_answers(questionnaire, 1, seed=seed)[0]
    for item in questionnaire.items:
        answer = applicant.answers.get(item.id)
        if answer is None:
            continue
        if free_text is not None and answer.text is not None:
            from dataclasses import replace

            answer = replace(answer, text=free_text)
        journey.save_answer(db.session, submission, answer)
    journey.submit(db.session, submission)
    if rate_free_text and applicant.free_text_ratings:
        rater = _simulation_rater()
        for item_id, rating in applicant.free_text_ratings.items():
            reviews.rate_free_text(db.session, submission, item_id, rater, rating)
    if submitted_at is not None:
        submission.submitted_at = submitted_at
        submission.started_at = min(submission.started_at, submitted_at)
    db.session.commit()
    return submission


def decide(submission: Submission, manager: User, outcome: Outcome,
           note: str = "Decided after the interview.") -> Decision:
    decision = Decision(submission=submission, decided_by_id=manager.id, outcome=outcome,
                        note=note)
    db.session.add(decision)
    db.session.commit()
    return decision


def self_identify(submission: Submission, *, sex: str, race: str) -> None:
    db.session.add(SelfIdentification(submission_id=submission.id, sex=sex, race_ethnicity=race))
    db.session.commit()


def sign_in(client: FlaskClient, email: str) -> None:
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.text
