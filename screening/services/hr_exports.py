"""One way to export results: the web (HR, admin), the CLI and the benchmark all call this.

``export_table`` builds (headers, rows) once; ``stream_export`` and
``write_export`` hand them to the writer of the chosen format.
"""

from __future__ import annotations

import enum
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from sqlalchemy.orm import Session

from screening.exports.spreadsheets import csv_stream, json_stream, write_xlsx
from screening.models import User
from screening.services.export_records import ExportFilters, long_table, wide_table

#: Bytes per chunk when a finished XLSX file is sent back.
FILE_CHUNK_BYTES = 256 * 1024


class ExportFormat(enum.StrEnum):
    CSV = "csv"
    XLSX = "xlsx"
    JSON = "json"


class Layout(enum.StrEnum):
    WIDE = "wide"
    LONG = "long"


MIMETYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.JSON: "application/json",
}


@dataclass(frozen=True)
class ExportRequest:
    format: ExportFormat = ExportFormat.CSV
    layout: Layout = Layout.WIDE
    filters: ExportFilters = field(default_factory=ExportFilters)
    #: start a CSV with a byte-order mark so Excel reads it as UTF-8.
    bom: bool = False

    @property
    def filename(self) -> str:
        scope = f"position-{self.filters.position_id}" if self.filters.position_id else "all"
        return f"results-{self.layout.value}-{scope}.{self.format.value}"

    @property
    def mimetype(self) -> str:
        return MIMETYPES[self.format]

    def describe(self) -> dict[str, Any]:
        """What was exported, for the audit log (no personal data)."""
        return {"format": self.format.value, "layout": self.layout.value,
                **self.filters.describe()}


def export_table(
    session: Session, request: ExportRequest, user: User | None = None
) -> tuple[tuple[str, ...], Iterator[list[Any]]]:
    if request.layout is Layout.LONG:
        return long_table(session, request.filters, user)
    return wide_table(session, request.filters, user)


def stream_export(
    session: Session, request: ExportRequest, user: User | None = None
) -> Iterator[bytes]:
    """The export file as byte chunks, for a streamed HTTP response.

    CSV and JSON go out as they are written. An XLSX file is a zip whose index
    comes last, so it is written to a temporary file first and then streamed.
    """
    headers, rows = export_table(session, request, user)
    if request.format is ExportFormat.CSV:
        return (chunk.encode("utf-8") for chunk in csv_stream(headers, rows, bom=request.bom))
    if request.format is ExportFormat.JSON:
        return (chunk.encode("utf-8") for chunk in json_stream(headers, rows))
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by _file_chunks
    write_xlsx(headers, rows, spool, sheet_name=f"results {request.layout.value}")
    spool.seek(0)
    return _file_chunks(spool)


def _file_chunks(handle: IO[bytes]) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(FILE_CHUNK_BYTES):
            yield chunk


def write_export(
    session: Session, request: ExportRequest, target: IO[bytes], user: User | None = None
) -> None:
    """Write the export file to an open binary file (the CLI and the benchmark)."""
    if request.format is ExportFormat.XLSX:
        headers, rows = export_table(session, request, user)
        write_xlsx(headers, rows, target, sheet_name=f"results {request.layout.value}")
        return
    for chunk in stream_export(session, request, user):
        target.write(chunk)
