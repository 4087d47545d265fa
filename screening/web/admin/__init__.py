"""Administration: staff accounts, email problems, background jobs and API tokens
(admin), positions (admin and hr)."""

from screening.web.admin import email_problems, jobs, tokens  # noqa: F401
from screening.web.admin.routes import bp

__all__ = ["bp"]
