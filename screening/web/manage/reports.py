"""PDF downloads for managers: an applicant's summary and full record, a position's cohort
report (with the chosen applicants side by side first).

Thin: scope the lookup to what the signed-in user may see (404 otherwise),
ask the reports service for the bytes, record who downloaded what, send the file.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Response, abort, current_app, request
from flask_login import current_user

from screening.extensions import db
from screening.ids import parse_id
from screening.reports.pdf import RenderError, RenderTimeout
from screening.services import audit, reports
from screening.web.downloads import download_name, pdf_response
from screening.web.manage import bp
from screening.web.manage.forms import ApplicantFilterForm
from screening.web.manage.scope import position_or_404, submission_or_404

_TOO_SLOW = (
    "This report took too long to produce and was stopped. Please try again in a minute; "
    "if it keeps happening, ask an administrator to export it with the `flask report` command."
)


def _compare_ids() -> list[int]:
    """``?compare=3,5&compare=8`` -> [3, 5, 8]; anything that is not an id is a 400."""
    ids: list[int] = []
    for value in request.args.getlist("compare"):
        for part in value.split(","):
            part = part.strip()
            if not part:
                continue
            submission_id = parse_id(part)
            if submission_id is None:
                abort(400, description="compare takes submission ids separated by commas.")
            ids.append(submission_id)
    unique = list(dict.fromkeys(ids))
    if len(unique) > reports.MAX_COMPARE:
        # A malformed request, not a missing applicant: say what the limit is.
        abort(400, description=f"Compare at most {reports.MAX_COMPARE} applicants at once.")
    return unique


def _rendered(produce: Callable[[], reports.ReportFile], unavailable: str, what: str
              ) -> reports.ReportFile:
    """The report file, or the error page that says why there is none."""
    try:
        return produce()
    except reports.ReportUnavailable as error:
        abort(404, description=unavailable.format(error=error))
    except RenderTimeout:
        abort(503, description=_TOO_SLOW)
    except RenderError:
        current_app.logger.exception("%s failed to render", what)
        abort(500)


@bp.get("/submissions/<id:submission_id>/report.pdf")
def applicant_pdf(submission_id: int) -> Response:
    """The two-page summary: the decision page and the interview page."""
    return _applicant_download(submission_id, reports.APPLICANT_KIND)


@bp.get("/submissions/<id:submission_id>/record.pdf")
def record_pdf(submission_id: int) -> Response:
    """Every answer with the rubric line that scored it, and the methodology."""
    return _applicant_download(submission_id, reports.RECORD_KIND)


#: Per kind of applicant PDF: what is missing before a submit, the audit action, the
#: file name's words.
_APPLICANT_DOWNLOADS = {
    reports.APPLICANT_KIND: ("report", "report.downloaded", "summary"),
    reports.RECORD_KIND: ("record", "record.downloaded", "full record"),
}


def _applicant_download(submission_id: int, kind: str) -> Response:
    submission = submission_or_404(submission_id)
    missing, action, words = _APPLICANT_DOWNLOADS[kind]
    file = _rendered(
        lambda: reports.applicant_report_file(
            db.session, submission, page_size=current_app.config["PDF_PAGE_SIZE"], kind=kind),
        f"This applicant has not submitted yet, so there is no {missing}.",
        f"{words} {submission_id}",
    )
    audit.record_in_own_transaction(
        db.session, current_user, action, submission, cached=file.cached
    )
    return pdf_response(file, download_name(submission.invitation.applicant.name, words,
                                            extension="pdf"))


#: How each order reads for each kind of sort, in the cohort report's table heading.
_ORDER_WORDS = {"name": ("Z to A", "A to Z"), "submitted": ("newest first", "oldest first")}
_SCORE_ORDER_WORDS = ("highest first", "lowest first")


def _list_sort() -> reports.ListSort:
    """``?sort=&order=`` as the position's applicant list takes them (its filter form)."""
    form = ApplicantFilterForm(request.args)
    sorts = {choice.value: choice.label for choice in form.sort.choices}
    sort = form.sort.data if form.sort.data in sorts else "submitted"
    descending = form.order.data != "asc"
    newest, oldest = _ORDER_WORDS.get(sort, _SCORE_ORDER_WORDS)
    return reports.ListSort(sort, descending,
                            f"{sorts[sort].lower()}, {newest if descending else oldest}")


@bp.get("/positions/<id:position_id>/cohort.pdf")
def cohort_pdf(position_id: int) -> Response:
    position = position_or_404(position_id)
    compare = _compare_ids()
    sort = _list_sort()
    file = _rendered(
        lambda: reports.cohort_report_file(
            db.session, position, compare, page_size=current_app.config["PDF_PAGE_SIZE"],
            sort=sort),
        "Cannot compare those applicants: {error}.",
        f"cohort report of position {position_id}",
    )
    audit.record_in_own_transaction(
        db.session, current_user, "cohort_report.downloaded", position, compare=compare
    )
    return pdf_response(file, download_name(position.title, position.location,
                                            "comparison" if compare else "cohort",
                                            extension="pdf"))
