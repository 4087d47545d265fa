"""HR's workspace: exports, analytics, adverse impact, the audit log, erasure and
applicants' requests about their result, and practitioners' keying panels."""

from screening.web.hr import panels, requests  # noqa: F401  (their routes join the blueprint)
from screening.web.hr.routes import bp

__all__ = ["bp"]
