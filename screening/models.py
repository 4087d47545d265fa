"""What is stored: SQLAlchemy 2.0 typed models for the whole product.

Personal data (names, emails, free text) lives in few, named columns so that
erasure and purge can reach all of it; scores live on Submission as the
result the scoring engine derived from the frozen questionnaire snapshot.
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    mapped_column,
    registry,
    relationship,
    validates,
)
from sqlalchemy.types import TypeDecorator

from screening.bank.snapshot import scoring_hash
from screening.folding import folded

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite would otherwise drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use screening.models.utcnow()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # One explicit registry: Flask-SQLAlchemy subclasses this base, and SQLAlchemy 2.1
    # refuses a per-class type_annotation_map beside an inherited registry.
    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime(), dict[str, Any]: JSON},
    )


class Role(enum.StrEnum):
    ADMIN = "admin"
    HR = "hr"
    MANAGER = "manager"


class SubmissionStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"


class Outcome(enum.StrEnum):
    ADVANCE = "advance"
    SECONDARY = "secondary"
    DO_NOT_ADVANCE = "do_not_advance"
    ON_HOLD = "on_hold"


#: What each decision means, in the words of the decision itself (not the band names);
#: the stored codes above never change.
OUTCOME_LABELS = {
    Outcome.ADVANCE: "Advance to interview",
    Outcome.SECONDARY: "Offer a non-front-line role",
    Outcome.DO_NOT_ADVANCE: "Do not proceed",
    Outcome.ON_HOLD: "On hold",
}


def _enum(kind: type[enum.Enum]) -> Enum:
    # Stored as plain strings: portable and readable in exports and raw SQL.
    return Enum(kind, native_enum=False, length=32, values_callable=lambda e: [m.value for m in e])


position_managers = Table(
    "position_managers",
    Base.metadata,
    Column("position_id", ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: None: signed in by single sign-on with no role the provider maps, so no rights at
    #: all until an administrator assigns one (every rights check asks "role in ...").
    role: Mapped[Role | None] = mapped_column(_enum(Role), nullable=True)
    #: True when single sign-on set the role from the provider's claim: it follows the
    #: claim at each sign-in, and is taken away when the claim no longer maps to a role.
    #: An administrator's choice (False) is kept when the claim maps to nothing.
    role_from_idp: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: The identity provider's stable (issuer, subject) pair, stored at the first single
    #: sign-on; from then on the account is found by it, never by its email alone.
    oidc_issuer: Mapped[str | None] = mapped_column(String(255))
    oidc_subject: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    #: "each": an email per new submission; "daily": one digest a day; "off": none.
    notify_mode: Mapped[str] = mapped_column(String(10), default="each", server_default="each")
    #: Part of every session's user id: raising it ends all of this user's sessions.
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    positions: Mapped[list[Position]] = relationship(
        secondary=position_managers, back_populates="managers"
    )

    __table_args__ = (UniqueConstraint("oidc_issuer", "oidc_subject"),)

    # Flask-Login protocol, kept here so the model needs no Flask import.
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # Flask-Login keeps this in the session; a cookie with an older generation is void.
        return f"{self.id}:{self.session_generation}"

    @property
    def sees_all_positions(self) -> bool:
        return self.role in (Role.ADMIN, Role.HR)


def _scoring_hash_of_snapshot(context: Any) -> str:
    """The default of QuestionnaireVersion.scoring_hash: computed from its snapshot."""
    return scoring_hash(context.get_current_parameters()["snapshot"])


class QuestionnaireVersion(Base):
    """One exact version of a questionnaire: its content hash and a frozen snapshot."""

    __tablename__ = "questionnaire_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_key: Mapped[str] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: what scoring depends on only: versions sharing it share a norm group (bank.snapshot).
    scoring_hash: Mapped[str] = mapped_column(String(64), index=True,
                                              default=_scoring_hash_of_snapshot)
    #: deferred: ~50 KB of JSON, needed once per process per version (services.questionnaires).
    snapshot: Mapped[dict[str, Any]] = mapped_column(deferred=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def version_label(self) -> str:
        return f"{self.questionnaire_key}@{self.content_hash[:12]}"


class Position(Base):
    __tablename__ = "positions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    location: Mapped[str] = mapped_column(String(200), default="")
    questionnaire_version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_versions.id"))
    #: the open link where applicants enter their own name; None when closed.
    open_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    feedback_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    managers: Mapped[list[User]] = relationship(
        secondary=position_managers, back_populates="positions"
    )
    applicants: Mapped[list[Applicant]] = relationship(back_populates="position")


class Applicant(Base):
    __tablename__ = "applicants"
    __table_args__ = (UniqueConstraint("position_id", "open_link_email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(ForeignKey("positions.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), default="")
    #: name and email without case or accents (screening.folding), what staff searches
    #: match: compared in Python's terms, SQLite and PostgreSQL find the same applicants.
    search_name: Mapped[str] = mapped_column(Text, default="", server_default="")
    search_email: Mapped[str] = mapped_column(Text, default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: set when personal data was removed by purge or erasure; scores stay for norms.
    anonymised_at: Mapped[datetime | None]
    #: The folded email of an open-link sign-up (None for invitations and retakes): unique
    #: per position, so simultaneous sign-ups with one email can never both create an attempt.
    open_link_email: Mapped[str | None] = mapped_column(Text)
    #: 1 for a first attempt; a retake a manager allowed is the previous attempt's + 1.
    attempt_number: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    #: A retake: the attempt it follows, and who allowed it, when and why.
    retake_of_id: Mapped[int | None] = mapped_column(ForeignKey("applicants.id"), index=True)
    retake_allowed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    retake_allowed_at: Mapped[datetime | None]
    retake_reason: Mapped[str | None] = mapped_column(Text)

    position: Mapped[Position] = relationship(back_populates="applicants")
    invitation: Mapped[Invitation | None] = relationship(back_populates="applicant", uselist=False)
    retake_of: Mapped[Applicant | None] = relationship(remote_side="Applicant.id")
    retake_allowed_by: Mapped[User | None] = relationship()

    @validates("name", "email")
    def _fold_for_search(self, key: str, value: str) -> str:
        """Every write of the name or email refreshes its search column, wherever it is made."""
        setattr(self, f"search_{key}", folded(value or ""))
        return value


class Invitation(Base):
    """The applicant's personal link: an unguessable token, an expiry, one submission."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    applicant_id: Mapped[int] = mapped_column(ForeignKey("applicants.id"), unique=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    reminder_sent_at: Mapped[datetime | None]
    via_open_link: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: The applicant's adjustment request (screening.adjustments.Need codes, comma-joined)
    #: and their optional words, which are personal data: erasure clears them.
    adjustment_requested_at: Mapped[datetime | None]
    adjustment_needs: Mapped[str] = mapped_column(String(200), default="", server_default="")
    adjustment_details: Mapped[str] = mapped_column(Text, default="", server_default="")
    #: What staff granted (screening.adjustments.Adjustment code), by whom and when;
    #: every grant is in the audit log too.
    adjustment: Mapped[str | None] = mapped_column(String(20))
    adjustment_granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    adjustment_granted_at: Mapped[datetime | None]

    applicant: Mapped[Applicant] = relationship(back_populates="invitation")
    adjustment_granted_by: Mapped[User | None] = relationship(
        foreign_keys=[adjustment_granted_by_id])

    @property
    def adjustment_awaiting_reply(self) -> bool:
        """An adjustment was asked for, and nothing was granted since."""
        if self.adjustment_requested_at is None:
            return False
        granted = self.adjustment_granted_at
        return granted is None or granted < self.adjustment_requested_at
    submission: Mapped[Submission | None] = relationship(back_populates="invitation", uselist=False)


