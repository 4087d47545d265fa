"""Every module that registers a background-job handler, imported when the app is built
(screening.queue), and so by every worker, which builds the app: a job whose kind has no
handler in the running process can only be dead-lettered.
"""

from screening.services import ats_callbacks, position_zips, prerender, webhook_delivery

__all__ = ["ats_callbacks", "position_zips", "prerender", "webhook_delivery"]
