"""A keying panel's consensus written into the item files, as a change to review with git.

`flask bank apply-panel` calls `plan_changes` then `write_changes`. The edit is a careful
text edit, not a YAML round trip: comments, key order, quoting and folded text stay exactly
as they were; only three things change in each item file:

- each option gains (or updates) `panel_effectiveness: <mean>`, at the end of its entry;
- `reviewed_by` gains an entry naming the panel, its size, the day and the agreement;
- `revision` goes up by one (a change of the review record is a change of content).

The edited bank is read back with the validator before anything is written, so a file
`bank check` would refuse is never left behind.
"""

from __future__ import annotations

import difflib
import json
import re
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .loader import read_bank
from .model import Item, Review

#: How apply-panel names a panel in `reviewed_by`; the provenance wording reads it back.
PANEL_REVIEWER = re.compile(r"^Practitioner panel (?P<panel>\d+) \((?P<raters>\d+) raters\)$")
_REVISION = re.compile(r"^revision:[ \t]*(?P<number>\d+)(?P<rest>[ \t]*(#.*)?)$")
_OPTION_START = re.compile(r"^(?P<indent>[ \t]*)- id:[ \t]*['\"]?(?P<id>[a-z0-9_-]+)['\"]?[ \t]*$")
_TOP_LEVEL_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*:")


class PanelReviewError(ValueError):
    """The panel cannot be written into the bank; the message says why."""


def reviewer_name(panel_id: int, raters: int) -> str:
    return f"Practitioner panel {panel_id} ({raters} raters)"


def panel_reviews(item: Item) -> tuple[tuple[int, int, Review], ...]:
    """The item's reviews by a keying panel: (panel id, raters, review), oldest first."""
    found = []
    for review in item.reviewed_by:
        match = PANEL_REVIEWER.match(review.who)
        if match:
            found.append((int(match["panel"]), int(match["raters"]), review))
    return tuple(found)


def content_differences(panelled: Sequence[Item], current: Mapping[str, Item]) -> list[str]:
    """Why the bank's items are no longer the ones the panel rated ([] when they are).

    The panel judged the words it read against the key it was compared with: a changed
    scenario, prompt, option text or key makes its consensus about another item.
    """
    problems = []
    for rated in panelled:
        now = current.get(rated.id)
        if now is None:
            problems.append(f"{rated.id}: no longer in the bank")
            continue
        if (now.format, now.scenario, now.prompt) != (rated.format, rated.scenario, rated.prompt):
            problems.append(f"{rated.id}: the scenario, prompt or format changed")
        elif [o.id for o in now.options] != [o.id for o in rated.options]:
            problems.append(f"{rated.id}: the options changed")
        else:
            for was, is_now in zip(rated.options, now.options, strict=True):
                if was.text != is_now.text:
                    problems.append(f"{rated.id}: option {was.id}'s text changed")
                elif (dict(was.points), was.effectiveness, was.rank) != (
                        dict(is_now.points), is_now.effectiveness, is_now.rank):
                    problems.append(f"{rated.id}: option {was.id}'s key changed")
    return problems


@dataclass(frozen=True)
class ItemChange:
    """What the panel writes into one item: a mean per option and a review entry."""

    item_id: str
    effectiveness: Mapping[str, float]  # option id -> the panel's mean, one decimal
    review: Review


@dataclass(frozen=True)
class FileChange:
    path: Path
    before: str
    after: str

    def diff(self, root: Path) -> str:
        name = self.path.relative_to(root).as_posix()
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}"))


def edit_item_text(text: str, change: ItemChange) -> str:
    """``text`` (an item file) with the panel's means, review entry and a raised revision."""
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    lines = _raise_revision(lines, change.item_id)
    lines = _set_panel_effectiveness(lines, change)
    lines = _append_review(lines, change.review)
    return "".join(lines)


def _raise_revision(lines: list[str], item_id: str) -> list[str]:
    for index, line in enumerate(lines):
        match = _REVISION.match(line.rstrip("\n"))
        if match:
            lines[index] = f"revision: {int(match['number']) + 1}{match['rest']}\n"
            return lines
    raise PanelReviewError(f"{item_id}: no `revision: N` line to raise")


