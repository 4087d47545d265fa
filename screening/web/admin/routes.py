from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from screening.extensions import db
from screening.models import Position, Role, User
from screening.services import accounts, audit, positions
from screening.services.questionnaires import current_bank, latest_version, sync_versions
from screening.web.admin.forms import PositionForm, StaffChangeForm, StaffInviteForm
from screening.web.auth.routes import roles_required, set_password_link

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@roles_required(Role.ADMIN)
def users() -> str:
    staff = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template(
        "admin/users.html", users=staff, form=StaffInviteForm(), change_form=StaffChangeForm()
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
            audit.record(db.session, current_user, "user.invited", user, role=user.role.value)
            db.session.commit()
            return render_template("admin/invited.html", user=user, link=set_password_link(user))
    staff = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template(
        "admin/users.html", users=staff, form=form, change_form=StaffChangeForm()
    ), 422


@bp.post("/users/<int:user_id>")
@roles_required(Role.ADMIN)
def change_user(user_id: int) -> Response:
    user = db.session.get(User, user_id) if user_id <= positions.MAX_ID else None
    if user is None:
        abort(404)
    form = StaffChangeForm()
    if form.validate_on_submit():
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
                role=user.role.value,
                active=user.active,
            )
            db.session.commit()
            flash(
                f"Saved {user.name}: {user.role.value}, {'active' if user.active else 'disabled'}.",
                "success",
            )
    return redirect(url_for("admin.users"))


@bp.post("/users/<int:user_id>/reset")
@roles_required(Role.ADMIN)
def reset_user(user_id: int) -> str:
    user = db.session.get(User, user_id) if user_id <= positions.MAX_ID else None
    if user is None:
        abort(404)
    audit.record(db.session, current_user, "user.password_link", user)
    db.session.commit()
    return render_template("admin/invited.html", user=user, link=set_password_link(user))


def _position_form(position: Position | None = None) -> PositionForm:
    form = PositionForm(obj=position)
    sync_versions(db.session, current_bank())
    keys = sorted(current_bank().questionnaires)
    form.questionnaire.choices = [
        SelectChoice(key, current_bank().questionnaires[key].title) for key in keys
    ]
    managers = db.session.scalars(
        select(User).where(User.role == Role.MANAGER, User.active.is_(True)).order_by(User.name)
    ).all()
    form.managers.choices = [SelectChoice(m.id, f"{m.name} ({m.email})") for m in managers]
    if position is not None and not form.is_submitted():
        form.questionnaire.data = position.questionnaire_version.questionnaire_key
        form.managers.data = [m.id for m in position.managers]
        form.open_link.data = position.open_token is not None
    return form


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
        version = latest_version(db.session, form.questionnaire.data or "")
        if version is None:
            abort(400)
        position = positions.create_position(
            db.session,
            title=form.title.data or "",
            location=form.location.data or "",
            version=version,
            managers=_chosen_managers(form),
            open_link=bool(form.open_link.data),
        )
        audit.record(db.session, current_user, "position.created", position)
        db.session.commit()
        flash(f"Created {position.title}.", "success")
        return redirect(url_for("manage.position", position_id=position.id))
    return render_template("admin/position_form.html", form=form, position=None)


@bp.route("/positions/<int:position_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN, Role.HR)
def edit_position(position_id: int) -> str | Response:
    position = db.session.get(Position, position_id) if position_id <= positions.MAX_ID else None
    if position is None:
        abort(404)
    form = _position_form(position)
    if form.validate_on_submit():
        position.title = form.title.data or ""
        position.location = form.location.data or ""
        position.managers = _chosen_managers(form)
        if form.open_link.data and position.open_token is None:
            position.open_token = positions.new_token()
        elif not form.open_link.data:
            position.open_token = None
        wanted = form.questionnaire.data or ""
        if wanted != position.questionnaire_version.questionnaire_key:
            if any(a.invitation and a.invitation.submission for a in position.applicants):
                flash(
                    "The questionnaire cannot change once applicants have started; "
                    "create a new position instead.",
                    "error",
                )
                return render_template(
                    "admin/position_form.html", form=form, position=position
                ), 422
            version = latest_version(db.session, wanted)
            if version is None:
                abort(400)
            position.questionnaire_version = version
        audit.record(db.session, current_user, "position.changed", position)
        db.session.commit()
        flash(f"Saved {position.title}.", "success")
        return redirect(url_for("manage.position", position_id=position.id))
    return render_template("admin/position_form.html", form=form, position=position)


def _chosen_managers(form: PositionForm) -> list[User]:
    ids = set(form.managers.data or [])
    if not ids:
        return []
    return list(db.session.scalars(select(User).where(User.id.in_(ids), User.role == Role.MANAGER)))
