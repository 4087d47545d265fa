"""screening: situational-judgement screening for front-line, customer-facing jobs.

This file stays empty: importing the pure core (bank, scoring, reports content,
exports) must never load Flask. The app is built by ``screening.app.create_app``.
"""
