"""Snapshots and content hashes: the version a stored submission points at."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from screening.bank import (
    content_hash,
    load_bank,
    questionnaire_from_snapshot,
    questionnaire_to_snapshot,
)
from tests.unit.bank.factories import BankFolder

TINY_ITEM = """\
id: W01-tiny-greeting
title: A visitor at the desk
revision: 3
author: Screening team
reviewed_by:
  - who: A. Reviewer
    on: 2026-11-30
    change: Checked the key.
dimensions: [warmth, respect]
second_dimension_reason: Sighing at a visitor is disrespect as well as coldness.
format: best_choice
scale: {min: 0, max: 2}
scenario: >
  A visitor waits at the desk
  while you finish an email.
prompt: Which response is the most effective?
options:
  - id: a
    text: Greet them at once.
    points: {warmth: 2, respect: 2}
    rationale: Acknowledges the person at once.
  - id: b
    text: Finish the email first.
    points: {warmth: 0, respect: 1}
    rationale: The visitor feels in the way.
  - id: c
    text: Sigh and point.
    points: {warmth: 1, respect: 0}
    rationale: Shows irritation.
    red_flag: true
interview_questions:
  - Tell me about a time someone waited for you.
translations:
  es:
    title: Un visitante en el mostrador
    scenario: Un visitante espera mientras usted termina un correo.
    prompt: ¿Qué respuesta es la más eficaz?
    options: {a: Saludar enseguida., b: Acabar el correo., c: Suspirar y señalar.}
"""

#: The rest of a questionnaire the bank rules accept (two items per dimension, keyed
#: options that do not stand out by length): plain items, each with three options.
FILLERS = {
    "W02-tiny-caller": ("warmth", ("Greet them now.", "Wait until they speak.", "Keep typing.")),
    "C01-tiny-stock": (
        "common_sense",
        ("Ask what they need.", "Hand them a leaflet.", "Point to the web page."),
    ),
    "C02-tiny-limit": (
        "common_sense",
        ("Find out who knows.", "Guess an answer.", "Say you do not know."),
    ),
    "R01-tiny-shout": ("respect", ("Let them finish.", "Talk over them loudly.", "Walk away.")),
    "R02-tiny-rude": (
        "respect",
        ("Stay calm and serve.", "Answer back sharply.", "Go silent and slow."),
    ),
}


def _filler_yaml(item_id: str) -> str:
    dimension, (best, middle, worst) = FILLERS[item_id]
    return f"""\
id: {item_id}
title: A short situation
revision: 1
author: Screening team
dimensions: [{dimension}]
format: best_choice
scenario: Someone is at the desk.
prompt: Which response is the most effective?
options:
  - {{id: a, text: {best}, points: {{{dimension}: 4}}, rationale: Best.}}
  - {{id: b, text: {middle}, points: {{{dimension}: 1}}, rationale: Weak.}}
  - {{id: c, text: {worst}, points: {{{dimension}: 0}}, rationale: Poor.}}
"""


def _filler_snapshot(item_id: str) -> dict[str, Any]:
    """The snapshot of a filler item, written out by hand like TINY_SNAPSHOT's first item."""
    dimension, texts = FILLERS[item_id]
    return {
        "id": item_id,
        "title": "A short situation",
        "revision": 1,
        "author": "Screening team",
        "reviewed_by": [],
        "dimensions": [dimension],
        "second_dimension_reason": "",
        "format": "best_choice",
        "scale": {"min": 0, "max": 4},
        "scenario": "Someone is at the desk.",
        "prompt": "Which response is the most effective?",
        "options": [
            {
                "id": option_id,
                "text": text,
                "rationale": rationale,
                "points": {dimension: points},
                "effectiveness": None,
                "rank": None,
                "red_flag": False,
            }
            for option_id, text, rationale, points in zip(
                "abc", texts, ("Best.", "Weak.", "Poor."), (4, 1, 0), strict=True
            )
        ],
        "anchors": [],
        "interview_questions": [],
        "translations": {},
    }


TINY_FORM = """\
id: tiny
title: Tiny screen
description: Six situations.
time_limit_minutes: 10
randomise_items: false
randomise_options: true
items: [W01-tiny-greeting, W02-tiny-caller, C01-tiny-stock, C02-tiny-limit, R01-tiny-shout,
  R02-tiny-rude]
weights: {warmth: 2, common_sense: 1, respect: 1}
bands:
  - id: fit
    label: Strong fit
    description: Warm and steady.
    overall_min: 70
    dimension_min: {respect: 50}
  - id: other
    label: Consider other roles
    description: Everyone else.
    overall_min: 0
"""

