"""Positions: created and changed by admins and HR, always looked up within the user's rights."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session

from screening.models import (
    Applicant,
    Invitation,
    Position,
    QuestionnaireVersion,
    Role,
    Submission,
    User,
    position_managers,
)
from screening.services import audit, questionnaires
from screening.services.invitations import new_token


def visible_positions(user: User) -> Select[tuple[Position]]:
    """Positions the user may see: all for hr and admin, their own for managers."""
    query = select(Position).order_by(Position.title, Position.id)
    if not user.sees_all_positions:
        query = query.join(position_managers).where(position_managers.c.user_id == user.id)
    return query


def position_for(session: Session, user: User, position_id: int) -> Position | None:
    return session.scalar(visible_positions(user).where(Position.id == position_id))


def submission_for(session: Session, user: User, submission_id: int) -> Submission | None:
    """A submission the user may see; None (a 404 for the view) for anyone else's."""
    query = (
        select(Submission)
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .join(Applicant.position)
        .where(Submission.id == submission_id)
    )
    if not user.sees_all_positions:
        query = query.join(position_managers).where(position_managers.c.user_id == user.id)
    return session.scalar(query)


def create_position(
    session: Session,
    *,
    title: str,
    location: str,
    version: QuestionnaireVersion,
    managers: list[User],
    open_link: bool = True,
) -> Position:
    position = Position(
        title=title,
        location=location,
        questionnaire_version=version,
        managers=list(managers),
        open_token=new_token() if open_link else None,
    )
    session.add(position)
    session.flush()
    return position








def position_by_open_token(session: Session, token: str) -> Position | None:
    if not token or len(token) > 64:
        return None
    return session.scalar(
        select(Position).where(Position.open_token == token, Position.archived.is_(False))
    )


def submissions_of(position: Position) -> Select[tuple[Submission]]:
    return (
        select(Submission)
        .join(Submission.invitation)
        .join(Invitation.applicant)
        .where(Applicant.position_id == position.id)
        .order_by(Submission.submitted_at.desc().nulls_last(), Submission.id.desc())
    )


def set_feedback(session: Session, user: User, position: Position, enabled: bool) -> None:
    """Whether the position's applicants see their feedback once a decision is recorded."""
    position.feedback_enabled = enabled
    audit.record(session, user, "position.feedback_switched", position, enabled=enabled)


class PositionError(ValueError):
    """The position cannot be created or changed so; the message says why."""


@dataclass(frozen=True)
class PositionSettings:
    """What an admin or HR sets on a position's form."""

    title: str
    location: str
    questionnaire_key: str
    manager_ids: frozenset[int]
    open_link: bool


def assignable_managers(session: Session) -> list[User]:
    """Active managers, by name: who can be put in charge of a position."""
    return list(session.scalars(
        select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.name)
    ))


def _managers(session: Session, ids: frozenset[int]) -> list[User]:
    if not ids:
        return []
    return list(session.scalars(select(User).where(User.id.in_(ids), User.role == Role.MANAGER)))


def _version(session: Session, questionnaire_key: str) -> QuestionnaireVersion:
    version = questionnaires.current_version(session, questionnaire_key)
    if version is None:
        raise PositionError(f"There is no questionnaire {questionnaire_key!r} in the bank.")
    return version


def new_position(session: Session, actor: User, settings: PositionSettings) -> Position:
    """A position with the bank's current version of the chosen questionnaire; audited."""
    position = create_position(
        session,
        title=settings.title,
        location=settings.location,
        version=_version(session, settings.questionnaire_key),
        managers=_managers(session, settings.manager_ids),
        open_link=settings.open_link,
    )
    audit.record(session, actor, "position.created", position)
    return position


def has_started_applicants(session: Session, position: Position) -> bool:
    return bool(session.scalar(select(exists(
        select(Submission.id).join(Submission.invitation).join(Invitation.applicant)
        .where(Applicant.position_id == position.id)
    ))))


def update_position(
    session: Session, actor: User, position: Position, settings: PositionSettings
) -> None:
    """Change a position's settings; audited.

    The questionnaire cannot change once an applicant has started: their answers
    and everyone's percentiles belong to the version they took. Reopening the open
    link gives it a new address, so an old, shared address stays closed.
    """
    if settings.questionnaire_key != position.questionnaire_version.questionnaire_key:
        if has_started_applicants(session, position):
            raise PositionError("The questionnaire cannot change once applicants have started; "
                                "create a new position instead.")
        position.questionnaire_version = _version(session, settings.questionnaire_key)
    position.title = settings.title
    position.location = settings.location
    position.managers = _managers(session, settings.manager_ids)
    if settings.open_link and position.open_token is None:
        position.open_token = new_token()
    elif not settings.open_link:
        position.open_token = None
    audit.record(session, actor, "position.changed", position)
