"""The feedback every applicant keeps: a page and a one-page PDF on their own link."""

from __future__ import annotations

from flask import Response, abort, current_app, render_template

from screening.extensions import db
from screening.models import Invitation
from screening.reports.feedback import Feedback
from screening.reports.pdf import RenderError
from screening.services import reports
from screening.services.feedback import feedback_for
from screening.web import language
from screening.web.apply import bp
from screening.web.apply.links import invitation_or_404
from screening.web.apply.requests import ResultRequestForm
from screening.web.downloads import download_name, pdf_response


def _applicant_feedback(token: str) -> tuple[Invitation, Feedback]:
    invitation = invitation_or_404(token)
    feedback = feedback_for(invitation.submission)
    if feedback is None:
        abort(404)
    language.use(feedback.language)
    return invitation, feedback


@bp.get("/<token>/feedback")
def feedback(token: str) -> str:
    invitation, found = _applicant_feedback(token)
    return render_template("apply/feedback.html", invitation=invitation, feedback=found,
                           token=token, page_language=found.language,
                           rights_form=ResultRequestForm())


@bp.get("/<token>/feedback.pdf")
def feedback_pdf(token: str) -> Response:
    invitation, found = _applicant_feedback(token)
    try:
        file = reports.feedback_report_file(db.session, invitation.submission, found,
                                            page_size=current_app.config["PDF_PAGE_SIZE"])
    except RenderError:
        abort(503)
    return pdf_response(file, download_name(invitation.applicant.name, "feedback",
                                            extension="pdf"))
