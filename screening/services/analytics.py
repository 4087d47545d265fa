"""HR's analytics per questionnaire version: distributions, item analysis, reliability."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.bank.model import DIMENSION_LABELS
from screening.exports.analytics import (
    Distribution,
    LeanResults,
    distribution,
    percents_by_dimension,
)
from screening.models import QuestionnaireVersion, Submission, SubmissionStatus
from screening.scoring import PsychometricReport, analyse_results
from screening.services.questionnaires import questionnaire_for

#: The newest submissions analysed; plenty for stable figures, and a page stays quick.
ANALYTICS_LIMIT = 20_000
READ_BATCH = 500


@dataclass(frozen=True)
class VersionSummary:
    version: QuestionnaireVersion
    submitted: int


@dataclass(frozen=True)
class VersionAnalytics:
    version: QuestionnaireVersion
    #: all submitted submissions of the version.
    submitted: int
    #: the newest ANALYTICS_LIMIT of them, which the figures below describe.
    analysed: int
    #: (band id, label, count) over all submitted, best band first.
    bands: tuple[tuple[str, str, int], ...]
    distributions: tuple[Distribution, ...]
    psychometrics: PsychometricReport


def version_summaries(session: Session) -> list[VersionSummary]:
    counts = dict(
        session.execute(
            select(Submission.questionnaire_version_id, func.count(Submission.id))
            .where(Submission.status == SubmissionStatus.SUBMITTED)
            .group_by(Submission.questionnaire_version_id)
        ).all()
    )
    versions = session.scalars(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.questionnaire_key, QuestionnaireVersion.id.desc()
        )
    )
    return [VersionSummary(version, counts.get(version.id, 0)) for version in versions]


def version_analytics(
    session: Session, version: QuestionnaireVersion, *, limit: int = ANALYTICS_LIMIT
) -> VersionAnalytics:
    questionnaire = questionnaire_for(version)
    submitted_only = (
        Submission.questionnaire_version_id == version.id,
        Submission.status == SubmissionStatus.SUBMITTED,
        Submission.result.is_not(None),
    )
    band_counts = dict(
        session.execute(
            select(Submission.band_id, func.count(Submission.id))
            .where(*submitted_only)
            .group_by(Submission.band_id)
        ).all()
    )
    lean = LeanResults()
    results = [
        lean.result(stored)
        for stored in session.scalars(
            select(Submission.result)
            .where(*submitted_only)
            .order_by(Submission.submitted_at.desc(), Submission.id.desc())
            .limit(limit)
            .execution_options(yield_per=READ_BATCH)
        )
    ]
    values = percents_by_dimension(results)
    labels = {**DIMENSION_LABELS, "overall": "Overall"}
    distributions = tuple(
        distribution(name, labels[name], values.get(name, []))
        for name in (*DIMENSION_LABELS, "overall")
    )
    bands = tuple((band.id, band.label, band_counts.get(band.id, 0))
                  for band in questionnaire.bands)
    return VersionAnalytics(
        version=version,
        submitted=sum(band_counts.values()),
        analysed=len(results),
        bands=bands,
        distributions=distributions,
        psychometrics=analyse_results(questionnaire, results),
    )
