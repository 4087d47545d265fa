"""Administration: staff accounts, email problems, API tokens and webhooks (admin),
positions (admin and hr)."""

from screening.web.admin import email_problems, tokens, webhooks  # noqa: F401
from screening.web.admin.routes import bp

__all__ = ["bp"]
