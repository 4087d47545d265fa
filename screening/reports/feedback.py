"""Feedback every applicant keeps: an honest summary, strengths, an area to develop, next steps.

Pure: built from a scored result and the frozen questionnaire. It never carries
raw scores, percentiles, red-flag wording, keyed options or rationales: the items
must stay fair for the next applicant. Strengths are named only where the scores
support them, and an area to develop only where it is clearly weaker.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.bank.model import Questionnaire
from screening.i18n import DEFAULT_LANGUAGE, N_, Gettext, offered_languages
from screening.scoring import SubmissionResult, clear_weakest_dimension

#: The words, in English; each is looked up in the applicant's catalogue when built.
DIMENSION_NAMES = {
    "warmth": N_("Warmth"),
    "common_sense": N_("Common sense"),
    "respect": N_("Respect under pressure"),
}

STRENGTH_WORDS = {
    "warmth": N_("You put people first. Your answers showed that you notice people straight "
                 "away, listen for what they really need and make them feel welcome."),
    "common_sense": N_("You use good judgement. Your answers showed that you look for the "
                       "step that really solves the problem, and you know when to ask for "
                       "help."),
    "respect": N_("You stay calm and respectful. Your answers showed that you keep your "
                  "courtesy when people are upset, and you fix the next step instead of "
                  "arguing."),
}

DEVELOP_WORDS = {
    "warmth": N_("Making every person feel noticed and welcome, even when you are busy."),
    "common_sense": N_("Choosing the step that solves the customer's problem, within the "
                       "rules, and knowing when to hand over to someone who can help."),
    "respect": N_("Staying calm and courteous when a customer is angry or wrong, and moving "
                  "to the next step instead of proving a point."),
}

#: One honest sentence about the result as a whole, by where its band sits.
SUMMARY = {
    "strong": N_("Your answers showed sound judgement in most of the situations."),
    "mixed": N_("Your answers showed real strengths, and some situations where another "
                "response would have worked better."),
    "weak": N_("In many of the situations, another response would have worked better. "
               "Front-line work asks a lot of anyone; we hope these notes help you prepare "
               "for your next application."),
    "incomplete": N_("You answered too few of the questions for us to say what your answers "
                     "show. If something stopped you, please tell the hiring team."),
    "unreliable": N_("Many answers came faster than the questions can be read, so we cannot "
                     "say what they show. If something went wrong, please tell the hiring "
                     "team."),
}
NO_CLEAR_STRENGTH = N_("No single area stood out as a clear strength on this screen.")
NO_CLEAR_DEVELOPMENT = N_("No single area stood out as weaker than the others.")

NEXT_STEPS = {
    "advance": N_("The hiring team would like to take your application further and will "
                  "contact you about the next step."),
    "secondary": N_("The hiring team would like to talk with you about a role that suits "
                    "your strengths, and will contact you."),
    "do_not_advance": N_("The hiring team has decided not to take your application further "
                         "this time. Thank you for your time; we hope the notes above help "
                         "you in your next application."),
    "on_hold": N_("The hiring team has not decided yet and will contact you when they have."),
}


#: A dimension is named as a strength from this score up: below it, praise would not be
#: honest.
STRENGTH_MIN = 70.0


@dataclass(frozen=True)
class Strength:
    dimension: str
    name: str
    description: str


@dataclass(frozen=True)
class Development:
    dimension: str
    name: str
    description: str


@dataclass(frozen=True)
class Feedback:
    language: str
    #: one honest sentence about the whole result.
    summary: str
    #: up to two dimensions at or above STRENGTH_MIN; empty when none is.
    strengths: tuple[Strength, ...]
    #: the clearly weakest dimension; None when none is clearly weaker.
    development: Development | None
    #: what to say when there is no strength or no development to name.
    no_strength: str
    no_development: str
    next_steps: str


def build_feedback(
    result: SubmissionResult,
    questionnaire: Questionnaire,
    outcome: str,
    gettext: Gettext,
    language: str = "en",
) -> Feedback:
    """What the applicant reads: an honest summary, strengths the scores support, the area
    clearly to develop, and what happens next.

    It never shows a score, a percentile, a flag, a keyed option or a rationale: the
    items stay fair for the next applicant. ``gettext`` translates into ``language``
    (``screening.i18n.translator``).
    """
    if language not in offered_languages():
        language = DEFAULT_LANGUAGE
    summary = gettext(SUMMARY[_standing(result, questionnaire)])
    if result.band is None:  # incomplete or unreliable: nothing to say about the answers
        return Feedback(language, summary, (), None, "", "", gettext(NEXT_STEPS[outcome]))
    # Ties keep the questionnaire's dimension order, so the same result reads the same.
    ranked = sorted(result.dimensions, key=lambda score: -score.percent)
    strengths = tuple(
        Strength(score.dimension, gettext(DIMENSION_NAMES[score.dimension]),
                 gettext(STRENGTH_WORDS[score.dimension]))
        for score in ranked[:2] if score.maximum and score.percent >= STRENGTH_MIN
    )
    weakest = clear_weakest_dimension(result)
    development = (
        Development(weakest, gettext(DIMENSION_NAMES[weakest]), gettext(DEVELOP_WORDS[weakest]))
        if weakest is not None and weakest not in {s.dimension for s in strengths} else None
    )
    return Feedback(language, summary, strengths, development, gettext(NO_CLEAR_STRENGTH),
                    gettext(NO_CLEAR_DEVELOPMENT), gettext(NEXT_STEPS[outcome]))


def _standing(result: SubmissionResult, questionnaire: Questionnaire) -> str:
    if result.band is None:
        return result.status.value
    ids = [band.id for band in questionnaire.bands]
    place = ids.index(result.band.id) if result.band.id in ids else len(ids) - 1
    if place == 0:
        return "strong"
    return "weak" if place == len(ids) - 1 else "mixed"


__all__ = ["Development", "Feedback", "Strength", "build_feedback"]
