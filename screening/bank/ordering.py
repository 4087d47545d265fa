"""Per-applicant presentation order, reproducible from a stored seed.

Answers are stored by option id, so order only affects what the applicant sees;
a reload (or a resume next week) shows the same order because the seed is stored.
"""

from __future__ import annotations

import random

from screening.bank.model import Item, Questionnaire


def item_order(questionnaire: Questionnaire, seed: int) -> tuple[str, ...]:
    ids = [item.id for item in questionnaire.items]
    if questionnaire.randomise_items:
        random.Random(f"items:{seed}").shuffle(ids)  # noqa: S311 - presentation, not security
    return tuple(ids)


def option_order(questionnaire: Questionnaire, item: Item, seed: int) -> tuple[str, ...]:
    ids = [option.id for option in item.options]
    if questionnaire.randomise_options:
        random.Random(f"options:{seed}:{item.id}").shuffle(ids)  # noqa: S311
    return tuple(ids)
