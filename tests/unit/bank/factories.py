"""Builders for a small, valid question bank, for tests to break one thing at a time.

A plain module (not conftest.py) so test modules can import it by a name
no other test directory uses.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from screening.bank import Problem, check_bank

#: A review record as items carry it (questions/README.md, "Reviewing a change").
REVIEW = {"who": "A. Reviewer", "on": "2026-11-30", "change": "Checked the key and the wording."}


def best_choice_item(item_id: str = "W01-phone-at-huddle") -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "The phone rings during the huddle",
        "revision": 1,
        "author": "Screening team",
        "reviewed_by": [dict(REVIEW)],
        "dimensions": ["warmth", "common_sense"],
        "second_dimension_reason": "Answering late is cold, and promising a call-back is unwise.",
        "format": "best_choice",
        "scale": {"min": 0, "max": 4},
        "scenario": "The team meets behind the desk. The phone rings and nobody moves.",
        "prompt": "Which response is the most effective?",
        "options": [
            {
                "id": "a",
                "text": "Let it ring until the huddle ends.",
                "points": {"warmth": 0, "common_sense": 1},
                "rationale": "The caller is treated as a disturbance.",
            },
            {
                "id": "b",
                "text": "Pick up after a natural pause.",
                "points": {"warmth": 1, "common_sense": 2},
                "rationale": "Answered in the end, but slowly.",
            },
            {
                "id": "c",
                "text": "Step away and answer within a few rings.",
                "points": {"warmth": 4, "common_sense": 4},
                "rationale": "Prompt, friendly and the huddle is easy to catch up on.",
            },
            {
                "id": "d",
                "text": "Answer and promise a manager's call-back today.",
                "points": {"warmth": 2, "common_sense": 0},
                "rationale": "Sounds caring but promises what may not happen.",
            },
        ],
        "interview_questions": ["Tell me about a time a customer needed you mid-meeting."],
        "translations": {
            "es": {
                "title": "Suena el teléfono durante la reunión",
                "scenario": "El equipo se reúne detrás del mostrador. Suena el teléfono.",
                "prompt": "¿Qué respuesta es la más eficaz?",
                "options": {
                    "a": "Dejarlo sonar hasta el final.",
                    "b": "Contestar tras una pausa natural.",
                    "c": "Levantarse y contestar enseguida.",
                    "d": "Prometer que el gerente llamará hoy.",
                },
            }
        },
    }


def most_least_item(item_id: str = "R01-angry-caller-own-mistake") -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "The caller who made the mistake",
        "revision": 2,
        "author": "Screening team",
        "dimensions": ["respect", "common_sense"],
        "second_dimension_reason": "Blaming him is disrespect; passing him on is poor judgement.",
        "format": "most_least",
        "scenario": "A caller shouts that you lost his order; he typed the wrong address.",
        "prompt": "Which response is the most effective, and which is the least effective?",
        "options": [
            {
                "id": "a",
                "text": "Let him finish, then redirect the parcel.",
                "points": {"respect": 4, "common_sense": 3},
                "rationale": "Hears him out and fixes the next step.",
            },
            {
                "id": "b",
                "text": "Explain the address policy in detail.",
                "points": {"respect": 2, "common_sense": 2},
                "rationale": "Polite but cold rule-quoting.",
            },
            {
                "id": "c",
                "text": "Tell him the mistake was his and hang up.",
                "points": {"respect": 0, "common_sense": 0},
                "rationale": "Wins the argument, loses the customer.",
                "red_flag": True,
            },
            {
                "id": "d",
                "text": "Transfer him to another team without saying why.",
                "points": {"respect": 1, "common_sense": 2},
                "rationale": "Passes the caller on without ownership.",
            },
        ],
    }


def rate_each_item(item_id: str = "C01-out-of-stock-part") -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "The part is out of stock",
        "revision": 1,
        "author": "Screening team",
        "dimensions": ["common_sense"],
        "format": "rate_each",
        "scenario": "A customer needs a tap part that will not be back for three weeks.",
        "prompt": "How effective is each response?",
        "options": [
            {
                "id": "a",
                "text": "Offer a shop nearby that has it.",
                "effectiveness": 5,
                "rationale": "Gives the customer something useful.",
            },
            {
                "id": "b",
                "text": "Take their number for a call when it arrives.",
                "effectiveness": 4,
                "rationale": "Useful, though slower.",
            },
            {
                "id": "c",
                "text": "Say it is out of stock.",
                "effectiveness": 2,
                "rationale": "True but leaves them with nothing.",
            },
            {
                "id": "d",
                "text": "Sell a part that does not fit.",
                "effectiveness": 1,
                "rationale": "Makes the sale against their interest.",
                "red_flag": True,
            },
        ],
    }


def rank_item(item_id: str = "W02-visitor-walks-in") -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "A visitor walks in while you chat",
        "revision": 1,
        "author": "Screening team",
        "dimensions": ["warmth"],
        "format": "rank",
        "scenario": "You are chatting with a colleague when a visitor walks in.",
        "prompt": "Put the responses in order, from most effective to least effective.",
        "options": [
            {
                "id": "a",
                "text": "Stop and greet the visitor at once.",
                "rank": 1,
                "rationale": "Acknowledges the person straight away.",
            },
            {
                "id": "b",
                "text": "Nod, finish the sentence, then greet.",
                "rank": 2,
                "rationale": "A short delay, still acknowledged.",
            },
            {
                "id": "c",
                "text": "Finish the conversation first.",
                "rank": 3,
                "rationale": "The visitor waits and feels in the way.",
            },
            {
                "id": "d",
                "text": "Keep chatting until they speak up.",
                "rank": 4,
                "rationale": "Ignores the visitor.",
            },
        ],
    }


def second_best_choice_item(item_id: str = "C02-medicine-question") -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "A medicine question",
        "revision": 1,
        "author": "Screening team",
        "dimensions": ["common_sense"],
        "format": "best_choice",
        "scenario": "A customer asks if a cold remedy is safe with her tablets. You do not know.",
        "prompt": "Which response is the most effective?",
        "options": [
            {
                "id": "a",
                "text": "Say it should be fine with her tablets.",
                "points": {"common_sense": 0},
                "rationale": "A guess about her health.",
            },
            {
                "id": "b",
                "text": "Fetch the pharmacist to answer her.",
                "points": {"common_sense": 4},
                "rationale": "Knows the limit and finds who can answer.",
            },
            {
                "id": "c",
                "text": "Tell her to ask her own doctor later.",
                "points": {"common_sense": 1},
                "rationale": "Sends her away when help is in the building.",
            },
            {
                "id": "d",
                "text": "Read the leaflet aloud to her slowly.",
                "points": {"common_sense": 2},
                "rationale": "Uses the leaflet, but leaves her to judge.",
            },
        ],
    }


def free_text_item(item_id: str = "R02-rude-customer-at-till") -> dict[str, Any]:
    return {
        "id": item_id,
        "title": "The rude customer at the till",
        "revision": 1,
        "author": "Screening team",
        "dimensions": ["respect"],
        "format": "free_text",
        "scenario": "A customer calls you slow and stupid in front of the queue.",
        "prompt": "What would you say and do? Write the most effective response you can.",
        "anchors": {
            1: "Answers back or mocks the customer.",
            2: "Stays quiet but visibly irritated.",
            3: "Stays polite and carries on serving.",
            4: "Stays calm, acknowledges the wait and speeds up what can be sped up.",
            5: "Stays calm, acknowledges the feeling, serves well and sets a boundary politely.",
        },
        "interview_questions": ["Tell me about a customer who was rude to you."],
    }


def practice_item(item_id: str = "P01-practice-coffee") -> dict[str, Any]:
    item = best_choice_item(item_id)
    item["title"] = "Practice: the coffee order"
    del item["translations"]
    return item


def questionnaire(form_id: str = "frontline-standard") -> dict[str, Any]:
    return {
        "id": form_id,
        "title": "Front-line screen",
        "description": "Six short situations from front-line work.",
        "time_limit_minutes": 20,
        "randomise_items": True,
        "randomise_options": False,
        "practice_item": "P01-practice-coffee",
        "items": [
            "W01-phone-at-huddle",
            "R01-angry-caller-own-mistake",
            "C01-out-of-stock-part",
            "W02-visitor-walks-in",
            "R02-rude-customer-at-till",
            "C02-medicine-question",
        ],
        "weights": {"warmth": 1, "common_sense": 1, "respect": 1.5},
        "bands": [
            {
                "id": "front_line",
                "label": "Strong fit for front-line work",
                "description": "Warm, sensible and steady under pressure.",
                "overall_min": 70,
                "dimension_min": {"warmth": 60, "common_sense": 60, "respect": 60},
            },
            {
                "id": "probe",
                "label": "Probe in interview",
                "description": "Some answers need a follow-up.",
                "overall_min": 50,
                "dimension_min": {"respect": 40},
            },
            {
                "id": "secondary",
                "label": "May serve better in a secondary role",
                "description": "Consider roles away from the front line.",
                "overall_min": 0,
            },
        ],
    }


ALL_ITEMS = (
    best_choice_item,
    most_least_item,
    rate_each_item,
    rank_item,
    second_best_choice_item,
    free_text_item,
    practice_item,
)


class BankFolder:
    """A bank root named ``questions`` under tmp_path, written one file at a time."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "items").mkdir(parents=True)
        (root / "forms").mkdir()

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.write_text(text, encoding="utf-8")
        return path

    def item(self, content: dict[str, Any], name: str | None = None) -> str:
        """Write an item; returns its file path as problems name it."""
        file_name = f"{name or content['id']}.yaml"
        self.write(f"items/{file_name}", dump(content))
        return f"questions/items/{file_name}"

    def form(self, content: dict[str, Any], name: str | None = None) -> str:
        file_name = f"{name or content['id']}.yaml"
        self.write(f"forms/{file_name}", dump(content))
        return f"questions/forms/{file_name}"

    def full(self) -> None:
        """One item of every format, a practice item and a questionnaire using them."""
        for make in ALL_ITEMS:
            self.item(make())
        self.form(questionnaire())

    def problems(self) -> list[Problem]:
        return check_bank(self.root)

    def line_of(self, file: str, needle: str, occurrence: int = 1) -> int:
        """1-based line of the `occurrence`-th line of `file` containing `needle`."""
        text = (self.root.parent / file).read_text(encoding="utf-8")
        hits = [number for number, line in enumerate(text.splitlines(), 1) if needle in line]
        assert len(hits) >= occurrence, f"{needle!r} not found {occurrence} time(s) in {file}"
        return hits[occurrence - 1]


