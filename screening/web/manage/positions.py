"""A manager's positions: the list, one position's applicants, compare, CSV, feedback switch."""

from __future__ import annotations

from flask import (
    Response,
    abort,
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
from screening.ids import parse_id
from screening.services import applicants, attempts, audit, position_zips, positions
from screening.services.exports import ExportFilters, wide_table
from screening.services.questionnaires import questionnaire_for
from screening.web.downloads import csv_response, download_name
from screening.web.manage import bp
from screening.web.manage.forms import (
    ApplicantFilterForm,
    FeedbackSwitchForm,
    InviteForm,
    PrepareZipForm,
)
from screening.web.manage.scope import open_link, position_or_404
from screening.web.manage.zips import URL_WORDS


@bp.get("/", endpoint="positions")
def positions_list() -> str:
    visible = db.session.scalars(positions.visible_positions(current_user)).all()
    return render_template("manage/positions.html", positions=visible)


@bp.get("/positions/<id:position_id>")
def position(position_id: int) -> str:
    found = position_or_404(position_id)
    questionnaire = questionnaire_for(found.questionnaire_version)
    filters = ApplicantFilterForm(request.args)
    filters.band.choices = [SelectChoice("", "Any band"),
                            *(SelectChoice(b.id, b.label) for b in questionnaire.bands)]
    filters.validate()  # an unreadable date is shown as an error and ignored
    query = applicants.ListQuery(
        # Like a bad date: a search over its length limit is shown as an error and ignored
        # (SQLite refuses a LIKE pattern over 50,000 bytes).
        search="" if filters.q.errors else filters.q.data or "",
        status=filters.status.data or "",
        band=filters.band.data or "",
        submitted_from=None if filters.submitted_from.errors else filters.submitted_from.data,
        submitted_to=None if filters.submitted_to.errors else filters.submitted_to.data,
        sort=filters.sort.data or "submitted",
        descending=(filters.order.data or "desc") == "desc",
        page=request.args.get("page", 1, type=int) or 1,
    )
    listing = applicants.list_applicants(db.session, found, query)
    same_email = attempts.same_email_attempts(db.session, [row.applicant for row in listing.rows])
    return render_template("manage/position.html", position=found, listing=listing,
                           same_email=same_email,
                           filters=filters, questionnaire=questionnaire, form=InviteForm(),
                           open_link=open_link, page_args=_page_args,
                           zips=position_zips.status(db.session, found),
                           zip_form=PrepareZipForm(), zip_words=URL_WORDS)


def _page_args(page: int) -> dict[str, object]:
    """The current query string with another page number, for pagination links."""
    args = request.args.to_dict()
    args["page"] = page
    return args


@bp.get("/positions/<id:position_id>/compare")
def compare(position_id: int) -> str | Response:
    found = position_or_404(position_id)
    ids = [parse_id(value) for value in request.args.getlist("ids")[:10]]
    if not 2 <= len(ids) <= 5:
        flash("Choose between 2 and 5 submitted applicants to compare.", "error")
        return redirect(url_for("manage.position", position_id=found.id))
    if None in ids:
        abort(404)  # a value that cannot be an id names no applicant of this position
    rows = applicants.compare(db.session, found, [i for i in ids if i is not None])
    if len(rows) != len(ids):
        abort(404)
    return render_template("manage/compare.html", position=found, rows=rows)


@bp.get("/positions/<id:position_id>/results.csv")
def position_csv(position_id: int) -> Response:
    found = position_or_404(position_id)
    audit.record_in_own_transaction(db.session, current_user, "export.csv", found)
    # The HR export's wide layout, percentiles included, for this one position.
    headers, rows = wide_table(db.session, ExportFilters(position_id=found.id))
    return csv_response(stream_with_context(csv_stream(headers, rows, bom=True)),
                        filename=download_name(found.title, found.location, "results",
                                               extension="csv"))


@bp.post("/positions/<id:position_id>/feedback")
def feedback_switch(position_id: int) -> Response:
    found = position_or_404(position_id)
    form = FeedbackSwitchForm()
    if form.validate_on_submit():
        positions.set_feedback(db.session, current_user, found, bool(form.enabled.data))
        db.session.commit()
        flash("Applicants of this position now see feedback once a decision is recorded."
              if found.feedback_enabled else
              "Feedback is off for this position: applicants will not see it.", "success")
    return redirect(url_for("manage.position", position_id=found.id))
