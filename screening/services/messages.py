"""Which emails go out, to whom, and with what words (templates/emails/)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.adjustments import Need
from screening.models import (
    Applicant,
    ApplicantRequest,
    Invitation,
    OutgoingEmail,
    Position,
    Role,
    Submission,
    SubmissionStatus,
    User,
    utcnow,
)
from screening.services import outbox
from screening.services.invitations import status_of

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


def _queue(
    session: Session,
    kind: str,
    recipient: str,
    subject: object,
    context: Mapping[str, object],
    *,
    dedupe_key: str,
    language: str = "en",
    invitation_id: int | None = None,
    position_id: int | None = None,
) -> OutgoingEmail | None:
    """Render emails/<kind>.txt and .html in ``language`` and queue the message once.

    ``subject`` may be a lazy string: it is translated here, in the message's language.
    """
    with force_locale(language or "en"):
        body_text = render_template(f"emails/{kind}.txt", **context)
        body_html = render_template(f"emails/{kind}.html", **context)
        subject = str(subject)
    return outbox.queue(
        session,
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        dedupe_key=dedupe_key,
        invitation_id=invitation_id,
        position_id=position_id,
    )


def queue_invitation(session: Session, invitation: Invitation) -> bool:
    """In English: the applicant chooses their language on the page the link opens."""
    applicant = invitation.applicant
    if not applicant.email or not mail_enabled():
        return False
    context = {
        "applicant": applicant,
        "position": applicant.position,
        "link": _absolute("apply.welcome", token=invitation.token),
        "expires_at": invitation.expires_at,
    }
    subject = _l("Your application for %(title)s: a short questionnaire",
                 title=applicant.position.title)
    queued = _queue(
        session, "invitation", applicant.email, subject, context,
        # A re-issued link gets a new message; the same token never twice.
        dedupe_key=f"invitation:{invitation.id}:{invitation.token[:16]}",
        invitation_id=invitation.id, position_id=applicant.position_id,
    )
    return queued is not None


def queue_known_email(session: Session, invitation: Invitation, language: str) -> bool:
    """The open link was given an email already used on the position: tell that address.

    Its own link if the attempt is still open, or that it was already submitted; never on
    screen, where anyone who knows the address could read it. One message an hour at most.
    """
    applicant = invitation.applicant
    if not applicant.email or not mail_enabled():
        return False
    context = {
        "applicant": applicant,
        "position": applicant.position,
        "status": status_of(invitation).value,
        "submitted_at": invitation.submission.submitted_at if invitation.submission else None,
        "link": _absolute("apply.welcome", token=invitation.token),
        "expires_at": invitation.expires_at,
    }
    subject = _l("Your application for %(title)s", title=applicant.position.title)
    queued = _queue(
        session, "known_email", applicant.email, subject, context,
        dedupe_key=f"known-email:{invitation.id}:{utcnow():%Y%m%d%H}", language=language,
        invitation_id=invitation.id, position_id=applicant.position_id,
    )
    return queued is not None


def queue_receipt_and_notices(session: Session, submission: Submission) -> None:
    """After a submission: a receipt for the applicant (in their language), a notice per manager."""
    if not mail_enabled():
        return
    applicant = submission.invitation.applicant
    position = applicant.position
    if applicant.email:
        decide_by = (submission.submitted_at or utcnow()) + timedelta(days=DECISION_WITHIN_DAYS)
        _queue(
            session, "receipt", applicant.email,
            _l("We have your answers for %(title)s", title=position.title),
            {"applicant": applicant, "position": position, "decide_by": decide_by,
             "requests_link": _absolute("apply.requests", token=submission.invitation.token)},
            dedupe_key=f"receipt:{submission.id}", language=submission.language,
            invitation_id=submission.invitation_id, position_id=position.id,
        )
    link = _absolute("manage.submission", submission_id=submission.id)
    for manager in position.managers:
        if not manager.active or manager.notify_mode != "each":
            continue
        _queue(
            session, "submission_notice", manager.email,
            f"New screening result: {applicant.name} for {position.title}",
            {"manager": manager, "applicant": applicant, "position": position, "link": link},
            dedupe_key=f"notice:{submission.id}:{manager.id}", position_id=position.id,
        )


def queue_adjustment_request(
    session: Session, invitation: Invitation, needs: Sequence[Need], staff: Sequence[User]
) -> None:
    """Tell the position's managers and HR that an applicant asked for an adjustment.

    Only what was asked for, not the applicant's own words: the link leads to them.
    """
    if not mail_enabled():
        return
    applicant = invitation.applicant
    position = applicant.position
    link = _absolute("manage.invitations_page", position_id=position.id)
    requested = invitation.adjustment_requested_at or utcnow()
    for user in staff:
        _queue(
            session, "adjustment_request", user.email,
            f"Adjustment requested: {applicant.name} for {position.title}",
            {"user": user, "applicant": applicant, "position": position, "needs": needs,
             "has_details": bool(invitation.adjustment_details), "link": link},
            # At most one a clock hour per person and invitation, however often the applicant
            # sends the form; the page always shows the latest request.
            dedupe_key=f"adjustment:{invitation.id}:{user.id}:{requested:%Y%m%dT%H}",
            position_id=position.id,
        )


def queue_lockout_notice(session: Session, user: User) -> None:
    """Tell the owner their account was locked: the sign-in page says nothing of it."""
    if not mail_enabled() or user.locked_until is None:
        return
    _queue(
        session, "lockout", user.email, "Your screening account is locked for a while",
        {"user": user, "locked_until": user.locked_until,
         "login_link": _absolute("auth.login")},
        dedupe_key=f"lockout:{user.id}:{user.locked_until:%Y%m%dT%H%M%S}",
    )


def queue_request_notices(session: Session, request: ApplicantRequest) -> None:
    """Tell every active HR user that an applicant asked for a review or an explanation.

    The applicant's message stays on HR's page: the email only says where to read it.
    """
    if not mail_enabled():
        return
    applicant = request.submission.invitation.applicant
    position = applicant.position
    link = _absolute("hr.applicant_request", request_id=request.id)
    staff = session.scalars(
        select(User).where(User.role == Role.HR, User.active.is_(True)).order_by(User.id)
    )
    for user in staff:
        _queue(
            session, "request_notice", user.email,
            f"Applicant request to answer by {request.due_at:%d %b %Y}: {position.title}",
            {"user": user, "applicant": applicant, "position": position, "request": request,
             "link": link},
            dedupe_key=f"request:{request.id}:{user.id}", position_id=position.id,
        )


def queue_request_answer(session: Session, request: ApplicantRequest) -> None:
    """HR's answer to the applicant, in the language they took the screen in."""
    submission = request.submission
    applicant = submission.invitation.applicant
    if not applicant.email or not mail_enabled():
        return
    _queue(
        session, "request_answer", applicant.email,
        _l("An answer to your request about %(title)s", title=applicant.position.title),
        {"applicant": applicant, "position": applicant.position, "request": request,
         "link": _absolute("apply.requests", token=submission.invitation.token)},
        dedupe_key=f"request-answer:{request.id}", language=submission.language,
        invitation_id=submission.invitation_id, position_id=applicant.position_id,
    )


def queue_reminders(session: Session, now: datetime | None = None) -> int:
    """One reminder per open invitation that expires within REMINDER_BEFORE_EXPIRY.

    In the language the applicant chose if they have started, else in English.
    """
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
        started = invitation.submission
        _queue(
            session, "reminder", applicant.email,
            _l("Reminder: your questionnaire for %(title)s", title=applicant.position.title),
            {
                "applicant": applicant,
                "position": applicant.position,
                "link": _absolute("apply.welcome", token=invitation.token),
                "expires_at": invitation.expires_at,
            },
            dedupe_key=f"reminder:{invitation.id}",
            language=started.language if started is not None else "en",
            invitation_id=invitation.id, position_id=applicant.position_id,
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
        if _queue(
            session, "digest", manager.email, f"{len(rows)} new screening result(s)",
            {"manager": manager, "rows": rows}, dedupe_key=f"digest:{manager.id}:{now:%Y-%m-%d}",
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
