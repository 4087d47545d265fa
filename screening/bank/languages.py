"""Items and questionnaires in the applicant's language, for display only.

A translation replaces words (title, scenario, prompt, option texts) and nothing
else: option ids, points, ranks and rubrics stay those of the original, and
answers are stored by option id, so scoring never depends on the language. An
item without a translation for the language is shown as written (English).
"""

from __future__ import annotations

from dataclasses import replace

from .model import Item, Questionnaire


def item_in_language(item: Item, language: str) -> Item:
    """The item with its wording in ``language``, or the item itself if it has none."""
    text = item.translations.get(language)
    if text is None:
        return item
    return replace(
        item,
        title=text.title,
        scenario=text.scenario,
        prompt=text.prompt,
        options=tuple(replace(option, text=text.options[option.id]) for option in item.options),
    )


def questionnaire_in_language(questionnaire: Questionnaire, language: str) -> Questionnaire:
    """Every item (and the practice item) in ``language`` where a translation exists."""
    practice = questionnaire.practice_item
    return replace(
        questionnaire,
        items=tuple(item_in_language(item, language) for item in questionnaire.items),
        practice_item=None if practice is None else item_in_language(practice, language),
    )


def is_translated(item: Item, language: str, source_language: str = "en") -> bool:
    """Is the item's wording available in ``language`` (the bank is written in English)?"""
    return language == source_language or language in item.translations


__all__ = ["is_translated", "item_in_language", "questionnaire_in_language"]
