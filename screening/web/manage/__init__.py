"""The hiring manager's workspace: positions, applicants, results, reports."""

from screening.web.manage.routes import bp

__all__ = ["bp"]
