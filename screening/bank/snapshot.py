"""Frozen, hashable copies of a questionnaire for versioning submissions.

A stored submission keeps the snapshot it was answered against, so its
result can be re-derived and explained after the bank changes. The content
hash names that version: sha256 over canonical JSON, so it depends on the
wording, keys, rationales and settings only, never on file paths, YAML
layout, dict order or the machine.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from .model import (
    LEGACY_SCORING_METHOD,
    SOURCE_LANGUAGE,
    Anchor,
    Band,
    Item,
    ItemText,
    Option,
    Questionnaire,
    ResponseFormat,
    Review,
)

#: Raise when the snapshot layout changes, so old and new hashes never collide.
#: 2 (issue #16): reviewed_by is a list of reviews, items carry
#: second_dimension_reason, questionnaires carry languages.
#: 3 (issue #17): questionnaires carry their scoring method (earlier layouts: method 1).
SNAPSHOT_SCHEMA = 3
#: Layouts stored versions may hold; every one of them is still read.
READABLE_SCHEMAS = (1, 2, 3)


def questionnaire_to_snapshot(questionnaire: Questionnaire) -> dict[str, Any]:
    """Everything an applicant saw and a manager scores by, as JSON-ready data."""
    practice = questionnaire.practice_item
    return {
        "snapshot_schema": SNAPSHOT_SCHEMA,
        "id": questionnaire.id,
        "title": questionnaire.title,
        "description": questionnaire.description,
        "time_limit_minutes": questionnaire.time_limit_minutes,
        "randomise_items": questionnaire.randomise_items,
        "randomise_options": questionnaire.randomise_options,
        "weights": {
            dimension: float(weight) for dimension, weight in questionnaire.weights.items()
        },
        "bands": [_band_to_snapshot(band) for band in questionnaire.bands],
        "practice_item": None if practice is None else item_to_snapshot(practice),
        "items": [item_to_snapshot(item) for item in questionnaire.items],
        "languages": list(questionnaire.languages),
        "scoring_method": questionnaire.scoring_method,
    }


def questionnaire_from_snapshot(snapshot: Mapping[str, Any]) -> Questionnaire:
    """The Questionnaire a snapshot was taken of, with its content hash.

    The hash is always that of the snapshot as stored, so a version stored in an
    older layout keeps the hash (and the results) it was stored with.
    """
    schema = snapshot.get("snapshot_schema")
    if schema not in READABLE_SCHEMAS:
        known = ", ".join(map(str, READABLE_SCHEMAS))
        raise ValueError(f"unknown snapshot schema {schema!r}; expected one of {known}")
    practice = snapshot["practice_item"]
    items = tuple(item_from_snapshot(item) for item in snapshot["items"])
    practice_item = None if practice is None else item_from_snapshot(practice)
    return Questionnaire(
        id=snapshot["id"],
        title=snapshot["title"],
        description=snapshot["description"],
        items=items,
        weights={dimension: float(weight) for dimension, weight in snapshot["weights"].items()},
        bands=tuple(_band_from_snapshot(band) for band in snapshot["bands"]),
        time_limit_minutes=snapshot["time_limit_minutes"],
        randomise_items=snapshot["randomise_items"],
        randomise_options=snapshot["randomise_options"],
        practice_item=practice_item,
        languages=(
            tuple(snapshot["languages"])
            if "languages" in snapshot
            else _translated_throughout(items, practice_item)
        ),
        scoring_method=snapshot.get("scoring_method", LEGACY_SCORING_METHOD),
        content_hash=content_hash(snapshot),
        scoring_hash=scoring_hash(snapshot),
    )


def _translated_throughout(items: tuple[Item, ...], practice: Item | None) -> tuple[str, ...]:
    """Schema 1 did not record languages: those every item (and the practice item) has."""
    every = [*items, *([practice] if practice else [])]
    shared = set.intersection(*(set(item.translations) for item in every)) if every else set()
    return (SOURCE_LANGUAGE, *sorted(shared - {SOURCE_LANGUAGE}))


def scoring_hash(snapshot: Mapping[str, Any]) -> str:
    """sha256 over the parts of a snapshot that scoring depends on, and nothing else.

    Items and their options' keys, points and red flags, anchors' ratings, weights,
    bands' thresholds and the scoring method: two versions that differ only in wording,
    rationales, translations, interview questions or review records share it, and so
    share a norm group.
    """
    def item(stored: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": stored["id"], "format": stored["format"],
            "dimensions": stored["dimensions"], "scale": stored["scale"],
            "options": [{key: option[key] for key in
                         ("id", "points", "effectiveness", "rank", "red_flag")}
                        for option in stored["options"]],
            "anchors": [anchor["rating"] for anchor in stored["anchors"]],
        }

    scoring = {
        "id": snapshot["id"],
        "scoring_method": snapshot.get("scoring_method", LEGACY_SCORING_METHOD),
        "weights": snapshot["weights"],
        "bands": [{key: band.get(key) for key in ("id", "overall_min", "dimension_min")}
                  for band in snapshot["bands"]],
        "items": [item(stored) for stored in snapshot["items"]],
    }
    return hashlib.sha256(canonical_json(scoring)).hexdigest()


def content_hash(snapshot: Mapping[str, Any]) -> str:
    """sha256 hex of the canonical JSON of a snapshot."""
    return hashlib.sha256(canonical_json(snapshot)).hexdigest()


def canonical_json(snapshot: Mapping[str, Any]) -> bytes:
    # Sorted keys and fixed separators make the bytes independent of dict
    # order and of json defaults; UTF-8 without escapes keeps them readable.
    text = json.dumps(snapshot, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.encode("utf-8")


def item_to_snapshot(item: Item) -> dict[str, Any]:
    """One item with its rubric; `source` (a file path) is left out on purpose."""
    return {
        "id": item.id,
        "title": item.title,
        "revision": item.revision,
        "author": item.author,
        "reviewed_by": [
            {"who": review.who, "on": review.on, "change": review.change}
            for review in item.reviewed_by
        ],
        "dimensions": list(item.dimensions),
        "second_dimension_reason": item.second_dimension_reason,
        "format": item.format.value,
        "scale": {"min": item.scale_min, "max": item.scale_max},
        "scenario": item.scenario,
        "prompt": item.prompt,
        "options": [_option_to_snapshot(option) for option in item.options],
        "anchors": [
            {"rating": anchor.rating, "description": anchor.description} for anchor in item.anchors
        ],
        "interview_questions": list(item.interview_questions),
        "translations": {
            language: {
                "title": text.title,
                "scenario": text.scenario,
                "prompt": text.prompt,
                "options": dict(text.options),
            }
            for language, text in item.translations.items()
        },
    }


def item_from_snapshot(snapshot: Mapping[str, Any]) -> Item:
    return Item(
        id=snapshot["id"],
        title=snapshot["title"],
        dimensions=tuple(snapshot["dimensions"]),
        scenario=snapshot["scenario"],
        prompt=snapshot["prompt"],
        format=ResponseFormat(snapshot["format"]),
        options=tuple(_option_from_snapshot(option) for option in snapshot["options"]),
        scale_min=snapshot["scale"]["min"],
        scale_max=snapshot["scale"]["max"],
        anchors=tuple(Anchor(**anchor) for anchor in snapshot["anchors"]),
        interview_questions=tuple(snapshot["interview_questions"]),
        author=snapshot["author"],
        reviewed_by=_reviews_from_snapshot(snapshot["reviewed_by"]),
        revision=snapshot["revision"],
        second_dimension_reason=snapshot.get("second_dimension_reason", ""),
        translations={
            language: ItemText(
                title=text["title"],
                scenario=text["scenario"],
                prompt=text["prompt"],
                options=dict(text["options"]),
            )
            for language, text in snapshot["translations"].items()
        },
    )


def _reviews_from_snapshot(stored: Any) -> tuple[Review, ...]:
    """A list of reviews; schema 1 stored one plain name, kept as a review without date."""
    if isinstance(stored, str):
        return (Review(who=stored, on="", change=""),) if stored else ()
    return tuple(Review(who=r["who"], on=r["on"], change=r["change"]) for r in stored)


def _option_to_snapshot(option: Option) -> dict[str, Any]:
    snapshot: dict[str, Any] = {
        "id": option.id,
        "text": option.text,
        "rationale": option.rationale,
        "points": dict(option.points),
        "effectiveness": option.effectiveness,
        "rank": option.rank,
        "red_flag": option.red_flag,
    }
    # Only once a panel has rated the option: every version stored before keeps its hash.
    if option.panel_effectiveness is not None:
        snapshot["panel_effectiveness"] = option.panel_effectiveness
    return snapshot


def _option_from_snapshot(snapshot: Mapping[str, Any]) -> Option:
    return Option(
        id=snapshot["id"],
        text=snapshot["text"],
        rationale=snapshot["rationale"],
        points=dict(snapshot["points"]),
        effectiveness=snapshot["effectiveness"],
        rank=snapshot["rank"],
        red_flag=snapshot["red_flag"],
        panel_effectiveness=snapshot.get("panel_effectiveness"),
    )


def _band_to_snapshot(band: Band) -> dict[str, Any]:
    return {
        "id": band.id,
        "label": band.label,
        "description": band.description,
        "overall_min": float(band.overall_min),
        "dimension_min": {
            dimension: float(percent) for dimension, percent in band.dimension_min.items()
        },
    }


def _band_from_snapshot(snapshot: Mapping[str, Any]) -> Band:
    return Band(
        id=snapshot["id"],
        label=snapshot["label"],
        description=snapshot["description"],
        overall_min=float(snapshot["overall_min"]),
        dimension_min={
            dimension: float(percent) for dimension, percent in snapshot["dimension_min"].items()
        },
    )
