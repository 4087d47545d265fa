"""Every module that registers a job handler, imported when the app is built (and so by
every worker, which builds the app): a job whose kind has no handler here is dead."""

from screening.services import prerender  # noqa: F401  summary.render