#: The snapshot of TINY_FORM, written out by hand: this pins the canonical form.
TINY_SNAPSHOT: dict[str, Any] = {
    "snapshot_schema": 3,
    "id": "tiny",
    "title": "Tiny screen",
    "description": "Six situations.",
    "time_limit_minutes": 10,
    "randomise_items": False,
    "randomise_options": True,
    "weights": {"warmth": 2.0, "common_sense": 1.0, "respect": 1.0},
    "bands": [
        {
            "id": "fit",
            "label": "Strong fit",
            "description": "Warm and steady.",
            "overall_min": 70.0,
            "dimension_min": {"respect": 50.0},
        },
        {
            "id": "other",
            "label": "Consider other roles",
            "description": "Everyone else.",
            "overall_min": 0.0,
            "dimension_min": {},
        },
    ],
    "practice_item": None,
    "languages": ["en"],
    "scoring_method": 2,
    "items": [
        {
            "id": "W01-tiny-greeting",
            "title": "A visitor at the desk",
            "revision": 3,
            "author": "Screening team",
            "reviewed_by": [
                {"who": "A. Reviewer", "on": "2026-11-30", "change": "Checked the key."}
            ],
            "dimensions": ["warmth", "respect"],
            "second_dimension_reason": "Sighing at a visitor is disrespect as well as coldness.",
            "format": "best_choice",
            "scale": {"min": 0, "max": 2},
            "scenario": "A visitor waits at the desk while you finish an email.",
            "prompt": "Which response is the most effective?",
            "options": [
                {
                    "id": "a",
                    "text": "Greet them at once.",
                    "rationale": "Acknowledges the person at once.",
                    "points": {"warmth": 2, "respect": 2},
                    "effectiveness": None,
                    "rank": None,
                    "red_flag": False,
                },
                {
                    "id": "b",
                    "text": "Finish the email first.",
                    "rationale": "The visitor feels in the way.",
                    "points": {"warmth": 0, "respect": 1},
                    "effectiveness": None,
                    "rank": None,
                    "red_flag": False,
                },
                {
                    "id": "c",
                    "text": "Sigh and point.",
                    "rationale": "Shows irritation.",
                    "points": {"warmth": 1, "respect": 0},
                    "effectiveness": None,
                    "rank": None,
                    "red_flag": True,
                },
            ],
            "anchors": [],
            "interview_questions": ["Tell me about a time someone waited for you."],
            "translations": {
                "es": {
                    "title": "Un visitante en el mostrador",
                    "scenario": "Un visitante espera mientras usted termina un correo.",
                    "prompt": "¿Qué respuesta es la más eficaz?",
                    "options": {
                        "a": "Saludar enseguida.",
                        "b": "Acabar el correo.",
                        "c": "Suspirar y señalar.",
                    },
                }
            },
        },
        *(_filler_snapshot(item_id) for item_id in FILLERS),
    ],
}

#: sha256 of TINY_SNAPSHOT's canonical JSON. If this changes, every stored
#: version hash changes with it: bump SNAPSHOT_SCHEMA and say so in review.
# Schema 3 (issue #17) added the scoring method: every content hash changed once, on purpose.
TINY_HASH = "592a9f4eb8175c771e7be061527f631ff41ff00e693515751c9771f20cc54070"


def _write_tiny(root: Path, item: str = TINY_ITEM, form: str = TINY_FORM) -> Path:
    (root / "items").mkdir(parents=True, exist_ok=True)
    (root / "forms").mkdir(exist_ok=True)
    (root / "items" / "W01-tiny-greeting.yaml").write_text(item, encoding="utf-8")
    for item_id in FILLERS:
        (root / "items" / f"{item_id}.yaml").write_text(_filler_yaml(item_id), encoding="utf-8")
    (root / "forms" / "tiny.yaml").write_text(form, encoding="utf-8")
    return root


def _tiny_hash(root: Path, item: str = TINY_ITEM, form: str = TINY_FORM) -> str:
    return load_bank(_write_tiny(root, item, form)).questionnaires["tiny"].content_hash


def test_snapshot_is_the_hand_built_canonical_form(tmp_path: Path) -> None:
    tiny = load_bank(_write_tiny(tmp_path / "questions")).questionnaires["tiny"]
    assert questionnaire_to_snapshot(tiny) == TINY_SNAPSHOT


