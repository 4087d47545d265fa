"""Demo data for a first look: a position, staff sign-ins, an invited applicant, and
synthetic applicants from the latent-trait simulator, with simulated decisions,
self-identification and job outcomes so that the HR pages have a worked example."""

from __future__ import annotations

import os
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening import scoring
from screening.models import (
    Answer,
    Applicant,
    Decision,
    FreeTextRating,
    Invitation,
    JobOutcome,
    Outcome,
    Position,
    Role,
    SelfIdentification,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from screening.scoring.fairness import RACE_ETHNICITY_CATEGORIES, SEX_CATEGORIES
from screening.scoring.simulate import SimulatedApplicant, simulate_outcome
from screening.services import accounts, invitations, positions
from screening.services.questionnaires import current_version, questionnaire_for
from screening.services.results import store_result

DEMO_MANAGER_EMAIL = "manager@example.com"
#: The staff a newcomer signs in as, one per role, all with the demo password.
DEMO_STAFF = (
    (Role.MANAGER, DEMO_MANAGER_EMAIL, "Demo Manager"),
    (Role.HR, "hr@example.com", "Demo HR"),
    (Role.ADMIN, "admin@example.com", "Demo Admin"),
)
DEMO_POSITION_TITLE = "Front desk associate (demo)"
DEMO_QUESTIONNAIRE = "frontline-standard"
#: Simulated applicants on the demo position, so the pages have something to show;
#: stored as synthetic (demo data), never in real applicants' figures.
DEMO_APPLICANTS = 90
DEMO_SEED = 1


@dataclass(frozen=True)
class DemoAccess:
    manager_email: str
    manager_password: str
    invitation_token: str
    open_token: str
    #: (role, email) of every demo sign-in; all use ``manager_password``.
    staff: tuple[tuple[Role, str], ...] = ()
    #: simulated (synthetic) applicants on the demo position.
    simulated: int = 0


def ensure_demo_data(
    session: Session, instance_path: Path, valid_days: int, applicants: int = DEMO_APPLICANTS
) -> DemoAccess:
    """Create the demo records once; later calls return the same access without changes.

    ``applicants`` simulated applicants fill the demo position while it has none.
    """
    password = _demo_password(instance_path)
    for role, email, name in DEMO_STAFF:
        if accounts.find_user_by_email(session, email) is None:
            accounts.create_user(session, email=email, name=name, role=role, password=password)
    manager = accounts.find_user_by_email(session, DEMO_MANAGER_EMAIL)
    assert manager is not None
    position = demo_position(session)
    if position is None:
        version = current_version(session, DEMO_QUESTIONNAIRE)
        if version is None:
            raise LookupError(f"questionnaire {DEMO_QUESTIONNAIRE!r} is not in the bank")
        position = positions.create_position(
            session,
            title=DEMO_POSITION_TITLE,
            location="Main reception",
            version=version,
            managers=[manager],
        )
    invitation = session.scalar(
        select(Invitation)
        .join(Invitation.applicant)
        .where(Invitation.applicant.has(position_id=position.id), ~Invitation.via_open_link)
        .order_by(Invitation.id)
        .limit(1)
    )
    if invitation is None:
        invitation = invitations.invite(
            session,
            position,
            name="Alex Demo",
            email="alex@example.com",
            valid_days=valid_days,
            created_by=manager,
        )
    simulated = session.scalar(
        select(func.count(Submission.id)).join(Submission.invitation).join(Invitation.applicant)
        .where(Applicant.position_id == position.id, Submission.synthetic.is_(True))
    ) or 0
    if not simulated and applicants:
        simulated = create_simulated_applicants(session, position, applicants, DEMO_SEED, manager,
                                                with_outcomes=True)
    assert position.open_token is not None
    return DemoAccess(DEMO_MANAGER_EMAIL, password, invitation.token, position.open_token,
                      staff=tuple((role, email) for role, email, _ in DEMO_STAFF),
                      simulated=simulated)


def _demo_password(instance_path: Path) -> str:
    """A random demo password kept in the instance folder, so it can be printed every run."""
    path = instance_path / "demo-manager-password"
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(password)
    return password


def demo_position(session: Session) -> Position | None:
    return session.scalar(select(Position).where(Position.title == DEMO_POSITION_TITLE))


BATCH = 200


#: The share of scored simulated applicants the demo advances ("hires"), best scores first.
DEMO_HIRED_SHARE = 2 / 3
DEMO_DECISION_NOTE = "Simulated decision (demo data)."


def create_simulated_applicants(
    session: Session, position: Position, count: int, seed: int, rater: User,
    *, with_outcomes: bool = False,
) -> int:
    """Store ``count`` submitted, scored applicants whose answers follow the simulator.

    ``with_outcomes``: also decide on them (``rater`` advances the best scores), give them
    a self-identification and attach job outcomes to the advanced ones, so the adverse-
    impact and validation pages have a worked example (all of it demo data).
    """
    questionnaire = questionnaire_for(position.questionnaire_version)
    simulated = scoring.simulate_answers(questionnaire, count, seed)
    # Same seed, same dates: a re-run with the same seed reproduces the same records.
    clock = random.Random(seed)  # noqa: S311 - demo data, not security
    now = utcnow()
    stored: list[tuple[Submission, SimulatedApplicant]] = []
    for index, applicant in enumerate(simulated, start=1):
        invitation = invitations.invite(
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
            synthetic=True,  # never in figures for real decisions; "demo data" where shown
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
        if with_outcomes:
            stored.append((submission, applicant))
        if index % BATCH == 0:
            session.commit()
    if with_outcomes:
        _decide_and_attach_outcomes(session, stored, seed, rater)
    return len(simulated)


def _decide_and_attach_outcomes(
    session: Session, stored: list[tuple[Submission, SimulatedApplicant]], seed: int,
    rater: User,
) -> None:
    """Advance the best-scoring share, turn the rest down, and give every advanced ("hired")
    applicant job outcomes that follow their simulated traits (scoring.simulate)."""
    rng = random.Random(f"outcomes-{seed}")  # noqa: S311 - demo data, not security
    scored = sorted((pair for pair in stored if pair[0].overall_percent is not None
                     and pair[0].result_status == "scored"),
                    key=lambda pair: -(pair[0].overall_percent or 0.0))
    hired = round(DEMO_HIRED_SHARE * len(scored))
    today = utcnow().date()
    sexes = list(SEX_CATEGORIES)
    races = list(RACE_ETHNICITY_CATEGORIES)
    for rank, (submission, applicant) in enumerate(scored):
        advanced = rank < hired
        session.add(Decision(submission_id=submission.id, decided_by_id=rater.id,
                             outcome=Outcome.ADVANCE if advanced else Outcome.DO_NOT_ADVANCE,
                             note=DEMO_DECISION_NOTE))
        session.add(SelfIdentification(
            submission_id=submission.id,
            sex=rng.choices(sexes, weights=(47, 47, 2, 4))[0],
            race_ethnicity=rng.choices(races, weights=(20, 45, 15, 1, 8, 1, 4, 6))[0]))
        if advanced:
            outcome = simulate_outcome(applicant.levels, rng)
            session.add(JobOutcome(
                submission_id=submission.id, recorded_on=today,
                still_employed_90_days=outcome.still_employed_90_days,
                supervisor_rating=outcome.supervisor_rating,
                customer_satisfaction=outcome.customer_satisfaction,
                complaints=outcome.complaints))
    session.flush()
