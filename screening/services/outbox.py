"""The email outbox: messages are stored in the request, sent after it, retried on failure.

A web request only adds rows, in its own transaction; after the commit the task queue
(screening.queue) is handed the new message ids and a worker sends each one, so a slow
or broken mail server never slows or fails a page, and a rolled-back change sends
nothing. The table is the source of truth: the queue's relay hands over whatever is
due (a retry, or a message whose hand-over was lost), and `flask outbox send` sends it
in-process. Each row is claimed by one sender before it is sent, so several workers
never send the same message twice, and its Message-ID is fixed by the row, so a
message sent again after a worker died mid-send is recognisably the same message.

A message that cannot be built (a header Python's email package refuses) or that the
mail server refuses for good (a 5xx answer to its recipient or content) is marked
failed at once with the reason; one that fails for a passing reason (the server is
down, busy or answers 4xx) is retried with back-off. Either way the sender goes on
to the next message: one bad message never stops the queue or stays "sending".

Failed messages, and any still "sending" long after their sender must have died, are
the admins' email problems: listed with their reason, and retried or discarded by hand.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import ColumnElement, Delete, Update, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.models import EmailStatus, OutgoingEmail, User, utcnow
from screening.services import audit
from screening.single_line import one_line, unsafe_characters

MAX_ATTEMPTS = 6
#: A claim older than this is taken to be from a sender that died mid-send (workers take
#: SCREENING_JOBS_STALE_SECONDS instead, as for jobs).
STALE_CLAIM = timedelta(minutes=10)
#: session.info key: ids of messages added in the session's current transaction.
_ADDED = "screening.outbox.added"
#: Email problems listed on one page.
PROBLEMS_PAGE_SIZE = 50

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str
    timeout: float = 20.0

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> SmtpSettings | None:
        """None when no mail server is configured: nothing is sent, links are shown instead."""
        if not config.get("SMTP_HOST"):
            return None
        return cls(
            host=config["SMTP_HOST"],
            port=int(config.get("SMTP_PORT", 587)),
            username=config.get("SMTP_USERNAME"),
            password=config.get("SMTP_PASSWORD"),
            starttls=bool(int(config.get("SMTP_STARTTLS", 1))),
            sender=config.get("MAIL_FROM", "screening@localhost"),
        )


def queue(
    session: Session,
    *,
    kind: str,
    recipient: str,
    subject: str,
    body_text: str,
    body_html: str,
    dedupe_key: str | None = None,
    invitation_id: int | None = None,
    position_id: int | None = None,
) -> OutgoingEmail | None:
    """Add a message to the outbox; None if one with the same dedupe key exists already."""
    message = OutgoingEmail(
        kind=kind,
        recipient=recipient,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        dedupe_key=dedupe_key,
        invitation_id=invitation_id,
        position_id=position_id,
    )
    try:
        with session.begin_nested():
            session.add(message)
    except IntegrityError:
        return None  # a retry or a second tab asked for the same message: send it once
    session.info.setdefault(_ADDED, []).append(message.id)
    return message


def take_added(session: Session) -> list[int]:
    """The ids of messages added since the last call (call it after a commit); clears them."""
    return session.info.pop(_ADDED, [])


def forget_added(session: Session) -> None:
    """After a rollback: the messages added were never stored."""
    session.info.pop(_ADDED, None)


def _sendable(now: datetime, stale: timedelta) -> ColumnElement[bool]:
    """Pending and due, or "sending" under a claim so old that its sender must have died."""
    return (
        (OutgoingEmail.status == EmailStatus.PENDING) & (OutgoingEmail.next_attempt_at <= now)
    ) | ((OutgoingEmail.status == EmailStatus.SENDING) & (OutgoingEmail.claimed_at < now - stale))


def due(session: Session, *, now: datetime | None = None, limit: int = 200,
        stale: timedelta = STALE_CLAIM) -> list[int]:
    """Ids of the messages a sender should send now, oldest first."""
    ids = list(session.scalars(select(OutgoingEmail.id)
                               .where(_sendable(now or utcnow(), stale))
                               .order_by(OutgoingEmail.id).limit(limit)))
    session.commit()
    return ids


def _claim(session: Session, message_id: int, stale: timedelta) -> bool:
    now = utcnow()
    claimed = session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == message_id, _sendable(now, stale))
        .values(status=EmailStatus.SENDING, claimed_at=now)
    )
    session.commit()
    return claimed.rowcount == 1


def _mime(settings: SmtpSettings, message: OutgoingEmail) -> EmailMessage:
    if unsafe := unsafe_characters(message.recipient):
        # Not stripped like the subject: a changed address could reach someone else.
        raise ValueError(f"the recipient address holds {', '.join(unsafe)}")
    mime = EmailMessage()
    mime["From"] = settings.sender
    mime["To"] = message.recipient
    # Forms refuse line breaks in names and titles; a value that came another way is
    # put on one line here rather than refused (see screening.single_line).
    mime["Subject"] = one_line(message.subject)
    mime["Message-ID"] = message_id_header(settings, message)
    mime.set_content(message.body_text)
    mime.add_alternative(message.body_html, subtype="html")
    return mime


def message_id_header(settings: SmtpSettings, message: OutgoingEmail) -> str:
    """The same on every attempt (the row's id and creation time), so a receiver can tell
    a repeat from a new message; no personal data in it."""
    domain = settings.sender.rpartition("@")[2] or "localhost"
    return f"<outbox-{message.id}.{message.created_at:%Y%m%d%H%M%S%f}@{domain}>"


def _deliver(settings: SmtpSettings, mime: EmailMessage) -> None:
    with smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout) as smtp:
        if settings.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if settings.username:
            smtp.login(settings.username, settings.password or "")
        smtp.send_message(mime)


class _Undeliverable(Exception):
    """This message can never be sent as it is: fail it now instead of retrying."""


def _refused_for_good(error: Exception) -> bool:
    """A 5xx answer about this message (its recipients or its content), or a message
    the server cannot take at all (an address needing SMTPUTF8 it lacks)."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPDataError):
        return error.smtp_code >= 500
    return isinstance(error, smtplib.SMTPNotSupportedError)


def _build(settings: SmtpSettings, message: OutgoingEmail) -> EmailMessage:
    """Raises _Undeliverable for a message that can never be built as it is."""
    try:
        return _mime(settings, message)
    except Exception as error:
        raise _Undeliverable(f"Could not be built: {type(error).__name__}: {error}") from error


def _send(settings: SmtpSettings, mime: EmailMessage, message_id: int) -> None:
    """Raises _Undeliverable for a message that will never go, OSError or SMTPException
    for a failure that may pass."""
    try:
        _deliver(settings, mime)
    except (OSError, smtplib.SMTPException) as error:
        if _refused_for_good(error):
            raise _Undeliverable(f"Refused: {type(error).__name__}: {error}") from error
        raise
    except Exception as error:  # e.g. an address smtplib cannot encode
        logger.exception("email %s could not be sent", message_id)
        raise _Undeliverable(f"Could not be sent: {type(error).__name__}: {error}") from error


@dataclass(frozen=True)
class Attempt:
    """What one send of one message did."""

    message_id: int
    kind: str
    sent: bool
    #: when it will be tried again; None once sent or failed for good
    retry_at: datetime | None = None
    reason: str = ""

    @property
    def failed_for_good(self) -> bool:
        return not self.sent and self.retry_at is None


@dataclass
class SendReport:
    sent: int = 0
    #: failed this time, to be tried again later
    retrying: int = 0
    #: (message id, kind, reason) of messages that failed for good
    failed_for_good: list[tuple[int, str, str]] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return self.retrying + len(self.failed_for_good)

    def add(self, attempt: Attempt) -> None:
        if attempt.sent:
            self.sent += 1
        elif attempt.failed_for_good:
            self.failed_for_good.append((attempt.message_id, attempt.kind, attempt.reason))
        else:
            self.retrying += 1


def send_one(session: Session, settings: SmtpSettings, message_id: int,
             stale: timedelta = STALE_CLAIM) -> Attempt | None:
    """Claim and send one message, recording the outcome; None if it is not due (sent,
    discarded, or claimed by another sender). Failures that may pass are retried later:
    1, 2, 4, 8, 16 minutes, then the message is failed for good."""
    if not _claim(session, message_id, stale):
        return None
    message = session.get(OutgoingEmail, message_id, populate_existing=True)
    if message is None:  # discarded between the claim and now
        return None
    failure: Exception | None = None
    try:
        mime = _build(settings, message)
    except _Undeliverable as error:
        failure = error
    else:
        # End the transaction first: no lock is held while the mail server takes its time.
        session.commit()
        try:
            _send(settings, mime, message_id)
        except (_Undeliverable, OSError, smtplib.SMTPException) as error:
            failure = error
    message = session.get(OutgoingEmail, message_id)
    if message is None:  # discarded by an admin as stuck while it was being sent
        return None
    message.attempts += 1
    attempt = Attempt(message.id, message.kind, sent=True)
    if isinstance(failure, _Undeliverable):
        message.status = EmailStatus.FAILED
        message.last_error = str(failure)[:500]
        attempt = Attempt(message.id, message.kind, sent=False, reason=message.last_error)
    elif failure is not None:
        message.last_error = f"{type(failure).__name__}: {failure}"[:500]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = EmailStatus.FAILED
            attempt = Attempt(message.id, message.kind, sent=False, reason=message.last_error)
        else:
            message.status = EmailStatus.PENDING
            message.claimed_at = None
            # 1, 2, 4, 8, 16 minutes: a mail server that is down for a while is ridden out.
            message.next_attempt_at = utcnow() + timedelta(minutes=2 ** (message.attempts - 1))
            attempt = Attempt(message.id, message.kind, sent=False,
                              retry_at=message.next_attempt_at, reason=message.last_error)
    else:
        message.status = EmailStatus.SENT
        message.sent_at = utcnow()
        message.last_error = ""
    session.commit()
    return attempt


def send_pending(session: Session, settings: SmtpSettings, limit: int = 200,
                 stale: timedelta = STALE_CLAIM) -> SendReport:
    """Send what is due, in this process. Failures are recorded; those that may pass are
    retried later."""
    report = SendReport()
    for message_id in due(session, limit=limit, stale=stale):
        attempt = send_one(session, settings, message_id, stale)
        if attempt is not None:
            report.add(attempt)
    return report


# -- email problems: what admins see and act on -------------------------------------------


class OutboxError(Exception):
    """A retry or discard that cannot be done; the message is shown as is."""


def _is_problem(now: datetime) -> ColumnElement[bool]:
    """Failed for good, or claimed by a sender so long ago that it must have died."""
    return (OutgoingEmail.status == EmailStatus.FAILED) | (
        (OutgoingEmail.status == EmailStatus.SENDING)
        & (OutgoingEmail.claimed_at < now - STALE_CLAIM)
    )


@dataclass(frozen=True)
class EmailProblems:
    """One page of problems, newest first, and how many there are in all."""

    messages: list[OutgoingEmail]
    total: int
    #: the id to pass as ``before_id`` for the next (older) page; None on the last one
    next_before: int | None


def problems(
    session: Session, *, before_id: int | None = None, size: int = PROBLEMS_PAGE_SIZE,
    now: datetime | None = None,
) -> EmailProblems:
    """The messages that will not go without an admin, newest first."""
    now = now or utcnow()
    statement = select(OutgoingEmail).where(_is_problem(now))
    if before_id is not None:
        statement = statement.where(OutgoingEmail.id < before_id)
    found = list(session.scalars(statement.order_by(OutgoingEmail.id.desc()).limit(size + 1)))
    more = len(found) > size
    found = found[:size]
    return EmailProblems(found, problem_count(session, now),
                         found[-1].id if more and found else None)


def problem_count(session: Session, now: datetime | None = None) -> int:
    return session.scalar(
        select(func.count(OutgoingEmail.id)).where(_is_problem(now or utcnow()))) or 0


def _no_longer_a_problem(session: Session, message_id: int) -> OutboxError:
    status = session.scalar(select(OutgoingEmail.status).where(OutgoingEmail.id == message_id))
    now_is = "discarded" if status is None else status.value
    return OutboxError(f"Message {message_id} is no longer failed or stuck (it is {now_is} "
                       "now), so it was left as it is.")


def retry(session: Session, message: OutgoingEmail, actor: User | None,
          now: datetime | None = None) -> None:
    """Queue a failed or stuck message again, due at once, with a fresh set of attempts.

    Raises OutboxError if it is no longer a problem (sent, retried or taken up by a
    sender since the admin looked): the update is conditional, so it never overrides
    a sender that claimed the message at the same moment.
    """
    now = now or utcnow()
    _act_on_problem(session, message, actor, "email.retried", now,
                    update(OutgoingEmail).values(
                        status=EmailStatus.PENDING, attempts=0, last_error="",
                        claimed_at=None, next_attempt_at=now))
    session.info.setdefault(_ADDED, []).append(message.id)  # handed over after the commit


def discard(session: Session, message: OutgoingEmail, actor: User | None,
            now: datetime | None = None) -> None:
    """Delete a failed or stuck message: it will not be sent, and its copy of the
    applicant's or manager's details goes with it. Raises OutboxError if it is no
    longer a problem."""
    _act_on_problem(session, message, actor, "email.discarded", now or utcnow(),
                    delete(OutgoingEmail))


def _act_on_problem(session: Session, message: OutgoingEmail, actor: User | None,
                    action: str, now: datetime, statement: Update | Delete) -> None:
    """Run ``statement`` on the message only while it is still a problem, and audit it."""
    message_id = message.id
    # Kind and counts only: the recipient and the reason can name an applicant, and
    # the audit log outlives an erasure.
    previous = {"kind": message.kind, "status": message.status.value,
                "attempts": message.attempts}
    changed = session.execute(
        statement.where(OutgoingEmail.id == message_id, _is_problem(now))
        .execution_options(synchronize_session="fetch")
    )
    if changed.rowcount != 1:
        raise _no_longer_a_problem(session, message_id)
    audit.record(session, actor, action, message, **previous)
