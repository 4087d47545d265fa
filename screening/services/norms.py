"""Who an applicant is compared with: the one query that decides which results count.

Percentiles on the manager's pages, in the PDFs, in every export and in the API,
the medians on the score bars, and the reliability figures of the methodology
page and HR's analytics are all computed from the results chosen here:

- submitted and final (every written answer rated): a provisional result is still
  changing, so it would move everyone's percentile when its rating arrives;
- scored (not incomplete or unreliable): those are not judgements to compare with;
- of a questionnaire version with the same scoring hash (the same items, keys,
  points, bands and method; wording may differ), so fixing a typo or adding a
  translation does not reset the percentiles;
- real, or else all synthetic: demo applicants are compared only with demo
  applicants, and never count where real applicants are compared.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy.orm import Session

from screening import scoring
from screening.bank.model import DIMENSIONS
from screening.exports.analytics import LeanResults
from screening.models import QuestionnaireVersion, Submission, SubmissionStatus
from screening.scoring import ResultStatus
from screening.services.questionnaires import questionnaire_for

#: Reliability is estimated from at most this many recent results of a version, so a
#: report stays fast after years of use (and the figures follow the current applicants).
RELIABILITY_WINDOW = 5000
READ_BATCH = 1000

_PERCENT_COLUMNS = {
    scoring.OVERALL: Submission.overall_percent,
    **{d: getattr(Submission, f"{d}_percent") for d in DIMENSIONS},
}


def counted(scoring_hash: str, *, synthetic: bool = False) -> ColumnElement[bool]:
    """The one rule: which submissions are in the norm group of versions with this hash."""
    same_scoring = select(QuestionnaireVersion.id).where(
        QuestionnaireVersion.scoring_hash == scoring_hash)
    return and_(
        Submission.questionnaire_version_id.in_(same_scoring.scalar_subquery()),
        Submission.status == SubmissionStatus.SUBMITTED,
        Submission.provisional.is_(False),
        Submission.result.is_not(None),
        Submission.result_status == ResultStatus.SCORED.value,
        Submission.synthetic.is_(synthetic),
    )


def fingerprint(
    session: Session, version: QuestionnaireVersion, *, synthetic: bool = False
) -> tuple[object, ...]:
    """A cheap summary (one aggregate query) that changes whenever the group does.

    Count, newest id and the sum of every score column: a new, rescored, rated or
    erased-and-rescored result changes at least one of them.
    """
    row = session.execute(
        select(func.count(Submission.id), func.max(Submission.id),
               *(func.sum(column) for column in _PERCENT_COLUMNS.values()))
        .where(counted(version.scoring_hash, synthetic=synthetic))
    ).one()
    count, newest, *sums = row
    return (int(count or 0), newest, *(round(float(total or 0.0), 3) for total in sums))


@dataclass(frozen=True)
class _Entry:
    fingerprint: tuple[object, ...]
    group: scoring.NormGroup
    #: computed on first use: most requests need only the percentiles.
    psychometrics: list[scoring.PsychometricReport | None]


class _ByVersion:
    """Norm groups (and reliability) per version, rebuilt when the fingerprint changes.

    A group of 100,000 results takes seconds to read, and an applicant-tracking system
    polls page after page: this is why the cache exists. Bounded: the 16 versions used
    most recently (a version is a change of the bank, so there are few).
    """

    KEPT = 16

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, bool], _Entry] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers share it

    def entry(self, session: Session, version: QuestionnaireVersion, synthetic: bool) -> _Entry:
        key = fingerprint(session, version, synthetic=synthetic)
        name = (version.scoring_hash, synthetic)
        with self._lock:
            found = self._entries.get(name)
            if found is not None and found.fingerprint == key:
                self._entries.move_to_end(name)
                return found
        entry = _Entry(key, _read_group(session, version.scoring_hash, synthetic), [])
        with self._lock:
            self._entries[name] = entry
            while len(self._entries) > self.KEPT:
                self._entries.popitem(last=False)
        return entry


_CACHE = _ByVersion()


def _read_group(session: Session, scoring_hash: str, synthetic: bool) -> scoring.NormGroup:
    """Read from the score columns stored beside each result, not from its JSON."""
    names = list(_PERCENT_COLUMNS)
    builder = scoring.NormGroupBuilder()
    statement = (
        select(*_PERCENT_COLUMNS.values())
        .where(counted(scoring_hash, synthetic=synthetic))
        .execution_options(yield_per=READ_BATCH)
    )
    for row in session.execute(statement):
        builder.add(dict(zip(names, row, strict=True)))
    return builder.build()


def norm_group(
    session: Session, version: QuestionnaireVersion, *, synthetic: bool = False
) -> scoring.NormGroup:
    """The norm group of ``version``: what every percentile of its results compares with.

    ``synthetic``: the group demo applicants are compared with (demo applicants only).
    """
    return _CACHE.entry(session, version, synthetic).group


def norm_groups(
    session: Session, versions: Iterable[QuestionnaireVersion]
) -> dict[tuple[str, bool], scoring.NormGroup]:
    """Norm groups by (version label ``key@hash``, synthetic), as exports and the API ask."""
    return {(version.version_label, synthetic): norm_group(session, version, synthetic=synthetic)
            for version in versions for synthetic in (False, True)}


def norm_groups_by_label(
    session: Session, labels: Iterable[str]
) -> dict[tuple[str, bool], scoring.NormGroup]:
    """Norm groups of the versions named ``key@hash`` (the label exports and the API use)."""
    wanted = set(labels)
    if not wanted:
        return {}
    versions = [v for v in session.scalars(select(QuestionnaireVersion))
                if v.version_label in wanted]
    return norm_groups(session, versions)


def recent_results(
    session: Session, version: QuestionnaireVersion, limit: int = RELIABILITY_WINDOW,
    *, synthetic: bool = False,
) -> Iterator[scoring.SubmissionResult]:
    """The newest counted results of ``version``'s norm group, as results of ``version``.

    Versions sharing a scoring hash have the same items, options and keys, so their
    results analyse together; each is relabelled with ``version``'s content hash.
    """
    questionnaire = questionnaire_for(version)
    lean = LeanResults()  # thousands of full results would not fit in a web worker
    for stored in session.scalars(
        select(Submission.result)
        .where(counted(version.scoring_hash, synthetic=synthetic))
        .order_by(Submission.submitted_at.desc(), Submission.id.desc())
        .limit(limit)
        .execution_options(yield_per=READ_BATCH)
    ):
        result = lean.result(stored)
        if result.questionnaire_id == questionnaire.id:
            yield replace(result, content_hash=questionnaire.content_hash)


def psychometrics(
    session: Session, version: QuestionnaireVersion, *, synthetic: bool = False
) -> scoring.PsychometricReport | None:
    """Item analysis and reliability over the newest RELIABILITY_WINDOW counted results.

    The same figures on the methodology page of every PDF and on HR's analytics page.
    """
    entry = _CACHE.entry(session, version, synthetic)
    if not entry.psychometrics:
        results = list(recent_results(session, version, synthetic=synthetic))
        report = scoring.analyse_results(questionnaire_for(version), results) if results else None
        entry.psychometrics.append(report)
    return entry.psychometrics[0]
