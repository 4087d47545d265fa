"""Staff sign-in and sign-out."""

from screening.web.auth import sso  # noqa: F401  (adds the single sign-on routes to bp)
from screening.web.auth.routes import bp

__all__ = ["bp"]
