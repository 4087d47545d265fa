from flask_wtf import FlaskForm
from wtforms import EmailField, StringField
from wtforms.validators import Email, InputRequired, Length


class InviteForm(FlaskForm):
    name = StringField("Applicant's name", validators=[InputRequired(), Length(max=200)])
    email = EmailField("Applicant's email", validators=[
        InputRequired(), Email(check_deliverability=False), Length(max=254)])
