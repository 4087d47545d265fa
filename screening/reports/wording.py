"""How a scored result reads: its standing, rubric lines, answers and quality flags.

The engine stores codes and numbers (``RubricRole``, the rating or place given, the
keyed value, points); this module turns them into the sentences a manager reads, on
the page, in the PDF and in the long export alike. Rewording happens here and never
changes a stored result. Pure: the frozen questionnaire supplies what the wording
needs (an item's scale, its reading time).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from screening.adjustments import Adjustment
from screening.bank.model import (
    DIMENSION_LABELS,
    LEGACY_SCORING_METHOD,
    RATING_MAX,
    Band,
    Item,
    Questionnaire,
    ResponseFormat,
)
from screening.bank.panel_review import panel_reviews
from screening.formatting import ordinal
from screening.scoring import (
    OVERALL,
    QualityFlag,
    ResultStatus,
    RubricLine,
    RubricRole,
    SubmissionResult,
    TraceLine,
)
from screening.scoring.bands import INCOMPLETE_SHARE, UNRELIABLE_SHARE, reached
from screening.scoring.panel import panel_items
from screening.scoring.quality import (
    MANY_TOO_FAST,
    STRAIGHT_LINING,
    TOO_FAST,
    UNANSWERED,
    too_fast_threshold,
)
from screening.scoring.rules import ScoringError, rank_maximum

#: Staff-facing wording of the adjustment codes (the applicant's pages word them in
#: their own language, in the templates).
ADJUSTMENT_LABELS = {
    Adjustment.EXTRA_25: "Extra time +25%",
    Adjustment.EXTRA_50: "Extra time +50%",
    Adjustment.EXTRA_100: "Extra time +100%",
    Adjustment.UNTIMED: "No time limit",
    Adjustment.ALTERNATIVE_PROCESS: "Alternative process offered",
}

NOT_ANSWERED = "Not answered"
PENDING_NOTE = "Waiting for a manager's rating; left out of the score until rated."

_NOTES = {
    ResponseFormat.BEST_CHOICE.value: "The chosen option's points.",
    ResponseFormat.RATE_EACH.value:
        "Each option earns 4 minus the distance between the rating and the key.",
    ResponseFormat.FREE_TEXT.value: "Rating minus 1.",
}


def role_text(rubric: RubricLine) -> str:
    """'chosen', 'most effective', 'rated 4', 'placed 2nd', ..."""
    match rubric.role:
        case RubricRole.RATED:
            return f"rated {rubric.value}"
        case RubricRole.PLACED:
            return f"placed {ordinal(rubric.value or 0)}"
        case _:
            return rubric.role.value.replace("_", " ")


def points_text(points: Mapping[str, int]) -> str:
    """'Warmth 4, Common sense 3'."""
    return ", ".join(f"{DIMENSION_LABELS.get(d, d)} {v}" for d, v in points.items())


def key_text(rubric: RubricLine, line: TraceLine, item: Item | None) -> str:
    """The key a rubric line was scored against, in words."""
    match rubric.role:
        case RubricRole.CHOSEN | RubricRole.MOST_EFFECTIVE:
            return points_text(rubric.points)
        case RubricRole.LEAST_EFFECTIVE:
            scale_max = item.scale_max if item else 0
            own = {d: scale_max - earned for d, earned in rubric.points.items()}
            return f"{points_text(own)}; rejecting it earns {scale_max} minus these"
        case RubricRole.RATED if _balanced(line):
            share = next(iter(rubric.points.values()), 0.0)
            return f"keyed effectiveness {rubric.keyed}; {share:+.2f} towards agreement"
        case RubricRole.RATED:
            agreement = next(iter(rubric.points.values()), 0)
            return f"keyed effectiveness {rubric.keyed}; agreement {agreement} of 4"
        case RubricRole.BASE:
            total = next(iter(line.points.values()), 0.0)
            return f"2 of 4, then 2 × r with r = {(total - 2) / 2:+.2f} = {total:.2f} of 4"
        case RubricRole.PLACED:
            off = abs((rubric.value or 0) - (rubric.keyed or 0))
            return f"keyed {ordinal(rubric.keyed or 0)}; {off} place{'s' if off != 1 else ''} off"
        case RubricRole.RANKING:
            best, score = _ranking(line)
            return f"{best} − {best - score} places off = {score}"
        case RubricRole.MANAGER_RATING:
            return f"rating {rubric.value} of {RATING_MAX}"
    return ""


def rubric_words(rubric: RubricLine, line: TraceLine) -> tuple[str, str]:
    """(text, rationale) of a rubric line; the lines the engine adds get theirs here."""
    if rubric.role is RubricRole.RANKING:
        best, _ = _ranking(line)
        return ("Agreement with the keyed order",
                f"The keyed order earns {best} (the most places the order could be off); "
                "every place an option is off costs one point.")
    if rubric.role is RubricRole.MANAGER_RATING:
        return rubric.text, "The manager's rating on the behavioural anchors."
    if rubric.role is RubricRole.BASE:
        return ("A rating for every option",
                "Any complete set of ratings earns half the item; following the key's order "
                "adds up to 2 points and going against it takes up to 2 away, whatever the "
                "applicant's own rating style (all high, all middling).")
    return rubric.text, rubric.rationale


def _ranking(line: TraceLine) -> tuple[int, int]:
    """(the most a ranking can earn, what this one earned)."""
    placed = sum(1 for rubric in line.rubric if rubric.role is RubricRole.PLACED)
    return rank_maximum(placed), next(iter(line.points.values()), 0)


def _balanced(line: TraceLine) -> bool:
    """A rate-each line scored by agreement beyond rating style (method 2)."""
    return any(rubric.role is RubricRole.BASE for rubric in line.rubric)


def answer_summary(line: TraceLine, letters: Mapping[str, str] | None = None) -> str:
    """The answer in words: 'Chose B: "..."', 'Ranked C, A, B, D', the written answer.

    ``letters`` names each option by the letter the applicant saw it under (their
    option order); without it, options go by their bank id (the long export).
    """
    if not line.answered:
        return NOT_ANSWERED
    rubric = line.rubric

    def name(r: RubricLine) -> str:
        return letters.get(str(r.option_id), str(r.option_id)) if letters else str(r.option_id)

    match line.format:
        case ResponseFormat.BEST_CHOICE.value:
            return f'Chose {name(rubric[0])}: "{rubric[0].text}"'
        case ResponseFormat.MOST_LEAST.value:
            return f"Most effective: {name(rubric[0])}; least effective: {name(rubric[1])}"
        case ResponseFormat.RATE_EACH.value:
            rated = [r for r in rubric if r.role is RubricRole.RATED]
            if letters:  # in the order the applicant rated them
                rated.sort(key=name)
            return "Rated " + ", ".join(f"{name(r)}={r.value}" for r in rated)
        case ResponseFormat.RANK.value:
            return "Ranked " + ", ".join(
                name(r) for r in rubric if r.role is RubricRole.PLACED)
    return f'"{line.answer_text or ""}"'


def what_they_did(line: TraceLine, letters: Mapping[str, str]) -> str:
    """The answer as an interviewer says it back: 'you chose B, “...”'.

    Quotes the option that says most about the answer: the one chosen, picked as most
    effective, rated highest or placed first; a written answer is quoted itself.
    """
    def quoted(r: RubricLine) -> str:
        return f"{letters.get(str(r.option_id), r.option_id)}, “{r.text}”"

    rubric = line.rubric
    match line.format:
        case ResponseFormat.BEST_CHOICE.value:
            return f"you chose {quoted(rubric[0])}"
        case ResponseFormat.MOST_LEAST.value:
            return (f"you picked {quoted(rubric[0])} as the most effective and "
                    f"{quoted(rubric[1])} as the least effective")
        case ResponseFormat.RATE_EACH.value:
            rated = [r for r in rubric if r.role is RubricRole.RATED]
            # The highest rating; between equal ones, the first the applicant saw.
            in_order = sorted(rated, key=lambda r: letters.get(str(r.option_id), ""))
            top = max(in_order, key=lambda r: r.value or 0)
            return f"you rated {quoted(top)} highest ({top.value} of {RATING_MAX})"
        case ResponseFormat.RANK.value:
            first = next(r for r in rubric if r.role is RubricRole.PLACED and r.value == 1)
            return f"you put {quoted(first)} first"
    text = line.answer_text or ""
    return f"you wrote “{text if len(text) <= 160 else text[:157].rstrip() + '…'}”"


def note(line: TraceLine, item: Item | None) -> str:
    """How the item's rubric lines combine, in one plain sentence."""
    if not line.answered:
        return "Not answered: 0 points, and the item still counts towards the maximum."
    if line.pending:
        return PENDING_NOTE
    if line.format == ResponseFormat.MOST_LEAST.value:
        scale_max = item.scale_max if item else 0
        return ("The most-effective pick earns its points; the least-effective pick "
                f"earns {scale_max} minus its points.")
    if line.format == ResponseFormat.RATE_EACH.value and _balanced(line):
        return ("2 + 2 × r of 4, r the correlation of the ratings with the key: how closely "
                "they follow the key's order, beyond how high or low the applicant rates.")
    if line.format == ResponseFormat.RANK.value:
        best, _ = _ranking(line)
        return f"{best} minus the places each option is away from its keyed rank."
    return _NOTES.get(line.format, "")


