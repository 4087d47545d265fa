"""What the applicant summary says, as plain data: the manager's page and the PDF both
lay out this one model, so they cannot disagree.

Pure: no Flask, no SQLAlchemy. The service hands in the stored result, the
frozen questionnaire it was scored against and the norm group (the counted
results of the same questionnaire version); everything a manager reads about an
applicant is decided here, so it can be tested in milliseconds.

Every value here is a plain tuple, dict, str, number or datetime, so a report
pickles cleanly into the process pool that renders a position's ZIP.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from screening.bank.model import (
    DIMENSION_LABELS,
    DIMENSIONS,
    LEGACY_SCORING_METHOD,
    Questionnaire,
    ResponseFormat,
)
from screening.bank.ordering import item_order, option_order
from screening.formatting import ordinal
from screening.scoring import (
    NORM_MIN_GROUP,
    NOT_ENOUGH_DATA,
    OVERALL,
    NormGroup,
    PsychometricReport,
    RedFlag,
    ResultStatus,
    RubricRole,
    SubmissionResult,
    TraceLine,
    clear_weakest_dimension,
)
from screening.scoring.norms import compared

from . import charts, wording
from .integrity import NOT_RECORDED, IntegritySummary

#: The sentence every report carries, near the band and again in the methodology.
DECISION_SUPPORT = (
    "Decision support, not a decision: weigh this screen with the interview, references "
    "and your own judgement. It must never be the sole basis of a hiring decision."
)
CONFIDENTIAL = "Confidential: applicant data for the hiring decision only"
#: Shown first wherever a simulated applicant appears.
DEMO_DATA = ("Demo data: a simulated applicant made by the demo loader, compared only with other "
             "simulated applicants. Not a person; not for decisions.")

#: An answer earning at least this share of its points is a strength ...
STRENGTH_SHARE = 0.75
#: ... and one earning less than this share is a concern.
CONCERN_SHARE = 0.5
#: How many strengths, concerns and interview questions a one-page summary can carry.
MAX_HIGHLIGHTS = 3
#: The interview page has room for three questions, each with notes and a scale.
MAX_INTERVIEW_QUESTIONS = 3
#: Red flags quoted on the decision page; any more are counted, and all are in the trace.
MAX_QUOTED_FLAGS = 5


@dataclass(frozen=True)
class ScaleAnchor:
    rating: int
    text: str
    #: the anchor in a word or two, printed beside each question's tick box.
    short: str


#: How an interviewer rates each follow-up answer: written once, printed with every question.
INTERVIEW_SCALE: tuple[ScaleAnchor, ...] = (
    ScaleAnchor(1, "No example, or one that would make things worse", "no example"),
    ScaleAnchor(2, "Vague or general; says what should happen, not what they did", "vague"),
    ScaleAnchor(3, "A real example handled sensibly, with the customer's side thin",
                "real example"),
    ScaleAnchor(4, "A clear example: calm, respectful, the customer left helped",
                "clear example"),
    ScaleAnchor(5, "A specific example: read the person, put it right, followed through",
                "specific, followed through"),
)

FORMAT_LABELS: Mapping[str, str] = {
    ResponseFormat.BEST_CHOICE.value: "Best choice",
    ResponseFormat.MOST_LEAST.value: "Most and least effective",
    ResponseFormat.RATE_EACH.value: "Rate each option",
    ResponseFormat.RANK.value: "Rank the options",
    ResponseFormat.FREE_TEXT.value: "Written answer",
}

#: How each response format turns into points, in the words of the methodology page.
def format_rules(method: int) -> tuple[tuple[str, str], ...]:
    """The format rules of ``method``: method 2 scores rate-each by correlation."""
    if method == LEGACY_SCORING_METHOD:
        return FORMAT_RULES
    return tuple(
        (name, RATE_EACH_BALANCED_RULE) if name == "Rate each option" else (name, rule)
        for name, rule in FORMAT_RULES
    )


RATE_EACH_BALANCED_RULE = (
    "2 of 4 points for rating every option, plus 2 × r, r the correlation between the "
    "ratings and the keyed effectiveness (−1 to 1): only the order of the ratings counts, "
    "so rating everything alike, high, middling or at the ends earns what chance earns.")

FORMAT_RULES: tuple[tuple[str, str], ...] = (
    ("Best choice", "the chosen option earns the points its rubric line gives it."),
    ("Most and least effective", "the option picked as most effective earns its points; the "
     "option picked as least effective earns the scale maximum minus its points, so "
     "rejecting a poor option is rewarded."),
    ("Rate each option", "each rating earns 4 minus its distance from the keyed "
     "effectiveness, so a rating close to the key earns nearly all the points."),
    ("Rank the options", "the keyed order earns the most; each place an option sits away "
     "from its keyed place costs one point."),
    ("Written answer", "a manager rates the answer 1 to 5 against behavioural anchors; the "
     "item earns the rating minus 1. Until it is rated the result is provisional and the "
     "item is left out of both points and maximum."),
)


# -- small building blocks ------------------------------------------------------------


#: Why a result that is not a judgement has no percentile (scoring.norms.compared).
NOT_COMPARED = {
    ResultStatus.INCOMPLETE: "not compared: too few questions answered",
    ResultStatus.UNRELIABLE: "not compared: answered faster than the questions can be read",
}


def percentile_text(percentile: float | None, norm_size: int,
                    status: str | None = ResultStatus.SCORED) -> str:
    """'63rd percentile of 41', the honest 'not enough data yet (12 of 30)', or why a
    result that is not a judgement is not compared at all."""
    if not compared(status):
        return NOT_COMPARED.get(ResultStatus(status), "not compared")
    if percentile is None:
        return f"{NOT_ENOUGH_DATA} ({norm_size} of {NORM_MIN_GROUP} completed)"
    return f"{ordinal(round(percentile))} percentile of {norm_size}"


def _share(line: TraceLine) -> float | None:
    """Share of its available points an answer earned; None when it cannot be judged."""
    available = sum(line.maximum.values())
    if line.pending or not line.answered or available <= 0:
        return None
    return sum(line.points.values()) / available


# -- the applicant summary ------------------------------------------------------------


@dataclass(frozen=True)
class ApplicantFacts:
    """What the database knows about a sitting, besides its scored result."""

    submission_id: int
    applicant_name: str
    position_title: str
    position_location: str
    started_at: datetime | None
    submitted_at: datetime | None
    #: a simulated applicant made by `flask demo`.
    synthetic: bool = False
    #: the stored seed of the applicant's item and option order; None: the bank's order.
    order_seed: int | None = None
    #: the language the applicant sat the screen in.
    language: str = "en"
    #: the screening.adjustments.Adjustment code the applicant sat with; "" for none.
    adjustment: str = ""


#: How much of a decision note page 1 quotes: a note may run to 4,000 characters.
NOTE_EXCERPT = 200


@dataclass(frozen=True)
class RecordedDecision:
    """The manager's latest decision, as the service layer hands it in."""

    #: the stored code (``Outcome`` value) and its wording, made by the layer that owns it.
    outcome: str
    label: str
    decided_by: str
    decided_at: datetime
    note: str

    @property
    def note_excerpt(self) -> str:
        """The note, cut at a word near NOTE_EXCERPT characters so page 1 stays one page."""
        if len(self.note) <= NOTE_EXCERPT:
            return self.note
        cut = self.note[:NOTE_EXCERPT].rsplit(" ", 1)[0].rstrip(" ,;:.")
        return f"{cut} … (the full note is on the applicant's page)"


