"""The results tables HR and managers export, as (headers, rows): pure, no database.

Two layouts share one record type:

* wide: one row per submission (scores, percentiles, band, flags, decision);
* long: one row per scored answer (item, options used, points per dimension).

Rows hold native values (int, float, bool, datetime, str, None); each file
writer decides how to spell them. Column names are a published interface:
docs/exports.md documents every one, and a test keeps the two in step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from screening.bank.model import DIMENSION_LABELS, DIMENSIONS
from screening.reports import wording
from screening.reports.integrity import NOT_RECORDED, IntegritySummary
from screening.scoring import TraceLine
from screening.scoring.norms import OVERALL, NormGroup


@dataclass(frozen=True)
class Column:
    """One exported column: its stable name, value type and meaning."""

    name: str
    kind: str  # integer | number | text | boolean | datetime
    description: str


def _dimension_columns() -> tuple[Column, ...]:
    columns: list[Column] = []
    for dimension in DIMENSIONS:
        label = DIMENSION_LABELS[dimension]
        columns += [
            Column(f"{dimension}_raw", "number",
                   f"{label}: points earned (method 2: each item counted is worth 1)."),
            Column(f"{dimension}_max", "number",
                   f"{label}: points available (pending free text left out)."),
            Column(f"{dimension}_percent", "number", f"{label}: 100 × raw / max."),
            Column(f"{dimension}_percentile", "number",
                   f"{label}: percentile among the final, scored results of versions with the "
                   "same scoring content (submitted, every written answer rated, neither "
                   "incomplete nor unreliable, real and demo apart); empty below 30 of them, "
                   "while in progress, and for a result that is itself incomplete or "
                   "unreliable (result_status), which is not compared."),
        ]
    return tuple(columns)


WIDE: tuple[Column, ...] = (
    Column("submission_id", "integer",
           "The submission's id; stable, unique; the applicant reference of the job-outcome "
           "import."),
    Column("applicant_id", "integer", "The applicant's id; joins with the long layout."),
    Column("applicant_name", "text",
           "Applicant's name; \"Anonymised applicant\" after erasure or purge."),
    Column("applicant_email", "text", "Applicant's email; empty after erasure or purge."),
    Column("position_id", "integer", "The position's id."),
    Column("position", "text", "The position's title."),
    Column("questionnaire_version", "text",
           "Questionnaire id and the first 12 characters of its content hash."),
    Column("started_at", "datetime",
           "When the first scored question was served and the time limit started (UTC)."),
    Column("submitted_at", "datetime", "When the answers were submitted (UTC); empty if not."),
    Column("status", "text", "in_progress or submitted."),
    *_dimension_columns(),
    Column("overall_percent", "number", "Weighted overall score, 0..100."),
    Column("overall_percentile", "number",
           "Percentile of the overall score, same norm group and rule as the dimensions."),
    Column("norm_group_size", "integer",
           "How many final results the percentiles compare with (the same number the page "
           "and the PDF show); empty while in progress."),
    Column("band", "text",
           "Result band id, e.g. strong, mixed, weak; empty when result_status is not scored."),
    Column("band_label", "text", "The band's wording as the manager sees it."),
    Column("provisional", "boolean", "True while a free-text answer waits for a rating."),
    Column("red_flags", "text", "item_id:option_id of each red-flag option endorsed, '; '-joined."),
    Column("quality_flags", "text",
           "Response-quality flag kinds (too_fast, straight_lining, ...), '; '-joined."),
    Column("decision", "text",
           "Latest decision: advance, secondary, do_not_advance, on_hold; empty if none."),
    Column("decision_label", "text", "The latest decision as the manager saw it."),
    Column("decided_at", "datetime", "When the latest decision was recorded (UTC)."),
    # Added with scoring method 2 (2026-12); new columns go at the end.
    Column("result_status", "text",
           "scored; incomplete (too few questions answered) or unreliable (most answers "
           "faster than the questions can be read): these have no band. Empty in progress."),
    Column("answered", "integer", "Questions answered, of item_count."),
    Column("item_count", "integer", "Scored questions in the questionnaire."),
    Column("band_cap", "text",
           "one_red_flag or red_flags when red flags hold the band below what the scores "
           "reach; empty otherwise."),
    Column("close_to_line", "text",
           "overall and/or dimensions within one standard error of a cut score, '; '-joined."),
    Column("scoring_method", "integer",
           "1 (points, before 2026-12) or 2 (each item weighs the same); README, Scoring."),
    Column("synthetic", "boolean",
           "True for a simulated applicant made by flask demo (demo data, never a person)."),
    # Added for analysts (2026-12); new columns go at the end.
    Column("language", "text", "The language the applicant answered in: en or es."),
    Column("came_in_via", "text",
           "invitation (a manager invited them) or open_link (they signed up through the "
           "position's open link)."),
    Column("seconds_taken", "integer",
           "Whole seconds from starting (consent) to submitting; empty if not submitted."),
    Column("decision_note", "text",
           "The latest decision's note; a placeholder after erasure or purge."),
    Column("decided_by", "text", "Name of the staff member who recorded the latest decision."),
    Column("free_text_ratings", "text",
           "Every rating of a written answer as item_id:rating by rater, '; '-joined, e.g. "
           "'C13:3 by Ana Ruiz; C13:4 by Ben Okafor'; empty when none."),
    Column("quality_flag_counts", "text",
           "Each response-quality flag kind with how often it was raised, most first, "
           "'; '-joined, e.g. 'too_fast×19; straight_lining×1' (quality_flags lists them "
           "one by one)."),
    # Integrity signals (2026-12): counted by the question pages, never scored.
    Column("integrity_items", "integer",
           "Questions whose page reported the integrity signals below (JavaScript on); 0 "
           "when none did, and then the four columns after it are empty."),
    Column("left_page_items", "integer",
           "Questions during which the applicant left the page (it became hidden: another "
           "tab or app in front, the window minimised) at least once."),
    Column("left_page_times", "integer", "How many times in all the applicant left the page."),
    Column("paste_items", "integer",
           "Answers into whose text field the applicant pasted text at least once."),
    Column("paste_times", "integer", "How many pastes in all."),
    # Adjustments (2026-12).
    Column("adjustment", "text",
           "The adjustment the applicant sat with: extra_25, extra_50 or extra_100 (the time "
           "limit 25%, 50% or 100% longer), untimed (no time limit) or alternative_process "
           "(another way to be assessed was offered); empty when none. Scores do not depend "
           "on time, so percentiles compare adjusted and unadjusted results together."),
    # One attempt per person per position (2026-12): retakes a manager allowed.
    Column("attempt_number", "integer",
           "1 for a first attempt; 2 or more for a retake a manager allowed."),
    Column("retake_of", "integer",
           "A retake: the applicant_id of the attempt it follows; empty for a first attempt."),
    Column("retake_allowed_by", "text", "A retake: name of the manager who allowed it."),
    Column("retake_allowed_at", "datetime", "A retake: when it was allowed (UTC)."),
)

LONG: tuple[Column, ...] = (
    Column("submission_id", "integer", "The submission's id; joins with the wide layout."),
    Column("applicant_id", "integer", "The applicant's id."),
    Column("position_id", "integer", "The position's id."),
    Column("questionnaire_version", "text", "As in the wide layout."),
    Column("item_id", "text", "The item's id in the question bank."),
    Column("item_title", "text", "The item's title."),
    Column("format", "text", "best_choice, most_least, rate_each, rank or free_text."),
    Column("primary_dimension", "text", "The dimension the item mainly measures."),
    Column("answered", "boolean", "False when the applicant left the item out (0 points)."),
    Column("pending", "boolean", "True for a free-text answer not yet rated."),
    Column("response", "text", "The answer in words, as the rubric trace shows it."),
    Column("options", "text",
           "option_id=role for each option used, e.g. 'a=most effective; d=least effective'."),
    *(
        column
        for dimension in DIMENSIONS
        for column in (
            Column(f"{dimension}_points", "number",
                   f"{DIMENSION_LABELS[dimension]} points from this item; empty if it does "
                   "not measure it."),
            Column(f"{dimension}_max", "number",
                   f"{DIMENSION_LABELS[dimension]} points this item could give."),
        )
    ),
)

WIDE_COLUMNS: tuple[str, ...] = tuple(column.name for column in WIDE)
LONG_COLUMNS: tuple[str, ...] = tuple(column.name for column in LONG)


@dataclass(frozen=True)
class SubmissionRecord:
    """What an export needs of one submission, read from the database by the adapter."""

    submission_id: int
    applicant_name: str
    applicant_email: str
    position: str
    questionnaire_version: str
    started_at: datetime | None
    submitted_at: datetime | None
    status: str
    #: SubmissionResult.to_dict(); the wide layout needs no "trace", the long one does.
    result: Mapping[str, Any] | None
    #: the latest decision's outcome code, "" when there is none.
    decision: str
    decision_label: str = ""
    decided_at: datetime | None = None
    applicant_id: int | None = None
    position_id: int | None = None
    #: made by `flask demo`: compared with demo applicants only, and said so.
    synthetic: bool = False
    language: str = ""
    via_open_link: bool | None = None
    decision_note: str = ""
    decided_by: str = ""
    #: (item id, rating 1..5, rater's name) of every free-text rating.
    free_text_ratings: tuple[tuple[str, int, str], ...] = ()
    #: left the page / pasted, as the question pages reported them; never scored.
    integrity: IntegritySummary = NOT_RECORDED
    #: the screening.adjustments.Adjustment code the applicant sat with; "" for none.
    adjustment: str = ""
    attempt_number: int = 1
    #: the applicant id of the attempt this retake follows; None for a first attempt.
    retake_of: int | None = None
    retake_allowed_by: str = ""
    retake_allowed_at: datetime | None = None


def wide_rows(
    records: Iterable[SubmissionRecord],
    norms: Mapping[tuple[str, bool], NormGroup] | None = None,
) -> Iterator[list[Any]]:
    """One row per submission, in WIDE_COLUMNS order.

    ``norms`` maps (questionnaire_version label, synthetic) to the norm group a
    submission is compared with; without it (or
    for a submission still in progress) the percentile cells are empty.
    """
    for record in records:
        group = None
        if norms is not None and record.status == "submitted":
            group = norms.get((record.questionnaire_version, record.synthetic))
        yield _wide_row(record, group)


def _wide_row(record: SubmissionRecord, group: NormGroup | None) -> list[Any]:
    result = record.result or {}
    by_dimension = {entry["dimension"]: entry for entry in result.get("dimensions", ())}
    overall = result.get("overall")
    percentiles = (group.percentiles_of(
        result.get("status"),
        {**{d: entry["percent"] for d, entry in by_dimension.items()}, OVERALL: overall})
        if group else {})
    scores: list[Any] = []
    for dimension in DIMENSIONS:
        entry = by_dimension.get(dimension)
        if entry is None:
            scores += [None] * 4
            continue
        scores += [entry["raw"], entry["maximum"], entry["percent"], percentiles.get(dimension)]
    band = result.get("band") or {}
    return [
        record.submission_id,
        record.applicant_id,
        record.applicant_name,
        record.applicant_email,
        record.position_id,
        record.position,
        record.questionnaire_version,
        record.started_at,
        record.submitted_at,
        record.status,
        *scores,
        overall,
        percentiles.get(OVERALL),
        group.size if group else None,
        band.get("id"),
        band.get("label"),
        result.get("provisional") if result else None,
        # None, not "": no flags is an empty cell in every format (null in JSON).
        "; ".join(f"{flag['item_id']}:{flag['option_id']}" for flag in result.get("red_flags", ()))
        or None,
        "; ".join(flag["kind"] for flag in result.get("quality_flags", ())) or None,
        record.decision or None,
        record.decision_label or None,
        record.decided_at,
        result.get("status") if result else None,
        result.get("answered") if result else None,
        result.get("item_count") if result else None,
        result.get("band_cap") if result else None,
        "; ".join(result.get("close_to_line") or ()) or None,
        result.get("method") if result else None,
        record.synthetic,
        record.language or None,
        None if record.via_open_link is None else
        "open_link" if record.via_open_link else "invitation",
        _seconds_taken(record.started_at, record.submitted_at),
        record.decision_note or None,
        record.decided_by or None,
        "; ".join(f"{item}:{rating} by {rater}"
                  for item, rating, rater in record.free_text_ratings) or None,
        flag_counts(flag["kind"] for flag in result.get("quality_flags", ())) or None,
        *record.integrity.export_cells(),
        record.adjustment or None,
        record.attempt_number,
        record.retake_of,
        record.retake_allowed_by or None,
        record.retake_allowed_at,
    ]


def _seconds_taken(started_at: datetime | None, submitted_at: datetime | None) -> int | None:
    if started_at is None or submitted_at is None:
        return None
    return round((submitted_at - started_at).total_seconds())


def flag_counts(kinds: Iterable[str]) -> str:
    """'too_fast×19; straight_lining×1': each kind once with its count, most first."""
    return "; ".join(f"{kind}×{count}" for kind, count in Counter(kinds).most_common())


def long_rows(records: Iterable[SubmissionRecord]) -> Iterator[list[Any]]:
    """One row per scored item of each submission, in LONG_COLUMNS order.

    A submission still in progress has no scored answers yet, so no rows.
    """
    for record in records:
        for line in (record.result or {}).get("trace", ()):
            yield _long_row(record, line)


def _long_row(record: SubmissionRecord, line: Mapping[str, Any]) -> list[Any]:
    points = line.get("points", {})
    maximum = line.get("maximum", {})
    measured = set(points) | set(maximum)
    per_dimension: list[Any] = []
    for dimension in DIMENSIONS:
        if dimension in measured:
            per_dimension += [points.get(dimension, 0), maximum.get(dimension, 0)]
        else:
            per_dimension += [None, None]
    scored = TraceLine.from_dict(line)
    options = "; ".join(
        f"{rubric.option_id}={wording.role_text(rubric)}"
        for rubric in scored.rubric
        if rubric.option_id
    )
    return [
        record.submission_id,
        record.applicant_id,
        record.position_id,
        record.questionnaire_version,
        line["item_id"],
        line["title"],
        line["format"],
        line["primary_dimension"],
        bool(line["answered"]),
        bool(line["pending"]),
        wording.answer_summary(scored),
        options,
        *per_dimension,
    ]
