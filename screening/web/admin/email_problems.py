"""Email problems (admin): messages that failed for good or are stuck "sending".

Each can be retried (queued again) or discarded; both are audited by the outbox
service, which the view only calls.
"""

from __future__ import annotations

from datetime import timedelta

from flask import redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.ids import parse_id
from screening.models import OutgoingEmail, Role
from screening.services import outbox
from screening.web.admin.problem_actions import act_on_problem
from screening.web.admin.routes import bp
from screening.web.auth.routes import roles_required


@bp.app_template_global()
def email_problem_count() -> int:
    """For the admin's navigation, so a failed message is noticed without looking."""
    return outbox.problem_count(db.session)


@bp.get("/email-problems")
@roles_required(Role.ADMIN)
def email_problems() -> str:
    found = outbox.problems(db.session, before_id=parse_id(request.args.get("before", "")))
    return render_template("admin/email_problems.html", problems=found,
                           stuck_minutes=outbox.STALE_CLAIM // timedelta(minutes=1))


@bp.post("/email-problems/<id:message_id>/retry")
@roles_required(Role.ADMIN)
def retry_email(message_id: int) -> Response:
    act_on_problem(OutgoingEmail, message_id, outbox.retry, outbox.OutboxError,
                   f"Message {message_id} is queued again.")
    return redirect(url_for("admin.email_problems"))


@bp.post("/email-problems/<id:message_id>/discard")
@roles_required(Role.ADMIN)
def discard_email(message_id: int) -> Response:
    act_on_problem(OutgoingEmail, message_id, outbox.discard, outbox.OutboxError,
                   f"Message {message_id} was discarded and will not be sent.")
    return redirect(url_for("admin.email_problems"))
