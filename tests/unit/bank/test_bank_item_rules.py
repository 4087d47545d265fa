"""Item-level rules: schema, ids, dimensions, format, scale, rationale, red flag, translations.

Each test breaks one thing in an otherwise valid item and checks that the
single problem reported names the file, the item, the field and the line.
"""

from __future__ import annotations

from tests.unit.bank.factories import (
    BankFolder,
    assert_names,
    best_choice_item,
    edited,
    free_text_item,
    most_least_item,
    only_problem,
)

W01 = "W01-phone-at-huddle"
W01_FILE = f"questions/items/{W01}.yaml"


def test_valid_items_of_every_format_have_no_problems(bank: BankFolder) -> None:
    bank.full()
    assert bank.problems() == []


# --- schema ---------------------------------------------------------------------------------


def test_missing_required_field_points_at_the_mapping_that_lacks_it(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), scenario=...))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="scenario",
        line=1,
        says="scenario is required",
    )


def test_missing_option_field_points_at_the_option(bank: BankFolder) -> None:
    item = best_choice_item()
    del item["options"][1]["text"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[1].text",
        line=bank.line_of(file, "- id: b"),
        says="text is required",
    )


def test_wrong_type_is_named(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), title=["two", "titles"]))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="title",
        line=bank.line_of(file, "title:"),
        says="must be text, not a list",
    )


def test_unknown_top_level_key_is_rejected_with_a_suggestion(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), scenaro="typo"))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="scenaro",
        line=bank.line_of(file, "scenaro:"),
        says="unknown field 'scenaro'; did you mean 'scenario'?",
    )


def test_unknown_option_key_is_rejected(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][2]["explanation"] = "Would otherwise be silently dropped."
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[2].explanation",
        line=bank.line_of(file, "explanation:"),
        says="unknown field 'explanation'",
    )


def test_revision_must_be_a_positive_whole_number(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), revision=0))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="revision",
        line=bank.line_of(file, "revision:"),
        says="revision must be 1 or more",
    )


def test_more_than_three_interview_questions_are_rejected(bank: BankFolder) -> None:
    questions = [f"Tell me about time {number}." for number in range(4)]
    file = bank.item(edited(best_choice_item(), interview_questions=questions))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="interview_questions",
        line=bank.line_of(file, "interview_questions:"),
        says="keep at most 3",
    )


def test_a_file_that_is_not_a_mapping_is_a_problem(bank: BankFolder) -> None:
    bank.write(f"items/{W01}.yaml", "- just\n- a list\n")
    assert_names(
        only_problem(bank),
        file=W01_FILE,
        item=W01,
        field="",
        line=1,
        says="must be a mapping of fields, not a list",
    )


# --- ids ------------------------------------------------------------------------------------


def test_item_id_must_match_the_pattern(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), id="w1-Phone"))
    assert_names(
        only_problem(bank),
        file=file,
        item="w1-Phone",
        field="id",
        line=1,
        says="'w1-Phone' is not a valid id",
    )


def test_item_id_must_equal_the_file_name(bank: BankFolder) -> None:
    file = bank.item(best_choice_item("W01-phone-at-meeting"), name=W01)
    assert_names(
        only_problem(bank),
        file=file,
        item="W01-phone-at-meeting",
        field="id",
        line=1,
        says=f"must equal the file name ({W01}.yaml)",
    )


def test_item_ids_are_unique_across_files(bank: BankFolder) -> None:
    bank.item(best_choice_item())
    second = bank.item(best_choice_item(), name="W02-copy")
    problems = [problem for problem in bank.problems() if "already used" in problem.message]
    assert len(problems) == 1
    assert_names(
        problems[0],
        file=second,
        item=W01,
        field="id",
        line=1,
        says=f"item id {W01} is already used by items/{W01}.yaml",
    )


def test_option_ids_are_unique_within_the_item(bank: BankFolder) -> None:
    item = edited(best_choice_item(), translations=...)
    item["options"][3]["id"] = "b"
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[3].id",
        line=bank.line_of(file, "- id: b", occurrence=2),
        says="option id b is already used by options[1]",
    )


# --- dimensions and format ------------------------------------------------------------------


def test_dimensions_must_not_be_empty(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), dimensions=[]))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="dimensions",
        line=bank.line_of(file, "dimensions:"),
        says="name at least one of warmth, common_sense, respect",
    )


