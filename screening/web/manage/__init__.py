"""The hiring manager's workspace: positions, applicants, results, reviews."""

from screening.web.manage import actions  # noqa: F401 - registers the POST views on bp
from screening.web.manage.routes import bp

__all__ = ["bp"]
