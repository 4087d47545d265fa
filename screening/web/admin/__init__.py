"""Administration: staff accounts (admin) and positions (admin and hr)."""

from screening.web.admin.routes import bp

__all__ = ["bp"]