def _block_end(lines: list[str], start: int) -> int:
    """The index after the top-level block that begins at ``start``."""
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.lstrip().startswith("#") and _TOP_LEVEL_KEY.match(line):
            break
        end += 1
    return end


def _last_content(lines: list[str], start: int, end: int) -> int:
    """The index after the last non-blank, non-comment line in lines[start:end]."""
    last = start
    for index in range(start, end):
        stripped = lines[index].strip()
        if stripped and not stripped.startswith("#"):
            last = index + 1
    return last


def _set_panel_effectiveness(lines: list[str], change: ItemChange) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "options:"), None)
    if start is None:
        raise PanelReviewError(f"{change.item_id}: no `options:` block written one option "
                               "per `- id:` entry")
    end = _block_end(lines, start)
    entries = [(index, _OPTION_START.match(lines[index].rstrip("\n")))
               for index in range(start + 1, end)]
    starts = [(index, match) for index, match in entries if match]
    found = {match["id"] for _, match in starts}
    missing = sorted(set(change.effectiveness) - found)
    if missing:
        raise PanelReviewError(f"{change.item_id}: option {', '.join(missing)} not found as "
                               "`- id:` entries")
    # From the last option up, so earlier indexes stay valid as lines are added.
    for position in range(len(starts) - 1, -1, -1):
        index, match = starts[position]
        entry_end = starts[position + 1][0] if position + 1 < len(starts) else end
        option_id = match["id"]
        if option_id not in change.effectiveness:
            continue
        key_indent = match["indent"] + "  "
        new_line = f"{key_indent}panel_effectiveness: {change.effectiveness[option_id]:.1f}\n"
        existing = next((i for i in range(index + 1, entry_end)
                         if lines[i].startswith(f"{key_indent}panel_effectiveness:")), None)
        if existing is not None:
            lines[existing] = new_line
        else:
            lines.insert(_last_content(lines, index, entry_end), new_line)
    return lines


def _append_review(lines: list[str], review: Review) -> list[str]:
    start = next((i for i, line in enumerate(lines) if line.rstrip() == "reviewed_by:"), None)
    if start is None:
        author = next((i for i, line in enumerate(lines) if line.startswith("author:")), None)
        if author is None:
            raise PanelReviewError("no `author:` line to put `reviewed_by` after")
        at = _block_end(lines, author)
        return [*lines[:at], "reviewed_by:\n", *_review_lines("  ", review), *lines[at:]]
    end = _block_end(lines, start)
    first_entry = next((lines[i] for i in range(start + 1, end)
                        if lines[i].lstrip().startswith("- ")), "  - ")
    indent = first_entry[: len(first_entry) - len(first_entry.lstrip())]
    at = _last_content(lines, start, end)
    return [*lines[:at], *_review_lines(indent, review), *lines[at:]]


def _review_lines(indent: str, review: Review) -> list[str]:
    # JSON strings are valid YAML double-quoted scalars: nothing in them can break the file.
    return [f"{indent}- who: {json.dumps(review.who, ensure_ascii=False)}\n",
            f"{indent}  on: {review.on}\n",
            f"{indent}  change: {json.dumps(review.change, ensure_ascii=False)}\n"]


def plan_changes(root: Path, changes: Sequence[ItemChange], items: Mapping[str, Item]
                 ) -> list[FileChange]:
    """The edited text of each item file, checked by the validator in a copy of the bank."""
    planned = []
    for change in changes:
        path = root / items[change.item_id].source
        before = path.read_text(encoding="utf-8")
        planned.append(FileChange(path, before, edit_item_text(before, change)))
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "bank"
        shutil.copytree(root, copy)
        for file in planned:
            (copy / file.path.relative_to(root)).write_text(file.after, encoding="utf-8")
        bank, problems = read_bank(copy)
    if problems:
        listed = "\n".join(str(problem) for problem in problems)
        raise PanelReviewError(f"the edited bank would not pass `bank check`:\n{listed}")
    for change in changes:
        written = {option.id: option.panel_effectiveness
                   for option in bank.items[change.item_id].options}
        if any(written[option] != value for option, value in change.effectiveness.items()):
            raise PanelReviewError(f"{change.item_id}: the edit did not read back as written")
    return planned


def write_changes(planned: Sequence[FileChange]) -> None:
    for file in planned:
        file.path.write_text(file.after, encoding="utf-8")
