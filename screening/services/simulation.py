"""Synthetic applicants from the latent-trait simulator, stored like real ones."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy.orm import Session

from screening import scoring
from screening.models import (
    Answer,
    FreeTextRating,
    Position,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from screening.services import positions
from screening.services.questionnaires import questionnaire_for
from screening.services.results import store_result

BATCH = 200


def create_simulated_applicants(
    session: Session, position: Position, count: int, seed: int, rater: User
) -> int:
    """Store ``count`` submitted, scored applicants whose answers follow the simulator."""
    questionnaire = questionnaire_for(position.questionnaire_version)
    simulated = scoring.simulate_answers(questionnaire, count, seed)
    # Same seed, same dates: a re-run with the same seed reproduces the same records.
    clock = random.Random(seed)  # noqa: S311 - demo data, not security
    now = utcnow()
    for index, applicant in enumerate(simulated, start=1):
        invitation = positions.invite(
            session,
            position,
            name=applicant.name,
            email=f"simulated-{seed}-{index}@example.invalid",
            valid_days=14,
        )
        submitted_at = now - timedelta(days=clock.uniform(0, 60))
        seconds = sum(a.seconds or 0.0 for a in applicant.answers.values())
        submission = Submission(
            invitation=invitation,
            questionnaire_version=position.questionnaire_version,
            order_seed=clock.randrange(2**31),
            consented_at=submitted_at - timedelta(seconds=seconds + 60),
            started_at=submitted_at - timedelta(seconds=seconds + 60),
            submitted_at=submitted_at,
            status=SubmissionStatus.SUBMITTED,
        )
        session.add(submission)
        for item_id, answer in applicant.answers.items():
            session.add(
                Answer(
                    submission=submission,
                    item_id=item_id,
                    response=answer.to_dict(),
                    seconds=answer.seconds,
                )
            )
        for item_id, rating in applicant.free_text_ratings.items():
            session.add(
                FreeTextRating(submission=submission, item_id=item_id, rater=rater, rating=rating)
            )
        session.flush()
        store_result(session, submission)
        if index % BATCH == 0:
            session.commit()
    return len(simulated)