def quality_text(flag: QualityFlag, result: SubmissionResult, items: Mapping[str, Item]) -> str:
    """A response-quality flag as the manager reads it."""
    line = next((t for t in result.trace if t.item_id == flag.item_id), None)
    title = line.title if line is not None else (flag.item_id or "")
    if flag.kind == UNANSWERED:
        return f"Not answered: {title}."
    if flag.kind == STRAIGHT_LINING:
        rated = [r for r in line.rubric if r.role is RubricRole.RATED] if line else []
        rating = rated[0].value if rated else None
        return (f"Gave every option the same rating ({rating}) in {title!r}; "
                "the ratings may not reflect real judgement.")
    if flag.kind == TOO_FAST:
        item = items.get(flag.item_id or "")
        limit = too_fast_threshold(item) if item is not None else 0.0
        return (f"Answered {title!r} in {flag.seconds or 0.0:.1f} s, faster than the "
                f"{limit:.0f} s it takes just to read it.")
    if flag.kind == MANY_TOO_FAST:
        fast = sum(1 for other in result.quality_flags if other.kind == TOO_FAST)
        total = len(result.trace)
        share = 100 * fast / total if total else 0.0
        return (f"{fast} of {total} items ({share:.0f}%) were answered faster than they "
                "can be read; treat the whole result with caution.")
    return flag.kind.replace("_", " ")


