"""Imported once by the PDF forkserver: warm WeasyPrint up before any renderer is forked.

The import itself does the work, because ``set_forkserver_preload`` can only
import modules. Loading WeasyPrint, initialising fontconfig and shaping text in
the report's font once here means every forked renderer starts warm (about
15 ms of overhead per report instead of 60 ms or more). Nothing else imports
this module.
"""

from __future__ import annotations

import logging

from screening.reports.pdf import render_pdf_here

WARM_UP_HTML = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>warm-up</title>'
    '<style>html { font-family: "DejaVu Sans", sans-serif }</style></head>'
    "<body><p>Warm-up <strong>bold</strong></p></body></html>"
)

try:
    render_pdf_here(WARM_UP_HTML)
except Exception:  # a cold renderer is slower, never wrong
    logging.getLogger(__name__).exception("PDF renderer warm-up failed")