def _version_hash(context: Any) -> str | None:
    """The default of Submission.questionnaire_hash: its version's content hash."""
    version_id = context.get_current_parameters()["questionnaire_version_id"]
    return context.connection.scalar(
        select(QuestionnaireVersion.content_hash).where(QuestionnaireVersion.id == version_id)
    )


class Submission(Base):
    """One applicant's sitting of one questionnaire version, and its scored result."""

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    # unique: an invitation can never produce a second submission, whatever the client does.
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id"), index=True
    )
    status: Mapped[SubmissionStatus] = mapped_column(
        _enum(SubmissionStatus), default=SubmissionStatus.IN_PROGRESS
    )
    language: Mapped[str] = mapped_column(String(8), default="en")
    #: seeds the per-applicant item and option order, so a reload shows the same order.
    order_seed: Mapped[int] = mapped_column(Integer)
    consented_at: Mapped[datetime]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    #: The adjustment the applicant sat with (screening.adjustments.Adjustment code), so
    #: the result records it; None when there was none.
    adjustment: Mapped[str | None] = mapped_column(String(20))
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    #: SubmissionResult.to_dict() from the scoring engine; None until submitted.
    result: Mapped[dict[str, Any] | None]
    overall_percent: Mapped[float | None] = mapped_column(Float)
    # Copies of the result's dimension percents, so lists sort and filter in SQL.
    warmth_percent: Mapped[float | None] = mapped_column(Float)
    common_sense_percent: Mapped[float | None] = mapped_column(Float)
    respect_percent: Mapped[float | None] = mapped_column(Float)
    band_id: Mapped[str | None] = mapped_column(String(40))
    #: scored | incomplete | unreliable (scoring.ResultStatus); None until submitted.
    result_status: Mapped[str | None] = mapped_column(String(20))
    #: the scoring method the stored result was made with (bank.model.SCORING_METHODS).
    scoring_method: Mapped[int | None] = mapped_column(Integer)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    #: made by `flask demo` or `make run`: never in norms, reliability, fairness or
    #: analytics for real decisions, and labelled "demo data" wherever it is shown.
    synthetic: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    #: the version's content hash, so a page finds the frozen questionnaire from this row.
    questionnaire_hash: Mapped[str] = mapped_column(String(64), default=_version_hash)

    invitation: Mapped[Invitation] = relationship(back_populates="submission")
    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    answers: Mapped[list[Answer]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    ratings: Mapped[list[FreeTextRating]] = relationship(
        back_populates="submission", cascade="all, delete-orphan"
    )
    decisions: Mapped[list[Decision]] = relationship(
        back_populates="submission", cascade="all, delete-orphan", order_by="Decision.created_at"
    )

    @property
    def latest_decision(self) -> Decision | None:
        """The decision that counts: the newest; older ones stay as history."""
        return self.decisions[-1] if self.decisions else None


class Answer(Base):
    """An autosaved answer, stored by option id (never by displayed position)."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("submission_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    #: scoring.Answer.to_dict(); free text included, so erasure clears it.
    response: Mapped[dict[str, Any]]
    seconds: Mapped[float | None] = mapped_column(Float)
    #: Integrity signals the page's script reported (screening.reports.integrity), summed
    #: over visits: times the page was hidden, and pastes into its text field. NULL: not
    #: reported (JavaScript off). Shown to managers beside response quality; never scored.
    left_page_count: Mapped[int | None] = mapped_column(Integer)
    paste_count: Mapped[int | None] = mapped_column(Integer)
    saved_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="answers")


class ItemPageView(Base):
    """When an item's page was last served to the applicant, by the server's clock.

    With ``Answer.saved_at`` (when the answer arrived) it gives the time on an item
    without trusting anything the browser sends.
    """

    __tablename__ = "item_page_views"
    __table_args__ = (UniqueConstraint("submission_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    served_at: Mapped[datetime]


class FreeTextRating(Base):
    """A manager's anchored 1..5 rating of a free-text answer; up to one per rater."""

    __tablename__ = "free_text_ratings"
    __table_args__ = (UniqueConstraint("submission_id", "item_id", "rater_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    rating: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="ratings")
    rater: Mapped[User] = relationship()


class Decision(Base):
    """A recorded hiring decision; the newest one counts, older ones stay as history."""

    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[Submission] = relationship(back_populates="decisions")
    decided_by: Mapped[User] = relationship()


class SelfIdentification(Base):
    """Voluntary demographic answers, kept apart from answers and never shown to managers."""

    __tablename__ = "self_identifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    sex: Mapped[str] = mapped_column(String(40), default="prefer_not_to_say")
    race_ethnicity: Mapped[str] = mapped_column(String(60), default="prefer_not_to_say")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobOutcome(Base):
    """How a hired applicant did in the job, as HR imported it: the evidence that the
    screen predicts anything at this employer (services/outcomes.py, services/validation.py).

    One row per submission and date; importing the same pair again updates it. Every
    measure is optional. Personal data: erasure and purge delete the rows.
    """

    __tablename__ = "job_outcomes"
    __table_args__ = (UniqueConstraint("submission_id", "recorded_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id", ondelete="CASCADE"))
    #: the day the outcome was observed (the file's ``date`` column).
    recorded_on: Mapped[date] = mapped_column(Date)
    still_employed_90_days: Mapped[bool | None] = mapped_column(Boolean)
    #: 1 (poor) to 5 (excellent).
    supervisor_rating: Mapped[int | None] = mapped_column(Integer)
    #: 0 to 100, on whatever survey scale the employer uses, the same for everyone.
    customer_satisfaction: Mapped[float | None] = mapped_column(Float)
    complaints: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    submission: Mapped[Submission] = relationship()


class RequestKind(enum.StrEnum):
    """What an applicant asked about their result (words: the layer that shows them)."""

    REVIEW = "review"  # a person to look at the decision again
    EXPLANATION = "explanation"  # how their answers were used


class ApplicantRequest(Base):
    """An applicant's request about their result, answered by HR by ``due_at``.

    ``message`` and ``answer`` are personal data: erasure overwrites them.
    """

    __tablename__ = "applicant_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[RequestKind] = mapped_column(_enum(RequestKind))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(index=True)
    answered_at: Mapped[datetime | None]
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str] = mapped_column(Text, default="")

    submission: Mapped[Submission] = relationship()
    answered_by: Mapped[User | None] = relationship()


class ApiToken(Base):
    """A read-only token for applicant-tracking systems; only its hash is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    expires_at: Mapped[datetime]
    #: To the minute: a busy integration does not write on every request.
    last_used_at: Mapped[datetime | None]


ats_connection_positions = Table(
    "ats_connection_positions",
    Base.metadata,
    Column("connection_id", ForeignKey("ats_connections.id", ondelete="CASCADE"),
           primary_key=True),
    Column("position_id", ForeignKey("positions.id", ondelete="CASCADE"), primary_key=True),
)


class AtsConnection(Base):
    """An applicant-tracking system (Greenhouse) allowed to send our tests; its API key
    is never stored: only its hash, and the salt it is derived from (services.ats_connections)."""

    __tablename__ = "ats_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_salt: Mapped[str] = mapped_column(String(64))
    #: every open position, now and later; otherwise only ``positions``.
    all_positions: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    #: To the minute: a busy integration does not write on every request.
    last_used_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship()
    positions: Mapped[list[Position]] = relationship(secondary=ats_connection_positions,
                                                     order_by="Position.title")


class AtsRequest(Base):
    """One test an ATS asked us to send: the invitation it made and the completion
    callback owed to the ATS. ``public_id`` is the id the ATS knows it by."""

    __tablename__ = "ats_requests"
    __table_args__ = (UniqueConstraint("connection_id", "callback_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ats_connections.id"), index=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("invitations.id"), unique=True)
    #: the ATS's id of the test it chose (our position's id, as list_tests gave it).
    partner_test_id: Mapped[str] = mapped_column(String(64))
    #: where the completion callback goes, and its SHA-256: one request per ATS test.
    callback_url: Mapped[str] = mapped_column(Text)
    callback_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    callback_attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: the HTTP status of the last attempt, or 0 when none came back (refused, timed out).
    callback_last_status: Mapped[int | None] = mapped_column(Integer)
    callback_last_at: Mapped[datetime | None]
    callback_delivered_at: Mapped[datetime | None]

    connection: Mapped[AtsConnection] = relationship()
    invitation: Mapped[Invitation] = relationship()


class AuditEvent(Base):
    """Append-only record of who viewed, rated, decided, exported, erased, and when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(60), index=True)
    target_type: Mapped[str] = mapped_column(String(60), default="")
    target_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    actor: Mapped[User | None] = relationship()


class FormPost(Base):
    """An idempotency key per applicant form post: a resent or double-clicked post is a no-op."""

    __tablename__ = "form_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OpenLinkPost(Base):
    """An idempotency key per open-link sign-up: a double click joins once.

    Both clicks land on the same new link; only the browser that rendered the form
    knows its key, so nobody else can look the link up with it.
    """

    __tablename__ = "open_link_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportCache(Base):
    """Rendered PDFs, shared by every app server, keyed by what determines their content."""

    __tablename__ = "report_cache"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. sha256 of (kind, submission id, snapshot hash, result hash, template version).
    cache_key: Mapped[str] = mapped_column(String(64), unique=True)
    submission_id: Mapped[int | None] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), index=True
    )
    #: a position's prepared ZIP of summaries (services.position_zips) has no submission
    #: but this: it is deleted with any erasure in the position.
    position_id: Mapped[int | None] = mapped_column(
        ForeignKey("positions.id", ondelete="CASCADE"), index=True
    )
    #: which report of the submission: "applicant" (the manager's summary) or "feedback";
    #: of a position, "zip-summaries" or "zip-records".
    kind: Mapped[str] = mapped_column(String(20), default="applicant",
                                      server_default="applicant")
    #: the file's bytes: a PDF, or a position's ZIP of PDFs
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    #: of a position's ZIP: when the applicants' data it holds was read
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EmailStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by one worker, so two workers never send it twice
    SENT = "sent"
    FAILED = "failed"


