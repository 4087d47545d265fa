"""Feedback every applicant keeps: strengths in plain words, one area to develop, next steps.

Pure: built from a scored result and the frozen questionnaire. It never carries
raw scores, percentiles or red-flag wording; only dimension names, plain
descriptions and the rubric's own account of what works best.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.bank.model import Questionnaire, ResponseFormat
from screening.i18n import DEFAULT_LANGUAGE, N_, Gettext, offered_languages
from screening.scoring import SubmissionResult, TraceLine

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

TIP = N_("In one of the situations you saw, “%(title)s”, the response that works best is: "
         "“%(action)s”")
#: Rationales are written for managers in English: given only with English item text.
WHY = N_("Why: %(why)s")

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
    tip: str


@dataclass(frozen=True)
class Feedback:
    language: str
    strengths: tuple[Strength, ...]
    development: Development
    next_steps: str


def build_feedback(
    result: SubmissionResult,
    questionnaire: Questionnaire,
    outcome: str,
    gettext: Gettext,
    language: str = "en",
) -> Feedback:
    """Two strongest dimensions, the weakest with a concrete tip, and what happens next.

    ``gettext`` translates into ``language`` (``screening.i18n.translator``); the
    item's own wording comes from the bank's translation where it has one.
    """
    if language not in offered_languages():
        language = DEFAULT_LANGUAGE
    # Ties keep the questionnaire's dimension order, so the same result reads the same.
    ranked = sorted(result.dimensions, key=lambda score: -score.percent)
    strengths = tuple(
        Strength(score.dimension, gettext(DIMENSION_NAMES[score.dimension]),
                 gettext(STRENGTH_WORDS[score.dimension]))
        for score in ranked[:2]
    )
    weakest = ranked[-1].dimension
    development = Development(
        weakest,
        gettext(DIMENSION_NAMES[weakest]),
        gettext(DEVELOP_WORDS[weakest]),
        _tip(result, questionnaire, weakest, gettext, language),
    )
    return Feedback(language, strengths, development, gettext(NEXT_STEPS[outcome]))


def _tip(
    result: SubmissionResult,
    questionnaire: Questionnaire,
    dimension: str,
    gettext: Gettext,
    language: str,
) -> str:
    """The keyed-best behaviour of the item, mainly on ``dimension``, where most was lost."""
    candidates = [
        line
        for line in result.trace
        if line.primary_dimension == dimension and line.format in _KEYED_FORMATS
    ] or [line for line in result.trace if line.format in _KEYED_FORMATS]
    line = max(candidates, key=_points_lost)
    item = questionnaire.item(line.item_id)
    best = max(item.options, key=lambda option: sum(option.points.values()))
    translation = item.translations.get(language)
    if translation is not None:
        return gettext(TIP) % {"title": translation.title, "action": translation.options[best.id]}
    tip = gettext(TIP) % {"title": item.title, "action": best.text}
    return f"{tip} {gettext(WHY) % {'why': best.rationale}}"


_KEYED_FORMATS = {ResponseFormat.BEST_CHOICE.value, ResponseFormat.MOST_LEAST.value}


def _points_lost(line: TraceLine) -> int:
    return sum(line.maximum.values()) - sum(line.points.values())


__all__ = ["Development", "Feedback", "Strength", "build_feedback"]
