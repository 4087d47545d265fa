"""What a search compares and what a download's ASCII name keeps: written out by hand."""

from __future__ import annotations

import pytest

from screening.folding import folded, without_accents


@pytest.mark.parametrize(("text", "expected"), [
    ("María José", "maria jose"),
    ("JOSÉ", "jose"),
    ("Straße", "strasse"),
    ("İlkay", "ilkay"),
    ("Mari\u0301a", "maria"),  # decomposed accent, as some keyboards send it
    ("ﬁona", "fiona"),
    ("한국", "한국"),  # no marks to drop: Hangul comes back composed
    # Marks drawn into the letter, which Unicode does not decompose.
    ("Łukasz Łódź", "lukasz lodz"),
    ("Đorđe", "dorde"),
    ("Søren Øster", "soren oster"),
    ("Æsa Þórsdóttir", "aesa thorsdottir"),
    ("Œuvre", "oeuvre"),
    ("Ħal Għargħur", "hal gharghur"),
])
def test_folded_ignores_case_and_accents(text: str, expected: str) -> None:
    assert folded(text) == expected


def test_without_accents_keeps_case() -> None:
    assert without_accents("Zoë Ångström") == "Zoe Angstrom"
    assert without_accents("Łukasz Søren") == "Lukasz Soren"
