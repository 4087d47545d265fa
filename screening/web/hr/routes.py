"""HR's pages: exports, analytics, adverse impact, the audit log and erasure requests.

Views validate, call one service, and render or send bytes; every HR action on
applicant data (export, analytics, fairness, erasure) is written to the audit log.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from screening.exports.spreadsheets import csv_stream
from screening.extensions import db
from screening.models import Applicant, Position, QuestionnaireVersion, Role
from screening.scoring.fairness import (
    FOUR_FIFTHS,
    IMPACT_COLUMNS,
    impact_rows,
)
from screening.services import analytics, audit, fairness, positions, retention
from screening.services.exports import ExportRequest, stream_export
from screening.services.questionnaires import questionnaire_for
from screening.web.auth.routes import roles_required
from screening.web.downloads import csv_response, download_name, file_response
from screening.web.hr.forms import (
    ApplicantSearchForm,
    AuditFilterForm,
    EraseForm,
    ExportForm,
    FairnessForm,
)

bp = Blueprint("hr", __name__, url_prefix="/hr")


@bp.before_request
@roles_required(Role.HR, Role.ADMIN)
def _hr_only() -> None:
    """Every page here is for HR and admins; managers get 403."""


@bp.get("/", endpoint="home")
def home() -> str:
    return render_template("hr/home.html")


# -- exports -------------------------------------------------------------------------


def _export_form(formdata: Any) -> ExportForm:
    form = ExportForm(formdata=formdata)
    visible = db.session.scalars(positions.visible_positions(current_user)).all()
    form.position.choices = [SelectChoice("", "All positions")] + [
        SelectChoice(str(p.id), f"{p.title} ({p.location})" if p.location else p.title)
        for p in visible
    ]
    bands: dict[str, str] = {}
    for version in db.session.scalars(db.select(QuestionnaireVersion)):
        for band in questionnaire_for(version).bands:
            bands.setdefault(band.id, band.label)
    form.band.choices = [SelectChoice("", "Any band"),
                         *(SelectChoice(band, label) for band, label in sorted(bands.items()))]
    return form


@bp.get("/exports")
def exports() -> str:
    return render_template("hr/exports.html", form=_export_form(None))


@bp.get("/exports/download")
def export_download() -> Response | tuple[str, int]:
    form = _export_form(request.args)
    if not form.validate():
        return render_template("hr/exports.html", form=form), 400
    export = form.to_request()
    audit.record_in_own_transaction(db.session, current_user, "export.downloaded", None,
                                    **export.describe())
    chunks = stream_export(db.session, export, current_user)
    return file_response(stream_with_context(chunks), content_type=export.mimetype,
                         filename=_export_name(export))


def _export_name(export: ExportRequest) -> str:
    """'front-desk-reception-results-wide-2026-12-04.csv'; 'all-positions-…' unfiltered."""
    position_id = export.filters.position_id
    position = db.session.get(Position, position_id) if position_id else None
    about = (position.title, position.location) if position else ("all positions",)
    return download_name(*about, "results", export.layout.value,
                         extension=export.format.value)


# -- analytics -----------------------------------------------------------------------


@bp.get("/analytics")
def analytics_list() -> str:
    return render_template("hr/analytics_list.html",
                           summaries=analytics.version_summaries(db.session))


@bp.get("/analytics/<id:version_id>")
def analytics_version(version_id: int) -> str:
    version = db.get_or_404(QuestionnaireVersion, version_id)
    report = analytics.version_analytics(db.session, version)
    audit.record_in_own_transaction(db.session, current_user, "analytics.viewed", version)
    return render_template("hr/analytics.html", report=report,
                           questionnaire=questionnaire_for(version))


# -- fairness ------------------------------------------------------------------------


@bp.get("/fairness")
def fairness_list() -> str:
    visible = db.session.scalars(positions.visible_positions(current_user)).all()
    return render_template("hr/fairness_list.html", positions=visible)


def _impact(position: Position) -> tuple[FairnessForm, fairness.PositionImpact | None, str]:
    form = FairnessForm(formdata=request.args or None)
    form.band.choices = [SelectChoice("", "—"),
                         *(SelectChoice(band, label)
                           for band, label in fairness.band_choices(position))]
    if request.args and not form.validate():
        return form, None, ""
    try:
        impact = fairness.position_impact(
            db.session, position, basis=fairness.SelectionBasis(form.basis.data),
            band_id=form.band.data or None,
            # An installation setting, never a form field: nobody can show smaller groups.
            minimum_group=current_app.config["FAIRNESS_MIN_GROUP"],
        )
    except fairness.FairnessError as error:
        return form, None, str(error)
    return form, impact, ""


def _impact_or_page(position: Position, action: str):
    """The report for the form's settings (audited as ``action``), or the page saying why not."""
    form, impact, problem = _impact(position)
    if impact is None:
        return None, (render_template("hr/fairness.html", position=position, form=form,
                                      impact=None, problem=problem,
                                      four_fifths=float(FOUR_FIFTHS)), 400)
    audit.record_in_own_transaction(db.session, current_user, action, position,
                                    basis=impact.basis.value, band=impact.band_id,
                                    minimum_group=impact.minimum_group)
    return (form, impact), None


