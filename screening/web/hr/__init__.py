"""HR's workspace: exports, analytics, adverse impact, the audit log, erasure,
applicants' requests about their result, practitioners' keying panels and local
validation against job outcomes."""

from screening.web.hr import panels, requests, validation  # noqa: F401  (their routes join the blueprint)
from screening.web.hr.routes import bp

__all__ = ["bp"]
