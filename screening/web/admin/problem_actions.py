"""Retry or discard one problem (an email that will not go, a dead job): shared by the
admin's problem pages, whose services do the conditional change and the audit."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash
from flask_login import current_user

from screening.extensions import db


def act_on_problem(model: type, object_id: int, action: Callable[..., None],
                   refused: type[Exception], done: str) -> bool:
    """Run ``action(session, row, actor)`` and commit (which hands a retried row to the
    task queue); flash what happened, or why nothing did."""
    found = db.get_or_404(model, object_id)
    try:
        action(db.session, found, current_user)
    except refused as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
    db.session.commit()
    flash(done, "success")
    return True
