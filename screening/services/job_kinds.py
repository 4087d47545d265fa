"""Every module that registers a background-job handler, imported where jobs are enqueued
or run.

The app imports this when it is built, and so must any worker: a job whose kind has no
handler in the running process can only be dead-lettered.
"""

from screening.services import ats_callbacks, webhook_delivery

__all__ = ["ats_callbacks", "webhook_delivery"]
