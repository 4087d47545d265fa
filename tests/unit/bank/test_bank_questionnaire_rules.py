"""Questionnaire rules: items, practice item, weights, coverage, bands, settings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.unit.bank.factories import (
    ALL_ITEMS,
    BankFolder,
    assert_names,
    edited,
    only_problem,
    questionnaire,
)

FORM = "frontline-standard"


def _with_items(bank: BankFolder) -> None:
    for make in ALL_ITEMS:
        bank.item(make())


def _check_one(
    bank: BankFolder,
    form: dict[str, Any],
    field: str,
    needle: str,
    says: str,
    *,
    occurrence: int = 1,
    name: str | None = None,
) -> None:
    """Write the form next to valid items; expect one problem on the line of `needle`."""
    _with_items(bank)
    file = bank.form(form, name=name)
    assert_names(
        only_problem(bank),
        file=file,
        item=form["id"],
        field=field,
        line=bank.line_of(file, needle, occurrence),
        says=says,
        kind="questionnaire",
    )


def test_valid_questionnaire_loads(bank: BankFolder) -> None:
    bank.full()
    assert bank.problems() == []


def test_questionnaire_id_must_equal_the_file_name(bank: BankFolder) -> None:
    _check_one(
        bank,
        questionnaire("frontline-short"),
        "id",
        "id: frontline-short",
        f"id frontline-short must equal the file name ({FORM}.yaml)",
        name=FORM,
    )


def test_unknown_questionnaire_field_is_rejected(bank: BankFolder) -> None:
    form = edited(questionnaire(), shuffle=True)
    _check_one(bank, form, "shuffle", "shuffle:", "unknown field 'shuffle'")


def test_referenced_items_must_exist(bank: BankFolder) -> None:
    form = questionnaire()
    form["items"].append("W99-no-such-item")
    _check_one(
        bank,
        form,
        "items[6]",
        "- W99-no-such-item",
        "there is no item W99-no-such-item (no file items/W99-no-such-item.yaml)",
    )


def test_practice_item_must_exist(bank: BankFolder) -> None:
    form = edited(questionnaire(), practice_item="P09-missing")
    _check_one(bank, form, "practice_item", "practice_item:", "there is no item P09-missing")


def test_practice_item_is_not_also_scored(bank: BankFolder) -> None:
    form = questionnaire()
    form["items"].append("P01-practice-coffee")
    _check_one(
        bank,
        form,
        "practice_item",
        "practice_item:",
        "P01-practice-coffee is also a scored item of this questionnaire",
    )


def test_no_item_twice_in_a_questionnaire(bank: BankFolder) -> None:
    form = questionnaire()
    form["items"].append("C01-out-of-stock-part")
    _check_one(
        bank,
        form,
        "items[6]",
        "- C01-out-of-stock-part",
        "item C01-out-of-stock-part is listed twice",
        occurrence=2,
    )


def test_questionnaire_needs_at_least_one_item(bank: BankFolder) -> None:
    form = edited(questionnaire(), items=[])
    _check_one(bank, form, "items", "items: []", "a questionnaire needs at least one item")


def test_weights_cover_every_dimension(bank: BankFolder) -> None:
    form = questionnaire()
    del form["weights"]["respect"]
    _check_one(bank, form, "weights", "weights:", "no weight for respect")


def test_weights_only_for_known_dimensions(bank: BankFolder) -> None:
    form = questionnaire()
    form["weights"]["charm"] = 1
    _check_one(bank, form, "weights.charm", "charm:", "'charm' is not a dimension")


@pytest.mark.parametrize("weight", [0, -1, "heavy", True])
def test_weights_are_positive_numbers(bank: BankFolder, weight: object) -> None:
    form = questionnaire()
    form["weights"]["warmth"] = weight
    _check_one(bank, form, "weights.warmth", "warmth:", "a weight must be a positive number")


def test_every_dimension_is_measured_by_an_item(bank: BankFolder) -> None:
    # Without the two respect items nothing in the form measures respect.
    form = questionnaire()
    form["items"] = ["W01-phone-at-huddle", "C01-out-of-stock-part"]
    # occurrence 2: "randomise_items:" comes first in the file.
    _check_one(
        bank,
        form,
        "items",
        "items:",
        "no item of this questionnaire measures respect",
        occurrence=2,
    )


def test_bands_must_not_be_empty(bank: BankFolder) -> None:
    form = edited(questionnaire(), bands=[])
    _check_one(bank, form, "bands", "bands:", "a questionnaire needs at least one band")


def test_band_ids_are_unique(bank: BankFolder) -> None:
    form = questionnaire()
    form["bands"][1]["id"] = "front_line"
    _check_one(
        bank,
        form,
        "bands[1].id",
        "- id: front_line",
        "band id front_line is already used by bands[0]",
        occurrence=2,
    )


@pytest.mark.parametrize(
    ("band", "key", "value", "needle"),
    [
        (0, "overall_min", 120, "overall_min: 120"),
        (1, "overall_min", -5, "overall_min: -5"),
    ],
)
def test_overall_threshold_is_a_percentage(
    bank: BankFolder, band: int, key: str, value: int, needle: str
) -> None:
    form = questionnaire()
    form["bands"][band][key] = value
    problems = [p for p in _problems_for(bank, form) if "percentage" in p.message]
    assert [p.field for p in problems] == [f"bands[{band}].{key}"]
    assert problems[0].line == bank.line_of(f"questions/forms/{FORM}.yaml", needle)
    assert f"{value} is not a percentage between 0 and 100" in problems[0].message


def test_dimension_threshold_is_a_percentage(bank: BankFolder) -> None:
    form = questionnaire()
    form["bands"][0]["dimension_min"]["warmth"] = 101
    _check_one(
        bank,
        form,
        "bands[0].dimension_min.warmth",
        "warmth: 101",
        "101 is not a percentage between 0 and 100",
    )


def test_dimension_threshold_names_a_dimension(bank: BankFolder) -> None:
    form = questionnaire()
    form["bands"][1]["dimension_min"]["patience"] = 40
    _check_one(
        bank,
        form,
        "bands[1].dimension_min.patience",
        "patience: 40",
        "'patience' is not a dimension",
    )


def test_overall_min_does_not_increase_down_the_bands(bank: BankFolder) -> None:
    form = questionnaire()
    form["bands"][1]["overall_min"] = 75
    _check_one(
        bank,
        form,
        "bands[1].overall_min",
        "overall_min: 75",
        "overall_min 75 is above the band before it (front_line: 70); "
        "list bands from best to worst",
    )


def test_last_band_catches_everyone(bank: BankFolder) -> None:
    form = questionnaire()
    form["bands"][2]["overall_min"] = 10
    _check_one(
        bank,
        form,
        "bands[2].overall_min",
        "overall_min: 10",
        "the last band catches everyone, so its overall_min must be 0, not 10",
    )


def test_last_band_has_no_dimension_thresholds(bank: BankFolder) -> None:
    form = questionnaire()
    form["bands"][2]["dimension_min"] = {"respect": 20}
    _check_one(
        bank,
        form,
        "bands[2].dimension_min",
        "dimension_min:",
        "the last band catches everyone, so it has no dimension_min",
        occurrence=3,
    )


@pytest.mark.parametrize(
    ("value", "says"),
    [
        (0, "must be a positive number of minutes or null, not 0"),
        (-5, "must be a positive number of minutes or null, not -5"),
        ("20", "must be a whole number, not text '20'"),
        (True, "must be a whole number, not true"),
    ],
)
def test_time_limit_is_null_or_a_positive_whole_number(
    bank: BankFolder, value: object, says: str
) -> None:
    form = edited(questionnaire(), time_limit_minutes=value)
    _check_one(bank, form, "time_limit_minutes", "time_limit_minutes:", says)


def test_time_limit_may_be_null(bank: BankFolder) -> None:
    _with_items(bank)
    bank.form(edited(questionnaire(), time_limit_minutes=None))
    assert bank.problems() == []


@pytest.mark.parametrize("flag", ["randomise_items", "randomise_options"])
def test_randomise_flags_are_booleans(bank: BankFolder, flag: str) -> None:
    form = edited(questionnaire(), **{flag: "sometimes"})
    _check_one(bank, form, flag, f"{flag}:", "must be true or false, not text 'sometimes'")


def test_a_broken_item_is_reported_once_not_again_by_the_form(bank: BankFolder) -> None:
    _with_items(bank)
    bank.form(questionnaire())
    item_file = bank.root / "items" / "C01-out-of-stock-part.yaml"
    item_file.write_text(item_file.read_text().replace("effectiveness: 5", "effectiveness: 9"))
    problems = bank.problems()
    assert [problem.file for problem in problems] == ["questions/items/C01-out-of-stock-part.yaml"]


def _problems_for(bank: BankFolder, form: dict[str, Any]) -> list:
    _with_items(bank)
    bank.form(form)
    return bank.problems()