@bp.get("/fairness/<id:position_id>")
def fairness_report(position_id: int) -> str | tuple[str, int]:
    position = db.get_or_404(Position, position_id)
    found, refused = _impact_or_page(position, "fairness.viewed")
    if refused is not None:
        return refused
    form, impact = found
    return render_template("hr/fairness.html", position=position, form=form, impact=impact,
                           problem="", four_fifths=float(FOUR_FIFTHS))


@bp.get("/fairness/<id:position_id>.csv")
def fairness_csv(position_id: int) -> Response | tuple[str, int]:
    position = db.get_or_404(Position, position_id)
    found, refused = _impact_or_page(position, "fairness.exported")
    if refused is not None:
        return refused
    _, impact = found
    body = "".join(csv_stream(IMPACT_COLUMNS, impact_rows(impact.reports), bom=True))
    return csv_response(body, filename=download_name(position.title, position.location,
                                                     "adverse impact", extension="csv"))


# -- audit log -----------------------------------------------------------------------


def _audit_form() -> AuditFilterForm:
    form = AuditFilterForm(formdata=request.args or None)
    form.action.choices = [SelectChoice("", "Any action"),
                           *(SelectChoice(a, a) for a in audit.actions(db.session))]
    return form


def _audit_filters(form: AuditFilterForm) -> audit.AuditFilters:
    return audit.AuditFilters(action=form.action.data or None,
                                  actor_email=form.actor.data or None,
                                  since=form.since.data, until=form.until.data)


@bp.get("/audit")
def audit_page() -> str | tuple[str, int]:
    form = _audit_form()
    if request.args and not form.validate():
        return render_template("hr/audit.html", form=form, events=[], next_before=None,
                               targets={}), 400
    before = request.args.get("before", type=int)
    events, next_before = audit.page(
        db.session, _audit_filters(form),
        before_id=before if before is not None and 0 < before <= retention.MAX_ID else None,
    )
    targets = audit.target_labels(db.session, ((e.target_type, e.target_id) for e in events))
    return render_template("hr/audit.html", form=form, events=events, next_before=next_before,
                           targets=targets)


@bp.get("/audit.csv")
def audit_csv() -> Response | tuple[str, int]:
    form = _audit_form()
    if request.args and not form.validate():
        return render_template("hr/audit.html", form=form, events=[], next_before=None,
                               targets={}), 400
    filters = _audit_filters(form)
    audit.record_in_own_transaction(db.session, current_user, "audit.exported", None,
                                    **filters.describe())
    rows = audit.audit_rows(db.session, filters)
    chunks = (chunk.encode("utf-8")
              for chunk in csv_stream(audit.AUDIT_COLUMNS, rows, bom=True))
    return csv_response(stream_with_context(chunks),
                        filename=download_name("audit log", extension="csv"))


# -- erasure on request --------------------------------------------------------------


@bp.get("/applicants")
def applicants() -> str:
    form = ApplicantSearchForm(formdata=request.args or None)
    found = []
    if request.args and form.validate():
        found = retention.find_applicants(db.session, form.q.data or "")
    return render_template("hr/applicants.html", form=form, applicants=found,
                           searched=bool(request.args))


@bp.route("/applicants/<id:applicant_id>/erase", methods=["GET", "POST"])
def erase(applicant_id: int) -> str | Response | tuple[str, int]:
    applicant: Applicant = db.get_or_404(Applicant, applicant_id)
    form = EraseForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("hr/erase.html", applicant=applicant, form=form), 400
        retention.erase(db.session, applicant.id, current_user, via="web")
        flash(f"Applicant {applicant.id}'s personal data has been erased; their anonymous "
              "scores remain for norms and reliability figures.", "success")
        return redirect(url_for("hr.applicants"))
    return render_template("hr/erase.html", applicant=applicant, form=form)