@dataclass(frozen=True)
class Presentation:
    """The numbers and letters the applicant saw: their item order and option order."""

    #: item id → 1-based position in the applicant's order.
    numbers: Mapping[str, int]
    #: item id → option id → "A", "B", ... in the applicant's option order.
    letters: Mapping[str, Mapping[str, str]]

    def number(self, item_id: str) -> int:
        return self.numbers.get(item_id, 0)

    def letters_of(self, item_id: str) -> Mapping[str, str]:
        return self.letters.get(item_id, {})


def presentation(questionnaire: Questionnaire, seed: int | None) -> Presentation:
    """Rebuild what the applicant saw from the stored seed (the same rule as the journey)."""
    if seed is None:
        order = tuple(item.id for item in questionnaire.items)
    else:
        order = item_order(questionnaire, seed)
    letters = {}
    for item in questionnaire.items:
        options = (tuple(option.id for option in item.options) if seed is None
                   else option_order(questionnaire, item, seed))
        letters[item.id] = {option_id: chr(ord("A") + index)
                            for index, option_id in enumerate(options)}
    return Presentation({item_id: number for number, item_id in enumerate(order, start=1)},
                        letters)


@dataclass(frozen=True)
class DimensionLine:
    dimension: str
    label: str
    raw: float
    maximum: float
    percent: float
    #: what the percent is made of: "12 of 16 points" (method 1), "7 items" (method 2).
    detail: str
    percentile: float | None
    norm_size: int
    #: one standard error of measurement, in percentage points; None when not estimable.
    sem_percent: float | None
    #: the norm group's median percent, drawn as a tick on the bar.
    median_percent: float | None
    bar_svg: str
    #: within one standard error of a cut score.
    close_to_line: bool = False
    #: the result's status: only a scored result is compared with others.
    result_status: str = ResultStatus.SCORED

    @property
    def percentile_text(self) -> str:
        return percentile_text(self.percentile, self.norm_size, self.result_status)

    @property
    def plain_text(self) -> str:
        """The score in words, without notation: where it stands among others like it."""
        if not compared(self.result_status):
            words = percentile_text(None, self.norm_size, self.result_status)
        elif self.percentile is None:
            words = "no comparison yet, too few final results"
        else:
            words = (f"above about {round(self.percentile)}% of the {self.norm_size} "
                     "applicants compared")
        return words + ("; close to the line" if self.close_to_line else "")