def dump(content: dict[str, Any]) -> str:
    return yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=1000)


def edited(content: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A deep copy with top-level fields replaced; a value of ... removes the field."""
    result = copy.deepcopy(content)
    for key, value in changes.items():
        if value is ...:
            result.pop(key, None)
        else:
            result[key] = value
    return result


def only_problem(bank: BankFolder) -> Problem:
    problems = bank.problems()
    assert len(problems) == 1, "expected one problem, got:\n" + "\n".join(map(str, problems))
    return problems[0]


def assert_names(
    problem: Problem,
    *,
    file: str,
    item: str | None,
    field: str,
    line: int | None,
    says: str,
    kind: str = "item",
) -> None:
    """The problem points at the file, item, field and line, and its message says why."""
    assert (problem.file, problem.item, problem.field, problem.line) == (file, item, field, line)
    assert says in problem.message, problem.message
    where = f"{file}:{line}" if line is not None else file
    subject = [f"{kind} {item}"] if item else []
    subject += [f"field {field}"] if field else []
    assert str(problem).startswith(f"{where}: {', '.join(subject)}: "), str(problem)


def score_summary(result: Any) -> dict[str, Any]:
    """What a result scores, in plain JSON: the same whatever layout results are stored in.

    Used to compare results derived now with those the code before issue #16
    derived (tests/unit/bank/data/legacy_snapshots.json holds them in this shape).
    """
    return {
        "overall": result.overall,
        "band": result.band.id,
        "provisional": result.provisional,
        "dimensions": {d.dimension: [d.raw, d.maximum, d.percent] for d in result.dimensions},
        "red_flags": [[flag.item_id, flag.option_id] for flag in result.red_flags],
        "items": {line.item_id: [dict(line.points), dict(line.maximum)] for line in result.trace},
    }