# -- the result's standing: band or status, and what qualifies it ----------------------


def headline(result: SubmissionResult) -> str:
    """The band's label, or why there is none."""
    if result.band is not None:
        return result.band.label
    if result.status is ResultStatus.INCOMPLETE:
        return (f"Incomplete: {result.answered} of {result.item_count} questions answered, "
                "so no band is given")
    return "Unreliable: answered faster than the questions can be read, so no band is given"


def short_headline(result: SubmissionResult) -> str:
    """The band's label, or the status in a few words (for tables)."""
    if result.band is not None:
        return result.band.label
    if result.status is ResultStatus.INCOMPLETE:
        return f"Incomplete ({result.answered} of {result.item_count} answered)"
    return "Unreliable (answered too fast to read)"


def standing(result: SubmissionResult) -> str:
    """A code for the result's standing: the band's id, or the status (for filters, CSS)."""
    return result.band.id if result.band is not None else result.status.value


def band_notes(result: SubmissionResult, bands: Sequence[Band]) -> tuple[str, ...]:
    """What qualifies the band: a cap by red flags, a score close to a cut."""
    notes = []
    if result.band_cap is not None:
        count = len(result.red_flags)
        reached = _band_label_reached(result, bands)
        notes.append(
            f"{'One red flag holds' if count == 1 else f'{count} red flags hold'} this result "
            f"at “{result.band.label if result.band else ''}”"
            + (f"; the scores alone reach “{reached}”." if reached else ".")
        )
    if result.close_to_line:
        what = ", ".join("the overall score" if name == OVERALL else
                         DIMENSION_LABELS.get(name, name).lower() for name in result.close_to_line)
        notes.append(f"Close to the line: {what} within one standard error of a cut score, "
                     "so the band could fall either way; weigh the interview more.")
    return tuple(notes)