@dataclass(frozen=True)
class EvidenceLine:
    """A rubric line quoted as evidence: what the applicant did and why it scores so."""

    role: str
    text: str
    rationale: str


@dataclass(frozen=True)
class Highlight:
    item_id: str
    title: str
    #: the dimension the item mainly measures.
    dimension_label: str
    points: int
    maximum: int
    #: "Warmth 8 of 8 · Respect under pressure 6 of 6"
    points_text: str
    answer_summary: str
    evidence: tuple[EvidenceLine, ...]


@dataclass(frozen=True)
class InterviewQuestion:
    text: str
    item_title: str
    #: the number the applicant saw the item under.
    item_number: int = 0


@dataclass(frozen=True)
class TalkThrough:
    """One of the applicant's own answers to walk through in the interview.

    Asking about the answers themselves also confirms that the unsupervised screen
    was the applicant's own work.
    """

    #: "strong" or "weak".
    kind: str
    number: int
    item_id: str
    title: str
    #: "In the situation of “…” (question 4), you chose B, “…” — walk me through it."
    prompt: str


#: What the interview guide is headed when no dimension is clearly the weakest.
NO_CLEAR_WEAK_AREA = "No clear weak area: questions across the three dimensions"


@dataclass(frozen=True)
class InterviewGuide:
    #: the clearly weakest dimension, or None (questions across all three).
    dimension: str | None
    label: str
    percent: float | None
    questions: tuple[InterviewQuestion, ...]


@dataclass(frozen=True)
class RubricRow:
    role: str
    text: str
    rationale: str
    key: str


@dataclass(frozen=True)
class AppendixEntry:
    #: the number the applicant saw the item under; ``item_id`` is the bank's.
    number: int
    item_id: str
    title: str
    format_label: str
    dimension_labels: str
    answer_summary: str
    rubric: tuple[RubricRow, ...]
    note: str
    #: "Warmth 3 of 4 · Common sense 2 of 4", or why there are no points yet.
    points_text: str
    pending: bool
    answered: bool


