"""HR's workspace: exports, analytics, adverse impact, the audit log and erasure."""

from screening.web.hr.routes import bp

__all__ = ["bp"]
