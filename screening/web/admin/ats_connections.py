"""ATS connections (admin): create one (its API key shown once), list, revoke.

Greenhouse's Assessment Partner integration calls /integrations/greenhouse/... with a
connection's key; the key is never stored (services.ats_connections).
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.models import AtsConnection, Position, Role
from screening.services import ats_connections
from screening.web.admin.forms import AtsConnectionForm
from screening.web.admin.routes import bp
from screening.web.auth.routes import roles_required


def _form_with_choices() -> AtsConnectionForm:
    form = AtsConnectionForm()
    open_positions = db.session.scalars(select(Position).where(Position.archived.is_(False))
                                        .order_by(Position.title, Position.id))
    form.positions.choices = [
        (position.id, f"{position.title} ({position.location})" if position.location
         else position.title) for position in open_positions]
    return form


def _page(form: AtsConnectionForm) -> str:
    return render_template("admin/ats_connections.html", form=form,
                           connections=ats_connections.listing(db.session),
                           activity=ats_connections.activity(db.session),
                           no_activity=ats_connections.Activity())


@bp.get("/ats-connections")
@roles_required(Role.ADMIN)
def ats_connections_page() -> str:
    return _page(_form_with_choices())


@bp.post("/ats-connections")
@roles_required(Role.ADMIN)
def create_ats_connection() -> str | tuple[str, int]:
    form = _form_with_choices()
    if form.validate_on_submit():
        chosen = [] if form.all_positions.data else list(db.session.scalars(
            select(Position).where(Position.id.in_(form.positions.data or []))))
        try:
            connection, key = ats_connections.create(
                db.session, name=form.name.data or "", all_positions=bool(form.all_positions.data),
                positions=chosen, created_by=current_user,
                secret_key=current_app.config["SECRET_KEY"])
        except ats_connections.AtsConnectionError as error:
            form.positions.errors = [*form.positions.errors, str(error)]
        else:
            db.session.commit()
            base = current_app.config["BASE_URL"].rstrip("/")
            endpoints = {name: base + url_for(f"greenhouse.{name}")
                         for name in ("list_tests", "send_test", "test_status", "response_error")}
            return render_template("admin/ats_connection_created.html", connection=connection,
                                   key=key, endpoints=endpoints)
    return _page(form), 422


@bp.post("/ats-connections/<id:connection_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_ats_connection(connection_id: int) -> Response:
    connection = db.get_or_404(AtsConnection, connection_id)
    if connection.revoked_at is not None:
        flash(f"The connection {connection.name} was already revoked.", "success")
    else:
        ats_connections.revoke(db.session, connection.id, current_user)
        db.session.commit()
        flash(f"The connection {connection.name} is revoked: its key is refused from now on, "
              "and no more callbacks are sent with it.", "success")
    return redirect(url_for("admin.ats_connections_page"))