def test_dimensions_must_be_known(bank: BankFolder) -> None:
    item = best_choice_item()
    item["dimensions"] = ["warmth", "kindness"]
    file = bank.item(item)
    problems = bank.problems()
    assert_names(
        problems[0],
        file=file,
        item=W01,
        field="dimensions[1]",
        line=bank.line_of(file, "- kindness"),
        says="kindness is not a dimension",
    )
    # Points cannot be checked against unknown dimensions, so only the points
    # for common_sense (which the item no longer measures) follow.
    assert all("kindness" not in problem.field for problem in problems[1:])


def test_dimensions_must_not_repeat(bank: BankFolder) -> None:
    item = best_choice_item()
    item["dimensions"] = ["warmth", "common_sense", "warmth"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="dimensions[2]",
        line=bank.line_of(file, "- warmth", occurrence=2),
        says="warmth is listed twice",
    )


def test_format_must_be_one_of_the_five(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), format="pick_one"))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="format",
        line=bank.line_of(file, "format:"),
        says="'pick_one' is not a response format; use one of best_choice, most_least",
    )


# --- scale, rationale, red flag -------------------------------------------------------------


def test_scale_min_must_be_below_max(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), scale={"min": 4, "max": 4}))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="scale.max",
        line=bank.line_of(file, "max: 4"),
        says="the scale maximum 4 must be above the minimum 4",
    )


def test_scale_defaults_to_zero_to_four(bank: BankFolder) -> None:
    bank.item(edited(best_choice_item(), scale=...))
    assert bank.problems() == []


def test_every_option_needs_a_non_empty_rationale(bank: BankFolder) -> None:
    item = most_least_item()
    item["options"][2]["rationale"] = "   "
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item="R01-angry-caller-own-mistake",
        field="options[2].rationale",
        line=bank.line_of(file, "rationale: '   '"),
        says="must not be empty",
    )


def test_red_flag_must_be_a_boolean(bank: BankFolder) -> None:
    item = best_choice_item()
    item["options"][0]["red_flag"] = "yes"
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[0].red_flag",
        line=bank.line_of(file, "red_flag:"),
        says="must be true or false, not text 'yes'",
    )


def test_yaml_yes_is_text_not_a_boolean(bank: BankFolder) -> None:
    # YAML 1.1 would read an unquoted yes as true; we read it as text and say so.
    file = bank.item(best_choice_item())
    path = bank.root.parent / file
    path.write_text(
        path.read_text().replace("  rationale: Answered", "  red_flag: yes\n  rationale: Answered")
    )
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="options[1].red_flag",
        line=bank.line_of(file, "red_flag: yes"),
        says="must be true or false, not text 'yes'",
    )


# --- translations ---------------------------------------------------------------------------


def test_translation_language_must_be_a_two_letter_code(bank: BankFolder) -> None:
    item = best_choice_item()
    item["translations"]["spanish"] = item["translations"].pop("es")
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="translations.spanish",
        line=bank.line_of(file, "spanish:"),
        says="'spanish' is not a two-letter language code",
    )


def test_norwegian_no_is_a_language_code_not_false(bank: BankFolder) -> None:
    item = best_choice_item()
    item["translations"]["no"] = item["translations"]["es"]
    bank.item(item)
    assert bank.problems() == []


def test_translation_needs_title_scenario_and_prompt(bank: BankFolder) -> None:
    item = best_choice_item()
    del item["translations"]["es"]["prompt"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="translations.es.prompt",
        line=bank.line_of(file, "  es:"),
        says="prompt is required",
    )


def test_translation_must_cover_every_option(bank: BankFolder) -> None:
    item = best_choice_item()
    del item["translations"]["es"]["options"]["c"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="translations.es.options",
        line=bank.line_of(file, "    options:"),
        says="no translation for option c",
    )


def test_translation_must_not_add_options(bank: BankFolder) -> None:
    item = best_choice_item()
    item["translations"]["es"]["options"]["e"] = "Una opción que no existe."
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="translations.es.options.e",
        line=bank.line_of(file, "e: Una opción"),
        says="the item has no option 'e'",
    )


def test_free_text_translation_needs_no_options(bank: BankFolder) -> None:
    item = free_text_item()
    item["translations"] = {
        "fr": {
            "title": "Le client impoli",
            "scenario": "Un client vous insulte.",
            "prompt": "Que faites-vous ?",
        }
    }
    bank.item(item)
    assert bank.problems() == []
