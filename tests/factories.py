"""Builders for test data: real rows through the same services the app uses."""

from __future__ import annotations

import html
import re
import shutil
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from screening.bank import Item, ResponseFormat
from screening.extensions import db
from screening.models import (
    Decision,
    Invitation,
    Outcome,
    Position,
    Role,
    SelfIdentification,
    Submission,
    User,
)
from screening.scoring import simulate_answers
from screening.services import accounts, invitations, journey, positions, reviews
from screening.services.questionnaires import current_version, questionnaire_for

PASSWORD = "correct horse battery staple"


def create_user(role: Role = Role.MANAGER, email: str | None = None, **fields: Any) -> User:
    email = email or f"{role.value}-{_next()}@example.com"
    user = accounts.create_user(
        db.session,
        email=email,
        name=fields.pop("name", email.split("@")[0]),
        role=role,
        password=fields.pop("password", PASSWORD),
    )
    for name, value in fields.items():
        setattr(user, name, value)
    db.session.commit()
    return user


def create_position(
    managers: list[User] | None = None, questionnaire: str = "frontline-standard", **fields: Any
) -> Position:
    version = current_version(db.session, questionnaire)
    assert version is not None
    position = positions.create_position(
        db.session,
        title=fields.pop("title", f"Front desk {_next()}"),
        location=fields.pop("location", "Reception"),
        version=version,
        managers=managers or [],
    )
    db.session.commit()
    return position


def manager_position_and_api_token(title: str = "Front desk") -> dict[str, Any]:
    """A manager's position and an HR-issued API token: what the every-channel tests read."""
    from screening.services import api_tokens

    manager = create_user(Role.MANAGER)
    hr = create_user(Role.HR)
    position = create_position(managers=[manager], title=title)
    _, token = api_tokens.create_token(db.session, name="ATS", created_by=hr)
    db.session.commit()
    return {"manager": manager.email, "position": position.id, "token": token}


def create_invitation(
    position: Position, name: str = "Alex Applicant", **fields: Any
) -> Invitation:
    invitation = invitations.invite(
        db.session,
        position,
        name=name,
        email=fields.pop("email", f"applicant{_next()}@example.com"),
        valid_days=fields.pop("valid_days", 14),
    )
    db.session.commit()
    return invitation


def keyed_best_form(item: Item) -> dict[str, str]:
    """Form fields for the answer the rubric keys as best, read straight from the item."""
    if item.format is ResponseFormat.BEST_CHOICE:
        best = max(item.options, key=lambda o: sum(o.points.values()))
        return {"choice": best.id}
    if item.format is ResponseFormat.MOST_LEAST:
        best = max(item.options, key=lambda o: sum(o.points.values()))
        worst = min(item.options, key=lambda o: sum(o.points.values()))
        return {"most": best.id, "least": worst.id}
    if item.format is ResponseFormat.RATE_EACH:
        return {f"rate_{o.id}": str(o.effectiveness) for o in item.options}
    if item.format is ResponseFormat.RANK:
        return {f"rank_{o.id}": str(o.rank) for o in item.options}
    return {"text": "I would listen first, say sorry for the trouble, and sort out the next step."}


def partly_translated_bank(folder: Path) -> Path:
    """A copy of the shipped bank whose standard questionnaire is offered in English only.

    Every item of the shipped bank is translated (issue #16). In this copy the items
    only the standard form uses lose their Spanish, so a Spanish page of the standard
    form mixes translated items with items shown in English, the fallback for a
    questionnaire not offered in the page's language.
    """
    root = Path(shutil.copytree(Path(__file__).resolve().parents[1] / "questions", folder))
    standard = root / "forms" / "frontline-standard.yaml"
    short = (root / "forms" / "frontline-short.yaml").read_text(encoding="utf-8")
    text = standard.read_text(encoding="utf-8")
    standard.write_text(text.replace("languages: [en, es]", "languages: [en]"), encoding="utf-8")
    for line in text.splitlines():
        item_id = line.removeprefix("  - ")
        if line.startswith("  - ") and item_id not in short:
            path = root / "items" / f"{item_id}.yaml"
            item = path.read_text(encoding="utf-8")
            path.write_text(item[: item.index("translations:")], encoding="utf-8")
    return root


_counter = 0


def _next() -> int:
    global _counter
    _counter += 1
    return _counter


def create_submission(invitation: Invitation, *, submit: bool = True, answer_with=None):
    """Consent, answer every item (keyed best unless ``answer_with`` says otherwise), submit."""
    from screening.services import journey

    submission = journey.start(db.session, invitation)
    for item in journey.sequence_for(submission).items:
        fields = (answer_with or keyed_best_form)(item)
        journey.save_answer(db.session, submission, answer_from_form(item, fields))
    if submit:
        journey.submit(db.session, submission)
    db.session.commit()
    return submission


def answer_from_form(item: Item, fields: dict[str, str]):
    """The scoring.Answer that the applicant form would build from these fields."""
    from screening import scoring

    if item.format is ResponseFormat.BEST_CHOICE:
        return scoring.Answer(item_id=item.id, choice=fields["choice"], seconds=30.0)
    if item.format is ResponseFormat.MOST_LEAST:
        return scoring.Answer(
            item_id=item.id, most=fields["most"], least=fields["least"], seconds=30.0
        )
    if item.format is ResponseFormat.RATE_EACH:
        ratings = {key.removeprefix("rate_"): int(v) for key, v in fields.items()}
        return scoring.Answer(item_id=item.id, ratings=ratings, seconds=30.0)
    if item.format is ResponseFormat.RANK:
        places = {key.removeprefix("rank_"): int(v) for key, v in fields.items()}
        return scoring.Answer(
            item_id=item.id, ranking=tuple(sorted(places, key=places.get)), seconds=30.0
        )
    return scoring.Answer(item_id=item.id, text=fields["text"], seconds=30.0)


def hidden(page: str, name: str) -> str:
    """The value of the hidden field ``name`` in a rendered page, as the browser would send it."""
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name} in the page"
    return html.unescape(match.group(1))


def page_fields(page: str) -> dict[str, str]:
    """The hidden fields an applicant's question page posts back."""
    return {name: hidden(page, name) for name in ("csrf_token", "idempotency_key", "shown_at")}


# -- scored submissions, decisions and sign-in (the HR and report tests) ----------


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


def visible_text(page: str) -> str:
    """A page's text as a reader sees it: tags gone, entities decoded, spaces collapsed.

    Tests assert on this rather than on markup, so a change of layout (a table becoming
    a list) does not fail a test whose words are still right.
    """
    without_tags = re.sub(r"<[^>]+>", " ", page)
    return " ".join(html.unescape(without_tags).split())