@dataclass(frozen=True)
class ReliabilityRow:
    label: str
    items: int
    submissions: int
    alpha_text: str
    interval_text: str
    sem_text: str


@dataclass(frozen=True)
class BandRule:
    label: str
    rule: str


@dataclass(frozen=True)
class Methodology:
    norm_size: int
    norm_min: int
    weights_text: str
    bands: tuple[BandRule, ...]
    format_rules: tuple[tuple[str, str], ...]
    #: how points become dimension scores, bands and statuses under the result's method.
    scoring_rules: tuple[str, ...]
    reliability_submissions: int
    reliability: tuple[ReliabilityRow, ...]
    warnings: tuple[str, ...]
    #: who reviewed the key of this version: a keying panel's size, day and agreement, or none.
    key_provenance: str = wording.NOT_REVIEWED_BY_PANEL


@dataclass(frozen=True)
class FlagLine:
    title: str
    #: the option endorsed, as the applicant read it, and why it is a red flag.
    quote: str
    rationale: str
    #: the applicant's item number and option letter; the bank's item id.
    number: int = 0
    letter: str = ""
    item_id: str = ""

    @property
    def detail(self) -> str:
        return f"“{self.quote}” — {self.rationale}"


@dataclass(frozen=True)
class ApplicantReport:
    facts: ApplicantFacts
    questionnaire_title: str
    questionnaire_version: str
    provisional: bool
    pending_count: int
    #: the band's id, or the status ("incomplete", "unreliable") when there is no band.
    band_id: str
    #: the band's label, or why there is none.
    band_label: str
    band_description: str
    #: what qualifies the band: a red-flag cap, a score close to a cut.
    band_notes: tuple[str, ...]
    #: why the band: what is close to a cut, how many red flags ("" without a band).
    band_reason: str
    #: reasons to read the result with care, shown above everything.
    cautions: tuple[str, ...]
    #: whether the result has a band at all.
    banded: bool
    #: made by `flask demo`: said on every page that shows it.
    synthetic: bool
    overall: float
    overall_percentile: float | None
    norm_size: int
    dimensions: tuple[DimensionLine, ...]
    strengths: tuple[Highlight, ...]
    concerns: tuple[Highlight, ...]
    red_flags: tuple[FlagLine, ...]
    quality_flags: tuple[str, ...]
    #: the quality flags in one sentence of counts.
    quality_summary: str
    interview: InterviewGuide | None
    #: one strong and one weak answer of the applicant's own, to walk through.
    talk_through: tuple[TalkThrough, ...]
    #: every answer, numbered as the applicant saw it (the full record prints this).
    appendix: tuple[AppendixEntry, ...]
    methodology: Methodology
    generated_at: datetime
    #: the latest recorded decision, if any.
    decision: RecordedDecision | None = None
    interview_scale: tuple[ScaleAnchor, ...] = INTERVIEW_SCALE
    #: the result's status: only a scored result is compared with others.
    result_status: str = ResultStatus.SCORED
    decision_support: str = DECISION_SUPPORT
    confidential: str = CONFIDENTIAL
    language: str = "en"
    #: left the page / pasted, shown beside response quality; never part of the score.
    integrity: IntegritySummary = NOT_RECORDED

    @property
    def title(self) -> str:
        return f"Screening summary: {self.facts.applicant_name}"

    @property
    def adjustment_text(self) -> str:
        """The adjustment the applicant sat with, in staff words; "" for none."""
        return wording.ADJUSTMENT_LABELS.get(self.facts.adjustment, "")

    @property
    def status_label(self) -> str:
        """One line on how final the result is; the cautions say what else to weigh."""
        if not self.banded:
            return "No band: see the caution above"
        if self.provisional:
            count = self.pending_count
            return (
                f"Provisional: {count} written answer{'s' if count != 1 else ''} still to be "
                "rated, so scores and band may change"
            )
        return "Final: every answer is scored"

    @property
    def status_short(self) -> str:
        """How final the result is, in a word, for the band line."""
        if not self.banded:
            return "No band"
        return "Provisional" if self.provisional else "Final"

    @property
    def band_line(self) -> str:
        """'Mixed result: probe in interview — respect under pressure is close to the line'."""
        return f"{self.band_label} — {self.band_reason}" if self.band_reason else self.band_label

    @property
    def scores_in_words(self) -> str:
        """Every dimension's score in one plain sentence; the notation is in the legend."""
        if any(line.percentile is not None for line in self.dimensions):
            return " ".join(f"{line.label} {line.percent:.0f}%: {line.plain_text}."
                            for line in self.dimensions)
        scores = ", ".join(f"{line.label} {line.percent:.0f}%"
                           + (" (close to the line)" if line.close_to_line else "")
                           for line in self.dimensions)
        return f"{scores}: no comparison yet, too few final results." if scores else ""

    def number_of(self, item_id: str) -> int:
        """The number the applicant saw an item under (0 if it is not in this result)."""
        return next((entry.number for entry in self.appendix if entry.item_id == item_id), 0)

    @property
    def quoted_flags(self) -> tuple[FlagLine, ...]:
        return self.red_flags[:MAX_QUOTED_FLAGS]

    @property
    def unquoted_flag_count(self) -> int:
        return max(0, len(self.red_flags) - MAX_QUOTED_FLAGS)

    @property
    def overall_percentile_text(self) -> str:
        return percentile_text(self.overall_percentile, self.norm_size, self.result_status)


