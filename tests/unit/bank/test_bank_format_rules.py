"""Per-format keying rules from questions/README.md, one broken fixture per rule."""

from __future__ import annotations

import pytest

from tests.unit.bank.factories import (
    BankFolder,
    assert_names,
    best_choice_item,
    edited,
    free_text_item,
    most_least_item,
    only_problem,
    rank_item,
    rate_each_item,
)

W01 = "W01-phone-at-huddle"
R01 = "R01-angry-caller-own-mistake"
C01 = "C01-out-of-stock-part"
W02 = "W02-visitor-walks-in"
R02 = "R02-rude-customer-at-till"


def _without_translations(item: dict) -> dict:
    return edited(item, translations=...)


# --- option counts --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "count", "expected"),
    [
        (best_choice_item, 2, "a best_choice item needs 3-5 options, not 2"),
        (most_least_item, 3, "a most_least item needs 4-5 options, not 3"),
        (rate_each_item, 3, "a rate_each item needs 4-5 options, not 3"),
        (rank_item, 6, "a rank item needs 4-5 options, not 6"),
    ],
)
def test_option_count_per_format(bank: BankFolder, make, count: int, expected: str) -> None:
    item = _without_translations(make())
    options = item["options"]
    while len(options) < count:
        extra = dict(options[-1], id=f"x{len(options)}", text=f"Extra {len(options)}")
        if "rank" in extra:
            extra["rank"] = len(options) + 1
        options.append(extra)
    del options[count:]
    if item["format"] == "rank":
        for position, option in enumerate(options, 1):
            option["rank"] = position
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=item["id"],
        field="options",
        line=bank.line_of(file, "options:"),
        says=expected,
    )


# --- points (best_choice, most_least) -------------------------------------------------------


def test_every_option_has_points_for_every_item_dimension(bank: BankFolder) -> None:
    item = best_choice_item()
    del item["options"][1]["points"]["common_sense"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[1].points",
        line=bank.line_of(file, "points:", occurrence=2),
        says="option b has no points for common_sense",
    )


def test_points_only_for_the_item_dimensions(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][0]["points"]["respect"] = 1
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[0].points.respect",
        line=bank.line_of(file, "respect: 1"),
        says="points for respect, which the item does not measure",
    )


def test_points_above_the_scale_maximum(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][2]["points"]["warmth"] = 5
    file = bank.item(item)
    problem = only_problem(bank)
    assert_names(
        problem,
        file=file,
        item=W01,
        field="options[2].points.warmth",
        line=bank.line_of(file, "warmth: 5"),
        says="5 is above the scale maximum 4",
    )
    assert str(problem) == (
        f"{file}:{problem.line}: item {W01}, field options[2].points.warmth: "
        "5 is above the scale maximum 4"
    )


def test_points_below_the_scale_minimum(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][0]["points"]["warmth"] = -1
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[0].points.warmth",
        line=bank.line_of(file, "warmth: -1"),
        says="-1 is below the scale minimum 0",
    )


def test_points_must_be_whole_numbers(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][0]["points"]["warmth"] = 1.5
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[0].points.warmth",
        line=bank.line_of(file, "warmth: 1.5"),
        says="points must be a whole number, not a number 1.5",
    )


def test_best_choice_needs_a_unique_keyed_best(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][1]["points"] = {"warmth": 4, "common_sense": 4}
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options",
        line=bank.line_of(file, "options:"),
        says="options b, c tie for the highest total (8); "
        "a best_choice item needs exactly one keyed best",
    )


def test_keyed_best_holds_the_maximum_on_every_dimension(bank: BankFolder) -> None:
    # c has the highest total (7) but d is warmer: the key would reward the wrong behaviour.
    item = best_choice_item()
    item["options"][2]["points"] = {"warmth": 3, "common_sense": 4}
    item["options"][3]["points"] = {"warmth": 4, "common_sense": 0}
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[2].points.warmth",
        line=bank.line_of(file, "warmth: 3"),
        says="the keyed best option c has 3 on warmth but option d has 4",
    )


def test_keyed_best_cannot_be_a_red_flag(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][2]["red_flag"] = True
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[2].red_flag",
        line=bank.line_of(file, "red_flag: true"),
        says="the keyed best option cannot be a red flag",
    )


def test_points_formats_take_no_effectiveness_or_rank(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][3]["effectiveness"] = 2
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[3].effectiveness",
        line=bank.line_of(file, "effectiveness: 2"),
        says="effectiveness does not belong in a best_choice item, which is keyed by points",
    )


