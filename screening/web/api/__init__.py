"""The read-only JSON API for applicant-tracking systems (token auth, /api/v1)."""

from screening.web.api.routes import bp

__all__ = ["bp"]
