"""The manager's state-changing requests: invitations, ratings, decisions (POST only)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.models import Invitation, Outcome
from screening.services import audit, invitations, messages, outbox, positions, reviews
from screening.web.manage.forms import (
    BulkInviteForm,
    DecisionForm,
    InvitationActionForm,
    InviteForm,
    RatingForm,
)
from screening.web.manage.routes import (
    _position_or_404,
    _submission_or_404,
    applicant_link,
    bp,
    render_submission,
)

MAX_UPLOAD_BYTES = 1024 * 1024


def _back_to_position(position_id: int) -> Response:
    return redirect(url_for("manage.invitations_page", position_id=position_id))


@bp.get("/positions/<int:position_id>/invitations")
def invitations_page(position_id: int) -> str:
    found = _position_or_404(position_id)
    return render_template(
        "manage/invitations.html",
        position=found,
        form=InviteForm(),
        bulk_form=BulkInviteForm(),
        action_form=InvitationActionForm(),
        applicants=sorted(found.applicants, key=lambda a: a.created_at, reverse=True),
        status_of=invitations.status_of,
        applicant_link=applicant_link,
        emails=messages.latest_email_by_invitation(db.session, found),
        mail_enabled=messages.mail_enabled(),
    )


@bp.post("/positions/<int:position_id>/invitations")
def invite(position_id: int) -> Response:
    found = _position_or_404(position_id)
    form = InviteForm()
    if not form.validate_on_submit():
        flash("Please give the applicant's name and a valid email address.", "error")
        return _back_to_position(found.id)
    invitation = positions.invite(
        db.session,
        found,
        name=form.name.data or "",
        email=form.email.data or "",
        valid_days=current_app.config["INVITATION_DAYS"],
        created_by=current_user,
    )
    audit.record(db.session, current_user, "invitation.created", invitation)
    messages.queue_invitation(db.session, invitation)
    db.session.commit()
    outbox.send_in_background(current_app._get_current_object())
    flash(
        f"Invitation created for {invitation.applicant.name}. Copy the link below and send "
        "it to them.",
        "success",
    )
    return _back_to_position(found.id)


@bp.post("/positions/<int:position_id>/invitations/bulk")
def invite_bulk(position_id: int) -> str | Response:
    found = _position_or_404(position_id)
    form = BulkInviteForm()
    if not form.validate_on_submit():
        for message in form.file.errors:
            flash(message, "error")
        return _back_to_position(found.id)
    raw = form.file.data.read(MAX_UPLOAD_BYTES + 1)
    if len(raw) > MAX_UPLOAD_BYTES:
        flash("The file is larger than 1 MB; split it into smaller files.", "error")
        return _back_to_position(found.id)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")  # Excel's default outside UTF-8
    existing = {a.email for a in found.applicants if a.email}
    plan = invitations.parse_invitation_csv(text, existing)
    created = invitations.import_invitations(
        db.session,
        found,
        plan,
        valid_days=current_app.config["INVITATION_DAYS"],
        created_by=current_user,
    )
    audit.record(
        db.session,
        current_user,
        "invitation.bulk_created",
        found,
        created=len(created),
        rejected=len(plan.rejected),
    )
    for invitation in created:
        messages.queue_invitation(db.session, invitation)
    db.session.commit()
    outbox.send_in_background(current_app._get_current_object())
    return render_template(
        "manage/bulk_report.html",
        position=found,
        created=created,
        rejected=plan.rejected,
        applicant_link=applicant_link,
    )


def _invitation_or_404(position_id: int, invitation_id: int) -> Invitation:
    found = _position_or_404(position_id)
    if invitation_id > positions.MAX_ID:
        abort(404)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.applicant.position_id != found.id:
        abort(404)
    return invitation


@bp.post("/positions/<int:position_id>/invitations/<int:invitation_id>")
def change_invitation(position_id: int, invitation_id: int) -> Response:
    invitation = _invitation_or_404(position_id, invitation_id)
    form = InvitationActionForm()
    action = request.form.get("action", "")
    if not form.validate_on_submit() or action not in {"extend", "revoke", "reissue"}:
        flash("That change could not be made; please try again.", "error")
        return _back_to_position(position_id)
    days = form.days.data or current_app.config["INVITATION_DAYS"]
    try:
        if action == "extend":
            invitations.extend(invitation, days)
        elif action == "revoke":
            invitations.revoke(invitation)
        else:
            invitations.reissue(invitation, days)
    except invitations.InvitationError as error:
        flash(str(error), "error")
        return _back_to_position(position_id)
    audit.record(db.session, current_user, f"invitation.{action}", invitation)
    if action == "reissue":
        messages.queue_invitation(db.session, invitation)
    db.session.commit()
    outbox.send_in_background(current_app._get_current_object())
    name = invitation.applicant.name
    flash(
        {
            "extend": f"Extended {name}'s invitation until {invitation.expires_at:%d %b %Y}.",
            "revoke": f"Revoked {name}'s invitation: the link no longer works.",
            "reissue": f"Re-issued {name}'s invitation: send them the new link; the old one "
            "no longer works.",
        }[action],
        "success",
    )
    return _back_to_position(position_id)


@bp.post("/submissions/<int:submission_id>/ratings")
def rate(submission_id: int) -> Response:
    found = _submission_or_404(submission_id)
    form = RatingForm()
    if not form.validate_on_submit():
        flash("Choose a rating from 1 to 5 before saving.", "error")
    else:
        try:
            reviews.rate_free_text(
                db.session, found, form.item_id.data or "", current_user, form.rating.data
            )
        except reviews.ReviewError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash("Rating saved; the scores now include it.", "success")
    return redirect(url_for("manage.submission", submission_id=found.id) + "#ratings")


@bp.post("/submissions/<int:submission_id>/decision")
def decide(submission_id: int) -> tuple[str, int] | Response:
    found = _submission_or_404(submission_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            reviews.record_decision(
                db.session, found, current_user, Outcome(form.outcome.data), form.note.data or ""
            )
        except reviews.ReviewError as error:
            db.session.rollback()
            form.note.errors = [*form.note.errors, str(error)]
        else:
            db.session.commit()
            flash("Decision recorded.", "success")
            return redirect(url_for("manage.submission", submission_id=found.id))
    # Re-render with what the manager typed, and the reasons next to the fields.
    return render_submission(found, form, status=422)