def _evidence(line: TraceLine, *, strength: bool) -> tuple[EvidenceLine, ...]:
    """The rubric lines that explain why an answer is a strength or a concern."""
    rubric = line.rubric
    rated = tuple(r for r in rubric if r.role is RubricRole.RATED)
    if line.format == ResponseFormat.RATE_EACH.value and rated:
        # One rating per option: quote the one that agreed best (or worst) with the key.
        chosen = (max if strength else min)(rated, key=lambda r: sum(r.points.values()))
        rubric = (chosen,)
    elif line.format == ResponseFormat.RANK.value:
        # The option placed first says most about the applicant's judgement.
        rubric = tuple(r for r in rubric if r.role is RubricRole.PLACED and r.value == 1
                       ) or rubric[-1:]
    return tuple(EvidenceLine(wording.role_text(r), *wording.rubric_words(r, line)) for r in rubric)


def _highlight(line: TraceLine, *, strength: bool) -> Highlight:
    return Highlight(
        item_id=line.item_id,
        title=line.title,
        dimension_label=DIMENSION_LABELS.get(line.primary_dimension, line.primary_dimension),
        points=sum(line.points.values()),
        maximum=sum(line.maximum.values()),
        points_text=_points_text(line),
        answer_summary=wording.answer_summary(line),
        evidence=_evidence(line, strength=strength),
    )


def strengths_and_concerns(
    result: SubmissionResult,
) -> tuple[tuple[Highlight, ...], tuple[Highlight, ...]]:
    """The best- and worst-scoring answers, with the rubric rationales that explain them.

    Ties keep questionnaire order, so the same result always gives the same lists.
    """
    judged = [(share, index, line) for index, line in enumerate(result.trace)
              if (share := _share(line)) is not None]
    best = sorted(judged, key=lambda entry: (-entry[0], entry[1]))
    worst = sorted(judged, key=lambda entry: (entry[0], entry[1]))
    strengths = tuple(
        _highlight(line, strength=True)
        for share, _, line in best[:MAX_HIGHLIGHTS] if share >= STRENGTH_SHARE
    )
    concerns = tuple(
        _highlight(line, strength=False)
        for share, _, line in worst[:MAX_HIGHLIGHTS] if share < CONCERN_SHARE
    )
    return strengths, concerns


