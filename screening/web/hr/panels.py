"""Practitioners' keying panels: HR and admins create them, invite panellists by
single-use links, close them, and read the report (page, PDF) and every rating (CSV)."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from screening.exports.spreadsheets import csv_stream
from screening.extensions import db
from screening.models import KeyingPanel
from screening.reports import render
from screening.services import audit, panels
from screening.services.questionnaires import current_bank, current_version
from screening.web.downloads import csv_response, download_name, file_response
from screening.web.hr.forms import PanelCloseForm, PanelCreateForm, PanellistInviteForm
from screening.web.hr.routes import bp


def _questionnaire_choices() -> list[SelectChoice]:
    """The bank's questionnaires, by key: a panel rates the version the bank holds now,
    resolved when the form is sent (a version row made while showing the form might not
    be the one stored when it is sent)."""
    bank = current_bank()
    return [SelectChoice(key, f"{questionnaire.title} ({questionnaire.version_label})")
            for key, questionnaire in sorted(bank.questionnaires.items())]


def _create_form() -> PanelCreateForm:
    form = PanelCreateForm()
    form.questionnaire.choices = _questionnaire_choices()
    return form


def _list_page(form: PanelCreateForm) -> str:
    return render_template("hr/panels.html", panels=panels.all_panels(db.session), form=form)


@bp.route("/panels", methods=["GET", "POST"], endpoint="panels")
def panels_page() -> str | Response | tuple[str, int]:
    form = _create_form()
    if not form.is_submitted():
        return _list_page(form)
    if not form.validate():
        return _list_page(form), 400
    version = current_version(db.session, form.questionnaire.data)
    assert version is not None  # a choice is a questionnaire of the bank
    try:
        panel = panels.create_panel(db.session, current_user, version, form.name.data)
    except panels.PanelError as refused:
        db.session.rollback()
        form.name.errors = [str(refused)]
        return _list_page(form), 400
    db.session.commit()
    flash("Panel created. Invite each practitioner with a link of their own.", "success")
    return redirect(url_for("hr.panel", panel_id=panel.id))


def _panel_or_404(panel_id: int) -> KeyingPanel:
    panel = panels.panel_by_id(db.session, panel_id)
    if panel is None:
        abort(404)
    return panel


def _panel_page(panel: KeyingPanel, invite_form: PanellistInviteForm,
                new_link: str | None = None) -> str:
    return render_template("hr/panel.html", panel=panel, invite_form=invite_form,
                           close_form=PanelCloseForm(), new_link=new_link,
                           states={p.id: panels.link_state(p).value for p in panel.panellists},
                           rated_count=len(panels.rated_items(panel)))


@bp.get("/panels/<id:panel_id>", endpoint="panel")
def panel_page(panel_id: int) -> str:
    return _panel_page(_panel_or_404(panel_id), PanellistInviteForm(formdata=None))


@bp.post("/panels/<id:panel_id>/panellists", endpoint="invite_panellist")
def invite_panellist(panel_id: int) -> str | tuple[str, int]:
    panel = _panel_or_404(panel_id)
    form = PanellistInviteForm()
    if not form.validate():
        return _panel_page(panel, form), 400
    try:
        _, token = panels.invite(db.session, current_user, panel, form.label.data)
    except panels.PanelError as refused:
        db.session.rollback()
        form.label.errors = [str(refused)]
        return _panel_page(panel, form), 400
    db.session.commit()
    link = current_app.config["BASE_URL"].rstrip("/") + url_for("panel.start", token=token)
    # Shown once: only a hash of the token is stored, as for API tokens.
    return _panel_page(panel, PanellistInviteForm(formdata=None), new_link=link)


@bp.post("/panels/<id:panel_id>/close", endpoint="close_panel")
def close_panel(panel_id: int) -> Response:
    panel = _panel_or_404(panel_id)
    if PanelCloseForm().validate():
        try:
            panels.close(db.session, current_user, panel)
        except panels.PanelError as refused:
            db.session.rollback()
            flash(str(refused), "warning")
        else:
            db.session.commit()
            flash("Panel closed: its links take no more ratings.", "success")
    return redirect(url_for("hr.panel", panel_id=panel_id))


@bp.get("/panels/<id:panel_id>/report", endpoint="panel_report")
def panel_report(panel_id: int) -> str:
    panel = _panel_or_404(panel_id)
    return render_template("hr/panel_report.html", panel=panel,
                           report=panels.panel_report(panel))


@bp.get("/panels/<id:panel_id>/report.pdf", endpoint="panel_report_pdf")
def panel_report_pdf(panel_id: int) -> Response:
    panel = _panel_or_404(panel_id)
    report = panels.panel_report(panel)
    pdf = render.panel_pdf(report, current_app.config["PDF_PAGE_SIZE"])
    audit.record_in_own_transaction(db.session, current_user, "panel.report_downloaded",
                                    panel, format="pdf")
    return file_response(pdf, filename=download_name(f"keying panel {panel.id}", panel.name,
                                                     extension="pdf"),
                         content_type="application/pdf", cache_control="private, no-store")


@bp.get("/panels/<id:panel_id>/ratings.csv", endpoint="panel_ratings_csv")
def panel_ratings_csv(panel_id: int) -> Response:
    panel = _panel_or_404(panel_id)
    headers, rows = panels.ratings_table(panel)
    audit.record_in_own_transaction(db.session, current_user, "panel.report_downloaded",
                                    panel, format="csv")
    return csv_response(csv_stream(headers, rows),
                        filename=download_name(f"keying panel {panel.id}", "ratings",
                                               extension="csv"))


