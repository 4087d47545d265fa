"""Invitations of a position: the page, one invite, a CSV of many, extend, revoke, re-issue."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.services import adjustments, audit, invitations, messages
from screening.web.manage import bp
from screening.web.manage.forms import (
    AdjustmentGrantForm,
    BulkInviteForm,
    InvitationActionForm,
    InviteForm,
)
from screening.web.manage.scope import applicant_link, invitation_or_404, position_or_404
from screening.web.template_helpers import ADJUSTMENT_LABELS

MAX_UPLOAD_BYTES = 1024 * 1024


def _back_to_position(position_id: int) -> Response:
    return redirect(url_for("manage.invitations_page", position_id=position_id))


@bp.get("/positions/<id:position_id>/invitations")
def invitations_page(position_id: int) -> str:
    found = position_or_404(position_id)
    return render_template(
        "manage/invitations.html",
        position=found,
        form=InviteForm(),
        bulk_form=BulkInviteForm(),
        action_form=InvitationActionForm(),
        grant_form=AdjustmentGrantForm(),
        adjustment_needs=adjustments.needs_of,
        applicants=sorted(found.applicants, key=lambda a: a.created_at, reverse=True),
        status_of=invitations.status_of,
        applicant_link=applicant_link,
        emails=messages.latest_email_by_invitation(db.session, found),
        mail_enabled=messages.mail_enabled(),
    )


@bp.post("/positions/<id:position_id>/invitations")
def invite(position_id: int) -> Response:
    found = position_or_404(position_id)
    form = InviteForm()
    if not form.validate_on_submit():
        for field in form:
            for message in field.errors:
                flash(f"{field.label.text}: {message}", "error")
        return _back_to_position(found.id)
    invitation = invitations.invite(
        db.session,
        found,
        name=form.name.data or "",
        email=form.email.data or "",
        valid_days=current_app.config["INVITATION_DAYS"],
        created_by=current_user,
    )
    audit.record(db.session, current_user, "invitation.created", invitation)
    adjustments.set_when_inviting(db.session, invitation, form.adjustment.data, current_user)
    messages.queue_invitation(db.session, invitation)
    db.session.commit()
    flash(
        f"Invitation created for {invitation.applicant.name}. Copy the link below and send "
        "it to them.",
        "success",
    )
    return _back_to_position(found.id)


@bp.post("/positions/<id:position_id>/invitations/bulk")
def invite_bulk(position_id: int) -> str | Response:
    found = position_or_404(position_id)
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
    return render_template(
        "manage/bulk_report.html",
        position=found,
        created=created,
        rejected=plan.rejected,
        applicant_link=applicant_link,
    )


@bp.post("/positions/<id:position_id>/invitations/<id:invitation_id>")
def change_invitation(position_id: int, invitation_id: int) -> Response:
    invitation = invitation_or_404(position_id, invitation_id)
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


@bp.post("/positions/<id:position_id>/invitations/<id:invitation_id>/adjustment")
def grant_adjustment(position_id: int, invitation_id: int) -> Response:
    invitation = invitation_or_404(position_id, invitation_id)
    form = AdjustmentGrantForm()
    if not form.validate_on_submit():
        flash("That adjustment could not be saved; please try again.", "error")
        return _back_to_position(position_id)
    try:
        adjustments.grant(db.session, invitation, form.adjustment.data, current_user)
    except adjustments.AdjustmentError as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back_to_position(position_id)
    db.session.commit()
    name = invitation.applicant.name
    flash(f"Saved: {ADJUSTMENT_LABELS[invitation.adjustment]} for {name}."
          if invitation.adjustment else f"Saved: no adjustment for {name}.", "success")
    return _back_to_position(position_id)
