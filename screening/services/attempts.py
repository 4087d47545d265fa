"""One attempt per person per position: finding an email's attempts, and retakes.

An email is compared folded (screening.folding, through ``Applicant.search_email``), so
"Ana.Lopez@X.com" and "ana.lópez@x.com" are one person on one position.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from screening.folding import folded
from screening.models import Applicant, Invitation, OpenLinkPost, Position, User, utcnow
from screening.services import audit
from screening.services.invitations import (
    InvitationStatus,
    announce,
    invite,
    new_token,
    status_of,
)
from screening.services.journey import claim_key

#: The shortest reason a manager may give for allowing a retake.
MIN_RETAKE_REASON = 10


@dataclass(frozen=True)
class Joined:
    """An open-link sign-up: a new attempt, or the attempt this email already has."""

    invitation: Invitation
    #: False: the email was already used on the position; its link is not shown on screen.
    new: bool


def join_once(
    session: Session, position: Position, *, name: str, email: str, valid_days: int,
    key: str | None,
) -> Joined:
    """An open-link sign-up, once per post and once per email on the position.

    ``key`` is the random key rendered into the sign-up form, so a double click, a
    resent form or a network retry lands on the same new link. An email already used on
    the position (folded: case and accents ignored) gets no second attempt; the caller
    sends that attempt's news to the address instead of showing its link to whoever typed
    it. Simultaneous sign-ups with one email meet the unique (position, open_link_email).
    """
    if (earlier := _same_post(session, position, key)) is not None:
        return Joined(earlier, new=True)
    if (known := _known_invitation(session, position, email)) is not None:
        return _this_post_or_known(session, position, key, known)
    try:
        with session.begin_nested():
            invitation = invite(session, position, name=name, email=email,
                                valid_days=valid_days, via_open_link=True)
    except IntegrityError:
        # Another sign-up with this email committed first: this post or another person's.
        known = _known_invitation(session, position, email)
        assert known is not None, "the unique email that refused us names an attempt"
        return _this_post_or_known(session, position, key, known)
    if key is None or claim_key(session, OpenLinkPost.__table__, key=key,
                                invitation_id=invitation.id, created_at=utcnow()):
        return Joined(invitation, new=True)
    # The same post, sent at the same moment, committed first: keep its applicant only.
    session.rollback()
    earlier = invitation_for_open_link_post(session, position, key)
    assert earlier is not None, "a claimed key names its invitation"
    return Joined(earlier, new=True)


def _same_post(session: Session, position: Position, key: str | None) -> Invitation | None:
    return invitation_for_open_link_post(session, position, key) if key is not None else None


def _this_post_or_known(session: Session, position: Position, key: str | None,
                        known: Invitation) -> Joined:
    """The email is taken: by this very post (a double click whose twin committed after
    the first look for its key; the key is committed with the applicant, so a second look
    sees it), or by an earlier attempt, whose news goes to the address."""
    earlier = _same_post(session, position, key)
    return Joined(earlier, new=True) if earlier is not None else Joined(known, new=False)


def invitation_for_open_link_post(
    session: Session, position: Position, key: str
) -> Invitation | None:
    return session.scalar(
        select(Invitation)
        .join(OpenLinkPost, OpenLinkPost.invitation_id == Invitation.id)
        .join(Invitation.applicant)
        .where(OpenLinkPost.key == key, Applicant.position_id == position.id)
    )


def _known_invitation(session: Session, position: Position, email: str) -> Invitation | None:
    applicant = latest_attempt(session, position, email)
    return applicant.invitation if applicant is not None else None


def latest_attempt(session: Session, position: Position, email: str) -> Applicant | None:
    """The newest attempt on ``position`` by this (folded) email; None if it was never used."""
    key = folded(email.strip())
    if not key:
        return None
    return session.scalar(
        select(Applicant)
        .where(Applicant.position_id == position.id, Applicant.search_email == key,
               Applicant.anonymised_at.is_(None))
        .order_by(Applicant.attempt_number.desc(), Applicant.id.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class SameEmail:
    """Another attempt on the same position with the same folded email."""

    applicant_id: int
    name: str
    attempt_number: int
    #: for a link to that attempt's page; None while it has not started.
    submission_id: int | None
    #: True when one of the two is a retake of the other: allowed, not a warning.
    allowed_retake: bool


def same_email_attempts(
    session: Session, applicants: Iterable[Applicant]
) -> dict[int, list[SameEmail]]:
    """For each of ``applicants``, the other attempts on its position sharing its email."""
    wanted = [a for a in applicants if a.search_email and a.anonymised_at is None]
    if not wanted:
        return {}
    keys = {(a.position_id, a.search_email) for a in wanted}
    positions = {position_id for position_id, _ in keys}
    emails = {email for _, email in keys}
    shared = (
        select(Applicant.position_id, Applicant.search_email)
        .where(Applicant.position_id.in_(positions), Applicant.search_email.in_(emails),
               Applicant.anonymised_at.is_(None))
        .group_by(Applicant.position_id, Applicant.search_email)
        .having(func.count() > 1)
    )
    shared_keys = {(p, e) for p, e in session.execute(shared)} & keys
    if not shared_keys:
        return {}
    rows = session.scalars(
        select(Applicant)
        .where(Applicant.position_id.in_({p for p, _ in shared_keys}),
               Applicant.search_email.in_({e for _, e in shared_keys}),
               Applicant.anonymised_at.is_(None))
        .order_by(Applicant.attempt_number, Applicant.id)
    ).all()
    by_key: dict[tuple[int, str], list[Applicant]] = defaultdict(list)
    for row in rows:
        if (row.position_id, row.search_email) in shared_keys:
            by_key[(row.position_id, row.search_email)].append(row)
    found: dict[int, list[SameEmail]] = {}
    for applicant in wanted:
        others = [o for o in by_key.get((applicant.position_id, applicant.search_email), [])
                  if o.id != applicant.id]
        if others:
            found[applicant.id] = [
                SameEmail(o.id, o.name, o.attempt_number, _submission_id(o),
                          allowed_retake=_retake_chain(applicant, o))
                for o in others
            ]
    return found


def _submission_id(applicant: Applicant) -> int | None:
    invitation = applicant.invitation
    return invitation.submission.id if invitation and invitation.submission else None


def _retake_chain(one: Applicant, other: Applicant) -> bool:
    return one.retake_of_id == other.id or other.retake_of_id == one.id


class RetakeError(ValueError):
    """The retake cannot be allowed; the message says why."""


def retake_of(session: Session, applicant: Applicant) -> Applicant | None:
    """The retake already allowed after ``applicant``'s attempt, if any."""
    return session.scalar(select(Applicant).where(Applicant.retake_of_id == applicant.id))


