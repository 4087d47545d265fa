"""The validation figures of one position as (headers, rows), for HR's CSV download.
Pure: no Flask, no SQLAlchemy. One row per figure, the kind of figure in ``table``:
a correlation, a band of an expectancy table, or an item of a key check; withheld
figures have empty cells and say why in ``note``."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from screening.scoring.validity import ValidityReport

VALIDITY_COLUMNS: tuple[str, ...] = (
    "questionnaire_version", "demo_data", "table", "score", "outcome", "band", "item",
    "n", "value", "ci_low", "ci_high", "good_n", "good_share", "poor_n", "poor_share",
    "note",
)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def validity_rows(reports: Iterable[tuple[str, ValidityReport]]) -> Iterator[list[Any]]:
    """Rows of VALIDITY_COLUMNS for each (version label, report)."""
    for version, report in reports:
        head = [version, report.demo]
        for row in report.correlations:
            found = row.correlation
            yield [*head, "correlation", row.predictor, row.measure.key, None, None, found.n,
                   _rounded(found.r), _rounded(found.low), _rounded(found.high), None, None,
                   None, None, row.reading]
        for table in report.expectancies:
            if table.withheld:
                yield [*head, "expectancy", "band", table.measure.key, None, None, table.n,
                       None, None, None, None, None, None, None, table.withheld]
            for band in table.bands:
                yield [*head, "expectancy", "band", table.measure.key, band.band_id, None,
                       band.n, _rounded(band.value), None, None, None, None, None, None,
                       "share" if table.measure.binary else "mean"]
        for check in report.key_checks:
            if check.withheld:
                yield [*head, "key_check", None, check.measure.key, None, None,
                       check.good + check.poor, None, None, None, check.good, None,
                       check.poor, None, check.withheld]
            for item in check.items:
                yield [*head, "key_check", None, check.measure.key, None, item.item_id,
                       item.good_n + item.poor_n, _rounded(item.difference), None, None,
                       item.good_n, _rounded(item.good_share), item.poor_n,
                       _rounded(item.poor_share), "value = good share − poor share"]
