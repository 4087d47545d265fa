"""The bank we ship: it passes every rule, Spanish is complete, and its key cannot be guessed.

These tests read questions/ itself (and copies of it), so a change to an item
that breaks a rule of issue #16 fails here as well as in `bank check`.
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

from screening.bank import Questionnaire, check_bank, load_bank
from screening.bank.cues import keyed_options, questionnaire_cues
from screening.bank.formats import PROMPTS

ROOT = Path(__file__).resolve().parents[3]
QUESTIONS = ROOT / "questions"
BANK = load_bank(QUESTIONS)


def _faking():
    spec = importlib.util.spec_from_file_location("faking", ROOT / "bench" / "faking.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("faking", module)
    spec.loader.exec_module(module)
    return module


def _copy(tmp_path: Path) -> Path:
    return Path(shutil.copytree(QUESTIONS, tmp_path / "questions"))


def test_the_shipped_bank_has_no_problems() -> None:
    assert check_bank(QUESTIONS) == []


def test_both_questionnaires_are_offered_in_spanish() -> None:
    # The welcome page offers Spanish for every questionnaire (screening/web/language.py).
    assert set(BANK.questionnaires) == {"frontline-short", "frontline-standard"}
    for questionnaire in BANK.questionnaires.values():
        assert questionnaire.languages == ("en", "es")


@pytest.mark.parametrize("form", sorted(BANK.questionnaires))
def test_every_item_of_a_spanish_questionnaire_is_in_spanish(form: str) -> None:
    questionnaire = BANK.questionnaires[form]
    assert "es" in questionnaire.languages
    items = [*questionnaire.items, questionnaire.practice_item]
    for item in items:
        assert item is not None
        spanish = item.translations.get("es")
        assert spanish is not None, f"{item.id} has no Spanish translation"
        assert spanish.title and spanish.scenario and spanish.prompt
        assert set(spanish.options) == {option.id for option in item.options}
        assert all(text.strip() for text in spanish.options.values())


def test_a_missing_spanish_translation_fails_naming_file_and_item(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "items" / "C07-blocked-card-sales-target.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("translations:")], encoding="utf-8")
    problems = check_bank(root)
    named = {(p.file, p.item, p.field) for p in problems}
    assert named == {
        ("questions/forms/frontline-short.yaml", "frontline-short", "items[7]"),
        ("questions/forms/frontline-standard.yaml", "frontline-standard", "items[16]"),
    }
    assert all("item C07-blocked-card-sales-target has no translation into es" in p.message
               for p in problems)


def test_a_keyed_option_made_twice_as_long_fails_naming_file_and_item(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "items" / "W01-phone-rings-during-huddle.yaml"
    keyed = "Step away, answer within a few rings, and help the caller."
    text = path.read_text(encoding="utf-8")
    assert text.count(f"text: {keyed}\n") == 1
    path.write_text(text.replace(f"text: {keyed}", f"text: {keyed} {keyed}"), encoding="utf-8")
    lines = [str(problem) for problem in check_bank(root)]
    line = text.splitlines().index(f"    text: {keyed}") + 1
    assert (
        f"questions/items/W01-phone-rings-during-huddle.yaml:{line}: "
        "item W01-phone-rings-during-huddle, field options[2].text: the keyed option c is "
        "117 characters, 1.75 times the mean of the other options (67); keep it within ±15% "
        "(57-76 characters) so its length does not point to the key"
    ) in lines
    # and the short form, with 8 option items, now has its keyed option longest too often
    longest = [line for line in lines if "the keyed option is the longest in" in line]
    assert len(longest) == 1 and longest[0].startswith("questions/forms/frontline-short.yaml:")


def test_prompts_ask_for_what_is_most_effective_in_one_wording_per_format() -> None:
    for item in BANK.items.values():
        assert item.prompt == PROMPTS[item.format]["en"], item.id
        assert "effective" in item.prompt and "likely" not in item.prompt, item.id
        for language, translation in item.translations.items():
            assert translation.prompt == PROMPTS[item.format][language], item.id


def test_items_measure_one_dimension_unless_the_rubric_says_why() -> None:
    for item in BANK.items.values():
        assert item.primary_dimension == {"W": "warmth", "C": "common_sense", "R": "respect",
                                          "P": "warmth"}[item.id[0]], item.id
        assert (len(item.dimensions) > 1) == bool(item.second_dimension_reason), item.id


def test_every_item_records_this_review() -> None:
    for item in BANK.items.values():
        assert item.reviewed_by, item.id
        assert all(review.on and review.change for review in item.reviewed_by), item.id
        assert not any("panel" in review.who.lower() for review in item.reviewed_by), item.id


def test_red_flags_are_few() -> None:
    for questionnaire in BANK.questionnaires.values():
        flagged = sum(any(o.red_flag for o in item.options) for item in questionnaire.items)
        assert flagged * 2 <= len(questionnaire.items), questionnaire.id


def test_the_short_form_rests_on_at_least_two_items_per_dimension() -> None:
    cues = questionnaire_cues(BANK.questionnaires["frontline-short"])
    assert {d: len(items) for d, items in cues.main_items.items()} == {
        "warmth": 3,
        "common_sense": 3,
        "respect": 2,
    }


# --- bench/faking.py: the key cannot be found by form ------------------------------------------


def _args(**overrides: int) -> argparse.Namespace:
    return argparse.Namespace(
        **{"random": 2000, "seed": 16, "simulated": 200, "tie_breaks": 10, **overrides}
    )


@pytest.mark.parametrize("form", sorted(BANK.questionnaires))
def test_no_key_blind_rule_beats_three_quarters_of_random_responders(form: str) -> None:
    faking = _faking()
    lines: list[str] = []
    above = faking.report(BANK.questionnaires[form], _args(), lines.append)
    assert above == [], "\n".join(lines)


def test_the_faking_check_fails_a_questionnaire_whose_key_is_the_longest_option() -> None:
    """The same check on a copy of the standard form where every keyed option is the longest."""
    import dataclasses

    faking = _faking()
    standard = BANK.questionnaires["frontline-standard"]
    items = []
    for item in standard.items:
        keyed = {option.id for option in keyed_options(item)}
        options = tuple(
            dataclasses.replace(option, text=option.text + " " + "and so on " * 12)
            if option.id in keyed
            else option
            for option in item.options
        )
        items.append(dataclasses.replace(item, options=options))
    rigged = dataclasses.replace(standard, items=tuple(items), content_hash="rigged")
    assert isinstance(rigged, Questionnaire)
    lines: list[str] = []
    above = faking.report(rigged, _args(), lines.append)
    assert any("longest scores" in line for line in above), "\n".join(lines)


# --- questions/README.md keeps step with the bank ------------------------------------------------


def _readme_rows(heading: str) -> list[list[str]]:
    text = (QUESTIONS / "README.md").read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in row.strip("|").split("|")] for row in rows[1:]]


def test_the_coverage_table_names_the_items_of_the_forms() -> None:
    rows = _readme_rows("Coverage of the source texts")
    assert len(rows) >= 16
    standard = {item.id[:3]: item.id for item in BANK.questionnaires["frontline-standard"].items}
    short = {item.id[:3] for item in BANK.questionnaires["frontline-short"].items}
    covered: set[str] = set()
    for teaching, _dimension, in_standard, in_short in rows:
        named = [code.strip() for code in in_standard.split(",") if code.strip()]
        assert named, f"{teaching} is probed by no item of the standard questionnaire"
        assert set(named) <= set(standard), teaching
        assert {c.strip() for c in in_short.split(",") if c.strip()} <= short, teaching
        covered.update(named)
    assert covered == set(standard), "items of the standard form missing from the table"


def test_the_reading_load_table_has_todays_figures() -> None:
    rows = _readme_rows("Reading load")
    figures = {row[0].split()[0]: row[2:] for row in rows}
    for form, questionnaire in BANK.questionnaires.items():
        cues = questionnaire_cues(questionnaire)
        for reading, cell in zip(cues.reading, figures[form], strict=True):
            assert cell.startswith(f"{reading.words:,} words, {reading.minutes:.1f} min"), (
                form,
                reading.language,
                cell,
            )
