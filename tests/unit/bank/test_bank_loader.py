"""Loading the bank: YAML faults, all problems at once, and the objects it builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.bank import (
    BankError,
    Option,
    Problem,
    ResponseFormat,
    Review,
    check_bank,
    load_bank,
    load_questionnaire,
)
from tests.unit.bank.factories import (
    BankFolder,
    assert_names,
    best_choice_item,
    dump,
    free_text_item,
    most_least_item,
    only_problem,
    rank_item,
)

W01 = "W01-phone-at-huddle"


# --- YAML faults ----------------------------------------------------------------------------


def test_yaml_syntax_error_names_file_and_line(bank: BankFolder) -> None:
    text = dump(best_choice_item()).replace("prompt: Which", "prompt: [Which")
    path = bank.write(f"items/{W01}.yaml", text)
    line = path.read_text().splitlines().index("prompt: [Which response is the most effective?") + 1
    problem = only_problem(bank)
    assert (problem.file, problem.item, problem.field) == (f"questions/items/{W01}.yaml", W01, "")
    assert problem.line is not None and line <= problem.line <= line + 1
    assert problem.message.startswith("YAML syntax error:")
    assert "\n" not in str(problem)


def test_tab_indentation_is_a_syntax_error_with_a_line(bank: BankFolder) -> None:
    bank.write(f"items/{W01}.yaml", "id: W01-phone-at-huddle\ntitle: x\n\tprompt: y\n")
    problem = only_problem(bank)
    assert problem.line == 3
    assert "YAML syntax error" in problem.message


_BOMB = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10)}]\n"
    for previous, name in zip("abcde", "bcdef", strict=True)
)


@pytest.mark.parametrize(
    ("text", "line", "says"),
    [
        ("id: &x [1, *x]\n", 1, "an alias refers to itself"),
        ("? [a, b]\n: 1\n", 1, "a key must be a plain value"),
        ("id: one\n---\nid: two\n", 2, "expected a single document"),
        (_BOMB, None, "expands to more than 100000 values"),
    ],
)
def test_yaml_that_cannot_be_an_item_is_refused(
    bank: BankFolder, text: str, line: int | None, says: str
) -> None:
    bank.write(f"items/{W01}.yaml", text)
    problem = only_problem(bank)
    assert (problem.file, problem.line) == (f"questions/items/{W01}.yaml", line)
    assert says in problem.message


def test_a_key_given_twice_is_a_problem(bank: BankFolder) -> None:
    # PyYAML would silently keep the second rationale; an author must choose.
    text = dump(best_choice_item()).replace(
        "  rationale: Answered in the end, but slowly.",
        "  rationale: Answered in the end, but slowly.\n  rationale: A second opinion.",
    )
    path = bank.write(f"items/{W01}.yaml", text)
    line = path.read_text().splitlines().index("  rationale: A second opinion.") + 1
    assert_names(
        only_problem(bank),
        file=f"questions/items/{W01}.yaml",
        item=W01,
        field="options[1].rationale",
        line=line,
        says="given twice; keep one",
    )


def test_an_empty_file_is_a_problem(bank: BankFolder) -> None:
    bank.write(f"items/{W01}.yaml", "# only a comment\n")
    assert_names(
        only_problem(bank),
        file=f"questions/items/{W01}.yaml",
        item=W01,
        field="",
        line=None,
        says="must be a mapping of fields, not an empty value",
    )


def test_a_file_that_is_not_utf8_is_a_problem(bank: BankFolder) -> None:
    (bank.root / "items" / f"{W01}.yaml").write_bytes(b"title: caf\xe9\n")
    problem = only_problem(bank)
    assert problem.file == f"questions/items/{W01}.yaml"
    assert "not UTF-8 text" in problem.message


@pytest.mark.parametrize(
    "tagged",
    [
        "!!python/object/apply:os.system ['true']",  # a tagged list
        "!!python/name:os.system",  # a tagged scalar
        "!!set {a, b}",  # a tag we would otherwise ignore silently
    ],
)
def test_tags_are_refused(bank: BankFolder, tagged: str) -> None:
    text = dump(best_choice_item()).replace("title: The phone", f"title: {tagged}\nx: The phone")
    bank.write(f"items/{W01}.yaml", text)
    problems = bank.problems()
    assert problems and "YAML syntax error" in problems[0].message
    assert problems[0].line == 2


def test_a_yml_file_is_flagged_not_silently_skipped(bank: BankFolder) -> None:
    bank.write(f"items/{W01}.yml", dump(best_choice_item()))
    assert_names(
        only_problem(bank),
        file=f"questions/items/{W01}.yml",
        item=W01,
        field="",
        line=None,
        says="bank files end in .yaml",
    )


def test_a_missing_folder_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path / "questions"
    (root / "items").mkdir(parents=True)
    assert [str(problem) for problem in check_bank(root)] == [
        "questions/forms: no forms/ directory in the bank"
    ]


def test_other_files_in_the_folders_are_ignored(bank: BankFolder) -> None:
    bank.item(best_choice_item())
    bank.write("items/NOTES.md", "# scratch notes\n")
    assert bank.problems() == []


# --- every problem at once ------------------------------------------------------------------


def test_bank_error_carries_every_problem_of_every_file(bank: BankFolder) -> None:
    broken_points = best_choice_item()
    broken_points["options"][2]["points"]["warmth"] = 5
    broken_points["options"][0]["rationale"] = ""
    bank.item(broken_points)
    bank.item(most_least_item() | {"format": "pick_two"})
    bank.write("items/W03-broken-yaml.yaml", "id: [unclosed\n")
    with pytest.raises(BankError) as caught:
        load_bank(bank.root)
    problems = caught.value.problems
    assert [(problem.file.rsplit("/", 1)[1], problem.field) for problem in problems] == [
        ("R01-angry-caller-own-mistake.yaml", "format"),
        ("W01-phone-at-huddle.yaml", "options[0].rationale"),
        ("W01-phone-at-huddle.yaml", "options[2].points.warmth"),
        ("W03-broken-yaml.yaml", ""),
    ]
    assert str(caught.value).splitlines()[0] == "4 problems in the question bank"
    assert check_bank(bank.root) == problems


def test_problem_reads_as_file_line_item_field_message() -> None:
    problem = Problem(
        file="questions/items/W01-x.yaml",
        item="W01-x",
        field="options[2].points.warmth",
        line=14,
        message="5 is above the scale maximum 4",
    )
    assert str(problem) == (
        "questions/items/W01-x.yaml:14: item W01-x, field options[2].points.warmth: "
        "5 is above the scale maximum 4"
    )


def test_questionnaire_problem_names_the_questionnaire() -> None:
    problem = Problem(
        "questions/forms/frontline.yaml", "frontline", "bands", 9, "x", kind="questionnaire"
    )
    assert str(problem) == (
        "questions/forms/frontline.yaml:9: questionnaire frontline, field bands: x"
    )


def test_problems_are_named_from_the_bank_folder_wherever_it_is_opened(
    bank: BankFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = best_choice_item()
    item["options"][2]["points"]["warmth"] = 5
    bank.item(item)
    monkeypatch.chdir(bank.root)
    assert check_bank(Path(".")) == check_bank(bank.root.resolve())


# --- what a valid bank becomes --------------------------------------------------------------


def test_load_bank_builds_the_model(bank: BankFolder) -> None:
    bank.full()
    loaded = load_bank(bank.root)
    assert list(loaded.items) == sorted(loaded.items)
    w01 = loaded.items[W01]
    assert w01.format is ResponseFormat.BEST_CHOICE
    assert w01.dimensions == ("warmth", "common_sense")
    assert (w01.scale_min, w01.scale_max) == (0, 4)
    assert w01.option("c") == Option(
        id="c",
        text="Step away and answer within a few rings.",
        rationale="Prompt, friendly and the huddle is easy to catch up on.",
        points={"warmth": 4, "common_sense": 4},
    )
    assert w01.translations["es"].options["a"] == "Dejarlo sonar hasta el final."
    assert w01.reviewed_by == (
        Review(who="A. Reviewer", on="2026-11-30", change="Checked the key and the wording."),
    )
    assert w01.second_dimension_reason.startswith("Answering late is cold")
    assert w01.source == f"items/{W01}.yaml"
    assert loaded.items["R01-angry-caller-own-mistake"].option("c").red_flag is True
    assert [o.rank for o in loaded.items["W02-visitor-walks-in"].options] == [1, 2, 3, 4]
    form = loaded.questionnaires["frontline-standard"]
    assert form.source == "forms/frontline-standard.yaml"
    assert [item.id for item in form.items][:2] == [W01, "R01-angry-caller-own-mistake"]
    assert form.practice_item is not None and form.practice_item.id == "P01-practice-coffee"
    assert form.weights == {"warmth": 1.0, "common_sense": 1.0, "respect": 1.5}
    assert [band.id for band in form.bands] == ["front_line", "probe", "secondary"]
    assert form.bands[2].dimension_min == {}
    assert (form.time_limit_minutes, form.randomise_items, form.randomise_options) == (
        20,
        True,
        False,
    )
    assert form.languages == ("en",)
    assert len(form.content_hash) == 64


def test_anchors_are_ordered_by_rating_whatever_the_file_order(bank: BankFolder) -> None:
    item = free_text_item()
    item["anchors"] = dict(reversed(list(item["anchors"].items())))
    bank.item(item)
    anchors = load_bank(bank.root).items[item["id"]].anchors
    assert [anchor.rating for anchor in anchors] == [1, 2, 3, 4, 5]


def test_text_is_stripped_so_block_style_does_not_matter(bank: BankFolder) -> None:
    text = dump(rank_item()).replace(
        "scenario: You are chatting", "scenario: >\n  You are chatting"
    )
    bank.write("items/W02-visitor-walks-in.yaml", text)
    item = load_bank(bank.root).items["W02-visitor-walks-in"]
    assert item.scenario == "You are chatting with a colleague when a visitor walks in."


def test_load_questionnaire_returns_one_or_names_the_missing_file(bank: BankFolder) -> None:
    bank.full()
    assert load_questionnaire(bank.root, "frontline-standard").id == "frontline-standard"
    with pytest.raises(BankError) as caught:
        load_questionnaire(bank.root, "nightshift")
    assert [str(problem) for problem in caught.value.problems] == [
        "questions/forms/nightshift.yaml: questionnaire nightshift: no such questionnaire"
    ]
