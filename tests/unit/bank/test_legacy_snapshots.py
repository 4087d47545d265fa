"""Versions stored before issue #16 still re-derive exactly the results they gave.

``data/legacy_snapshots.json`` was written by the code of main before the bank
rewrite (commit cd600c0): the snapshots of both shipped questionnaires as stored
versions hold them (``snapshot_schema`` 1, ``reviewed_by`` a plain string),
simulated answers, and what that code scored them (overall, band, each
dimension's raw, maximum and percent, red flags, each item's points). ``flask
rescore`` does what these tests do for every stored submission: snapshot ->
questionnaire -> score.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from screening.bank import (
    Review,
    questionnaire_from_snapshot,
    questionnaire_to_snapshot,
)
from screening.scoring import Answer, score_submission
from tests.unit.bank.factories import score_summary

LEGACY = json.loads((Path(__file__).parent / "data" / "legacy_snapshots.json").read_text("utf-8"))
FORMS = sorted(LEGACY["questionnaires"])


def _legacy(form: str) -> dict[str, Any]:
    return LEGACY["questionnaires"][form]


def test_the_fixture_is_in_the_old_shape() -> None:
    for form in FORMS:
        snapshot = _legacy(form)["snapshot"]
        assert snapshot["snapshot_schema"] == 1
        assert "languages" not in snapshot
        for item in snapshot["items"]:
            assert isinstance(item["reviewed_by"], str) and item["reviewed_by"]
            assert "second_dimension_reason" not in item


@pytest.mark.parametrize("form", FORMS)
def test_old_snapshot_keeps_its_content_hash(form: str) -> None:
    legacy = _legacy(form)
    questionnaire = questionnaire_from_snapshot(legacy["snapshot"])
    assert questionnaire.content_hash == legacy["content_hash"]


@pytest.mark.parametrize("form", FORMS)
def test_old_snapshot_rederives_identical_results(form: str) -> None:
    legacy = _legacy(form)
    questionnaire = questionnaire_from_snapshot(json.loads(json.dumps(legacy["snapshot"])))
    assert legacy["submissions"]
    for stored in legacy["submissions"]:
        answers = {answer["item_id"]: Answer.from_dict(answer) for answer in stored["answers"]}
        result = score_submission(questionnaire, answers, stored["ratings"])
        assert score_summary(result) == stored["scores"]
        assert result.content_hash == legacy["content_hash"]


def test_old_reviewed_by_reads_as_a_review_without_a_date() -> None:
    questionnaire = questionnaire_from_snapshot(_legacy("frontline-short")["snapshot"])
    for item in questionnaire.items:
        assert item.reviewed_by == (Review(who="Front-line practice panel", on="", change=""),)
        assert item.second_dimension_reason == ""


def test_old_snapshots_are_offered_in_the_languages_every_item_has() -> None:
    # The short form was fully translated into Spanish before issue #16; the standard was not.
    short = questionnaire_from_snapshot(_legacy("frontline-short")["snapshot"])
    standard = questionnaire_from_snapshot(_legacy("frontline-standard")["snapshot"])
    assert short.languages == ("en", "es")
    assert standard.languages == ("en",)


def test_a_new_snapshot_of_an_old_version_is_in_the_new_layout() -> None:
    """Nothing re-snapshots a stored version; if anything did, it would write the current
    schema and keep the old version's scoring method (1: it predates the method field)."""
    legacy = _legacy("frontline-short")
    again = questionnaire_to_snapshot(questionnaire_from_snapshot(legacy["snapshot"]))
    assert again["snapshot_schema"] == 3
    assert again["scoring_method"] == 1
    assert again["items"][0]["reviewed_by"] == [
        {"who": "Front-line practice panel", "on": "", "change": ""}
    ]
