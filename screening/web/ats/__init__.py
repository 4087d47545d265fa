"""Endpoints an applicant-tracking system calls (Greenhouse's Assessment Partner API)."""

from screening.web.ats.greenhouse import bp

__all__ = ["bp"]
