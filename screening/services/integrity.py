"""Integrity signals of stored submissions: the counts on their answers, summed.

Reads ``Answer.left_page_count`` and ``Answer.paste_count`` and hands them to the one
summary in ``screening.reports.integrity``, for the manager's page and PDF, the
exports and the API alike. Scoring never comes here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from screening.models import Answer
from screening.reports.integrity import NOT_RECORDED, IntegritySummary, ItemSignals, summarise


def summaries(session: Session, submission_ids: Iterable[int]) -> dict[int, IntegritySummary]:
    """Each submission's summary, in one query; a submission with none reported is left out
    (callers read it as ``NOT_RECORDED``)."""
    ids = list(submission_ids)
    if not ids:
        return {}
    signals: dict[int, list[ItemSignals]] = defaultdict(list)
    statement = (
        select(Answer.submission_id, Answer.left_page_count, Answer.paste_count)
        .where(Answer.submission_id.in_(ids),
               or_(Answer.left_page_count.is_not(None), Answer.paste_count.is_not(None)))
    )
    for submission_id, left_page, pastes in session.execute(statement):
        signals[submission_id].append(ItemSignals(left_page, pastes))
    return {submission_id: summarise(items) for submission_id, items in signals.items()}


def summary(session: Session, submission_id: int) -> IntegritySummary:
    """One submission's summary; ``NOT_RECORDED`` when its pages reported nothing."""
    return summaries(session, [submission_id]).get(submission_id, NOT_RECORDED)
