"""How a report PDF is sent, to staff and applicants alike."""

from __future__ import annotations

from flask import Response

from screening.services.reports import ReportFile


def pdf_response(file: ReportFile) -> Response:
    return Response(file.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{file.filename}"',
        # Personal data: no shared or browser cache may keep a copy.
        "Cache-Control": "private, no-store",
        "X-Report-Cache": "hit" if file.cached else "miss",
    })
