"""Administration: staff accounts, email problems and API tokens (admin), positions
(admin and hr)."""

from screening.web.admin import email_problems, tokens  # noqa: F401
from screening.web.admin.routes import bp

__all__ = ["bp"]
