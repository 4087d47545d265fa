"""HR's workspace: exports, analytics, adverse impact, the audit log, erasure and
applicants' requests about their result."""

from screening.web.hr import requests  # noqa: F401  (its routes join the blueprint)
from screening.web.hr.routes import bp

__all__ = ["bp"]
