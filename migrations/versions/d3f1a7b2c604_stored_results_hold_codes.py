"""Stored results hold codes and numbers, not the engine's English

Rubric lines keep their role as a code (chosen, most_effective, rated, placed, ...)
with the rating or place given (value) and the keyed effectiveness or place (keyed),
instead of "placed 2nd" and "keyed 3rd; 1 place off". Trace lines drop the answer
summary and note (made when shown) and keep a free-text answer as answer_text.
Quality flags keep their kind, item and, for too_fast, the seconds (from the stored
answer, as the engine reads them) instead of a sentence. Dimension scores drop their
label. Every stored result then re-derives identically under the new engine
(`flask rescore`: 0 differences).

Revision ID: d3f1a7b2c604
Revises: b7e2d4c91a15
Create Date: 2026-12-04 12:00:00.000000

"""

import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d3f1a7b2c604"
down_revision = "b7e2d4c91a15"
branch_labels = None
depends_on = None

submissions = sa.table(
    "submissions", sa.column("id", sa.Integer), sa.column("result", sa.JSON)
)
answers = sa.table(
    "answers", sa.column("submission_id", sa.Integer), sa.column("item_id", sa.String),
    sa.column("response", sa.JSON),
)

_ROLES = {
    "chosen": "chosen",
    "most effective": "most_effective",
    "least effective": "least_effective",
    "ranking": "ranking",
    "manager rating": "manager_rating",
}
_NUMBER = re.compile(r"\d+")


def _first_number(text: str) -> int | None:
    found = _NUMBER.search(text or "")
    return int(found.group()) if found else None


def _rubric(line: dict) -> dict:
    role, key = line.get("role", ""), line.get("key", "")
    value = keyed = None
    text, rationale = line.get("text", ""), line.get("rationale", "")
    if role.startswith("rated "):
        code, value, keyed = "rated", _first_number(role), _first_number(key)
    elif role.startswith("placed "):
        code, value, keyed = "placed", _first_number(role), _first_number(key)
    else:
        code = _ROLES[role]
    if code == "ranking":
        text = rationale = ""  # the words of the summary line are made when shown
    elif code == "manager_rating":
        value, rationale = _first_number(key), ""
    return {"option_id": line.get("option_id"), "text": text, "rationale": rationale,
            "role": code, "value": value, "keyed": keyed, "points": line.get("points", {})}


def _trace(line: dict) -> dict:
    summary = line.get("answer_summary", "")
    answer_text = None
    if line.get("format") == "free_text" and line.get("answered"):
        # The engine wrote the stripped answer in double quotes.
        answer_text = summary[1:-1] if summary.startswith('"') and summary.endswith('"') \
            else summary
    converted = {key: value for key, value in line.items()
                 if key not in ("answer_summary", "note", "rubric")}
    converted["rubric"] = [_rubric(rubric) for rubric in line.get("rubric", ())]
    converted["answer_text"] = answer_text
    return converted


def _convert(result: dict, seconds: dict[str, float | None]) -> dict:
    converted = dict(result)
    converted["dimensions"] = [
        {key: value for key, value in entry.items() if key != "label"}
        for entry in result.get("dimensions", ())
    ]
    converted["quality_flags"] = [
        {"kind": flag["kind"], "item_id": flag.get("item_id"),
         "seconds": seconds.get(flag.get("item_id")) if flag["kind"] == "too_fast" else None}
        for flag in result.get("quality_flags", ())
    ]
    converted["trace"] = [_trace(line) for line in result.get("trace", ())]
    return converted


def upgrade():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(submissions.c.id, submissions.c.result).where(submissions.c.result.is_not(None))
    ).all()
    for submission_id, result in rows:
        if not result or "trace" not in result:
            continue
        seconds = {
            item_id: (response or {}).get("seconds")
            for item_id, response in connection.execute(
                sa.select(answers.c.item_id, answers.c.response)
                .where(answers.c.submission_id == submission_id)
            )
        }
        connection.execute(
            submissions.update().where(submissions.c.id == submission_id)
            .values(result=_convert(result, seconds))
        )


def downgrade():
    raise RuntimeError(
        "d3f1a7b2c604 rewrote every stored result into codes; the old English wording "
        "is not kept. To go back, restore the backup taken before the upgrade."
    )