class OutgoingEmail(Base):
    """The outbox: every message is stored first and sent by a worker, retried on failure."""

    __tablename__ = "outgoing_emails"
    # The relay's due scan and the admins' problem count read by status, every minute
    # and on every admin page; sent messages pile up, so this keeps both off a full scan.
    __table_args__ = (Index("ix_outgoing_emails_status_next_attempt_at",
                            "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), index=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[EmailStatus] = mapped_column(_enum(EmailStatus), default=EmailStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: deduplicates: one receipt per submission, one reminder per invitation, ...
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    invitation_id: Mapped[int | None] = mapped_column(
        ForeignKey("invitations.id", ondelete="SET NULL"), index=True
    )
    position_id: Mapped[int | None] = mapped_column(
        ForeignKey("positions.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]


class JobStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    #: gave up: on the admins' dead-letter list until retried or discarded
    DEAD = "dead"


class Job(Base):
    """A unit of background work, stored in the transaction of the change that causes it.

    The table is the outbox: a task queue only carries job ids to workers, so a rolled-back
    change queues nothing and a queue that is down loses nothing (services.jobs).
    """

    __tablename__ = "jobs"
    __table_args__ = (
        Index("ix_jobs_status_next_attempt_at", "status", "next_attempt_at"),
        # The newest job of a kind (a position's ZIP on its page) without scanning every
        # summary render of the last 30 days.
        Index("ix_jobs_kind_id", "kind", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    #: one job per key: a retried request or a second tab never queues the work twice
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus), default=JobStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]


class KeyingPanel(Base):
    """Practitioners asked to rate every option of a questionnaire version (questions/README.md).

    Open until HR or an admin closes it; a closed panel takes no more ratings.
    """

    __tablename__ = "keying_panels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    questionnaire_version_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire_versions.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]

    questionnaire_version: Mapped[QuestionnaireVersion] = relationship()
    created_by: Mapped[User | None] = relationship()
    panellists: Mapped[list[Panellist]] = relationship(
        back_populates="panel", order_by="Panellist.id", cascade="all, delete-orphan")


class Panellist(Base):
    """One practitioner's single-use link to a panel; only a SHA-256 of the token is stored."""

    __tablename__ = "panellists"

    id: Mapped[int] = mapped_column(primary_key=True)
    panel_id: Mapped[int] = mapped_column(ForeignKey("keying_panels.id", ondelete="CASCADE"),
                                          index=True)
    #: how HR recognises the invitation ("Supervisor, north branch"); never shown to others.
    label: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None]

    panel: Mapped[KeyingPanel] = relationship(back_populates="panellists")
    responses: Mapped[list[PanelResponse]] = relationship(
        back_populates="panellist", cascade="all, delete-orphan")


class PanelResponse(Base):
    """A panellist's ratings (option id -> 1..5) of one item and their optional comment."""

    __tablename__ = "panel_responses"
    __table_args__ = (UniqueConstraint("panellist_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    panellist_id: Mapped[int] = mapped_column(ForeignKey("panellists.id", ondelete="CASCADE"))
    item_id: Mapped[str] = mapped_column(String(100))
    ratings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    comment: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)

    panellist: Mapped[Panellist] = relationship(back_populates="responses")


class WebhookEndpoint(Base):
    """Another system's URL that is told of a position's events, signed with its secret.

    The secrets sign every delivery, so they are stored as given, not hashed (see
    services.webhooks); the previous one keeps signing until ``previous_secret_expires_at``
    so a receiver can switch over without losing a message.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[int] = mapped_column(primary_key=True)
    position_id: Mapped[int] = mapped_column(
        ForeignKey("positions.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text)
    #: the event types (services.webhooks.EventType values) it is sent
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: why it was switched off by a receiver's 410 Gone; empty otherwise
    disabled_reason: Mapped[str] = mapped_column(String(300), default="")
    #: an admin's deliberate choice: the URL may resolve to a private network address
    allow_private: Mapped[bool] = mapped_column(Boolean, default=False)
    secret: Mapped[str] = mapped_column(String(120))
    secret_created_at: Mapped[datetime] = mapped_column(default=utcnow)
    previous_secret: Mapped[str | None] = mapped_column(String(120))
    previous_secret_expires_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    position: Mapped[Position] = relationship()
    deliveries: Mapped[list[WebhookDelivery]] = relationship(
        back_populates="endpoint", cascade="all, delete-orphan", passive_deletes=True)


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    #: tried and failed; the job queue tries again after its back-off
    RETRYING = "retrying"
    DELIVERED = "delivered"
    #: given up (refused address, 410 Gone, endpoint off, or out of attempts)
    FAILED = "failed"


class WebhookDelivery(Base):
    """One event for one endpoint: the delivery log line, and the message's fixed id.

    ``message_id`` is the Standard Webhooks ``webhook-id``: the same on every attempt, so
    a receiver that got a message twice (a worker died after sending) can tell.
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_endpoint_id_id", "endpoint_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(40))
    #: the envelope as sent: {"type", "timestamp", "data"}
    payload: Mapped[dict[str, Any]]
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    last_answer: Mapped[str] = mapped_column(Text, default="")
    #: the job that carries it (jobs are purged once done, so no foreign key)
    job_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_attempt_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]

    endpoint: Mapped[WebhookEndpoint] = relationship(back_populates="deliveries")