def test_content_hash_is_sha256_of_canonical_json_computed_independently(tmp_path: Path) -> None:
    canonical = json.dumps(
        TINY_SNAPSHOT, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")
    expected = hashlib.sha256(canonical).hexdigest()
    assert _tiny_hash(tmp_path / "questions") == expected
    assert content_hash(TINY_SNAPSHOT) == expected


def test_content_hash_is_pinned(tmp_path: Path) -> None:
    assert _tiny_hash(tmp_path / "questions") == TINY_HASH


def test_hash_keeps_non_ascii_as_utf8_not_escapes() -> None:
    escaped = json.dumps(TINY_SNAPSHOT, sort_keys=True, separators=(",", ":"))
    assert content_hash(TINY_SNAPSHOT) != hashlib.sha256(escaped.encode()).hexdigest()


def test_hash_does_not_depend_on_dict_order() -> None:
    reordered = json.loads(json.dumps(TINY_SNAPSHOT), object_pairs_hook=lambda p: dict(p[::-1]))
    assert list(reordered) != list(TINY_SNAPSHOT)
    assert content_hash(reordered) == content_hash(TINY_SNAPSHOT)


def test_hash_does_not_depend_on_the_folder(tmp_path: Path) -> None:
    first = _write_tiny(tmp_path / "questions")
    moved = shutil.copytree(first, tmp_path / "elsewhere" / "bank")
    assert load_bank(moved).questionnaires["tiny"].content_hash == _tiny_hash(first)


def test_hash_does_not_depend_on_yaml_layout(tmp_path: Path) -> None:
    relaid = (
        TINY_ITEM.replace("revision: 3\n", "")
        .replace("title: A visitor at the desk\n", "title: A visitor at the desk\nrevision: 3\n")
        .replace("scale: {min: 0, max: 2}", "scale:\n  max: 2\n  min: 0  # reordered")
        .replace(
            "prompt: Which response is the most effective?",
            "prompt: 'Which response is the most effective?'",
        )
    )
    assert relaid != TINY_ITEM
    assert _tiny_hash(tmp_path / "a", item=relaid) == _tiny_hash(tmp_path / "b")


def test_hash_is_stable_across_processes(tmp_path: Path) -> None:
    root = _write_tiny(tmp_path / "questions")
    code = (
        "import sys; from screening.bank import load_bank; "
        "print(load_bank(sys.argv[1]).questionnaires['tiny'].content_hash)"
    )
    hashes = set()
    for seed in ("1", "2", "random"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-c", code, str(root)],
            capture_output=True,
            text=True,
            check=True,
            env=env,
        )
        hashes.add(result.stdout.strip())
    assert hashes == {_tiny_hash(tmp_path / "again")}


@pytest.mark.parametrize(
    ("what", "old", "new", "in_form"),
    [
        ("scenario wording", "while you finish", "while you end", False),
        ("option text", "Greet them at once.", "Greet them quickly.", False),
        ("rationale", "Shows irritation.", "Shows open irritation.", False),
        ("points key", "warmth: 0, respect: 1", "warmth: 0, respect: 0", False),
        ("red flag", "    red_flag: true\n", "", False),
        ("review record", "change: Checked the key.", "change: Checked it again.", False),
        ("review date", "on: 2026-11-30", "on: 2026-12-01", False),
        ("second dimension reason", "at a visitor is", "at any visitor is", False),
        ("title", "title: A visitor", "title: The visitor", False),
        ("revision", "revision: 3", "revision: 4", False),
        ("interview question", "someone waited", "a visitor waited", False),
        ("translation", "Saludar enseguida.", "Saludar ya mismo.", False),
        ("scale", "max: 2}", "max: 3}", False),
        ("band threshold", "overall_min: 70", "overall_min: 71", True),
        ("band label", "label: Strong fit", "label: Good fit", True),
        ("weight", "warmth: 2,", "warmth: 3,", True),
        ("time limit", "time_limit_minutes: 10", "time_limit_minutes: 12", True),
        ("randomise flag", "randomise_items: false", "randomise_items: true", True),
    ],
)
def test_hash_changes_with_any_change_of_content(
    tmp_path: Path, what: str, old: str, new: str, in_form: bool
) -> None:
    source = TINY_FORM if in_form else TINY_ITEM
    assert old in source, what
    changed = source.replace(old, new)
    kwargs = {"form": changed} if in_form else {"item": changed}
    assert _tiny_hash(tmp_path / "changed", **kwargs) != _tiny_hash(tmp_path / "original")


def test_snapshot_round_trips_through_json_to_an_equal_questionnaire(bank: BankFolder) -> None:
    bank.full()
    original = load_bank(bank.root).questionnaires["frontline-standard"]
    snapshot = questionnaire_to_snapshot(original)
    stored = json.loads(json.dumps(snapshot))  # as a JSON database column returns it
    restored = questionnaire_from_snapshot(stored)
    assert restored == original
    assert restored.content_hash == original.content_hash
    assert restored.practice_item == original.practice_item
    assert questionnaire_to_snapshot(restored) == snapshot


def test_snapshot_covers_every_format_and_leaves_out_paths(bank: BankFolder) -> None:
    bank.full()
    snapshot = questionnaire_to_snapshot(load_bank(bank.root).questionnaires["frontline-standard"])
    text = json.dumps(snapshot)
    assert "source" not in text and "items/" not in text
    formats = {item["format"] for item in snapshot["items"]}
    assert formats == {"best_choice", "most_least", "rate_each", "rank", "free_text"}
    free_text = next(item for item in snapshot["items"] if item["format"] == "free_text")
    assert [anchor["rating"] for anchor in free_text["anchors"]] == [1, 2, 3, 4, 5]


def test_unknown_snapshot_schema_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown snapshot schema 99"):
        questionnaire_from_snapshot(TINY_SNAPSHOT | {"snapshot_schema": 99})
