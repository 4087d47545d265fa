"""The panellist's pages: start (progress, resume), one page per situation, submit."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from screening.bank import Item
from screening.extensions import db, limiter
from screening.models import Panellist
from screening.services import panels
from screening.services.panels import LinkState
from screening.web import errors
from screening.web.panel.forms import NOT_RATED, PanelSubmitForm, panel_item_form

bp = Blueprint("panel", __name__, url_prefix="/panel")
# A token is 256 random bits, but a per-address limit stops anyone trying links at scale.
limiter.limit("240 per minute")(bp)


SESSION_EXPIRED = ("Your session had expired, so nothing was saved; your ratings are still "
                   "ticked below: press Save again.")


@bp.errorhandler(CSRFError)
def _session_expired(error: CSRFError) -> ResponseReturnValue:
    """A situation's ratings posted with an expired session: the page again, as ticked."""
    if request.endpoint != "panel.item" or request.method != "POST":
        return errors.form_expired()
    arguments = request.view_args or {}
    token, number = str(arguments.get("token", "")), int(arguments.get("number", 0))
    try:
        found = _open_panellist(token)
        if isinstance(found, Response):
            return found
        items = panels.rated_items(found.panel)
        if not 1 <= number <= len(items):
            abort(404)
    except HTTPException as refused:
        # An unknown link or situation: the page the app shows for it, not a handler error.
        return current_app.handle_http_exception(refused)
    flash(SESSION_EXPIRED, "warning")
    # The form reads what was posted; nothing is validated or saved.
    return _item_page(found, token, number, items[number - 1],
                      panel_item_form(items[number - 1]), len(items))


def _panellist_or_404(token: str) -> Panellist:
    panellist = panels.panellist_by_token(db.session, token)
    if panellist is None:
        abort(404)
    return panellist


def _closed_page(panellist: Panellist) -> Response:
    """The polite page for a link that takes no more ratings (410: it will not again)."""
    state = panels.link_state(panellist)
    page = render_template("panel/closed.html", state=state.value, panellist=panellist)
    return make_response(page, 200 if state is LinkState.SUBMITTED else 410)


def _open_panellist(token: str) -> Panellist | Response:
    panellist = _panellist_or_404(token)
    if panels.link_state(panellist) is not LinkState.OPEN:
        return _closed_page(panellist)
    return panellist


@bp.get("/<token>", endpoint="start")
def start(token: str) -> str | Response:
    found = _open_panellist(token)
    if isinstance(found, Response):
        return found
    items = panels.rated_items(found.panel)
    unrated = panels.unrated_items(found, items)
    return render_template("panel/start.html", panellist=found, token=token, items=items,
                           unrated=unrated, free_text=panels.free_text_items(found.panel),
                           resume=1 + items.index(unrated[0]) if unrated else None)


def _item_page(panellist: Panellist, token: str, number: int, item: Item, form: object,
               total: int) -> str:
    return render_template("panel/item.html", panellist=panellist, token=token, item=item,
                           form=form, number=number, total=total)


@bp.route("/<token>/s/<int:number>", methods=["GET", "POST"], endpoint="item")
@limiter.limit("60 per minute", methods=["POST"])
def item_page(token: str, number: int) -> str | Response | tuple[str, int]:
    found = _open_panellist(token)
    if isinstance(found, Response):
        return found
    items = panels.rated_items(found.panel)
    if not 1 <= number <= len(items):
        abort(404)
    item = items[number - 1]
    saved = panels.responses_by_item(found).get(item.id)
    form = panel_item_form(item)
    if not form.is_submitted():
        if saved is not None:
            form = panel_item_form(item, data={
                **{f"rate_{option}": rating for option, rating in saved.ratings.items()},
                "comment": saved.comment})
        return _item_page(found, token, number, item, form, len(items))
    finishing_later = request.form.get("action") == "later"
    if not form.validate():
        return _item_page(found, token, number, item, form, len(items)), 400
    if form.missing() and not finishing_later:
        for option_id in form.missing():
            form[f"rate_{option_id}"].errors = [NOT_RATED]
        return _item_page(found, token, number, item, form, len(items)), 400
    try:
        panels.save_ratings(db.session, found, item, form.ratings(), form.comment.data or "")
    except panels.PanelError as refused:
        db.session.rollback()
        flash(str(refused), "warning")
        return redirect(url_for("panel.start", token=token))
    db.session.commit()
    if finishing_later:
        flash("Saved. Open your link again at any time to carry on where you left off.",
              "success")
        return redirect(url_for("panel.start", token=token))
    if number < len(items):
        return redirect(url_for("panel.item", token=token, number=number + 1))
    return redirect(url_for("panel.review", token=token))


@bp.route("/<token>/submit", methods=["GET", "POST"], endpoint="review")
@limiter.limit("20 per minute", methods=["POST"])
def review(token: str) -> str | Response | tuple[str, int]:
    found = _open_panellist(token)
    if isinstance(found, Response):
        return found
    items = panels.rated_items(found.panel)
    unrated = panels.unrated_items(found, items)
    form = PanelSubmitForm()
    if form.validate_on_submit():
        try:
            panels.submit(db.session, found)
        except panels.PanelError as refused:
            db.session.rollback()
            flash(str(refused), "warning")
        else:
            db.session.commit()
            return redirect(url_for("panel.start", token=token))
    page = render_template("panel/review.html", panellist=found, token=token, items=items,
                           unrated=unrated, form=form)
    return (page, 400) if form.is_submitted() else page