def allow_retake(
    session: Session, applicant: Applicant, *, allowed_by: User, reason: str, valid_days: int
) -> Invitation:
    """A new attempt with a fresh link, linked to the submitted one, recorded and audited."""
    reason = reason.strip()
    invitation = applicant.invitation
    if invitation is None or status_of(invitation) is not InvitationStatus.SUBMITTED:
        raise RetakeError("A retake can be allowed only after the attempt was submitted.")
    if applicant.anonymised_at is not None:
        raise RetakeError("This applicant's personal data was removed.")
    if len(reason) < MIN_RETAKE_REASON:
        raise RetakeError(f"Give a reason of at least {MIN_RETAKE_REASON} characters.")
    if retake_of(session, applicant) is not None:
        raise RetakeError("A retake was already allowed after this attempt.")
    retake = Applicant(
        position_id=applicant.position_id, name=applicant.name, email=applicant.email,
        attempt_number=applicant.attempt_number + 1, retake_of_id=applicant.id,
        retake_allowed_by_id=allowed_by.id, retake_allowed_at=utcnow(), retake_reason=reason,
    )
    new_invitation = Invitation(
        applicant=retake, token=new_token(),
        expires_at=utcnow() + timedelta(days=valid_days), created_by_id=allowed_by.id,
    )
    session.add_all([retake, new_invitation])
    session.flush()
    announce(session, new_invitation, reissued=False)
    audit.record(session, allowed_by, "retake.allowed", retake,
                 retake_of=applicant.id, attempt_number=retake.attempt_number, reason=reason)
    return new_invitation


@dataclass(frozen=True)
class AttemptHistory:
    """What the manager's page of one attempt says about the person's other attempts."""

    applicant: Applicant
    #: the attempt this one retakes, and the retake allowed after this one (if any).
    previous: Applicant | None
    next: Applicant | None
    #: other attempts with the same email that no retake explains: a warning.
    unexplained: list[SameEmail]
    can_allow_retake: bool


def history(session: Session, applicant: Applicant) -> AttemptHistory:
    following = retake_of(session, applicant)
    others = same_email_attempts(session, [applicant]).get(applicant.id, [])
    invitation = applicant.invitation
    submitted = invitation is not None and status_of(invitation) is InvitationStatus.SUBMITTED
    return AttemptHistory(
        applicant=applicant,
        previous=applicant.retake_of,
        next=following,
        unexplained=[other for other in others if not other.allowed_retake],
        can_allow_retake=submitted and following is None and applicant.anonymised_at is None,
    )
