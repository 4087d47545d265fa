"""The applicant's link: found by its token, or the page that says why it cannot be used."""

from __future__ import annotations

from flask import abort, make_response, redirect, render_template, url_for
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.models import Invitation, Submission
from screening.services import journey
from screening.services.journey import LinkState
from screening.web import language


def invitation_or_404(token: str) -> Invitation:
    invitation = journey.invitation_by_token(db.session, token)
    if invitation is None:
        abort(404)
    if invitation.submission is not None:
        # Started: every page of this link in the language chosen at consent.
        language.use(invitation.submission.language)
    return invitation


def submitted_invitation_or_404(token: str) -> Invitation:
    """Only the applicant's own link, and only once their answers are submitted."""
    invitation = invitation_or_404(token)
    if journey.link_state(invitation) is not LinkState.SUBMITTED:
        abort(404)
    return invitation


def closed_link_page(invitation: Invitation, state: LinkState) -> Response:
    if state is LinkState.SUBMITTED:
        return redirect(url_for("apply.done", token=invitation.token))
    # 410 Gone: the link existed and will not work again; the page says what to do.
    page = render_template("apply/closed.html", state=state.value,
                           position=invitation.applicant.position)
    return make_response(page, 410)


def open_submission(token: str) -> tuple[Invitation, Submission] | Response:
    """The invitation and its started submission, or the page to show instead."""
    invitation = invitation_or_404(token)
    state = journey.link_state(invitation)
    if state is not LinkState.OPEN:
        return closed_link_page(invitation, state)
    if invitation.submission is None:
        return redirect(url_for("apply.welcome", token=token))
    return invitation, invitation.submission
