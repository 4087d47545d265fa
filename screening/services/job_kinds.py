"""Every module that registers a background-job handler, imported when the app is built
(and by workers), so a queued job always finds its handler."""

from screening.services import ats_callbacks

__all__ = ["ats_callbacks"]
