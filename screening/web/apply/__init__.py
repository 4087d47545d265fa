"""The applicant's pages: consent, one question per page, review, submit, thanks."""

from screening.web.apply.routes import bp

__all__ = ["bp"]
