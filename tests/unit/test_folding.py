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
])
def test_folded_ignores_case_and_accents(text: str, expected: str) -> None:
    assert folded(text) == expected


def test_without_accents_keeps_case() -> None:
    assert without_accents("Zoë Ångström") == "Zoe Angstrom"
