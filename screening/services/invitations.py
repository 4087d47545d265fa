"""Invitations: the applicant's link created by a manager, by bulk import or by the
position's open link; then its life cycle (status, extend, revoke, re-issue)."""

from __future__ import annotations

import csv
import enum
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session, object_session

from screening.models import (
    Applicant,
    Invitation,
    Position,
    SubmissionStatus,
    User,
    utcnow,
)
from screening.services import webhooks
from screening.single_line import one_line_refusal, unsafe_characters

MAX_BULK_ROWS = 1000


class InvitationStatus(enum.StrEnum):
    INVITED = "invited"
    STARTED = "started"
    SUBMITTED = "submitted"
    EXPIRED = "expired"
    REVOKED = "revoked"


def status_of(invitation: Invitation, now: datetime | None = None) -> InvitationStatus:
    submission = invitation.submission
    if submission is not None and submission.status == SubmissionStatus.SUBMITTED:
        return InvitationStatus.SUBMITTED
    if invitation.revoked_at is not None:
        return InvitationStatus.REVOKED
    if invitation.expires_at <= (now or utcnow()):
        return InvitationStatus.EXPIRED
    if submission is not None:
        return InvitationStatus.STARTED
    return InvitationStatus.INVITED


class InvitationError(ValueError):
    """The change cannot be made; the message says why."""


def extend(invitation: Invitation, days: int) -> None:
    if status_of(invitation) in (InvitationStatus.SUBMITTED, InvitationStatus.REVOKED):
        raise InvitationError("Only open or expired invitations can be extended.")
    start = max(invitation.expires_at, utcnow())
    invitation.expires_at = start + timedelta(days=days)


def revoke(invitation: Invitation) -> None:
    if status_of(invitation) is InvitationStatus.SUBMITTED:
        raise InvitationError("A submitted invitation cannot be revoked.")
    invitation.revoked_at = invitation.revoked_at or utcnow()


def reissue(invitation: Invitation, days: int) -> None:
    """A fresh token (the old link stops working) and a fresh expiry; answers so far are kept."""
    if status_of(invitation) is InvitationStatus.SUBMITTED:
        raise InvitationError("A submitted invitation cannot be re-issued.")
    invitation.token = new_token()
    invitation.revoked_at = None
    invitation.expires_at = utcnow() + timedelta(days=days)
    session = object_session(invitation)
    if session is not None:
        announce(session, invitation, reissued=True)


def announce(session: Session, invitation: Invitation, *, reissued: bool) -> None:
    """Tell the position's webhook endpoints that a link went out."""
    webhooks.emit(session, invitation.applicant.position_id, webhooks.EventType.INVITATION_SENT,
                  webhooks.invitation_data(invitation, reissued=reissued))


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    email: str


@dataclass(frozen=True)
class RejectedRow:
    line: int
    content: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    accepted: tuple[ImportRow, ...]
    rejected: tuple[RejectedRow, ...]


def parse_invitation_csv(text: str, existing_emails: set[str]) -> ImportPlan:
    """Read a CSV with name and email columns; every rejected row says why.

    A header row naming "name" and "email" is optional; without it the first two
    columns are taken as name and email.
    """
    # newline="": the csv module reads CR, LF and CRLF line ends itself, as its docs ask.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = [
            (number, row)
            for number, row in enumerate(reader, start=1)
            if any(c.strip() for c in row)
        ]
    except csv.Error as error:  # e.g. a cell over the csv module's 128 KB field limit
        return ImportPlan((), (RejectedRow(0, "", f"The file is not a readable CSV: {error}."),))
    if not rows:
        return ImportPlan((), (RejectedRow(0, "", "The file has no rows."),))
    name_column, email_column = 0, 1
    header = [cell.strip().lower() for cell in rows[0][1]]
    if "email" in header and "name" in header:
        name_column, email_column = header.index("name"), header.index("email")
        rows = rows[1:]
    accepted: list[ImportRow] = []
    rejected: list[RejectedRow] = []
    seen = {email.lower() for email in existing_emails}
    for number, row in rows:
        content = ",".join(row)[:200]
        if len(accepted) + len(rejected) >= MAX_BULK_ROWS:
            rejected.append(
                RejectedRow(number, content, f"Only {MAX_BULK_ROWS} rows are read at once.")
            )
            continue
        if len(row) <= max(name_column, email_column):
            rejected.append(RejectedRow(number, content, "Expected a name and an email address."))
            continue
        name, email = row[name_column].strip(), row[email_column].strip()
        if not name:
            rejected.append(RejectedRow(number, content, "The name is empty."))
            continue
        if len(name) > 200:
            rejected.append(RejectedRow(number, content, "The name is longer than 200 characters."))
            continue
        if unsafe := unsafe_characters(name):
            rejected.append(RejectedRow(number, content, one_line_refusal("name", unsafe)))
            continue
        try:
            email = validate_email(email, check_deliverability=False).normalized.lower()
        except EmailNotValidError as error:
            rejected.append(RejectedRow(number, content, f"Not a valid email address: {error}"))
            continue
        if email in seen:
            rejected.append(
                RejectedRow(number, content, "This email is already invited to this position.")
            )
            continue
        seen.add(email)
        accepted.append(ImportRow(number, name, email))
    return ImportPlan(tuple(accepted), tuple(rejected))


def import_invitations(
    session: Session, position: Position, plan: ImportPlan, *, valid_days: int, created_by: User
) -> list[Invitation]:
    return [
        invite(
            session,
            position,
            name=row.name,
            email=row.email,
            valid_days=valid_days,
            created_by=created_by,
        )
        for row in plan.accepted
    ]


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
    if via_open_link:
        # Unique per position: one open-link attempt per email (services.attempts).
        applicant.open_link_email = applicant.search_email
    invitation = Invitation(
        applicant=applicant,
        token=new_token(),
        expires_at=utcnow() + timedelta(days=valid_days),
        created_by_id=created_by.id if created_by is not None else None,
        via_open_link=via_open_link,
    )
    session.add_all([applicant, invitation])
    session.flush()
    announce(session, invitation, reissued=False)
    return invitation


#: 32 bytes from the OS CSPRNG: 256 bits, far beyond guessing.
TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)
