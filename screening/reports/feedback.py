"""Feedback every applicant keeps: strengths in plain words, one area to develop, next steps.

Pure: built from a scored result and the frozen questionnaire. It never carries
raw scores, percentiles or red-flag wording; only dimension names, plain
descriptions and the rubric's own account of what works best.
"""

from __future__ import annotations

from dataclasses import dataclass

from screening.bank.model import Questionnaire, ResponseFormat
from screening.scoring import SubmissionResult, TraceLine

SUPPORTED_LANGUAGES = ("en", "es")

DIMENSION_NAMES = {
    "en": {"warmth": "Warmth", "common_sense": "Common sense", "respect": "Respect under pressure"},
    "es": {"warmth": "Calidez", "common_sense": "Sentido común", "respect": "Respeto bajo presión"},
}

STRENGTH_WORDS = {
    "en": {
        "warmth": "You put people first. Your answers showed that you notice people straight "
        "away, listen for what they really need and make them feel welcome.",
        "common_sense": "You use good judgement. Your answers showed that you look for the "
        "step that really solves the problem, and you know when to ask for help.",
        "respect": "You stay calm and respectful. Your answers showed that you keep your "
        "courtesy when people are upset, and you fix the next step instead of "
        "arguing.",
    },
    "es": {
        "warmth": "Pone a las personas primero. Sus respuestas muestran que atiende a la gente "
        "enseguida, escucha lo que de verdad necesita y la hace sentir bienvenida.",
        "common_sense": "Tiene buen criterio. Sus respuestas muestran que busca el paso que "
        "de verdad resuelve el problema y sabe cuándo pedir ayuda.",
        "respect": "Mantiene la calma y el respeto. Sus respuestas muestran que conserva la "
        "cortesía cuando alguien está molesto y resuelve el siguiente paso en lugar "
        "de discutir.",
    },
}

DEVELOP_WORDS = {
    "en": {
        "warmth": "Making every person feel noticed and welcome, even when you are busy.",
        "common_sense": "Choosing the step that solves the customer's problem, within the "
        "rules, and knowing when to hand over to someone who can help.",
        "respect": "Staying calm and courteous when a customer is angry or wrong, and moving "
        "to the next step instead of proving a point.",
    },
    "es": {
        "warmth": "Hacer que cada persona se sienta atendida y bienvenida, incluso con prisa.",
        "common_sense": "Elegir el paso que resuelve el problema del cliente, dentro de las "
        "normas, y saber cuándo pasar el caso a quien pueda ayudar.",
        "respect": "Mantener la calma y la cortesía cuando un cliente está enfadado o se "
        "equivoca, y pasar al siguiente paso en lugar de tener la razón.",
    },
}

TIP = {
    "en": "In one of the situations you saw, “{title}”, the response that works best is: "
    "“{action}” Why: {why}",
    "es": "En una de las situaciones que vio, «{title}», la respuesta que mejor funciona es: "
    "«{action}»",
}

NEXT_STEPS = {
    "en": {
        "advance": "The hiring team would like to take your application further and will "
        "contact you about the next step.",
        "secondary": "The hiring team would like to talk with you about a role that suits "
        "your strengths, and will contact you.",
        "do_not_advance": "The hiring team has decided not to take your application further "
        "this time. Thank you for your time; we hope the notes above help "
        "you in your next application.",
        "on_hold": "The hiring team has not decided yet and will contact you when they have.",
    },
    "es": {
        "advance": "El equipo de selección quiere seguir adelante con su candidatura y se "
        "pondrá en contacto con usted para el siguiente paso.",
        "secondary": "El equipo de selección quiere hablar con usted sobre un puesto que se "
        "ajuste a sus puntos fuertes y se pondrá en contacto con usted.",
        "do_not_advance": "El equipo de selección ha decidido no seguir adelante con su "
        "candidatura esta vez. Gracias por su tiempo; esperamos que estas "
        "notas le sirvan en su próxima candidatura.",
        "on_hold": "El equipo de selección aún no ha decidido y se pondrá en contacto con "
        "usted cuando lo haga.",
    },
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
    result: SubmissionResult, questionnaire: Questionnaire, outcome: str, language: str = "en"
) -> Feedback:
    """Two strongest dimensions, the weakest with a concrete tip, and what happens next."""
    language = language if language in SUPPORTED_LANGUAGES else "en"
    # Ties keep the questionnaire's dimension order, so the same result reads the same.
    ranked = sorted(result.dimensions, key=lambda score: -score.percent)
    names = DIMENSION_NAMES[language]
    strengths = tuple(
        Strength(score.dimension, names[score.dimension], STRENGTH_WORDS[language][score.dimension])
        for score in ranked[:2]
    )
    weakest = ranked[-1].dimension
    development = Development(
        weakest,
        names[weakest],
        DEVELOP_WORDS[language][weakest],
        _tip(result, questionnaire, weakest, language),
    )
    return Feedback(language, strengths, development, NEXT_STEPS[language][outcome])


def _tip(
    result: SubmissionResult, questionnaire: Questionnaire, dimension: str, language: str
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
    translation = item.translations.get(language) if language != "en" else None
    if translation is not None:
        return TIP[language].format(title=translation.title, action=translation.options[best.id])
    return TIP["en"].format(title=item.title, action=best.text, why=best.rationale)


_KEYED_FORMATS = {ResponseFormat.BEST_CHOICE.value, ResponseFormat.MOST_LEAST.value}


def _points_lost(line: TraceLine) -> int:
    return sum(line.maximum.values()) - sum(line.points.values())


__all__ = ["Development", "Feedback", "Strength", "build_feedback"]
