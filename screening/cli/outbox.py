"""`flask --app screening.app outbox send`: queued email, reminders and digests, sent in
this process (the workers of `flask jobs worker` do the same in the background)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from screening.extensions import db
from screening.services import (
    messages,
    outbox,
)

outbox_group = AppGroup("outbox", help="Send queued email: invitations, reminders, receipts.")


def _smtp_or_exit() -> outbox.SmtpSettings:
    settings = outbox.SmtpSettings.from_config(current_app.config)
    if settings is None:
        raise click.ClickException("SCREENING_SMTP_HOST is not set: no email can be sent.")
    return settings


@outbox_group.command("send")
def outbox_send() -> None:
    """Queue due reminders and digests, then send everything that is due once."""
    settings = _smtp_or_exit()
    reminders = messages.queue_reminders(db.session)
    digests = messages.queue_digests(db.session)
    db.session.commit()
    report = outbox.send_pending(db.session, settings)
    click.echo(
        f"Queued {reminders} reminder(s) and {digests} digest(s); "
        f"sent {report.sent}, failed {report.failed} ({report.retrying} to be retried)."
    )
    _echo_failed_for_good(report)


def _echo_failed_for_good(report: outbox.SendReport) -> None:
    for message_id, kind, reason in report.failed_for_good:
        click.echo(f"Message {message_id} ({kind}) failed and will not be retried: {reason}",
                   err=True)
