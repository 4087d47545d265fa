"""Item and questionnaire fields of issue #16: one prompt per format, one dimension unless
the rubric says why, review records, and the languages a questionnaire is offered in.

Each test breaks one thing in the valid test bank (tests/unit/bank/factories.py) and checks that the
single problem names the file, the item or questionnaire, the field and the line.
"""

from __future__ import annotations

from typing import Any

import pytest

from screening.bank import load_bank, read_bank
from tests.unit.bank.factories import (
    ALL_ITEMS,
    BankFolder,
    assert_names,
    best_choice_item,
    edited,
    only_problem,
    questionnaire,
    rank_item,
    rate_each_item,
)

W01 = "W01-phone-at-huddle"
FORM = "frontline-standard"
FORM_FILE = f"questions/forms/{FORM}.yaml"


# --- prompts --------------------------------------------------------------------------------


def test_prompt_is_the_house_wording_of_the_format(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), prompt="What would you most likely do?"))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="prompt",
        line=bank.line_of(file, "prompt: What would"),
        says="a best_choice item asks 'Which response is the most effective?'",
    )


def test_translated_prompt_is_the_house_wording_too(bank: BankFolder) -> None:
    item = best_choice_item()
    item["translations"]["es"]["prompt"] = "¿Qué haría usted?"
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="translations.es.prompt",
        line=bank.line_of(file, "prompt: ¿Qué haría"),
        says="a best_choice item asks '¿Qué respuesta es la más eficaz?'",
    )


def test_prompts_of_languages_without_a_house_wording_are_not_checked(bank: BankFolder) -> None:
    item = best_choice_item()
    item["translations"]["fr"] = dict(item["translations"]["es"], prompt="Que faites-vous ?")
    bank.item(item)
    assert bank.problems() == []


# --- one dimension per item, unless the rubric says why ---------------------------------------


def test_a_second_dimension_needs_a_reason(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), second_dimension_reason=...))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="dimensions",
        line=bank.line_of(file, "dimensions:"),
        says="the item scores 2 dimensions (warmth, common_sense); say why in "
        "second_dimension_reason",
    )


def test_a_reason_without_a_second_dimension_is_refused(bank: BankFolder) -> None:
    item = rate_each_item()
    item["second_dimension_reason"] = "Because."
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=item["id"],
        field="second_dimension_reason",
        line=bank.line_of(file, "second_dimension_reason:"),
        says="the item measures only common_sense; remove second_dimension_reason",
    )


def test_a_second_dimension_copying_the_first_is_refused(bank: BankFolder) -> None:
    item = best_choice_item()
    for option in item["options"]:
        option["points"]["common_sense"] = option["points"]["warmth"]
    file = bank.item(item)
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="dimensions[1]",
        line=bank.line_of(file, "- common_sense"),
        says="every option has the same points on common_sense as on warmth",
    )


def test_any_two_dimensions_must_differ(bank: BankFolder) -> None:
    item = best_choice_item()
    item["dimensions"].append("respect")
    for option in item["options"]:
        option["points"]["respect"] = option["points"]["common_sense"]
    file = bank.item(item)
    problem = only_problem(bank)
    assert (problem.file, problem.field) == (file, "dimensions[2]")
    assert "the same points on respect as on common_sense" in problem.message


@pytest.mark.parametrize("make", [rate_each_item, rank_item])
def test_formats_scored_as_one_number_measure_one_dimension(bank: BankFolder, make) -> None:
    item = make()
    item["dimensions"] = [item["dimensions"][0], "respect"]
    item["second_dimension_reason"] = "It also shows respect."
    file = bank.item(item)
    problem = only_problem(bank)
    assert (problem.file, problem.field) == (file, "dimensions")
    assert f"a {item['format']} item gives every dimension the same score" in problem.message


# --- reviewed_by is a record ----------------------------------------------------------------


