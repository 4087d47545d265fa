"""HR's forms: export and report settings (GET, no CSRF token needed) and erasure (POST)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from screening.models import SubmissionStatus
from screening.services.applicant_requests import ANSWER_MAX
from screening.services.exports import ExportFilters, ExportFormat, ExportRequest, Layout
from screening.services.fairness import SelectionBasis


class QueryForm(FlaskForm):
    """A settings form sent with GET: it reads the query string and carries no CSRF token
    (it changes nothing, and a token would end up in logs and browser history)."""

    class Meta:
        csrf = False


def _until_not_before_since(form: Any, field: Any) -> None:
    if field.data and form.since.data and field.data < form.since.data:
        raise ValidationError("The end date must not be before the start date.")


class ExportForm(QueryForm):
    format = SelectField("File format", default=ExportFormat.CSV.value, choices=[
        SelectChoice(ExportFormat.CSV.value, "CSV (UTF-8)"),
        SelectChoice(ExportFormat.XLSX.value, "Excel workbook (.xlsx)"),
        SelectChoice(ExportFormat.JSON.value, "JSON"),
    ])
    layout = SelectField("Layout", default=Layout.WIDE.value, choices=[
        SelectChoice(Layout.WIDE.value, "Wide: one row per submission"),
        SelectChoice(Layout.LONG.value, "Long: one row per answer"),
    ])
    position = SelectField("Position", default="", choices=[SelectChoice("", "All positions")])
    since = DateField("From (submitted or started on or after)", validators=[Optional()])
    until = DateField("To (on or before)", validators=[Optional(), _until_not_before_since])
    status = SelectField("Status", default="", choices=[
        SelectChoice("", "Any status"),
        SelectChoice(SubmissionStatus.SUBMITTED.value, "Submitted"),
        SelectChoice(SubmissionStatus.IN_PROGRESS.value, "In progress"),
    ])
    band = SelectField("Band", default="", choices=[SelectChoice("", "Any band")])
    bom = BooleanField("Start the CSV with a byte-order mark (helps Excel read accents)",
                       default=True)

    def to_request(self) -> ExportRequest:
        return ExportRequest(
            format=ExportFormat(self.format.data),
            layout=Layout(self.layout.data),
            filters=ExportFilters(
                position_id=int(self.position.data) if self.position.data else None,
                since=self.since.data,
                until=self.until.data,
                status=SubmissionStatus(self.status.data) if self.status.data else None,
                band=self.band.data or None,
            ),
            bom=bool(self.bom.data),
        )


class FairnessForm(QueryForm):
    basis = SelectField("Who counts as selected", default=SelectionBasis.DECISION.value, choices=[
        SelectChoice(SelectionBasis.DECISION.value, "Advanced by the latest decision"),
        SelectChoice(SelectionBasis.BAND.value, "Overall band at or above a chosen band"),
        SelectChoice(SelectionBasis.BOTTOM_LINE.value,
                     "Whole process (bottom line): advanced or hired, of all who applied"),
    ])
    band = SelectField("Band (when selecting by band)", default="", choices=[SelectChoice("", "—")])

    def validate_band(self, field: Any) -> None:
        if self.basis.data == SelectionBasis.BAND.value and not field.data:
            raise ValidationError("Choose the band applicants must reach.")


class AuditFilterForm(QueryForm):
    action = SelectField("Action", default="", choices=[SelectChoice("", "Any action")])
    actor = StringField("Staff email", validators=[Optional(), Length(max=254)])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional(), _until_not_before_since])


class ApplicantSearchForm(QueryForm):
    q = StringField("Name, email or applicant number", validators=[Optional(), Length(max=254)])


class EraseForm(FlaskForm):
    confirm = BooleanField(
        "I confirm this applicant asked for erasure, and that it cannot be undone",
        validators=[InputRequired("Tick the box to confirm the erasure.")],
    )


class RequestAnswerForm(FlaskForm):
    answer = TextAreaField(
        "Your answer to the applicant",
        validators=[InputRequired("Write the answer the applicant will receive."),
                    Length(max=ANSWER_MAX, message=f"At most {ANSWER_MAX} characters.")],
    )


class PanelCreateForm(FlaskForm):
    name = StringField("Panel name", validators=[InputRequired("Give the panel a name."),
                                                 Length(max=200)])
    questionnaire = SelectField("Questionnaire", validators=[
        InputRequired("Choose the questionnaire the panel rates.")])


class PanellistInviteForm(FlaskForm):
    label = StringField("Who the link is for", validators=[
        InputRequired("Say who the link is for, so you can tell the panellists apart."),
        Length(max=200)])


class PanelCloseForm(FlaskForm):
    """Only the CSRF token: closing takes no input."""


class OutcomeUploadForm(FlaskForm):
    file = FileField(
        "Outcomes file (.csv or .xlsx)",
        validators=[
            FileRequired("Choose a CSV or Excel file to upload."),
            FileAllowed(["csv", "txt", "xlsx"], "Upload a .csv or .xlsx file."),
        ],
    )