def test_most_least_needs_a_unique_keyed_worst(bank: BankFolder) -> None:
    item = most_least_item()
    item["options"][3]["points"] = {"respect": 0, "common_sense": 0}
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=R01,
        field="options",
        line=bank.line_of(file, "options:"),
        says="options c, d tie for the lowest total (0); "
        "a most_least item needs exactly one keyed worst",
    )


def test_keyed_worst_holds_the_minimum_on_every_dimension(bank: BankFolder) -> None:
    item = most_least_item()
    item["options"][2]["points"] = {"respect": 1, "common_sense": 0}
    item["options"][3]["points"] = {"respect": 0, "common_sense": 2}
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=R01,
        field="options[2].points.respect",
        line=bank.line_of(file, "respect: 1"),
        says="the keyed worst option c has 1 on respect but option d has 0",
    )


# --- rate_each ------------------------------------------------------------------------------


def test_rate_each_effectiveness_is_within_one_to_five(bank: BankFolder) -> None:
    item = rate_each_item()
    item["options"][0]["effectiveness"] = 6
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=C01,
        field="options[0].effectiveness",
        line=bank.line_of(file, "effectiveness: 6"),
        says="effectiveness 6 is outside 1..5",
    )


def test_rate_each_needs_effectiveness_on_every_option(bank: BankFolder) -> None:
    item = rate_each_item()
    del item["options"][1]["effectiveness"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=C01,
        field="options[1].effectiveness",
        line=bank.line_of(file, "- id: b"),
        says="effectiveness is required in a rate_each item",
    )


def test_rate_each_takes_no_points(bank: BankFolder) -> None:
    item = rate_each_item()
    item["options"][2]["points"] = {"common_sense": 2}
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=C01,
        field="options[2].points",
        line=bank.line_of(file, "points:"),
        says="points does not belong in a rate_each item, which is keyed by effectiveness",
    )


def test_rate_each_red_flag_cannot_be_keyed_effective(bank: BankFolder) -> None:
    item = rate_each_item()
    item["options"][3]["effectiveness"] = 4
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=C01,
        field="options[3].red_flag",
        line=bank.line_of(file, "red_flag: true"),
        says="a red-flag option cannot be keyed effective",
    )


# --- rank -----------------------------------------------------------------------------------


def test_ranks_are_a_permutation(bank: BankFolder) -> None:
    item = rank_item()
    item["options"][2]["rank"] = 2
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W02,
        field="options[2].rank",
        line=bank.line_of(file, "rank: 2", occurrence=2),
        says="rank 2 is already given to option b; ranks must use 1..4 once each (unused: 3)",
    )


def test_ranks_are_within_one_to_n(bank: BankFolder) -> None:
    item = rank_item()
    item["options"][3]["rank"] = 5
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W02,
        field="options[3].rank",
        line=bank.line_of(file, "rank: 5"),
        says="rank 5 is outside 1..4",
    )


def test_rank_takes_no_points(bank: BankFolder) -> None:
    item = rank_item()
    item["options"][0]["points"] = {"warmth": 4}
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W02,
        field="options[0].points",
        line=bank.line_of(file, "points:"),
        says="points does not belong in a rank item, which is keyed by rank",
    )


# --- free_text ------------------------------------------------------------------------------


def test_free_text_has_no_options(bank: BankFolder) -> None:
    item = free_text_item()
    item["options"] = [{"id": "a", "text": "Say sorry.", "rationale": "Polite."}]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=R02,
        field="options",
        line=bank.line_of(file, "options:"),
        says="a free_text item has no options",
    )


def test_free_text_needs_an_anchor_for_every_rating(bank: BankFolder) -> None:
    item = free_text_item()
    del item["anchors"][3]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=R02,
        field="anchors",
        line=bank.line_of(file, "anchors:"),
        says="no anchor for rating 3",
    )


def test_free_text_anchors_only_for_ratings_one_to_five(bank: BankFolder) -> None:
    item = free_text_item()
    item["anchors"][6] = "Beyond the scale."
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=R02,
        field="anchors.6",
        line=bank.line_of(file, "6: Beyond"),
        says="6 is not a rating; anchors are keyed 1..5",
    )


def test_free_text_needs_anchors(bank: BankFolder) -> None:
    file = bank.item(edited(free_text_item(), anchors=...))
    assert_names(
        only_problem(bank), file=file, item=R02, field="anchors", line=1, says="anchors is required"
    )


def test_anchors_belong_only_to_free_text(bank: BankFolder) -> None:
    item = best_choice_item()
    item["anchors"] = free_text_item()["anchors"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="anchors",
        line=bank.line_of(file, "anchors:"),
        says="anchors are only for free_text items, not best_choice",
    )