def interview_guide(
    questionnaire: Questionnaire, result: SubmissionResult, shown: Presentation | None = None
) -> InterviewGuide | None:
    """Follow-up questions from the bank: for the clearly weakest dimension, or, when no
    dimension is clearly weaker than the others, across all three.

    The applicant's weakest answers first, one question per item before any second
    question, so the interviewer probes the most situations in few questions.
    """
    if not any(score.maximum > 0 for score in result.dimensions):
        return None
    dimension = clear_weakest_dimension(result)
    shares = {line.item_id: _share(line) for line in result.trace}
    items = [item for item in questionnaire.items
             if (dimension is None or item.primary_dimension == dimension)
             and item.interview_questions]
    order = {item.id: index for index, item in enumerate(questionnaire.items)}
    items.sort(key=lambda item: (
        1.0 if shares.get(item.id) is None else shares[item.id], order[item.id]))
    questions: list[InterviewQuestion] = []
    depth = max((len(item.interview_questions) for item in items), default=0)
    for round_ in range(depth):
        for item in items:
            if round_ < len(item.interview_questions):
                questions.append(InterviewQuestion(
                    item.interview_questions[round_], item.title,
                    shown.number(item.id) if shown is not None else 0))
    if dimension is None:
        return InterviewGuide(dimension=None, label=NO_CLEAR_WEAK_AREA, percent=None,
                              questions=tuple(questions[:MAX_INTERVIEW_QUESTIONS]))
    return InterviewGuide(
        dimension=dimension,
        label=DIMENSION_LABELS.get(dimension, dimension),
        percent=result.dimension(dimension).percent,
        questions=tuple(questions[:MAX_INTERVIEW_QUESTIONS]),
    )


def talk_through(result: SubmissionResult, shown: Presentation) -> tuple[TalkThrough, ...]:
    """The applicant's strongest and weakest answer, to be walked through in the interview.

    Highest and lowest share of points; ties go to the item the applicant saw first,
    so the same result always gives the same two.
    """
    judged = sorted(((share, shown.number(line.item_id), line) for line in result.trace
                     if (share := _share(line)) is not None), key=lambda e: (-e[0], e[1]))
    if not judged:
        return ()
    strong = judged[0]
    rest = sorted(judged[1:], key=lambda e: (e[0], e[1]))
    picks = [("strong", strong)] + ([("weak", rest[0])] if rest else [])
    return tuple(
        TalkThrough(
            kind=kind, number=number, item_id=line.item_id, title=line.title,
            prompt=(f"In the situation of “{line.title}” (question {number}), "
                    f"{wording.what_they_did(line, shown.letters_of(line.item_id))} — "
                    "walk me through it."),
        )
        for kind, (_, number, line) in picks
    )


def _points_text(line: TraceLine) -> str:
    if line.pending:
        return "Waiting for a manager's rating: not in the score yet"
    return " · ".join(
        f"{DIMENSION_LABELS.get(d, d)} {points} of {line.maximum.get(d, 0)}"
        for d, points in line.points.items()
    )


def quality_messages(questionnaire: Questionnaire, result: SubmissionResult) -> tuple[str, ...]:
    """Every response-quality flag of the result, in words."""
    items = {item.id: item for item in questionnaire.items}
    return tuple(wording.quality_text(flag, result, items) for flag in result.quality_flags)


def appendix(
    questionnaire: Questionnaire, result: SubmissionResult, shown: Presentation | None = None
) -> tuple[AppendixEntry, ...]:
    """Every item in the applicant's order: the answer, each rubric line and the points."""
    shown = shown or presentation(questionnaire, None)
    entries = []
    items = {item.id: item for item in questionnaire.items}
    for line in sorted(result.trace, key=lambda line: shown.number(line.item_id)):
        number = shown.number(line.item_id)
        item = items.get(line.item_id)
        dimensions = item.dimensions if item is not None else (line.primary_dimension,)
        summary = wording.answer_summary(line, shown.letters_of(line.item_id))
        rows = []
        for r in line.rubric:
            text, rationale = wording.rubric_words(r, line)
            # An option already quoted in the answer is not printed a second time.
            rows.append(RubricRow(wording.role_text(r), "" if text and text in summary else text,
                                  rationale, wording.key_text(r, line, item)))
        entries.append(AppendixEntry(
            number=number,
            item_id=line.item_id,
            title=line.title,
            format_label=FORMAT_LABELS.get(line.format, line.format),
            dimension_labels=", ".join(DIMENSION_LABELS.get(d, d) for d in dimensions),
            answer_summary=summary,
            rubric=tuple(rows),
            note=wording.note(line, item),
            points_text=_points_text(line),
            pending=line.pending,
            answered=line.answered,
        ))
    return tuple(entries)


