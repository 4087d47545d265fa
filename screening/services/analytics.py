"""HR's analytics per questionnaire version: bands, distributions, item analysis, reliability."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from screening.bank.model import DIMENSION_LABELS, DIMENSIONS
from screening.exports.analytics import Distribution, distribution
from screening.models import QuestionnaireVersion, Submission
from screening.scoring import OVERALL, PsychometricReport, analyse_results
from screening.services import norms
from screening.services.questionnaires import questionnaire_for


@dataclass(frozen=True)
class VersionSummary:
    version: QuestionnaireVersion
    #: results in the version's norm group (submitted and final).
    counted: int


@dataclass(frozen=True)
class VersionAnalytics:
    version: QuestionnaireVersion
    #: results in the version's norm group: the bands and distributions describe all of them.
    counted: int
    #: the newest of them, which the item analysis and reliability describe.
    analysed: int
    #: (band id, label, count) over the counted results, best band first.
    bands: tuple[tuple[str, str, int], ...]
    distributions: tuple[Distribution, ...]
    psychometrics: PsychometricReport
    #: the figures are of simulated applicants (`flask demo`): the version has no real ones.
    demo: bool = False


def version_summaries(session: Session) -> list[VersionSummary]:
    versions = list(session.scalars(
        select(QuestionnaireVersion).order_by(
            QuestionnaireVersion.questionnaire_key, QuestionnaireVersion.id.desc()
        )
    ))
    counts = {
        version.id: session.scalar(select(func.count(Submission.id))
                                   .where(norms.counted(version.scoring_hash))) or 0
        for version in versions
    }
    return [VersionSummary(version, counts[version.id]) for version in versions]


def version_analytics(session: Session, version: QuestionnaireVersion) -> VersionAnalytics:
    """Bands and distributions of the version's norm group; reliability of its newest results.

    The same population, and the same reliability figures, as the percentiles and the
    methodology page of every report (screening.services.norms).
    """
    questionnaire = questionnaire_for(version)
    group = norms.norm_group(session, version)
    demo = not group.size and bool(norms.norm_group(session, version, synthetic=True).size)
    if demo:  # nothing real yet: show the simulated applicants, said to be demo data
        group = norms.norm_group(session, version, synthetic=True)
    band_counts = dict(
        session.execute(
            select(Submission.band_id, func.count(Submission.id))
            .where(norms.counted(version.scoring_hash, synthetic=demo))
            .group_by(Submission.band_id)
        ).all()
    )
    labels = {**DIMENSION_LABELS, OVERALL: "Overall"}
    distributions = tuple(
        distribution(name, labels[name], group.values(name)) for name in (*DIMENSIONS, OVERALL)
    )
    psychometrics = (norms.psychometrics(session, version, synthetic=demo)
                     or analyse_results(questionnaire, []))
    return VersionAnalytics(
        version=version,
        counted=group.size,
        analysed=psychometrics.submissions,
        bands=tuple((band.id, band.label, band_counts.get(band.id, 0))
                    for band in questionnaire.bands),
        distributions=distributions,
        psychometrics=psychometrics,
        demo=demo,
    )
