"""Which emails go out, to whom, and with what words (templates/emails/)."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, has_request_context, render_template, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.models import (
    Applicant,
    Invitation,
    OutgoingEmail,
    Position,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from screening.services import outbox

REMINDER_BEFORE_EXPIRY = timedelta(hours=48)
#: What applicants are told about the time to a decision, in the receipt.
DECISION_WITHIN_DAYS = 10


def _absolute(endpoint: str, **values: object) -> str:
    """A link on BASE_URL; also from the CLI worker, where no request is being served."""
    base = current_app.config["BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return base + url_for(endpoint, **values)


def mail_enabled() -> bool:
    """No mail server configured: nothing is queued, and the pages show links to copy."""
    return outbox.SmtpSettings.from_config(current_app.config) is not None


def _render(kind: str, **context: object) -> tuple[str, str]:
    return (
        render_template(f"emails/{kind}.txt", **context),
        render_template(f"emails/{kind}.html", **context),
    )


def queue_invitation(session: Session, invitation: Invitation) -> bool:
    applicant = invitation.applicant
    if not applicant.email or not mail_enabled():
        return False
    link = _absolute("apply.welcome", token=invitation.token)
    text, html = _render(
        "invitation",
        applicant=applicant,
        position=applicant.position,
        link=link,
        expires_at=invitation.expires_at,
    )
    return (
        outbox.queue(
            session,
            kind="invitation",
            recipient=applicant.email,
            subject=f"Your application for {applicant.position.title}: a short questionnaire",
            body_text=text,
            body_html=html,
            # A re-issued link gets a new message; the same token never twice.
            dedupe_key=f"invitation:{invitation.id}:{invitation.token[:16]}",
            invitation_id=invitation.id,
            position_id=applicant.position_id,
        )
        is not None
    )


def queue_receipt_and_notices(session: Session, submission: Submission) -> None:
    """After a submission: a receipt for the applicant and a notice for each manager."""
    if not mail_enabled():
        return
    applicant = submission.invitation.applicant
    position = applicant.position
    if applicant.email:
        decide_by = (submission.submitted_at or utcnow()) + timedelta(days=DECISION_WITHIN_DAYS)
        text, html = _render("receipt", applicant=applicant, position=position, decide_by=decide_by)
        outbox.queue(
            session,
            kind="receipt",
            recipient=applicant.email,
            subject=f"We have your answers for {position.title}",
            body_text=text,
            body_html=html,
            dedupe_key=f"receipt:{submission.id}",
            invitation_id=submission.invitation_id,
            position_id=position.id,
        )
    link = _absolute("manage.submission", submission_id=submission.id)
    for manager in position.managers:
        if not manager.active or manager.notify_mode != "each":
            continue
        text, html = _render(
            "submission_notice", manager=manager, applicant=applicant, position=position, link=link
        )
        outbox.queue(
            session,
            kind="submission_notice",
            recipient=manager.email,
            subject=f"New screening result: {applicant.name} for {position.title}",
            body_text=text,
            body_html=html,
            dedupe_key=f"notice:{submission.id}:{manager.id}",
            position_id=position.id,
        )


def queue_reminders(session: Session, now: datetime | None = None) -> int:
    """One reminder per open invitation that expires within REMINDER_BEFORE_EXPIRY."""
    if not mail_enabled():
        return 0
    now = now or utcnow()
    due = session.scalars(
        select(Invitation)
        .join(Invitation.applicant)
        .outerjoin(Invitation.submission)
        .where(
            Invitation.revoked_at.is_(None),
            Invitation.reminder_sent_at.is_(None),
            Invitation.expires_at > now,
            Invitation.expires_at <= now + REMINDER_BEFORE_EXPIRY,
            Applicant.email != "",
            (Submission.id.is_(None)) | (Submission.status != SubmissionStatus.SUBMITTED),
        )
    ).all()
    for invitation in due:
        applicant = invitation.applicant
        text, html = _render(
            "reminder",
            applicant=applicant,
            position=applicant.position,
            link=_absolute("apply.welcome", token=invitation.token),
            expires_at=invitation.expires_at,
        )
        outbox.queue(
            session,
            kind="reminder",
            recipient=applicant.email,
            subject=f"Reminder: your questionnaire for {applicant.position.title}",
            body_text=text,
            body_html=html,
            dedupe_key=f"reminder:{invitation.id}",
            invitation_id=invitation.id,
            position_id=applicant.position_id,
        )
        invitation.reminder_sent_at = now
    return len(due)


def queue_digests(session: Session, now: datetime | None = None) -> int:
    """A daily digest for managers who asked for one: yesterday's new results per position."""
    if not mail_enabled():
        return 0
    now = now or utcnow()
    since = now - timedelta(days=1)
    count = 0
    managers = session.scalars(
        select(User).where(User.notify_mode == "daily", User.active.is_(True))
    ).all()
    for manager in managers:
        rows = []
        for position in manager.positions:
            submissions = session.scalars(
                select(Submission)
                .join(Submission.invitation)
                .join(Invitation.applicant)
                .where(
                    Applicant.position_id == position.id,
                    Submission.status == SubmissionStatus.SUBMITTED,
                    Submission.submitted_at > since,
                    Submission.submitted_at <= now,
                )
            ).all()
            rows += [
                (
                    position,
                    s.invitation.applicant,
                    _absolute("manage.submission", submission_id=s.id),
                )
                for s in submissions
            ]
        if not rows:
            continue
        text, html = _render("digest", manager=manager, rows=rows)
        if outbox.queue(
            session,
            kind="digest",
            recipient=manager.email,
            subject=f"{len(rows)} new screening result(s)",
            body_text=text,
            body_html=html,
            dedupe_key=f"digest:{manager.id}:{now:%Y-%m-%d}",
        ):
            count += 1
    return count


def latest_email_by_invitation(session: Session, position: Position) -> dict[int, OutgoingEmail]:
    """The newest message per invitation of this position, so managers see failed sends."""
    latest: dict[int, OutgoingEmail] = {}
    for message in session.scalars(
        select(OutgoingEmail)
        .where(OutgoingEmail.position_id == position.id, OutgoingEmail.invitation_id.is_not(None))
        .order_by(OutgoingEmail.id)
    ):
        assert message.invitation_id is not None
        latest[message.invitation_id] = message
    return latest
