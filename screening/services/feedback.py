"""When an applicant may see feedback, and what it says (reports.feedback builds the words)."""

from __future__ import annotations

from screening.i18n import translator
from screening.models import Submission, SubmissionStatus
from screening.reports.feedback import Feedback, build_feedback
from screening.services.questionnaires import questionnaire_for
from screening.services.results import stored_result


def feedback_for(submission: Submission | None, *, preview: bool = False) -> Feedback | None:
    """The applicant's feedback once a decision is recorded and the position allows it.

    ``preview`` lets a manager see it before either is true.
    """
    if submission is None or submission.status != SubmissionStatus.SUBMITTED:
        return None
    position = submission.invitation.applicant.position
    decision = submission.latest_decision
    if not preview and (decision is None or not position.feedback_enabled):
        return None
    result = stored_result(submission)
    if result is None:
        return None
    outcome = decision.outcome.value if decision is not None else "on_hold"
    return build_feedback(
        result, questionnaire_for(submission.questionnaire_version), outcome,
        translator(submission.language), submission.language,
    )
