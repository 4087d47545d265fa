"""Charts for the PDF reports, written as SVG by hand on the server.

Pure: numbers in, SVG text out, no plotting library. WeasyPrint draws inline
SVG as vectors (sharp in print, text still selectable) and fetches nothing for
it. Each chart carries a <title>, which WeasyPrint uses as the figure's
alternative text in the tagged PDF. Every string placed in the SVG is escaped,
so the result is safe to mark as already-escaped markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

INK = "#1d3557"
FILL = "#2f6db5"
TRACK = "#e4e9f0"
GRID = "#c9d1dc"
MUTED = "#5b6573"
FONT = 'font-family="DejaVu Sans, sans-serif"'


def _n(value: float) -> str:
    """Coordinates with at most one decimal: short SVG, identical output on every run."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _clamp(value: float, low: float = 0.0, high: float = 100.0) -> float:
    return max(low, min(high, value))


def score_bar(
    percent: float,
    *,
    sem: float | None = None,
    median: float | None = None,
    title: str,
) -> Markup:
    """A horizontal 0–100 % bar: the score, ±1 SEM as a whisker, the norm median as a tick."""
    width, height, scale = 200, 12, 2.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar" viewBox="0 0 {width} {height}" '
        f'width="{width * 0.3:g}mm" height="{height * 0.3:g}mm" role="img">',
        f"<title>{escape(title)}</title>",
        f'<rect x="0" y="2" width="{width}" height="8" fill="{TRACK}"/>',
        f'<rect x="0" y="2" width="{_n(_clamp(percent) * scale)}" height="8" fill="{FILL}"/>',
    ]
    if sem is not None and sem > 0:
        low, high = _clamp(percent - sem) * scale, _clamp(percent + sem) * scale
        parts.append(
            f'<path d="M{_n(low)} 6H{_n(high)}M{_n(low)} 3.5V8.5M{_n(high)} 3.5V8.5" '
            f'stroke="{INK}" stroke-width="1" fill="none"/>'
        )
    if median is not None:
        x = _n(_clamp(median) * scale)
        parts.append(f'<path d="M{x} 0V12" stroke="#000" stroke-width="1.6"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704: built here from numbers and escaped text


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def histogram(values: Sequence[float], bins: int = 10) -> list[int]:
    """Counts per equal-width bin over 0–100; 100 itself falls in the last bin."""
    counts = [0] * bins
    for value in values:
        index = int(_clamp(value) * bins // 100)
        counts[min(index, bins - 1)] += 1
    return counts


def distribution(values: Sequence[float], *, title: str, bins: int = 10) -> Markup:
    """A histogram of percentages (0–100) with the median marked, for the cohort report."""
    counts = histogram(values, bins)
    top = max(counts) if counts and max(counts) > 0 else 1
    left, right, plot_top, bottom = 30, 280, 22, 104
    plot_width, plot_height = right - left, bottom - plot_top
    step = plot_width / bins
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="distribution" viewBox="0 0 300 122" '
        'width="80mm" height="32.5mm" role="img">',
        f"<title>{escape(title)}</title>",
        f'<g {FONT} font-size="12" fill="{MUTED}">',
    ]
    # Horizontal grid at 0, half and the top count, labelled with whole applicants.
    for count in sorted({0, top // 2, top}):
        y = bottom - plot_height * count / top
        parts.append(f'<path d="M{left} {_n(y)}H{right}" stroke="{GRID}" stroke-width="0.8"/>')
        parts.append(f'<text x="{left - 5}" y="{_n(y + 4)}" text-anchor="end">{count}</text>')
    for index, count in enumerate(counts):
        if count:
            h = plot_height * count / top
            parts.append(
                f'<rect x="{_n(left + index * step + 1.5)}" y="{_n(bottom - h)}" '
                f'width="{_n(step - 3)}" height="{_n(h)}" fill="{FILL}"/>'
            )
    for tick in range(0, 101, 20):
        x = left + plot_width * tick / 100
        parts.append(f'<text x="{_n(x)}" y="{bottom + 15}" text-anchor="middle">{tick}%</text>')
    middle_value = median(values)
    if middle_value is not None:
        x = left + plot_width * _clamp(middle_value) / 100
        parts.append(
            f'<path d="M{_n(x)} {plot_top - 6}V{bottom}" stroke="{INK}" stroke-width="1.6" '
            'stroke-dasharray="4 3"/>'
        )
        anchor = "end" if middle_value > 60 else "start"
        offset = -4 if anchor == "end" else 4
        parts.append(
            f'<text x="{_n(x + offset)}" y="{plot_top - 8}" text-anchor="{anchor}" '
            f'fill="{INK}">median {middle_value:.0f}%</text>'
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))  # noqa: S704  # nosec B704: built here from numbers and escaped text
