"""API tokens (admin): each with its owner as they are now, expiry and last use; revoke.

Tokens are made with `flask api-tokens create`, which prints the token once; this
page never has it (only its hash is stored).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from screening.extensions import db
from screening.models import ApiToken, Role
from screening.services import api_tokens
from screening.web.admin.forms import ROLE_CHOICES
from screening.web.admin.routes import bp
from screening.web.auth.routes import roles_required


@bp.get("/api-tokens")
@roles_required(Role.ADMIN)
def api_tokens_page() -> str:
    return render_template("admin/api_tokens.html", tokens=api_tokens.listing(db.session),
                           states=api_tokens.TokenState,
                           role_labels={choice.value: choice.label for choice in ROLE_CHOICES})


@bp.post("/api-tokens/<id:token_id>/revoke")
@roles_required(Role.ADMIN)
def revoke_api_token(token_id: int) -> Response:
    token = db.get_or_404(ApiToken, token_id)
    if token.revoked_at is not None:
        flash(f"The token {token.name} was already revoked.", "success")
    else:
        api_tokens.revoke(db.session, token.id, current_user)
        db.session.commit()
        flash(f"The token {token.name} is revoked: it reads nothing from now on.", "success")
    return redirect(url_for("admin.api_tokens_page"))
