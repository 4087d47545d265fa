"""Staff sign-in and sign-out."""

from screening.web.auth.routes import bp

__all__ = ["bp"]
