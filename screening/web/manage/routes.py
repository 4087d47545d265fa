from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required

from screening.exports.results import WIDE_COLUMNS, wide_rows
from screening.exports.spreadsheets import csv_stream
from screening.extensions import db
from screening.models import Position, Submission, utcnow
from screening.reports.content import build_applicant_report
from screening.reports.pdf import render_pdf
from screening.services import audit, positions
from screening.services.export_records import position_records
from screening.services.questionnaires import questionnaire_for
from screening.services.results import stored_result
from screening.web.manage.forms import InviteForm

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in staff member."""


def _position_or_404(position_id: int) -> Position:
    position = positions.position_for(db.session, current_user, position_id)
    if position is None:
        abort(404)
    return position


def _submission_or_404(submission_id: int) -> Submission:
    submission = positions.submission_for(db.session, current_user, submission_id)
    if submission is None:
        abort(404)
    return submission


def applicant_link(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("apply.welcome", token=token)


def open_link(token: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + url_for("apply.join", open_token=token)


@bp.get("/", endpoint="positions")
def positions_list() -> str:
    visible = db.session.scalars(positions.visible_positions(current_user)).all()
    return render_template("manage/positions.html", positions=visible)


@bp.get("/positions/<int:position_id>")
def position(position_id: int) -> str:
    found = _position_or_404(position_id)
    submissions = db.session.scalars(positions.submissions_of(found)).all()
    return render_template("manage/position.html", position=found, submissions=submissions,
                           results={s.id: stored_result(s) for s in submissions},
                           invitations=found.applicants, form=InviteForm(),
                           applicant_link=applicant_link, open_link=open_link)


@bp.post("/positions/<int:position_id>/invitations")
def invite(position_id: int) -> Response | str:
    found = _position_or_404(position_id)
    form = InviteForm()
    if not form.validate_on_submit():
        flash("Please give the applicant's name and a valid email address.", "error")
        return redirect(url_for("manage.position", position_id=found.id))
    invitation = positions.invite(
        db.session, found, name=form.name.data or "", email=form.email.data or "",
        valid_days=current_app.config["INVITATION_DAYS"], created_by=current_user,
    )
    audit.record(db.session, current_user, "invitation.created", invitation)
    db.session.commit()
    flash(f"Invitation created for {invitation.applicant.name}: "
          f"{applicant_link(invitation.token)}", "success")
    return redirect(url_for("manage.position", position_id=found.id))


@bp.get("/submissions/<int:submission_id>")
def submission(submission_id: int) -> str:
    found = _submission_or_404(submission_id)
    return render_template(
        "manage/submission.html", submission=found, result=stored_result(found),
        questionnaire=questionnaire_for(found.questionnaire_version),
        applicant=found.invitation.applicant,
    )


@bp.get("/submissions/<int:submission_id>/report.pdf")
def submission_pdf(submission_id: int) -> Response:
    found = _submission_or_404(submission_id)
    result = stored_result(found)
    if result is None:
        abort(404)
    applicant = found.invitation.applicant
    report = build_applicant_report(
        applicant_name=applicant.name,
        position_title=applicant.position.title,
        position_location=applicant.position.location,
        questionnaire_title=found.questionnaire_version.title,
        questionnaire_version=found.questionnaire_version.version_label,
        started_at=found.started_at,
        submitted_at=found.submitted_at,
        generated_at=utcnow(),
        result=result,
    )
    pdf = render_pdf(render_template("reports/applicant.html", report=report,
                                     page_size=current_app.config["PDF_PAGE_SIZE"]))
    audit.record_in_own_transaction(db.session, current_user, "report.downloaded", found)
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="applicant-{found.id}.pdf"'})


@bp.get("/positions/<int:position_id>/results.csv")
def position_csv(position_id: int) -> Response:
    found = _position_or_404(position_id)
    audit.record_in_own_transaction(db.session, current_user, "export.csv", found)
    rows = wide_rows(position_records(db.session, found))
    return Response(stream_with_context(csv_stream(WIDE_COLUMNS, rows, bom=True)),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f'attachment; filename="position-{found.id}.csv"'})
