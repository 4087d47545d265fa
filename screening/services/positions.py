"""Positions, invitations and applicants, always looked up within the user's rights."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from screening.models import (
    Applicant,
    Invitation,
    OpenLinkPost,
    Position,
    QuestionnaireVersion,
    Submission,
    User,
    position_managers,
    utcnow,
)
from screening.services.idempotency import claim_key
from screening.services.ids import MAX_ID

#: 32 bytes from the OS CSPRNG: 256 bits, far beyond guessing.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def visible_positions(user: User) -> Select[tuple[Position]]:
    """Positions the user may see: all for hr and admin, their own for managers."""
    query = select(Position).order_by(Position.title, Position.id)
    if not user.sees_all_positions:
        query = query.join(position_managers).where(position_managers.c.user_id == user.id)
    return query


def position_for(session: Session, user: User, position_id: int) -> Position | None:
    if not 0 < position_id <= MAX_ID:
        return None
    return session.scalar(visible_positions(user).where(Position.id == position_id))


def submission_for(session: Session, user: User, submission_id: int) -> Submission | None:
    """A submission the user may see; None (a 404 for the view) for anyone else's."""
    if not 0 < submission_id <= MAX_ID:
        return None
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


def invite(
    session: Session,
    position: Position,
    *,
    name: str,
    email: str,
    valid_days: int,
    created_by: User | None = None,
    via_open_link: bool = False,
) -> Invitation:
    applicant = Applicant(position=position, name=name.strip(), email=email.strip().lower())
    invitation = Invitation(
        applicant=applicant,
        token=new_token(),
        expires_at=utcnow() + timedelta(days=valid_days),
        created_by_id=created_by.id if created_by is not None else None,
        via_open_link=via_open_link,
    )
    session.add_all([applicant, invitation])
    session.flush()
    return invitation


def join_once(
    session: Session, position: Position, *, name: str, email: str, valid_days: int,
    key: str | None,
) -> Invitation:
    """An open-link sign-up; a repeat of the same form post returns the first one's link.

    ``key`` is the random key rendered into the sign-up form, so a double click, a
    resent form or a network retry creates one applicant, not two.
    """
    if key is not None:
        earlier = invitation_for_open_link_post(session, position, key)
        if earlier is not None:
            return earlier
    invitation = invite(session, position, name=name, email=email, valid_days=valid_days,
                        via_open_link=True)
    if key is None or claim_key(session, OpenLinkPost.__table__, key=key,
                                invitation_id=invitation.id, created_at=utcnow()):
        return invitation
    # The same post, sent at the same moment, committed first: keep its applicant only.
    session.rollback()
    earlier = invitation_for_open_link_post(session, position, key)
    assert earlier is not None, "a claimed key names its invitation"
    return earlier


def invitation_for_open_link_post(
    session: Session, position: Position, key: str
) -> Invitation | None:
    return session.scalar(
        select(Invitation)
        .join(OpenLinkPost, OpenLinkPost.invitation_id == Invitation.id)
        .join(Invitation.applicant)
        .where(OpenLinkPost.key == key, Applicant.position_id == position.id)
    )


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
