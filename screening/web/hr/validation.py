"""Local validation: HR imports job outcomes of hired applicants and reads, per position
and questionnaire version, how well the screen predicted them, beside the adverse impact
of the whole process. Views validate, call one service, and render or send bytes."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from screening.exports.spreadsheets import csv_stream
from screening.exports.validity import VALIDITY_COLUMNS, validity_rows
from screening.extensions import db
from screening.models import Position, utcnow
from screening.scoring.fairness import FOUR_FIFTHS
from screening.scoring.validity import KEY_CHECK_CAVEAT, MIN_VALIDATION_N
from screening.services import audit, outcome_file, outcomes, validation
from screening.web.downloads import csv_response, download_name
from screening.web.hr.forms import OutcomeUploadForm
from screening.web.hr.routes import bp


def _upload_page(form: OutcomeUploadForm, problems: tuple[str, ...] = (),
                 filename: str = "") -> str:
    return render_template("hr/outcomes.html", form=form, problems=problems,
                           filename=filename, columns=outcome_file.COLUMN_HELP,
                           max_rows=outcome_file.MAX_ROWS)


@bp.get("/outcomes", endpoint="outcomes")
def outcomes_page() -> str:
    return _upload_page(OutcomeUploadForm())


@bp.post("/outcomes", endpoint="outcomes_upload")
def outcomes_upload() -> str | Response | tuple[str, int]:
    form = OutcomeUploadForm()
    if not form.validate_on_submit():
        return _upload_page(form), 400
    upload = form.file.data
    filename = upload.filename or ""
    try:
        raw = upload.read(outcome_file.MAX_UPLOAD_BYTES + 1)
    finally:
        upload.close()  # a large upload is spooled to a temporary file: free it now
    try:
        result = outcomes.import_outcomes(db.session, filename, raw, current_user,
                                          today=utcnow().date(), via="web")
        if result.imported:
            db.session.commit()
    except IntegrityError:
        # Another import of the same submission and date committed first: nothing of this
        # one is kept, and sending the file again updates those outcomes.
        db.session.rollback()
        result = outcomes.ImportResult(problems=(
            "Another import of some of these outcomes finished at the same moment; nothing "
            "from this file was imported. Upload it again: it will update them.",))
    if not result.imported:
        db.session.rollback()
        return _upload_page(form, result.problems, filename), 400
    flash(f"Imported {result.rows} outcome row{'' if result.rows == 1 else 's'}: "
          f"{result.created} new, {result.updated} updated.", "success")
    return redirect(url_for("hr.validation_list"))


@bp.get("/outcomes/template.csv")
def outcomes_template() -> Response:
    return csv_response(outcome_file.template_csv(),
                        filename=download_name("job outcomes template", extension="csv"))


@bp.get("/validation")
def validation_list() -> str:
    return render_template("hr/validation_list.html",
                           counts=validation.positions_with_outcomes(db.session, current_user),
                           minimum=MIN_VALIDATION_N)


@bp.get("/validation/<id:position_id>")
def validation_report(position_id: int) -> str:
    position = db.get_or_404(Position, position_id)
    found = validation.position_validation(
        db.session, position, minimum_group=current_app.config["FAIRNESS_MIN_GROUP"])
    audit.record_in_own_transaction(db.session, current_user, "validation.viewed", position)
    return render_template("hr/validation.html", found=found, position=position,
                           minimum=MIN_VALIDATION_N, four_fifths=float(FOUR_FIFTHS),
                           caveat=KEY_CHECK_CAVEAT)


@bp.get("/validation/<id:position_id>.csv")
def validation_csv(position_id: int) -> Response:
    position = db.get_or_404(Position, position_id)
    found = validation.position_validation(
        db.session, position, minimum_group=current_app.config["FAIRNESS_MIN_GROUP"])
    audit.record_in_own_transaction(db.session, current_user, "validation.exported", position)
    rows = validity_rows((entry.version.version_label, entry.report)
                         for entry in found.versions)
    body = "".join(csv_stream(VALIDITY_COLUMNS, rows, bom=True))
    return csv_response(body, filename=download_name(position.title, position.location,
                                                     "validation", extension="csv"))
