"""Server-made SVG: well-formed, faithful to the numbers, and escaping every string."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from screening.reports import charts

SVG = "{http://www.w3.org/2000/svg}"


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, parsed to check it is well-formed


def test_histogram_puts_each_percent_in_its_tenth_and_100_in_the_last() -> None:
    assert charts.histogram([0, 9.9, 10, 55, 99.9, 100]) == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert charts.histogram([]) == [0] * 10


def test_median_of_odd_and_even_groups() -> None:
    assert charts.median([3, 1, 2]) == 2
    assert charts.median([4, 1, 3, 2]) == 2.5
    assert charts.median([]) is None


def test_score_bar_draws_the_score_whisker_and_median() -> None:
    svg = _parse(str(charts.score_bar(62.5, sem=5, median=70, title="Warmth: 62%")))
    assert svg.find(f"{SVG}title").text == "Warmth: 62%"
    track, fill = svg.findall(f"{SVG}rect")
    assert (track.get("width"), fill.get("width")) == ("200", "125")  # 2 units per percent
    whisker, median = svg.findall(f"{SVG}path")
    assert whisker.get("d") == "M115 6H135M115 3.5V8.5M135 3.5V8.5"  # 57.5% .. 67.5%
    assert median.get("d") == "M140 0V12"


def test_score_bar_clamps_to_the_track() -> None:
    svg = _parse(str(charts.score_bar(98, sem=10, median=None, title="t")))
    assert svg.findall(f"{SVG}rect")[1].get("width") == "196"
    (whisker,) = svg.findall(f"{SVG}path")
    assert whisker.get("d").startswith("M176 6H200")


def test_distribution_has_one_bar_per_occupied_tenth_and_marks_the_median() -> None:
    svg = _parse(str(charts.distribution([12, 15, 55, 58, 59, 91], title="Warmth")))
    bars = svg.findall(f".//{SVG}rect")
    assert len(bars) == 3
    heights = sorted(float(bar.get("height")) for bar in bars)
    # Counts 1, 2 and 3 against a top of 3: heights in proportion.
    assert heights[0] == pytest.approx(heights[2] / 3, abs=0.1)
    assert heights[1] == pytest.approx(heights[2] * 2 / 3, abs=0.1)
    labels = [text.text for text in svg.iter(f"{SVG}text")]
    assert "median 56%" in labels  # (55 + 58) / 2 = 56.5, shown as 56% (round half to even)
    assert {"0%", "20%", "40%", "60%", "80%", "100%"} <= set(labels)


def test_titles_are_escaped() -> None:
    svg = str(charts.distribution([50], title='<script>alert("x")</script> & more'))
    assert "<script>" not in svg
    parsed = _parse(svg)
    assert parsed.find(f"{SVG}title").text == '<script>alert("x")</script> & more'
