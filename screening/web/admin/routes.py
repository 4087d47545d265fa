from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from screening.extensions import db
from screening.models import Position, Role, User
from screening.services import accounts, audit, positions
from screening.services.questionnaires import current_bank
from screening.web.admin.forms import PositionForm, StaffChangeForm, StaffInviteForm
from screening.web.auth.routes import local_passwords_on, roles_required, set_password_link

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> str:
    staff = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template(
        "admin/users.html", users=staff, form=StaffInviteForm(), change_form=StaffChangeForm(),
        awaiting=[user for user in staff if user.role is None],
    )


@bp.post("/users")
@roles_required(Role.ADMIN)
def invite_user() -> str | Response:
    form = StaffInviteForm()
    if form.validate_on_submit():
        try:
            user = accounts.invite_staff(
                db.session,
                email=form.email.data or "",
                name=form.name.data or "",
                role=Role(form.role.data),
            )
        except accounts.AccountError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            audit.record(db.session, current_user, "user.invited", user, role=form.role.data)
            db.session.commit()
            # Without passwords the colleague signs in by single sign-on with this email.
            link = set_password_link(user) if local_passwords_on() else None
            return render_template("admin/invited.html", user=user, link=link)
    staff = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template(
        "admin/users.html", users=staff, form=form, change_form=StaffChangeForm(),
        awaiting=[user for user in staff if user.role is None],
    ), 422


@bp.post("/users/<id:user_id>")
@roles_required(Role.ADMIN)
def change_user(user_id: int) -> Response:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = StaffChangeForm()
    if not form.validate_on_submit():
        flash(f"Nothing saved for {user.name}: please choose a role.", "error")
    else:
        try:
            accounts.change_role(db.session, current_user, user, Role(form.role.data))
            accounts.set_active(db.session, current_user, user, bool(form.active.data))
        except accounts.AccountError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            audit.record(
                db.session,
                current_user,
                "user.changed",
                user,
                role=form.role.data,
                active=user.active,
            )
            db.session.commit()
            flash(
                f"Saved {user.name}: {form.role.data}, {'active' if user.active else 'disabled'}.",
                "success",
            )
    return redirect(url_for("admin.users"))


@bp.post("/users/<id:user_id>/reset")
@roles_required(Role.ADMIN)
def reset_user(user_id: int) -> str:
    user = db.session.get(User, user_id)
    if user is None or not local_passwords_on():
        abort(404)
    audit.record(db.session, current_user, "user.password_link", user)
    db.session.commit()
    return render_template("admin/invited.html", user=user, link=set_password_link(user))


def _position_form(position: Position | None = None) -> PositionForm:
    form = PositionForm(obj=position)
    bank = current_bank()
    form.questionnaire.choices = [
        SelectChoice(key, bank.questionnaires[key].title) for key in sorted(bank.questionnaires)
    ]
    form.managers.choices = [SelectChoice(m.id, f"{m.name} ({m.email})")
                             for m in positions.assignable_managers(db.session)]
    if position is not None and not form.is_submitted():
        form.questionnaire.data = position.questionnaire_version.questionnaire_key
        form.managers.data = [m.id for m in position.managers]
        form.open_link.data = position.open_token is not None
    return form


def _position_settings(form: PositionForm) -> positions.PositionSettings:
    return positions.PositionSettings(
        title=form.title.data or "",
        location=form.location.data or "",
        questionnaire_key=form.questionnaire.data or "",
        manager_ids=frozenset(form.managers.data or ()),
        open_link=bool(form.open_link.data),
    )


@bp.get("/positions")
@roles_required(Role.ADMIN, Role.HR)
def positions_list() -> str:
    found = db.session.scalars(select(Position).order_by(Position.title)).all()
    return render_template("admin/positions.html", positions=found)


@bp.route("/positions/new", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def new_position() -> str | Response:
    form = _position_form()
    if form.validate_on_submit():
        try:
            position = positions.new_position(db.session, current_user,
                                                 _position_settings(form))
        except positions.PositionError as error:
            db.session.rollback()
            flash(str(error), "error")
            return render_template("admin/position_form.html", form=form, position=None), 422
        db.session.commit()
        flash(f"Created {position.title}.", "success")
        return redirect(url_for("manage.position", position_id=position.id))
    return render_template("admin/position_form.html", form=form, position=None)


@bp.route("/positions/<id:position_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def edit_position(position_id: int) -> str | Response:
    position = db.get_or_404(Position, position_id)
    form = _position_form(position)
    if form.validate_on_submit():
        try:
            positions.update_position(db.session, current_user, position,
                                      _position_settings(form))
        except positions.PositionError as error:
            db.session.rollback()
            flash(str(error), "error")
            return render_template("admin/position_form.html", form=form,
                                   position=position), 422
        db.session.commit()
        flash(f"Saved {position.title}.", "success")
        return redirect(url_for("manage.position", position_id=position.id))
    return render_template("admin/position_form.html", form=form, position=position)
