"""Webhook endpoints (admin): register per position, rotate the secret, switch off or on,
delete, send a test event, and read the delivery log with "redeliver" for a failure.

The secret is shown once, on the page that answers its creation or rotation; every
action is audited by the service (without the secret or the URL).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from screening.extensions import db
from screening.models import Position, Role, WebhookDelivery, WebhookEndpoint
from screening.services import webhooks
from screening.web.admin.forms import WebhookEndpointForm
from screening.web.admin.routes import bp
from screening.web.auth.routes import roles_required


def _loopback_http() -> bool:
    return bool(current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK_HTTP"))


def _endpoint_form() -> WebhookEndpointForm:
    form = WebhookEndpointForm()
    form.position.choices = [
        SelectChoice(p.id, p.title + (f" ({p.location})" if p.location else ""))
        for p in db.session.scalars(db.select(Position).order_by(Position.title))]
    form.events.choices = [SelectChoice(value, label)
                           for value, label in webhooks.event_choices()]
    return form


def _listing(form: WebhookEndpointForm) -> str:
    return render_template("admin/webhooks.html", form=form,
                           positions=webhooks.by_position(db.session),
                           loopback_http=_loopback_http())


@bp.get("/webhooks")
@roles_required(Role.ADMIN)
def webhooks_page() -> str:
    form = _endpoint_form()
    if not form.is_submitted():
        form.position.data = request.args.get("position", type=int)
    return _listing(form)


@bp.post("/webhooks")
@roles_required(Role.ADMIN)
def create_webhook() -> str | tuple[str, int]:
    form = _endpoint_form()
    if form.validate_on_submit():
        position = db.get_or_404(Position, form.position.data)
        settings = webhooks.EndpointSettings(
            url=form.url.data or "", events=frozenset(form.events.data or ()),
            description=form.description.data or "", allow_private=bool(form.allow_private.data))
        try:
            endpoint, secret = webhooks.create_endpoint(
                db.session, position, settings, current_user,
                allow_loopback_http=_loopback_http())
        except webhooks.WebhookError as error:
            db.session.rollback()
            form.url.errors = [*form.url.errors, str(error)]
        else:
            db.session.commit()
            return render_template("admin/webhook_secret.html", endpoint=endpoint,
                                   secret=secret, rotated=False)
    return _listing(form), 422


def _endpoint_or_404(endpoint_id: int) -> WebhookEndpoint:
    return db.get_or_404(WebhookEndpoint, endpoint_id)


def _back(endpoint_id: int) -> Response:
    return redirect(url_for("admin.webhook_page", endpoint_id=endpoint_id))


@bp.get("/webhooks/<id:endpoint_id>")
@roles_required(Role.ADMIN)
def webhook_page(endpoint_id: int) -> str:
    endpoint = _endpoint_or_404(endpoint_id)
    return render_template("admin/webhook.html", endpoint=endpoint,
                           log=webhooks.delivery_log(db.session, endpoint),
                           labels={event.value: label for event, label
                                   in webhooks.EVENT_LABELS.items()},
                           log_size=webhooks.LOG_SIZE,
                           previous_signs=webhooks.previous_secret_signs(endpoint),
                           grace_hours=webhooks.ROTATION_GRACE.total_seconds() // 3600)


@bp.post("/webhooks/<id:endpoint_id>/rotate")
@roles_required(Role.ADMIN)
def rotate_webhook_secret(endpoint_id: int) -> str:
    endpoint = _endpoint_or_404(endpoint_id)
    secret = webhooks.rotate_secret(db.session, endpoint, current_user)
    db.session.commit()
    return render_template("admin/webhook_secret.html", endpoint=endpoint, secret=secret,
                           rotated=True,
                           grace_hours=webhooks.ROTATION_GRACE.total_seconds() // 3600)


@bp.post("/webhooks/<id:endpoint_id>/active")
@roles_required(Role.ADMIN)
def switch_webhook(endpoint_id: int) -> Response:
    endpoint = _endpoint_or_404(endpoint_id)
    active = request.form.get("active") == "1"
    webhooks.set_active(db.session, endpoint, active, current_user)
    db.session.commit()
    flash("The endpoint is on: new events are sent to it." if active else
          "The endpoint is off: nothing is sent to it until it is switched on.", "success")
    return _back(endpoint.id)


@bp.post("/webhooks/<id:endpoint_id>/delete")
@roles_required(Role.ADMIN)
def delete_webhook(endpoint_id: int) -> Response:
    endpoint = _endpoint_or_404(endpoint_id)
    position_id = endpoint.position_id
    webhooks.delete_endpoint(db.session, endpoint, current_user)
    db.session.commit()
    flash("The endpoint and its delivery log were deleted.", "success")
    return redirect(url_for("admin.webhooks_page", position=position_id))


@bp.post("/webhooks/<id:endpoint_id>/test")
@roles_required(Role.ADMIN)
def test_webhook(endpoint_id: int) -> Response:
    endpoint = _endpoint_or_404(endpoint_id)
    try:
        delivery = webhooks.send_test(db.session, endpoint, current_user)
    except webhooks.WebhookError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"A test event ({delivery.message_id}) is queued; its line below shows how "
              "it went.", "success")
    return _back(endpoint.id)


@bp.post("/webhooks/<id:endpoint_id>/deliveries/<id:delivery_id>/redeliver")
@roles_required(Role.ADMIN)
def redeliver_webhook(endpoint_id: int, delivery_id: int) -> Response:
    delivery = db.session.scalar(db.select(WebhookDelivery).where(
        WebhookDelivery.id == delivery_id, WebhookDelivery.endpoint_id == endpoint_id))
    if delivery is None:  # none, or one of another endpoint
        abort(404)
    try:
        webhooks.redeliver(db.session, delivery, current_user)
    except webhooks.WebhookError as error:
        db.session.rollback()
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(f"Delivery {delivery.message_id} is queued again, with the same id.", "success")
    return _back(endpoint_id)

