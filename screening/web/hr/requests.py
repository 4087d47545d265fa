"""Applicants' requests about their result: HR's list (due soonest first) and the answer
form, which records the answer, audits it and emails it to the applicant."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.models import ApplicantRequest, RequestKind, utcnow
from screening.services import applicant_requests
from screening.web.hr.forms import RequestAnswerForm
from screening.web.hr.routes import bp

#: What each request asks, in staff wording; the stored code never changes.
REQUEST_KIND_LABELS = {
    RequestKind.REVIEW: "Review of the decision by a person",
    RequestKind.EXPLANATION: "Explanation of how the answers were used",
}


@bp.get("/requests")
def applicant_requests_page() -> str:
    return render_template(
        "hr/requests.html", now=utcnow(), labels=REQUEST_KIND_LABELS,
        waiting=applicant_requests.open_requests(db.session, current_user),
        answered=applicant_requests.answered_requests(db.session, current_user),
    )


def _request_or_404(request_id: int) -> ApplicantRequest:
    found = applicant_requests.request_for(db.session, current_user, request_id)
    if found is None:
        abort(404)
    return found


def _page(found: ApplicantRequest, form: RequestAnswerForm) -> str:
    return render_template("hr/request.html", request=found, form=form, now=utcnow(),
                           labels=REQUEST_KIND_LABELS)


@bp.route("/requests/<id:request_id>", methods=["GET", "POST"])
def applicant_request(request_id: int) -> str | Response | tuple[str, int]:
    found = _request_or_404(request_id)
    form = RequestAnswerForm()
    if not form.is_submitted():
        return _page(found, form)
    if not form.validate():
        return _page(found, form), 400
    try:
        applicant_requests.answer_request(db.session, found, current_user, form.answer.data)
    except applicant_requests.RequestError as refused:
        db.session.rollback()
        flash(str(refused), "warning")
    else:
        db.session.commit()
        flash("Answer recorded and emailed to the applicant.", "success")
    return redirect(url_for("hr.applicant_request", request_id=request_id))
