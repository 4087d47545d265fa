from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import EqualTo, InputRequired, Length


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[InputRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])
    submit = SubmitField("Sign in")


class LogoutForm(FlaskForm):
    submit = SubmitField("Sign out")


class SignOutElsewhereForm(FlaskForm):
    submit = SubmitField("Sign out everywhere else")


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[
            InputRequired(),
            Length(min=12, max=1024, message="Use at least 12 characters."),
        ],
    )
    confirm = PasswordField(
        "Repeat the new password",
        validators=[InputRequired(), EqualTo("password", message="The two passwords differ.")],
    )
    submit = SubmitField("Set password")


class NotificationForm(FlaskForm):
    notify_mode = SelectField(
        "Email me about new results",
        choices=[
            SelectChoice("each", "As each applicant submits"),
            SelectChoice("daily", "In one daily digest"),
            SelectChoice("off", "Never"),
        ],
    )
    submit = SubmitField("Save")
