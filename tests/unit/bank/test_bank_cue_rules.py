"""Rules of issue #16: the key cannot be found by form, and the wording leaves time to think.

Each test starts from the valid test bank (tests/unit/bank/factories.py), breaks one rule and
checks the single problem names the file, the item or questionnaire, the
field and the line; where a rule has a boundary, the passing side is tested too.
"""

from __future__ import annotations

from typing import Any

import pytest

from screening.bank import load_bank
from screening.bank.cues import (
    KEYED_LENGTH_TOLERANCE,
    item_cues,
    keyed_options,
    questionnaire_cues,
)
from tests.unit.bank.factories import (
    ALL_ITEMS,
    BankFolder,
    assert_names,
    best_choice_item,
    edited,
    most_least_item,
    only_problem,
    questionnaire,
    rank_item,
    rate_each_item,
)

W01 = "W01-phone-at-huddle"
W01_FILE = f"questions/items/{W01}.yaml"
FORM = "frontline-standard"
FORM_FILE = f"questions/forms/{FORM}.yaml"


def _bank_with(bank: BankFolder, *replaced: dict[str, Any], form: dict[str, Any] | None = None):
    """The full test bank, with some items replaced (by id) and maybe another form."""
    replacements = {item["id"]: item for item in replaced}
    for make in ALL_ITEMS:
        item = make()
        bank.item(replacements.pop(item["id"], item))
    for item in replacements.values():
        bank.item(item)
    bank.form(form or questionnaire())


def test_the_test_bank_passes_every_cue_rule(bank: BankFolder) -> None:
    bank.full()
    assert bank.problems() == []


# --- the keyed option's length, per item -----------------------------------------------------


def test_a_keyed_option_twice_as_long_is_named_with_its_line(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][2]["text"] *= 2  # c, the keyed best
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[2].text",
        line=bank.line_of(file, "- id: c") + 1,
        says="the keyed option c is 80 characters, 2.16 times the mean of the other options (37)",
    )


@pytest.mark.parametrize(
    ("length", "passes"),
    [(42, True), (43, False), (32, True), (31, False)],
)
def test_the_keyed_length_may_be_fifteen_percent_off_the_mean(
    bank: BankFolder, length: int, passes: bool
) -> None:
    # the other options of W01 are 34, 30 and 47 characters: mean 37, so 31.45..42.55 passes.
    item = best_choice_item()
    item["options"][2]["text"] = "x" * length
    del item["translations"]
    file = bank.item(item)
    if passes:
        assert bank.problems() == []
    else:
        problem = only_problem(bank)
        assert (problem.file, problem.item, problem.field) == (file, W01, "options[2].text")
        assert f"within ±{KEYED_LENGTH_TOLERANCE:.0%} (32-42 characters)" in problem.message


def test_the_length_rule_holds_in_each_translation(bank: BankFolder) -> None:
    item = best_choice_item()
    long_key = "Levantarse, disculparse y contestar enseguida al teléfono."
    item["translations"]["es"]["options"]["c"] = long_key
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="translations.es.options.c",
        line=bank.line_of(file, "c: Levantarse"),
        says="in es, the keyed option c is 58 characters",
    )


def test_most_least_measures_the_keyed_best(bank: BankFolder) -> None:
    item = most_least_item()
    item["options"][0]["text"] = "Let him finish, say you understand, then redirect the parcel."
    file = bank.item(item)
    problem = only_problem(bank)
    assert (problem.file, problem.field) == (file, "options[0].text")
    assert "the keyed option a is" in problem.message


def test_rank_measures_the_option_ranked_first(bank: BankFolder) -> None:
    item = rank_item()
    item["options"][0]["text"] = "Stop at once, smile, and greet the visitor warmly by the door."
    file = bank.item(item)
    problem = only_problem(bank)
    assert (problem.file, problem.field) == (file, "options[0].text")


def test_rate_each_measures_every_option_keyed_highest(bank: BankFolder) -> None:
    item = rate_each_item()
    item["options"][1]["effectiveness"] = 5  # b joins a at the top
    item["options"][1]["text"] = "Take their number, call them the moment the part arrives."
    file = bank.item(item)
    assert [o.id for o in keyed_options(load_bank_item(bank, item["id"]))] == ["a", "b"]
    problems = bank.problems()
    # each keyed-highest option against the mean of the others (c and d: 23 and 30 characters)
    assert [(p.file, p.field) for p in problems] == [
        (file, "options[0].text"),
        (file, "options[1].text"),
    ]
    assert "the keyed option a is 32 characters, 1.21 times the mean" in problems[0].message
    assert "the keyed option b is 57 characters, 2.15 times the mean" in problems[1].message


def load_bank_item(bank: BankFolder, item_id: str):
    from screening.bank import read_bank

    return read_bank(bank.root)[0].items[item_id]


def test_free_text_items_have_no_length_rule(bank: BankFolder) -> None:
    bank.full()
    free_text = load_bank(bank.root).items["R02-rude-customer-at-till"]
    assert item_cues(free_text) is None


