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

from .model import Anchor, Band, Item, ItemText, Option, Questionnaire, ResponseFormat

#: Raise when the snapshot layout changes, so old and new hashes never collide.
SNAPSHOT_SCHEMA = 1


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
    }


def questionnaire_from_snapshot(snapshot: Mapping[str, Any]) -> Questionnaire:
    """The Questionnaire a snapshot was taken of, with its content hash."""
    schema = snapshot.get("snapshot_schema")
    if schema != SNAPSHOT_SCHEMA:
        raise ValueError(f"unknown snapshot schema {schema!r}; expected {SNAPSHOT_SCHEMA}")
    practice = snapshot["practice_item"]
    return Questionnaire(
        id=snapshot["id"],
        title=snapshot["title"],
        description=snapshot["description"],
        items=tuple(item_from_snapshot(item) for item in snapshot["items"]),
        weights={dimension: float(weight) for dimension, weight in snapshot["weights"].items()},
        bands=tuple(_band_from_snapshot(band) for band in snapshot["bands"]),
        time_limit_minutes=snapshot["time_limit_minutes"],
        randomise_items=snapshot["randomise_items"],
        randomise_options=snapshot["randomise_options"],
        practice_item=None if practice is None else item_from_snapshot(practice),
        content_hash=content_hash(snapshot),
    )


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
        "reviewed_by": item.reviewed_by,
        "dimensions": list(item.dimensions),
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
        reviewed_by=snapshot["reviewed_by"],
        revision=snapshot["revision"],
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


def _option_to_snapshot(option: Option) -> dict[str, Any]:
    return {
        "id": option.id,
        "text": option.text,
        "rationale": option.rationale,
        "points": dict(option.points),
        "effectiveness": option.effectiveness,
        "rank": option.rank,
        "red_flag": option.red_flag,
    }


def _option_from_snapshot(snapshot: Mapping[str, Any]) -> Option:
    return Option(
        id=snapshot["id"],
        text=snapshot["text"],
        rationale=snapshot["rationale"],
        points=dict(snapshot["points"]),
        effectiveness=snapshot["effectiveness"],
        rank=snapshot["rank"],
        red_flag=snapshot["red_flag"],
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
