"""The hiring manager's workspace: positions, submissions, invitations and reports.

One blueprint, a module per noun; every lookup goes through ``scope``, so a
manager never reaches another position's data (they get a 404).
"""

from __future__ import annotations

from flask import Blueprint
from flask_login import login_required

bp = Blueprint("manage", __name__, url_prefix="/manage")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in staff member."""


from screening.web.manage import (  # noqa: E402, F401
    attempts,
    invitations,
    positions,
    reports,
    submissions,
    zips,
)
