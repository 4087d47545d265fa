"""Administration: staff accounts, email problems, API tokens and ATS connections (admin),
positions (admin and hr)."""

from screening.web.admin import ats_connections, email_problems, tokens  # noqa: F401
from screening.web.admin.routes import bp

__all__ = ["bp"]