# --- the questionnaire's shares -----------------------------------------------------------------

#: Three options each: (text, points). The keyed option sits between the others in length.
MIDDLE_KEY = [("Greet them at once.", 4), ("Wait until they speak.", 1), ("Keep on typing.", 2)]
SHORTEST_KEY = [
    ("Ask what they need.", 4),
    ("Hand them a leaflet.", 1),
    ("Point to the web page.", 0),
]
LONGEST_KEY = [("Greet them right now.", 4), ("Wait until they ask.", 1), ("Keep typing away.", 2)]
#: The longest option is a second best (3 of 4 points), not a wrong one.
LONGEST_NOT_WRONG = [
    ("Greet them at once.", 4),
    ("Nod, then greet them.", 3),
    ("Keep on typing.", 0),
]
SIX = {
    "W01-simple-a": ("warmth", MIDDLE_KEY),
    "W02-simple-b": ("warmth", MIDDLE_KEY),
    "C01-simple-c": ("common_sense", SHORTEST_KEY),
    "C02-simple-d": ("common_sense", MIDDLE_KEY),
    "R01-simple-e": ("respect", MIDDLE_KEY),
    "R02-simple-f": ("respect", MIDDLE_KEY),
}


def _simple_item(item_id: str, dimension: str, options: list[tuple[str, int]]) -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "A short situation",
        "revision": 1,
        "author": "Screening team",
        "dimensions": [dimension],
        "format": "best_choice",
        "scenario": "Someone is waiting at the desk.",
        "prompt": "Which response is the most effective?",
        "options": [
            {"id": option_id, "text": text, "points": {dimension: points}, "rationale": "Why."}
            for option_id, (text, points) in zip("abc", options, strict=False)
        ],
    }


def _six(bank: BankFolder, **changes: tuple[str, list[tuple[str, int]]]) -> str:
    """Six simple items (two per dimension) and a form using them; returns the form's file."""
    specs = {**SIX, **{key.replace("_", "-"): value for key, value in changes.items()}}
    for item_id, (dimension, options) in specs.items():
        bank.item(_simple_item(item_id, dimension, options))
    form = questionnaire()
    del form["practice_item"]
    form["items"] = list(specs)
    return bank.form(form)


def _items_line(bank: BankFolder) -> int:
    return bank.line_of(FORM_FILE, "- W01-simple-a") - 1


def test_six_simple_items_pass(bank: BankFolder) -> None:
    _six(bank)
    assert bank.problems() == []
    cues = questionnaire_cues(load_bank(bank.root).questionnaires[FORM])
    assert (cues.keyed_longest.count, cues.keyed_shortest.count, cues.longest_wrong.count) == (
        0,
        1,
        6,
    )


def test_keyed_option_longest_in_more_than_thirty_percent_is_a_problem(bank: BankFolder) -> None:
    # Six option items allow one keyed-longest (30% of 6 is 1.8).
    _six(bank, W01_simple_a=("warmth", LONGEST_KEY), W02_simple_b=("warmth", LONGEST_KEY))
    assert_names(
        only_problem(bank),
        file=FORM_FILE,
        item=FORM,
        field="items",
        line=_items_line(bank),
        says="the keyed option is the longest in 2 of 6 (33%) option items "
        "(W01-simple-a, W02-simple-b); at most 30% may be",
        kind="questionnaire",
    )


def test_one_keyed_longest_in_six_option_items_passes(bank: BankFolder) -> None:
    _six(bank, W01_simple_a=("warmth", LONGEST_KEY))
    assert bank.problems() == []


def test_keyed_option_never_shortest_is_a_problem(bank: BankFolder) -> None:
    _six(bank, C01_simple_c=("common_sense", MIDDLE_KEY))
    assert_names(
        only_problem(bank),
        file=FORM_FILE,
        item=FORM,
        field="items",
        line=_items_line(bank),
        says="the keyed option is the shortest in only 0 of 6 (0%) option items; at least 15%",
        kind="questionnaire",
    )


def test_longest_option_wrong_in_fewer_than_a_quarter_is_a_problem(bank: BankFolder) -> None:
    others = {
        key: (dimension, LONGEST_NOT_WRONG)
        for key, (dimension, _) in SIX.items()
        if key != "C01-simple-c"
    }
    _six(bank, **{key.replace("-", "_"): value for key, value in others.items()})
    assert_names(
        only_problem(bank),
        file=FORM_FILE,
        item=FORM,
        field="items",
        line=_items_line(bank),
        says="the longest option is a wrong one (keyed in the bottom half) in only 1 of 6 (17%)",
        kind="questionnaire",
    )


def test_two_wrong_longest_options_in_six_pass(bank: BankFolder) -> None:
    others = {
        key: (dimension, LONGEST_NOT_WRONG)
        for key, (dimension, _) in SIX.items()
        if key not in ("C01-simple-c", "C02-simple-d")
    }
    _six(bank, **{key.replace("-", "_"): value for key, value in others.items()})
    assert bank.problems() == []


