"""Entry point for gunicorn: `gunicorn wsgi:app`."""

import sys

from screening.app import create_app
from screening.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # One clear line for the operator instead of a traceback.
    sys.exit(f"screening: {error.format_message()}")