def _band_label_reached(result: SubmissionResult, bands: Sequence[Band]) -> str:
    """The band the scores alone reach (before any red-flag cap), by the engine's rule."""
    try:
        return bands[reached(bands, result.overall, result.percents)].label
    except ScoringError:  # a bank whose last band has thresholds: say nothing
        return ""


def cautions(result: SubmissionResult) -> tuple[str, ...]:
    """Reasons to read the result with care, most serious first (shown above everything)."""
    found = []
    if result.status is ResultStatus.INCOMPLETE:
        found.append(f"Incomplete: only {result.answered} of {result.item_count} questions "
                     "were answered (timed out or left). The scores describe too little to "
                     "judge, so there is no band.")
    if result.status is ResultStatus.UNRELIABLE:
        fast = sum(1 for flag in result.quality_flags if flag.kind == TOO_FAST)
        found.append(f"Unreliable: {fast} of {result.answered} answers came faster than the "
                     "questions can be read, so they may not be the applicant's judgement. "
                     "There is no band; talk with the applicant before using the scores.")
    elif any(flag.kind == MANY_TOO_FAST for flag in result.quality_flags):
        fast = sum(1 for flag in result.quality_flags if flag.kind == TOO_FAST)
        found.append(f"{fast} of {result.item_count} answers came faster than the questions "
                     "can be read: treat the result with caution.")
    if result.provisional:
        count = len(result.pending_items)
        found.append(f"Provisional: {count} written answer{'s' if count != 1 else ''} still "
                     "to be rated, so the scores and band may change.")
    return tuple(found)


#: Languages an applicant may sit the screen in, named for the manager (English reader).
LANGUAGE_NAMES: Mapping[str, str] = {"en": "English", "es": "Spanish"}


def language_caution(language: str) -> str | None:
    """Why a screen taken in another language than the report's is read with care."""
    if language == "en":
        return None
    name = LANGUAGE_NAMES.get(language, language)
    return (f"Taken in {name}: the answers are scored on the same key, and the options are "
            "quoted here in English, as the bank words them. A written answer is quoted as "
            "the applicant wrote it.")


def band_reason(result: SubmissionResult) -> str:
    """Why the band is what it is, in a few words: what is close to a cut, the red flags.

    Joined to the band's label in one line ("Mixed result: probe in interview — respect
    under pressure is close to the line; 2 red flags"); ``band_notes`` say it in full. A
    result with no band already says why in its headline, so it has no reason here.
    """
    if result.band is None:
        return ""
    parts = []
    if result.close_to_line:
        what = " and ".join("the overall score" if name == OVERALL else
                            DIMENSION_LABELS.get(name, name).lower()
                            for name in result.close_to_line)
        parts.append(f"{what} {'is' if len(result.close_to_line) == 1 else 'are'} close to "
                     "the line")
    count = len(result.red_flags)
    if count:
        parts.append(f"{count} red flag{'s' if count != 1 else ''}")
    if not parts:
        return "no red flags, and no score close to a cut"
    return "; ".join(parts)


