"""A practitioner's keying-panel link: rate every option of every situation, then submit.

Public pages whose token is the whole right, like the applicant's link: rate-limited,
CSRF-checked, no JavaScript needed. They show each situation and its options in the
bank's order, never the key, the rationales, red flags or anyone else's ratings. They
are in English: panellists are the employer's own staff, not applicants.
"""

from screening.web.panel.routes import bp

__all__ = ["bp"]
