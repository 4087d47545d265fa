from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from screening.exports.spreadsheets import csv_stream
from screening.extensions import db
from screening.models import Position, Submission
from screening.services import audit, positions, reviews
from screening.services.applicant_list import (
    ListQuery,
    list_applicants,
    norm_groups_for,
    percentiles_for,
)
from screening.services.applicant_list import compare as compare_rows
from screening.services.export_records import ExportFilters, wide_table
from screening.services.ids import parse_id
from screening.services.questionnaires import questionnaire_for
from screening.services.results import stored_result
from screening.web.manage.forms import ApplicantFilterForm, DecisionForm, InviteForm, RatingForm

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
    questionnaire = questionnaire_for(found.questionnaire_version)
    filters = ApplicantFilterForm(request.args)
    filters.band.choices = [SelectChoice("", "Any band"),
                            *(SelectChoice(b.id, b.label) for b in questionnaire.bands)]
    filters.validate()  # an unreadable date is shown as an error and ignored
    query = ListQuery(
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
    listing = list_applicants(db.session, found, query)
    return render_template("manage/position.html", position=found, listing=listing,
                           filters=filters, questionnaire=questionnaire, form=InviteForm(),
                           open_link=open_link, page_args=_page_args)


def _page_args(page: int) -> dict[str, object]:
    """The current query string with another page number, for pagination links."""
    args = request.args.to_dict()
    args["page"] = page
    return args


@bp.get("/positions/<int:position_id>/compare")
def compare(position_id: int) -> str | Response:
    found = _position_or_404(position_id)
    ids = [parse_id(value) for value in request.args.getlist("ids")[:10]]
    if not 2 <= len(ids) <= 5:
        flash("Choose between 2 and 5 submitted applicants to compare.", "error")
        return redirect(url_for("manage.position", position_id=found.id))
    if None in ids:
        abort(404)  # a value that cannot be an id names no applicant of this position
    rows = compare_rows(db.session, found, [i for i in ids if i is not None])
    if len(rows) != len(ids):
        abort(404)
    return render_template("manage/compare.html", position=found, rows=rows)


@bp.get("/submissions/<int:submission_id>")
def submission(submission_id: int) -> tuple[str, int]:
    found = _submission_or_404(submission_id)
    audit.record_in_own_transaction(db.session, current_user, "submission.viewed", found)
    return render_submission(found, DecisionForm())


def render_submission(
    found: Submission, decision_form: DecisionForm, status: int = 200
) -> tuple[str, int]:
    """The applicant detail page; a rejected decision form comes back with its input kept."""
    result = stored_result(found)
    position = found.invitation.applicant.position
    return render_template(
        "manage/submission.html", submission=found, result=result,
        questionnaire=questionnaire_for(found.questionnaire_version),
        applicant=found.invitation.applicant,
        percentiles=percentiles_for(result, norm_groups_for(db.session, position)),
        rater_views=reviews.rater_views(found, current_user),
        rating_form=RatingForm(), decision_form=decision_form,
        decisions=list(reversed(found.decisions)),
    ), status


@bp.get("/positions/<int:position_id>/results.csv")
def position_csv(position_id: int) -> Response:
    found = _position_or_404(position_id)
    audit.record_in_own_transaction(db.session, current_user, "export.csv", found)
    # The HR export's wide layout, percentiles included, for this one position.
    headers, rows = wide_table(db.session, ExportFilters(position_id=found.id))
    return Response(stream_with_context(csv_stream(headers, rows, bom=True)),
                    mimetype="text/csv", headers={
                        "Content-Disposition": f'attachment; filename="position-{found.id}.csv"'})
