"""Administration: staff accounts, email problems, API tokens, ATS connections and webhooks
(admin), positions (admin and hr)."""

from screening.web.admin import ats_connections, email_problems, tokens, webhooks  # noqa: F401
from screening.web.admin.routes import bp

__all__ = ["bp"]
