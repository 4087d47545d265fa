"""The baseline for bench/load.py: a bare Flask route under the same gunicorn settings.

No database, no templates, no session: what serving any Flask request costs here.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def bare() -> str:
    return "ok"
