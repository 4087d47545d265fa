"""The question bank: load, validate and version items and questionnaires.

Pure Python on purpose (no Flask, no SQLAlchemy) so the web app, the CLI,
reports and exports all read the bank the same way. See questions/README.md
for the file format.
"""

from .errors import BankError, Problem
from .loader import check_bank, load_bank, load_questionnaire, read_bank
from .model import (
    DIMENSION_LABELS,
    DIMENSIONS,
    RATING_MAX,
    RATING_MIN,
    Anchor,
    Band,
    Bank,
    Item,
    ItemText,
    Option,
    Questionnaire,
    ResponseFormat,
    Review,
)
from .snapshot import (
    canonical_json,
    content_hash,
    item_from_snapshot,
    item_to_snapshot,
    questionnaire_from_snapshot,
    questionnaire_to_snapshot,
)

__all__ = [
    "DIMENSIONS",
    "DIMENSION_LABELS",
    "RATING_MAX",
    "RATING_MIN",
    "Anchor",
    "Band",
    "Bank",
    "BankError",
    "Item",
    "ItemText",
    "Option",
    "Problem",
    "Questionnaire",
    "ResponseFormat",
    "Review",
    "canonical_json",
    "check_bank",
    "content_hash",
    "item_from_snapshot",
    "item_to_snapshot",
    "load_bank",
    "load_questionnaire",
    "questionnaire_from_snapshot",
    "questionnaire_to_snapshot",
    "read_bank",
]
