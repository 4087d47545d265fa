"""Read and validate one questionnaire file (questions/forms/<ID>.yaml)."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from typing import Any

from .documents import Document, entry_path
from .fields import Fields, FileReport, describe, is_number
from .model import (
    CURRENT_SCORING_METHOD,
    DIMENSIONS,
    SCORING_METHODS,
    SOURCE_LANGUAGE,
    Band,
    Item,
    Questionnaire,
)

QUESTIONNAIRE_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE = re.compile(r"^[a-z]{2}$")
QUESTIONNAIRE_FIELDS = (
    "id",
    "title",
    "description",
    "time_limit_minutes",
    "randomise_items",
    "randomise_options",
    "practice_item",
    "languages",
    "scoring_method",
    "items",
    "weights",
    "bands",
)
BAND_FIELDS = ("id", "label", "description", "overall_min", "dimension_min")
PERCENT_MIN, PERCENT_MAX = 0.0, 100.0


def read_questionnaire(
    document: Document,
    report: FileReport,
    file_stem: str,
    item_files: Collection[str],
    items: Mapping[str, Item],
) -> Questionnaire | None:
    """The questionnaire in `document`, or None after recording why not.

    `item_files` are the ids with a file under items/; `items` those that
    loaded cleanly. An item that exists but is broken has its own problems,
    so the questionnaire does not report it again.
    """
    if not isinstance(document.content, dict):
        report.add(
            "",
            f"a questionnaire file must be a mapping of fields, not {describe(document.content)}",
        )
        return None
    fields = Fields(report, "", document.content)
    fields.only(QUESTIONNAIRE_FIELDS)
    questionnaire_id = fields.identifier(file_stem, QUESTIONNAIRE_ID, "frontline-standard")
    title = fields.text("title")
    description = fields.text("description")
    time_limit = _time_limit(fields)
    randomise_items = fields.flag("randomise_items")
    randomise_options = fields.flag("randomise_options")
    item_ids = _item_ids(fields, item_files)
    practice = _practice_item(fields, item_files, item_ids or [])
    languages = _languages(fields)
    scoring_method = _scoring_method(fields)
    weights = _weights(fields)
    bands = _bands(fields)
    scored = [items[item_id] for item_id in item_ids or [] if item_id in items]
    # A broken item reports its own problems; here it only stops the build.
    complete = item_ids is not None and len(scored) == len(item_ids)
    if complete and scored:
        _check_coverage(fields, scored)
        if languages is not None:
            _check_translated(fields, scored, items.get(practice or ""), languages)
    if not report.clean or not complete or (practice and practice not in items):
        return None
    assert questionnaire_id and title and description and weights and bands and languages
    return Questionnaire(
        id=questionnaire_id,
        title=title,
        description=description,
        items=tuple(scored),
        weights=weights,
        bands=bands,
        time_limit_minutes=time_limit,
        randomise_items=bool(randomise_items),
        randomise_options=bool(randomise_options),
        practice_item=items[practice] if practice else None,
        languages=languages,
        scoring_method=scoring_method,
    )


def _scoring_method(fields: Fields) -> int:
    """The method results are scored with; the current one when the file names none."""
    if not fields.has("scoring_method"):
        return CURRENT_SCORING_METHOD
    method = fields.whole("scoring_method")
    if method is not None and method not in SCORING_METHODS:
        known = "; ".join(f"{number} ({what})" for number, what in SCORING_METHODS.items())
        fields.problem("scoring_method", f"{method} is not a scoring method; use {known}")
    return method if method in SCORING_METHODS else CURRENT_SCORING_METHOD


def _time_limit(fields: Fields) -> int | None:
    if fields.mapping.get("time_limit_minutes") is None:
        return None  # null or absent: no time limit
    minutes = fields.whole("time_limit_minutes")
    if minutes is not None and minutes < 1:
        fields.problem(
            "time_limit_minutes", f"must be a positive number of minutes or null, not {minutes}"
        )
        return None
    return minutes


def _item_ids(fields: Fields, item_files: Collection[str]) -> list[str] | None:
    entries = fields.sequence("items")
    if entries is None:
        return None
    if not entries:
        fields.problem("items", "a questionnaire needs at least one item")
        return None
    item_ids = []
    for index, item_id in enumerate(entries):
        where = entry_path(fields.at("items"), index)
        if not isinstance(item_id, str):
            fields.report.add(where, f"an item id must be text, not {describe(item_id)}")
        elif item_id not in item_files:
            fields.report.add(where, f"there is no item {item_id} (no file items/{item_id}.yaml)")
        elif item_id in item_ids:
            fields.report.add(where, f"item {item_id} is listed twice")
        else:
            item_ids.append(item_id)
    return item_ids


def _practice_item(fields: Fields, item_files: Collection[str], item_ids: list[str]) -> str | None:
    practice = fields.text("practice_item", required=False)
    if practice is None:
        return None
    if practice not in item_files:
        fields.problem(
            "practice_item", f"there is no item {practice} (no file items/{practice}.yaml)"
        )
        return None
    if practice in item_ids:
        # A practice item is never scored; listing it as scored would score it.
        fields.problem("practice_item", f"{practice} is also a scored item of this questionnaire")
        return None
    return practice


def _languages(fields: Fields) -> tuple[str, ...] | None:
    """The languages the questionnaire is offered in: the source language and translations.

    Optional; without it the questionnaire is offered in the source language only.
    """
    if not fields.has("languages"):
        return (SOURCE_LANGUAGE,)
    entries = fields.sequence("languages")
    if entries is None:
        return None
    found: list[str] = []
    for index, code in enumerate(entries):
        where = entry_path(fields.at("languages"), index)
        if not isinstance(code, str) or not LANGUAGE.match(code):
            fields.report.add(
                where, f"{code!r} is not a two-letter language code such as en or es"
            )
        elif code in found:
            fields.report.add(where, f"{code} is listed twice")
        else:
            found.append(code)
    if SOURCE_LANGUAGE not in found:
        fields.problem(
            "languages",
            f"list {SOURCE_LANGUAGE}, the language the bank is written in, with any translations",
        )
        return None
    if len(found) != len(entries):
        return None
    # The source language first, so every questionnaire reads its list the same way.
    return (SOURCE_LANGUAGE, *(code for code in found if code != SOURCE_LANGUAGE))


def _check_translated(
    fields: Fields, scored: list[Item], practice: Item | None, languages: tuple[str, ...]
) -> None:
    """A questionnaire offered in a language has every item worded in it.

    Otherwise an applicant who chose that language meets situations in English
    half-way through, and answers them more slowly than everyone else.
    """
    for language in languages:
        if language == SOURCE_LANGUAGE:
            continue
        why = (
            f"the questionnaire is offered in {language}, so every item needs its title, "
            f"scenario, prompt and options in {language}"
        )
        for index, item in enumerate(scored):
            if language not in item.translations:
                fields.report.add(
                    entry_path(fields.at("items"), index),
                    f"item {item.id} has no translation into {language}; {why}",
                )
        if practice is not None and language not in practice.translations:
            fields.problem(
                "practice_item", f"item {practice.id} has no translation into {language}; {why}"
            )


def _weights(fields: Fields) -> dict[str, float] | None:
    weights = fields.mapping_at("weights")
    if weights is None:
        return None
    found: dict[str, float] = {}
    for dimension, weight in weights.mapping.items():
        if dimension not in DIMENSIONS:
            weights.problem(
                dimension, f"{dimension!r} is not a dimension; use {', '.join(DIMENSIONS)}"
            )
        elif not is_number(weight) or weight <= 0:
            weights.problem(
                dimension, f"a weight must be a positive number, not {describe(weight)}"
            )
        else:
            found[dimension] = float(weight)
    missing = [dimension for dimension in DIMENSIONS if dimension not in weights.mapping]
    if missing:
        fields.problem("weights", f"no weight for {', '.join(missing)}; weigh every dimension")
    if len(found) != len(DIMENSIONS):
        return None
    return {dimension: found[dimension] for dimension in DIMENSIONS}


def _bands(fields: Fields) -> tuple[Band, ...] | None:
    entries = fields.sequence("bands")
    if entries is None:
        return None
    if not entries:
        fields.problem("bands", "a questionnaire needs at least one band")
        return None
    bands: list[Band | None] = []
    for index, entry in enumerate(entries):
        where = entry_path(fields.at("bands"), index)
        if not isinstance(entry, dict):
            fields.report.add(where, f"a band must be a mapping of fields, not {describe(entry)}")
            bands.append(None)
        else:
            bands.append(_band(Fields(fields.report, where, entry)))
    _check_band_order(fields, entries, bands)
    if None in bands:
        return None
    return tuple(band for band in bands if band is not None)


def _band(fields: Fields) -> Band | None:
    fields.only(BAND_FIELDS)
    band_id, label = fields.text("id"), fields.text("label")
    description = fields.text("description")
    overall_min = _percent(fields, "overall_min", required=True)
    dimension_min: dict[str, float] = {}
    thresholds = fields.mapping_at("dimension_min", required=False)
    sound = not fields.has("dimension_min") or thresholds is not None
    for dimension in thresholds.mapping if thresholds is not None else ():
        if dimension not in DIMENSIONS:
            thresholds.problem(
                dimension, f"{dimension!r} is not a dimension; use {', '.join(DIMENSIONS)}"
            )
            sound = False
            continue
        percent = _percent(thresholds, dimension, required=True)
        if percent is None:
            sound = False
        else:
            dimension_min[dimension] = percent
    if None in (band_id, label, description, overall_min) or not sound:
        return None
    assert band_id and label and description and overall_min is not None
    return Band(
        id=band_id,
        label=label,
        description=description,
        overall_min=overall_min,
        dimension_min={d: dimension_min[d] for d in DIMENSIONS if d in dimension_min},
    )


def _percent(fields: Fields, key: Any, *, required: bool) -> float | None:
    value = fields.number(key, required=required)
    if value is not None and not PERCENT_MIN <= value <= PERCENT_MAX:
        fields.problem(key, f"{value:g} is not a percentage between 0 and 100")
        return None
    return value


def _check_band_order(fields: Fields, entries: list[Any], bands: list[Band | None]) -> None:
    """Bands run best to worst, and the last one must catch every applicant.

    A last band with a threshold would leave some applicants without any
    result, so the scoring engine could not place them.
    """
    seen: dict[str, int] = {}
    previous: Band | None = None
    for index, band in enumerate(bands):
        where = entry_path(fields.at("bands"), index)
        if band is None:
            previous = None
            continue
        if band.id in seen:
            fields.report.add(
                f"{where}.id", f"band id {band.id} is already used by bands[{seen[band.id]}]"
            )
        else:
            seen[band.id] = index
        if previous is not None and band.overall_min > previous.overall_min:
            fields.report.add(
                f"{where}.overall_min",
                f"overall_min {band.overall_min:g} is above the band before it "
                f"({previous.id}: {previous.overall_min:g}); list bands from best to worst",
            )
        previous = band
    last = bands[-1]
    if last is None:
        return
    where = entry_path(fields.at("bands"), len(bands) - 1)
    if last.overall_min != 0:
        fields.report.add(
            f"{where}.overall_min",
            "the last band catches everyone, so its overall_min must be 0, "
            f"not {last.overall_min:g}",
        )
    if isinstance(entries[-1], dict) and "dimension_min" in entries[-1]:
        fields.report.add(
            f"{where}.dimension_min",
            "the last band catches everyone, so it has no dimension_min",
        )


def _check_coverage(fields: Fields, items: list[Item]) -> None:
    """Each weighted dimension needs an item, or its score would be undefined."""
    measured = {dimension for item in items for dimension in item.dimensions}
    for dimension in DIMENSIONS:
        if dimension not in measured:
            fields.problem("items", f"no item of this questionnaire measures {dimension}")
