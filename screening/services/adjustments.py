"""Adjustments per invitation: the applicant asks, the position's managers and HR grant.

The request is stored on the invitation, audited and emailed to every active manager
of the position and every active HR user. A grant is recorded (who, when) and audited;
an attempt already under way gets the new time limit at once, from the one computation
in screening.adjustments.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from screening import adjustments
from screening.adjustments import Need
from screening.models import Invitation, Role, SubmissionStatus, User, utcnow
from screening.services import audit, journey, messages
from screening.services.questionnaires import questionnaire_for

#: The applicant's own words are kept short: the hiring team follows up in person.
DETAILS_MAX = 1000


class AdjustmentError(Exception):
    """The change cannot be made; the message is shown as is."""


def needs_of(invitation: Invitation) -> tuple[Need, ...]:
    return adjustments.parse_needs(invitation.adjustment_needs.split(","))


def request_adjustment(
    session: Session, invitation: Invitation, needs: Iterable[str], details: str
) -> None:
    """Store the applicant's request (a later one replaces it), audit it, tell the staff."""
    chosen = adjustments.parse_needs(needs)
    details = details.strip()[:DETAILS_MAX]
    if not chosen and not details:
        raise AdjustmentError("Choose what you need, or describe it.")
    invitation.adjustment_requested_at = utcnow()
    invitation.adjustment_needs = ",".join(chosen)
    invitation.adjustment_details = details
    # The applicant's words stay out of the audit log and emails: they are personal data.
    audit.record(session, None, "adjustment.requested", invitation,
                 needs=[need.value for need in chosen], with_details=bool(details))
    messages.queue_adjustment_request(session, invitation, chosen, _staff_to_tell(session,
                                                                                   invitation))


def _staff_to_tell(session: Session, invitation: Invitation) -> list[User]:
    position = invitation.applicant.position
    managers = [user.id for user in position.managers]
    return list(session.scalars(
        select(User)
        .where(User.active.is_(True), or_(User.role == Role.HR, User.id.in_(managers)))
        .order_by(User.id)
    ))


def grant(session: Session, invitation: Invitation, code: str | None, actor: User) -> None:
    """Grant ``code`` (an Adjustment, or None/"" for none) on the invitation.

    An attempt not yet submitted gets the new limit counted from when it started; a
    submitted one keeps the adjustment it was sat with.
    """
    granted = adjustments.parse(code)
    if code and granted is None:
        raise AdjustmentError("That adjustment is not one that can be granted.")
    submission = invitation.submission
    if submission is not None and submission.status is SubmissionStatus.SUBMITTED:
        raise AdjustmentError("The answers were already submitted; the adjustment they "
                              "were given with stays on the result.")
    invitation.adjustment = granted.value if granted else None
    invitation.adjustment_granted_by_id = actor.id
    invitation.adjustment_granted_at = utcnow()
    if submission is not None:
        submission.adjustment = invitation.adjustment
        # Before the first scored question the clock has not started; journey.start_clock
        # counts the limit with this adjustment when it does.
        if journey.scored_part_started(session, submission):
            questionnaire = questionnaire_for(submission.questionnaire_version)
            submission.deadline_at = adjustments.deadline(
                submission.started_at, questionnaire.time_limit_minutes, invitation.adjustment)
    audit.record(session, actor, "adjustment.granted", invitation,
                 adjustment=invitation.adjustment or "none",
                 under_way=submission is not None)


def set_when_inviting(session: Session, invitation: Invitation, code: str | None,
                      actor: User) -> None:
    """The adjustment chosen on the invitation form; nothing is recorded when none was."""
    if code:
        grant(session, invitation, code, actor)
