"""Writing a keying panel into item files: a careful text edit the validator accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from screening.bank import Review, read_bank
from screening.bank.panel_review import (
    ItemChange,
    PanelReviewError,
    content_differences,
    edit_item_text,
    panel_reviews,
    plan_changes,
    reviewer_name,
)
from screening.reports import wording
from tests.unit.bank.factories import BankFolder, rate_each_item

REVIEW = Review(who=reviewer_name(4, 3), on="2026-12-04",
                change="Keying panel of 3 practitioners, ratings 2026-12-01 to 2026-12-03; "
                       "panel median r_wg(J) 0.81, ICC(2,k) 0.77, ICC(2,1) 0.53; this item")

ITEM_TEXT = """\
id: C01-out-of-stock-part
title: Out of stock  # a comment that must stay
revision: 2
author: Screening team
dimensions: [common_sense]
format: rate_each
options:
  - id: a
    text: First.
    rationale: >
      Folded text
      over two lines.

  - id: b
    text: Second.
    panel_effectiveness: 2.0
# a comment between blocks
interview_questions:
  - Tell me about a time.
"""


def test_the_edit_adds_means_a_review_and_a_revision_and_keeps_everything_else() -> None:
    edited = edit_item_text(ITEM_TEXT, ItemChange("C01-out-of-stock-part",
                                                  {"a": 4.3, "b": 1.7}, REVIEW))
    assert edited == """\
id: C01-out-of-stock-part
title: Out of stock  # a comment that must stay
revision: 3
author: Screening team
reviewed_by:
  - who: "Practitioner panel 4 (3 raters)"
    on: 2026-12-04
    change: "Keying panel of 3 practitioners, ratings 2026-12-01 to 2026-12-03; \
panel median r_wg(J) 0.81, ICC(2,k) 0.77, ICC(2,1) 0.53; this item"
dimensions: [common_sense]
format: rate_each
options:
  - id: a
    text: First.
    rationale: >
      Folded text
      over two lines.
    panel_effectiveness: 4.3

  - id: b
    text: Second.
    panel_effectiveness: 1.7
# a comment between blocks
interview_questions:
  - Tell me about a time.
"""


def test_an_option_the_file_does_not_hold_is_refused() -> None:
    with pytest.raises(PanelReviewError, match="option z not found"):
        edit_item_text(ITEM_TEXT, ItemChange("C01-out-of-stock-part", {"z": 3.0}, REVIEW))


def test_a_planned_change_passes_the_validator_and_reads_back(bank: BankFolder) -> None:
    bank.full()
    loaded, problems = read_bank(bank.root)
    assert problems == []
    item = loaded.items[rate_each_item()["id"]]
    change = ItemChange(item.id, {option.id: 3.5 for option in item.options}, REVIEW)
    [planned] = plan_changes(bank.root, [change], loaded.items)
    assert planned.before == (bank.root / item.source).read_text(encoding="utf-8"), \
        "planning writes nothing"
    (bank.root / item.source).write_text(planned.after, encoding="utf-8")
    after, problems = read_bank(bank.root)
    assert problems == []
    written = after.items[item.id]
    assert [option.panel_effectiveness for option in written.options] == [3.5] * len(
        item.options)
    assert panel_reviews(written) == ((4, 3, REVIEW),)
    assert after.questionnaires["frontline-standard"].content_hash != \
        loaded.questionnaires["frontline-standard"].content_hash
    assert after.questionnaires["frontline-standard"].scoring_hash == \
        loaded.questionnaires["frontline-standard"].scoring_hash, "the norm group is kept"


def test_a_mean_outside_the_scale_is_a_problem(bank: BankFolder) -> None:
    content = rate_each_item()
    content["options"][0]["panel_effectiveness"] = 5.5
    bank.item(content)
    problems = [p for p in bank.problems() if "panel_effectiveness" in str(p)]
    assert len(problems) == 1
    assert "1..5, not 5.5" in str(problems[0])


def test_changed_words_or_keys_are_named(bank: BankFolder) -> None:
    bank.full()
    loaded, _ = read_bank(bank.root)
    item = loaded.items[rate_each_item()["id"]]
    from dataclasses import replace

    reworded = replace(item, options=(replace(item.options[0], text="Other words."),
                                      *item.options[1:]))
    rekeyed = replace(item, options=(replace(item.options[0], effectiveness=1),
                                     *item.options[1:]))
    assert content_differences([item], loaded.items) == []
    assert content_differences([reworded], loaded.items) == [
        f"{item.id}: option {item.options[0].id}'s text changed"]
    assert content_differences([rekeyed], loaded.items) == [
        f"{item.id}: option {item.options[0].id}'s key changed"]
    assert content_differences([item], {}) == [f"{item.id}: no longer in the bank"]


def test_provenance_names_the_panel_or_says_there_was_none(bank: BankFolder) -> None:
    bank.full()
    loaded, _ = read_bank(bank.root)
    questionnaire = loaded.questionnaires["frontline-standard"]
    assert wording.key_provenance(questionnaire) == wording.NOT_REVIEWED_BY_PANEL
    changes = [ItemChange(item.id, {option.id: 3.0 for option in item.options}, REVIEW)
               for item in questionnaire.items if item.options]
    for planned in plan_changes(bank.root, changes, loaded.items):
        planned.path.write_text(planned.after, encoding="utf-8")
    reviewed, _ = read_bank(bank.root)
    assert wording.key_provenance(reviewed.questionnaires["frontline-standard"]) == (
        "Key reviewed by a practitioner panel of 3 on 2026-12-04 (panel 4; agreement: "
        "median r_wg(J) 0.81, ICC(2,k) 0.77).")


def test_the_shipped_bank_has_no_panel_yet() -> None:
    shipped, _ = read_bank(Path(__file__).resolve().parents[3] / "questions")
    for questionnaire in shipped.questionnaires.values():
        assert wording.key_provenance(questionnaire) == wording.NOT_REVIEWED_BY_PANEL
