"""Administration: staff accounts, email problems, background jobs, API tokens, ATS
connections and webhooks (admin), positions (admin and hr)."""

from screening.web.admin import (  # noqa: F401
    ats_connections,
    email_problems,
    jobs,
    tokens,
    webhooks,
)
from screening.web.admin.routes import bp

__all__ = ["bp"]