def _alpha(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def methodology(
    questionnaire: Questionnaire,
    norms: NormGroup,
    psychometrics: PsychometricReport | None,
    method: int = LEGACY_SCORING_METHOD,
) -> Methodology:
    weights = {d: float(questionnaire.weights.get(d, 0.0)) for d in DIMENSIONS}
    used = {d: w for d, w in weights.items() if w > 0}
    if len(set(used.values())) <= 1:
        weights_text = "the mean of the " + ", ".join(
            DIMENSION_LABELS[d].lower() for d in used) + " percentages, weighted equally"
    else:
        weights_text = "a weighted mean of the dimension percentages (" + ", ".join(
            f"{DIMENSION_LABELS[d].lower()} × {w:g}" for d, w in used.items()) + ")"
    bands = []
    for band in questionnaire.bands:
        conditions = []
        if band.overall_min > 0:
            conditions.append(f"overall at least {band.overall_min:g}%")
        conditions.extend(f"{DIMENSION_LABELS.get(d, d).lower()} at least {minimum:g}%"
                          for d, minimum in band.dimension_min.items())
        bands.append(BandRule(band.label, ", ".join(conditions) if conditions
                              else "every other result"))
    rows: list[ReliabilityRow] = []
    warnings: list[str] = []
    submissions = 0
    if psychometrics is not None:
        submissions = psychometrics.submissions
        warnings.extend(psychometrics.warnings)
        for reliability in psychometrics.dimensions:
            interval = (
                f"{reliability.alpha_low:.2f} to {reliability.alpha_high:.2f}"
                if reliability.alpha_low is not None and reliability.alpha_high is not None
                else "—"
            )
            rows.append(ReliabilityRow(
                label=reliability.label,
                items=reliability.items,
                submissions=reliability.submissions,
                alpha_text=_alpha(reliability.alpha),
                interval_text=interval,
                sem_text="—" if reliability.sem is None else f"{reliability.sem:.1f} points",
            ))
            warnings.extend(reliability.warnings)
    return Methodology(
        norm_size=norms.size,
        norm_min=NORM_MIN_GROUP,
        weights_text=weights_text,
        bands=tuple(bands),
        format_rules=format_rules(method),
        scoring_rules=wording.scoring_rules(method),
        reliability_submissions=submissions,
        reliability=tuple(rows),
        warnings=tuple(warnings),
        key_provenance=wording.key_provenance(questionnaire),
    )


def _sem_percents(
    result: SubmissionResult, psychometrics: PsychometricReport | None
) -> dict[str, float]:
    """±1 SEM per dimension in percentage points, for a final result only.

    The SEM is estimated on full dimension totals; a provisional result has a
    smaller maximum, so converting would misstate the uncertainty.
    """
    if psychometrics is None or result.provisional:
        return {}
    sems = {r.dimension: r.sem for r in psychometrics.dimensions if r.sem is not None}
    return {
        score.dimension: 100 * sems[score.dimension] / score.maximum
        for score in result.dimensions
        if score.dimension in sems and score.maximum > 0 and math.isfinite(sems[score.dimension])
    }


def build_applicant_report(
    *,
    facts: ApplicantFacts,
    questionnaire: Questionnaire,
    result: SubmissionResult,
    norms: NormGroup,
    psychometrics: PsychometricReport | None,
    generated_at: datetime,
    decision: RecordedDecision | None = None,
    integrity: IntegritySummary = NOT_RECORDED,
) -> ApplicantReport:
    """Everything the applicant summary says, from the stored result and its questionnaire.

    ``decision`` is the latest recorded decision, if any, as the service layer reads it;
    ``integrity`` (the page's counts of leaving it and pasting) is shown, never scored.
    """
    shown = presentation(questionnaire, facts.order_seed)
    percentiles = norms.percentiles(result)
    # Method 2 results carry each dimension's standard error; method 1 used the
    # version's standard error of measurement, from reliability.
    sems = ({score.dimension: score.error for score in result.dimensions
             if score.error is not None}
            if result.method > 1 else _sem_percents(result, psychometrics))
    dimensions = []
    for score in result.dimensions:
        median = norms.median(score.dimension)
        # Every item scored alike (all full marks, say) gives a spread of 0: not a
        # measurement without error, only none that these answers can show; "± 0" would
        # claim certainty, so no error is printed.
        sem = sems.get(score.dimension) or None
        dimensions.append(DimensionLine(
            dimension=score.dimension,
            label=score.label,
            raw=score.raw,
            maximum=score.maximum,
            percent=score.percent,
            detail=(f"{score.raw:g} of {score.maximum:g} points" if result.method == 1 else
                    f"{score.maximum:g} item{'s' if score.maximum != 1 else ''}, "
                    "each weighing the same"),
            percentile=percentiles.get(score.dimension),
            norm_size=norms.size_of(score.dimension),
            sem_percent=sem,
            median_percent=median,
            bar_svg=charts.score_bar(
                score.percent, sem=sem, median=median,
                title=f"{score.label}: {score.percent:.0f}%",
            ),
            close_to_line=score.dimension in result.close_to_line,
            result_status=result.status,
        ))
    strengths, concerns = strengths_and_concerns(result)
    return ApplicantReport(
        facts=facts,
        questionnaire_title=questionnaire.title,
        questionnaire_version=questionnaire.version_label,
        provisional=result.provisional,
        pending_count=len(result.pending_items),
        band_id=wording.standing(result),
        band_label=wording.headline(result),
        band_description=(result.band.description if result.band is not None else
                          "The answers cannot be read as a judgement of the applicant, so "
                          "the screen gives no band."),
        band_notes=wording.band_notes(result, questionnaire.bands),
        band_reason=wording.band_reason(result),
        cautions=_cautions(facts, result),
        banded=result.band is not None,
        synthetic=facts.synthetic,
        overall=result.overall,
        overall_percentile=percentiles.get(OVERALL),
        result_status=result.status,
        norm_size=norms.size,
        dimensions=tuple(dimensions),
        strengths=strengths,
        concerns=concerns,
        red_flags=_red_flags(result.red_flags, shown),
        quality_flags=quality_messages(questionnaire, result),
        quality_summary=wording.quality_summary(result),
        interview=interview_guide(questionnaire, result, shown),
        talk_through=talk_through(result, shown),
        appendix=appendix(questionnaire, result, shown),
        methodology=methodology(questionnaire, norms, psychometrics, result.method),
        generated_at=generated_at,
        decision=decision,
        integrity=integrity,
    )


def _cautions(facts: ApplicantFacts, result: SubmissionResult) -> tuple[str, ...]:
    """Demo data first, then what the result itself says, then the language it was taken in."""
    language = wording.language_caution(facts.language)
    return (*((DEMO_DATA,) if facts.synthetic else ()), *wording.cautions(result),
            *((language,) if language else ()))


def _red_flags(flags: Sequence[RedFlag], shown: Presentation) -> tuple[FlagLine, ...]:
    """Each red flag quoted, under the number and letter the applicant saw, in their order."""
    return tuple(sorted(
        (FlagLine(flag.item_title, flag.option_text, flag.rationale,
                  number=shown.number(flag.item_id),
                  letter=shown.letters_of(flag.item_id).get(flag.option_id, ""),
                  item_id=flag.item_id)
         for flag in flags),
        key=lambda flag: flag.number))
