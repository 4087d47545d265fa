"""Demo data for a first look: one position, one manager, one invited applicant."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.models import Invitation, Position, Role
from screening.services import accounts, positions
from screening.services.questionnaires import latest_version

DEMO_MANAGER_EMAIL = "manager@example.com"
DEMO_POSITION_TITLE = "Front desk associate (demo)"
DEMO_QUESTIONNAIRE = "frontline-standard"


@dataclass(frozen=True)
class DemoAccess:
    manager_email: str
    manager_password: str
    invitation_token: str
    open_token: str


def ensure_demo_data(session: Session, instance_path: Path, valid_days: int) -> DemoAccess:
    """Create the demo records once; later calls return the same access without changes."""
    password = _demo_password(instance_path)
    manager = accounts.find_user_by_email(session, DEMO_MANAGER_EMAIL)
    if manager is None:
        manager = accounts.create_user(
            session,
            email=DEMO_MANAGER_EMAIL,
            name="Demo Manager",
            role=Role.MANAGER,
            password=password,
        )
    position = demo_position(session)
    if position is None:
        version = latest_version(session, DEMO_QUESTIONNAIRE)
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
        invitation = positions.invite(
            session,
            position,
            name="Alex Demo",
            email="alex@example.com",
            valid_days=valid_days,
            created_by=manager,
        )
    assert position.open_token is not None
    return DemoAccess(DEMO_MANAGER_EMAIL, password, invitation.token, position.open_token)


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
