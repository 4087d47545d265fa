"""Job outcomes of hired applicants, imported by HR from a CSV or XLSX file.

The applicant reference is the ``submission_id`` that every results export gives HR
(docs/exports.md): one per sitting, stable, and the row that holds the scores the
outcome is compared with. An import is all or nothing: every row is checked first
(services/outcome_file.py), and every problem is reported with its line before anything
is written; only a file without a problem is stored, in one transaction. A row matches
only a submitted applicant the importer may see (HR and admins see every position), is
never used to create an applicant, and updates the outcome already imported for the same
submission and date instead of adding a second one (a blank cell leaves that outcome's
earlier value as it was).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from screening.models import (
    Applicant,
    Invitation,
    JobOutcome,
    Position,
    Submission,
    SubmissionStatus,
    User,
)
from screening.services import audit
from screening.services.outcome_file import OutcomeRow, check_file
from screening.services.positions import visible_positions


@dataclass(frozen=True)
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    #: every problem, "Line 7: ..." (or about the whole file); nothing was stored if any.
    problems: tuple[str, ...] = ()

    @property
    def imported(self) -> bool:
        return not self.problems


# -- matching and storing ------------------------------------------------------------------


def _matching_problems(session: Session, rows: Sequence[OutcomeRow],
                       user: User | None) -> list[str]:
    """Rows whose submission the user cannot see, was never submitted, or was anonymised."""
    ids = sorted({row.submission_id for row in rows})
    statement = (
        select(Submission.id, Submission.status, Applicant.anonymised_at)
        .join(Submission.invitation).join(Invitation.applicant)
        .where(Submission.id.in_(ids))
    )
    if user is not None and not user.sees_all_positions:
        visible = visible_positions(user).with_only_columns(Position.id).order_by(None)
        statement = statement.where(Applicant.position_id.in_(visible))
    found = {sid: (status, anonymised) for sid, status, anonymised in session.execute(statement)}
    problems = []
    for row in rows:
        if row.submission_id not in found:
            problems.append(f"Line {row.line}: there is no submission {row.submission_id} "
                            "that you can see; use the submission_id column of the results "
                            "export.")
            continue
        status, anonymised = found[row.submission_id]
        if anonymised is not None:
            problems.append(f"Line {row.line}: submission {row.submission_id} belongs to an "
                            "applicant whose personal data was removed (erased or past the "
                            "retention period); no outcome can be attached to it.")
        elif status is not SubmissionStatus.SUBMITTED:
            problems.append(f"Line {row.line}: submission {row.submission_id} was never "
                            "submitted, so it has no score to compare an outcome with.")
    return problems


def import_outcomes(
    session: Session, filename: str, raw: bytes, user: User | None, *, today: date,
    via: str,
) -> ImportResult:
    """Check the whole file, then store every row or none; the caller commits.

    The import is audited with its counts only (``via``: "web" or "cli").
    """
    rows, problems = check_file(filename, raw, today)
    if rows:
        problems += _matching_problems(session, rows, user)
    if problems:
        problems.sort(key=_line_of)
        return ImportResult(rows=len(rows), problems=tuple(problems))
    existing = {
        (outcome.submission_id, outcome.recorded_on): outcome
        for outcome in session.scalars(select(JobOutcome).where(
            JobOutcome.submission_id.in_({row.submission_id for row in rows})))
    }
    created = updated = 0
    for row in rows:
        outcome = existing.get((row.submission_id, row.recorded_on))
        if outcome is None:
            outcome = JobOutcome(submission_id=row.submission_id, recorded_on=row.recorded_on)
            session.add(outcome)
            created += 1
        else:
            updated += 1
        for column, value in row.measures.items():
            setattr(outcome, column, value)
    audit.record(session, user, "outcomes.imported", None, rows=len(rows), created=created,
                 updated=updated, via=via)
    session.flush()
    return ImportResult(rows=len(rows), created=created, updated=updated)


def _line_of(problem: str) -> int:
    """Problems in file order: "Line 12: ..." after "Line 9: ..."."""
    head = problem.split(":", 1)[0]
    number = head.removeprefix("Line ")
    return int(number) if number.isdigit() else 0
