"""What an applicant summary says, as plain data; templates only lay it out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from screening.scoring import SubmissionResult


@dataclass(frozen=True)
class ApplicantReport:
    applicant_name: str
    position_title: str
    position_location: str
    questionnaire_title: str
    questionnaire_version: str
    started_at: datetime | None
    submitted_at: datetime | None
    generated_at: datetime
    result: SubmissionResult

    @property
    def status_label(self) -> str:
        if self.result.provisional:
            return "Provisional: free-text answers are still to be rated"
        return "Final"


def build_applicant_report(
    *,
    applicant_name: str,
    position_title: str,
    position_location: str,
    questionnaire_title: str,
    questionnaire_version: str,
    started_at: datetime | None,
    submitted_at: datetime | None,
    generated_at: datetime,
    result: SubmissionResult,
) -> ApplicantReport:
    return ApplicantReport(
        applicant_name=applicant_name,
        position_title=position_title,
        position_location=position_location,
        questionnaire_title=questionnaire_title,
        questionnaire_version=questionnaire_version,
        started_at=started_at,
        submitted_at=submitted_at,
        generated_at=generated_at,
        result=result,
    )
