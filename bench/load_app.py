"""The real app for bench/load.py, under gunicorn: `gunicorn bench.load_app:app`.

Identical to wsgi.py except that rate limiting is off: every simulated applicant
comes from 127.0.0.1, which the per-address limits would (rightly) stop.
"""

from screening.app import create_app

app = create_app({"RATELIMIT_ENABLED": False})