def quality_summary(result: SubmissionResult) -> str:
    """Every response-quality flag in one sentence of counts, for the collapsed section."""
    total = result.item_count or len(result.trace)
    counts = {kind: sum(1 for flag in result.quality_flags if flag.kind == kind)
              for kind in (TOO_FAST, UNANSWERED, STRAIGHT_LINING)}
    parts = []
    if counts[TOO_FAST]:
        parts.append(f"{counts[TOO_FAST]} of {total} answered faster than they can be read")
    if counts[UNANSWERED]:
        parts.append(f"{counts[UNANSWERED]} of {total} not answered")
    if counts[STRAIGHT_LINING]:
        count = counts[STRAIGHT_LINING]
        parts.append(f"{count} rated with the same rating for every option")
    if not parts:
        return ("No response-quality concerns: no answer came faster than it can be read, "
                "none was left out and no set of ratings was all alike.")
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def scoring_rules(method: int) -> tuple[str, ...]:
    """How a result of ``method`` was put together, for the methodology page."""
    if method == LEGACY_SCORING_METHOD:
        return (
            "A dimension's score is its points as a share of the points available on it, "
            "so an item weighs what its format gives (scoring method 1, used before "
            "December 2026; this result keeps it).",
            "The band is the first one whose thresholds the result meets.",
        )
    return (
        "Each item scores the dimension it was written for and weighs the same on it "
        "whatever its format: its points as a share of its own maximum. A dimension's score "
        "is the mean of those shares; ± is one standard error of that mean (scoring "
        "method 2).",
        "The band is the first one whose thresholds the result meets, then red flags cap "
        "it: one red flag at most the middle band, two or more the lowest. The cut scores "
        "were set so that random answering, or a rule that does not read the situation "
        "(longest answer, most polite answer), cannot reach the top band.",
        f"A result with fewer than {INCOMPLETE_SHARE:.0%} of the questions answered is "
        "incomplete, and one with more than "
        f"{UNRELIABLE_SHARE:.0%} of its answers given faster than the questions can be read "
        "is unreliable: neither gets a band.",
        "A score within one standard error of a cut score is marked close to the line.",
    )


#: The agreement figures `flask bank apply-panel` writes into each review's `change`.
_PANEL_AGREEMENT = re.compile(
    r"panel median r_wg\(J\) (?P<rwg>\d+\.\d+)(?:, ICC\(2,k\) (?P<icc>-?\d+\.\d+))?")
NOT_REVIEWED_BY_PANEL = ("Not yet reviewed by a practitioner panel: the key was written and "
                         "reviewed by the screening team, as each item's review record says.")


def key_provenance(questionnaire: Questionnaire) -> str:
    """Who reviewed the key of the version an applicant took: the latest keying panel
    written into its items (`reviewed_by`), with its size, day and agreement, or that no
    panel has reviewed it. One sentence for the full record and the manager's page."""
    rated = panel_items(questionnaire.items)
    latest = {}
    for item in rated:
        reviews = panel_reviews(item)
        if reviews:
            latest[item.id] = reviews[-1]
    if not latest:
        return NOT_REVIEWED_BY_PANEL
    panel_id, raters, review = max(latest.values(), key=lambda found: (found[2].on, found[0]))
    covered = sum(1 for found in latest.values() if found[0] == panel_id)
    match = _PANEL_AGREEMENT.search(review.change)
    agreement = ""
    if match:
        agreement = f"; agreement: median r_wg(J) {match['rwg']}" + (
            f", ICC(2,k) {match['icc']}" if match["icc"] else "")
    share = "" if covered == len(rated) else f"; {covered} of {len(rated)} rated items"
    return (f"Key reviewed by a practitioner panel of {raters} on {review.on} "
            f"(panel {panel_id}{agreement}{share}).")