def test_reviewed_by_as_a_plain_name_is_refused(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), reviewed_by="Front-line panel"))
    assert_names(
        only_problem(bank),
        file=file,
        item=W01,
        field="reviewed_by",
        line=bank.line_of(file, "reviewed_by:"),
        says="must be a list of reviews (- who: ..., on: YYYY-MM-DD, change: ...), "
        "not text 'Front-line panel'",
    )


@pytest.mark.parametrize(
    ("review", "field", "says"),
    [
        ({"who": "", "on": "2026-12-04", "change": "x"}, "who", "must not be empty"),
        ({"who": "A", "on": "2026-02-30", "change": "x"}, "on", "'2026-02-30' is not a date"),
        ({"who": "A", "on": "4 Dec 2026", "change": "x"}, "on", "write it as YYYY-MM-DD"),
        ({"who": "A", "on": "2026-12-04"}, "change", "change is required"),
        ({"who": "A", "on": "2026-12-04", "change": "x", "by": "B"}, "by", "unknown field"),
    ],
)
def test_each_review_names_who_when_and_what_changed(
    bank: BankFolder, review: dict[str, str], field: str, says: str
) -> None:
    file = bank.item(edited(best_choice_item(), reviewed_by=[review]))
    problem = only_problem(bank)
    assert (problem.file, problem.item, problem.field) == (file, W01, f"reviewed_by[0].{field}")
    assert says in problem.message


def test_an_empty_review_list_is_refused(bank: BankFolder) -> None:
    file = bank.item(edited(best_choice_item(), reviewed_by=[]))
    problem = only_problem(bank)
    assert (problem.file, problem.field) == (file, "reviewed_by")


def test_reviews_load_in_order(bank: BankFolder) -> None:
    later = {"who": "B. Reviewer", "on": "2026-12-04", "change": "Shortened option c."}
    item = best_choice_item()
    item["reviewed_by"].append(later)
    bank.item(item)
    loaded = read_bank(bank.root)[0].items[W01]
    assert [(r.who, r.on) for r in loaded.reviewed_by] == [
        ("A. Reviewer", "2026-11-30"),
        ("B. Reviewer", "2026-12-04"),
    ]


# --- languages --------------------------------------------------------------------------------


def test_a_questionnaire_offered_in_spanish_needs_every_item_in_spanish(bank: BankFolder) -> None:
    form = edited(questionnaire(), languages=["en", "es"])
    for make in ALL_ITEMS:
        bank.item(make())
    bank.form(form)
    problems = bank.problems()
    untranslated = [p for p in problems if p.field.startswith("items[")]
    assert [p.field for p in untranslated] == [f"items[{i}]" for i in range(1, 6)]
    assert untranslated[0].message.startswith(
        "item R01-angry-caller-own-mistake has no translation into es; the questionnaire is "
        "offered in es"
    )
    assert untranslated[0].line == bank.line_of(FORM_FILE, "- R01-angry-caller-own-mistake")
    practice = [p for p in problems if p.field == "practice_item"]
    assert len(practice) == 1 and "P01-practice-coffee has no translation into es" in (
        practice[0].message
    )
    assert len(problems) == 6


def test_a_questionnaire_offered_only_in_english_needs_no_translations(bank: BankFolder) -> None:
    bank.full()
    form = load_bank(bank.root).questionnaires[FORM]
    assert form.languages == ("en",)


@pytest.mark.parametrize(
    ("languages", "field", "says"),
    [
        (["es"], "languages", "list en, the language the bank is written in"),
        (["en", "spanish"], "languages[1]", "'spanish' is not a two-letter language code"),
        (["en", "en"], "languages[1]", "en is listed twice"),
        ("en", "languages", "must be a list"),
    ],
)
def test_languages_are_codes_including_english(
    bank: BankFolder, languages: Any, field: str, says: str
) -> None:
    for make in ALL_ITEMS:
        bank.item(make())
    bank.form(edited(questionnaire(), languages=languages))
    problem = only_problem(bank)
    assert (problem.file, problem.field) == (FORM_FILE, field)
    assert says in problem.message
