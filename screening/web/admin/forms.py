from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Email, InputRequired, Length

from screening.models import Role
from screening.web.validators import one_line, visible_text

ROLE_CHOICES = [
    SelectChoice(Role.MANAGER.value, "Hiring manager"),
    SelectChoice(Role.HR.value, "HR"),
    SelectChoice(Role.ADMIN.value, "Administrator"),
]


class StaffInviteForm(FlaskForm):
    name = StringField("Name", validators=[
        InputRequired(), visible_text("Please enter a name."), one_line, Length(max=200)])
    email = EmailField(
        "Email", validators=[InputRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])


class StaffChangeForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES, validators=[InputRequired()])
    active = BooleanField("Account active")


class PositionForm(FlaskForm):
    title = StringField("Title", validators=[
        InputRequired(), visible_text("Please enter a title."), one_line, Length(max=200)])
    location = StringField("Location", validators=[one_line, Length(max=200)])
    questionnaire = SelectField("Questionnaire", validators=[InputRequired()])
    managers = SelectMultipleField("Hiring managers on this position", coerce=int)
    open_link = BooleanField(
        "Allow an open link where applicants enter their own name", default=True
    )


class AtsConnectionForm(FlaskForm):
    name = StringField("Name", validators=[
        InputRequired(), visible_text("Please enter a name that says which system uses it."),
        one_line, Length(max=200)])
    all_positions = BooleanField("Every open position, including positions created later")
    positions = SelectMultipleField("Or only these positions", coerce=int)


class WebhookEndpointForm(FlaskForm):
    position = SelectField("Position", coerce=int, validators=[InputRequired()])
    url = StringField("Endpoint URL (https://…)", validators=[
        InputRequired("Enter the endpoint's URL."), one_line, Length(max=2000)])
    events = SelectMultipleField("Events it is sent",
                                 validators=[InputRequired("Choose at least one event.")])
    description = StringField("Description (which system, who to ask)",
                              validators=[one_line, Length(max=200)])
    allow_private = BooleanField("Allow private network addresses")
