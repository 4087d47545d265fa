"""Rows a manager may reach, looked up within the signed-in user's rights (else 404)."""

from __future__ import annotations

from flask import abort, current_app, url_for
from flask_login import current_user

from screening.extensions import db
from screening.models import Invitation, Position, Submission
from screening.services import positions


def position_or_404(position_id: int) -> Position:
    position = positions.position_for(db.session, current_user, position_id)
    if position is None:
        abort(404)
    return position


def submission_or_404(submission_id: int) -> Submission:
    submission = positions.submission_for(db.session, current_user, submission_id)
    if submission is None:
        abort(404)
    return submission


def invitation_or_404(position_id: int, invitation_id: int) -> Invitation:
    position = position_or_404(position_id)
    invitation = db.session.get(Invitation, invitation_id)
    if invitation is None or invitation.applicant.position_id != position.id:
        abort(404)
    return invitation


def applicant_link(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("apply.welcome", token=token)


def open_link(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("apply.join", open_token=token)