def test_each_dimension_needs_two_main_items(bank: BankFolder) -> None:
    _six(bank, R02_simple_f=("warmth", MIDDLE_KEY))
    assert_names(
        only_problem(bank),
        file=FORM_FILE,
        item=FORM,
        field="items",
        line=_items_line(bank),
        says="respect is the main dimension of 1 scored item(s) (R01-simple-e); "
        "each dimension needs at least 2, so that no single item decides it",
        kind="questionnaire",
    )


def test_keyed_worst_always_shortest_is_a_problem(bank: BankFolder) -> None:
    r01 = most_least_item()
    r01["options"][2]["text"] = "Say it was his fault, hang up."  # c, the keyed worst
    _bank_with(bank, r01)
    assert_names(
        only_problem(bank),
        file=FORM_FILE,
        item=FORM,
        field="items",
        line=bank.line_of(FORM_FILE, "- W01-phone-at-huddle") - 1,
        says="the keyed worst is the shortest option in 1 of 1 (100%) most_least items "
        "(R01-angry-caller-own-mistake); at most 50% may be",
        kind="questionnaire",
    )


def _loaded_form(bank: BankFolder):
    bank.full()
    return load_bank(bank.root).questionnaires[FORM]


def test_reading_time_counts_scenario_prompt_options_and_the_practice_item(
    bank: BankFolder,
) -> None:
    form = _loaded_form(bank)
    cues = questionnaire_cues(form)
    expected = 0
    for item in (*form.items, form.practice_item):
        assert item is not None
        expected += len(item.scenario.split()) + len(item.prompt.split())
        expected += sum(len(option.text.split()) for option in item.options)
    assert cues.reading[0].words == expected
    assert cues.reading[0].minutes == pytest.approx(expected / 150)


def test_reading_over_three_quarters_of_the_limit_is_a_problem(bank: BankFolder) -> None:
    w02 = rank_item()
    w02["scenario"] = " ".join(["word"] * 700)
    _bank_with(bank, w02, form=edited(questionnaire(), time_limit_minutes=5))
    assert_names(
        only_problem(bank),
        file=FORM_FILE,
        item=FORM,
        field="items",
        line=bank.line_of(FORM_FILE, "- W01-phone-at-huddle") - 1,
        says="of the 5-minute limit; keep it within 75% (562 words)",
        kind="questionnaire",
    )


def test_reading_just_within_three_quarters_passes(bank: BankFolder) -> None:
    words = questionnaire_cues(_loaded_form(bank)).reading[0].words
    w02 = rank_item()
    # 562 words fit 75% of 5 minutes; pad the scenario up to exactly that.
    w02["scenario"] = w02["scenario"] + " word" * (562 - words)
    bank.item(w02)
    bank.form(edited(questionnaire(), time_limit_minutes=5))
    assert questionnaire_cues(load_bank(bank.root).questionnaires[FORM]).reading[0].words == 562
    w02["scenario"] += " word"
    bank.item(w02)
    assert [p.field for p in bank.problems()] == ["items"]


def test_no_time_limit_means_no_reading_rule(bank: BankFolder) -> None:
    w02 = rank_item()
    w02["scenario"] = " ".join(["word"] * 700)
    _bank_with(bank, w02, form=edited(questionnaire(), time_limit_minutes=None))
    assert bank.problems() == []




# --- the report ---------------------------------------------------------------------------------


def test_the_report_shows_ratios_shares_reading_and_dimensions(bank: BankFolder) -> None:
    from screening.bank import read_bank
    from screening.bank.cues import cue_report

    bank.full()
    loaded, problems = read_bank(bank.root)
    assert problems == []
    lines = cue_report(loaded.items, loaded.questionnaires).splitlines()
    row = next(line for line in lines if line.strip().startswith(W01))
    assert row.split()[1:6] == ["best_choice", "c", "1.08", "d", "wrong"]
    assert any(line.strip().startswith("P01-practice-coffee (practice)") for line in lines)
    shares = next(line for line in lines if "keyed option is the longest" in line)
    assert "0 of 5 (0%)" in shares and shares.endswith("ok")
    reading = next(line for line in lines if "reading at 150 wpm, en" in line)
    assert "of 20 min" in reading and reading.endswith("ok")
    dimensions = next(line for line in lines if "items per dimension" in line)
    # W01 also scores common sense, R01 too: 2 items mainly, 4 giving points at all
    assert "warmth 2/2, common sense 2/4, respect under pressure 2/2" in dimensions


def test_the_report_marks_what_is_broken(bank: BankFolder) -> None:
    from screening.bank import read_bank
    from screening.bank.cues import cue_report

    _six(bank, W01_simple_a=("warmth", LONGEST_KEY), W02_simple_b=("warmth", LONGEST_KEY))
    loaded, problems = read_bank(bank.root)
    assert len(problems) == 1  # the questionnaire still loads, so the table can show why
    lines = cue_report(loaded.items, loaded.questionnaires).splitlines()
    shares = next(line for line in lines if "keyed option is the longest" in line)
    assert "2 of 6 (33%)" in shares and shares.endswith("BROKEN")
