from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional

from screening.models import OUTCOME_LABELS
from screening.services.attempts import MIN_RETAKE_REASON
from screening.services.reviews import DECISION_NOTE_MIN
from screening.web.template_helpers import ADJUSTMENT_LABELS
from screening.web.validators import one_line, visible_text


def _adjustment_field(label: str) -> SelectField:
    """No adjustment, or one the position's managers and HR may grant."""
    return SelectField(label, default="", validators=[Optional()], choices=[
        SelectChoice("", "No adjustment"),
        *(SelectChoice(code.value, wording) for code, wording in ADJUSTMENT_LABELS.items()),
    ])


class InviteForm(FlaskForm):
    name = StringField("Applicant's name", validators=[
        InputRequired(), visible_text("Please enter the applicant's name."), one_line,
        Length(max=200)])
    email = EmailField(
        "Applicant's email",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)],
    )
    adjustment = _adjustment_field("Adjustment (optional)")


class AdjustmentGrantForm(FlaskForm):
    """Grant (or withdraw) an adjustment on one invitation."""

    adjustment = _adjustment_field("Adjustment")


class BulkInviteForm(FlaskForm):
    file = FileField(
        "CSV file with name and email columns",
        validators=[
            FileRequired("Choose a CSV file to upload."),
            FileAllowed(["csv", "txt"], "Upload a .csv file."),
        ],
    )


class InvitationActionForm(FlaskForm):
    """Extend, revoke or re-issue: the button pressed says which."""

    days = IntegerField("Days", default=7, validators=[Optional(), NumberRange(1, 90)])


class RatingForm(FlaskForm):
    item_id = HiddenField(validators=[InputRequired()])
    rating = RadioField(
        "Rating",
        coerce=int,
        validators=[InputRequired("Choose a rating.")],
        choices=[SelectChoice(n, str(n)) for n in range(1, 6)],
    )


class DecisionForm(FlaskForm):
    """Nothing is chosen for the manager: a required radio group with no default."""

    outcome = RadioField(
        "Your decision",
        validators=[InputRequired("Choose a decision.")],
        choices=[SelectChoice(o.value, label) for o, label in OUTCOME_LABELS.items()],
    )
    note = TextAreaField(
        "Your decision in your own words: what you decided and why (HR reads this)",
        validators=[
            InputRequired("Please explain the decision."),
            Length(
                min=DECISION_NOTE_MIN,
                max=4000,
                message=f"Write between {DECISION_NOTE_MIN} and 4,000 characters.",
            ),
        ],
    )


class RetakeForm(FlaskForm):
    """Allowing a retake is deliberate: the reason is recorded and shown on both attempts."""

    reason = TextAreaField(
        "Why this applicant may take the questionnaire again (recorded and shown to HR)",
        validators=[
            InputRequired("Please give the reason for the retake."),
            Length(min=MIN_RETAKE_REASON, max=2000,
                   message=f"Write between {MIN_RETAKE_REASON} and 2,000 characters."),
        ],
    )


class ApplicantFilterForm(FlaskForm):
    """The list's filters travel in the query string (GET), so no CSRF token is needed."""

    class Meta:
        csrf = False

    q = StringField("Search by name", validators=[Optional(), Length(max=100)])
    status = SelectField(
        "Status",
        validators=[Optional()],
        choices=[
            SelectChoice("", "Any status"),
            SelectChoice("invited", "Invited"),
            SelectChoice("started", "Started"),
            SelectChoice("submitted", "Submitted"),
            SelectChoice("expired", "Expired"),
            SelectChoice("revoked", "Revoked"),
        ],
    )
    band = SelectField("Band", validators=[Optional()])
    submitted_from = DateField("Submitted from", validators=[Optional()])
    submitted_to = DateField("Submitted until", validators=[Optional()])
    sort = SelectField(
        "Sort by",
        validators=[Optional()],
        choices=[
            SelectChoice("submitted", "Submission date"),
            SelectChoice("name", "Name"),
            SelectChoice("overall", "Overall score"),
            SelectChoice("warmth", "Warmth"),
            SelectChoice("common_sense", "Common sense"),
            SelectChoice("respect", "Respect under pressure"),
        ],
    )
    order = SelectField(
        "Order",
        validators=[Optional()],
        choices=[
            SelectChoice("desc", "Highest / newest first"),
            SelectChoice("asc", "Lowest / oldest first"),
        ],
    )


class FeedbackSwitchForm(FlaskForm):
    enabled = BooleanField("Show applicants their feedback once a decision is recorded")


class PrepareZipForm(FlaskForm):
    """Only the CSRF token: preparing a position's ZIP takes no input."""
