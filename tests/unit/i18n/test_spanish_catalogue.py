"""Every applicant-facing string marked for translation has a Spanish translation.

The strings are extracted afresh from the code and templates (as `pybabel extract`
does with babel.cfg), so a new string left untranslated fails here instead of
silently showing English to an applicant who chose Spanish.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

PROJECT_ROOT = Path(__file__).resolve().parents[3]
TRANSLATIONS = PROJECT_ROOT / "screening" / "translations"
#: As in README, "Languages": the keywords pybabel is given besides its defaults.
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _mapping() -> list[tuple[str, str]]:
    methods = []
    for line in (PROJECT_ROOT / "babel.cfg").read_text().splitlines():
        match = re.fullmatch(r"\[(\w+):\s*(.+)\]", line.strip())
        if match:
            methods.append((match.group(2), match.group(1)))
    return methods


@pytest.fixture(scope="module")
def extracted() -> dict[object, str]:
    """msgid (a tuple for plurals) -> where it was found."""
    found: dict[object, str] = {}
    for filename, _lineno, message, _comments, _context in extract_from_dir(
        str(PROJECT_ROOT), method_map=_mapping(), keywords=KEYWORDS
    ):
        found.setdefault(message, filename)
    return found


@pytest.fixture(scope="module")
def spanish() -> Catalog:
    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po)


def test_the_extraction_finds_the_applicant_pages(extracted: dict[object, str]) -> None:
    # Guards the test itself: a broken babel.cfg would find nothing and pass everything.
    assert "Submit my answers" in extracted
    assert "Please choose one option." in extracted
    assert "We have your answers for <strong>%(title)s</strong>." in extracted


def test_every_string_has_a_spanish_translation(
    extracted: dict[object, str], spanish: Catalog
) -> None:
    untranslated = []
    for message_id, where in extracted.items():
        entry = spanish.get(message_id)
        strings = entry.string if entry is not None else None
        complete = entry is not None and not entry.fuzzy and (
            all(strings) if isinstance(strings, tuple) else bool(strings))
        if not complete:
            untranslated.append(f"{where}: {message_id!r}")
    assert not untranslated, (
        "Untranslated (see README, Languages):\n" + "\n".join(untranslated))


def test_translations_keep_every_placeholder(spanish: Catalog) -> None:
    for entry in spanish:
        if not entry.id:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, (entry.id, string)
        # HTML in a message (links, emphasis) must survive translation.
        assert sorted(re.findall(r"</?\w+", ids[0])) == sorted(re.findall(r"</?\w+", strings[0]))


def test_the_compiled_catalogue_matches_the_po_file(spanish: Catalog) -> None:
    """The .mo the app reads is compiled from the current .po (`pybabel compile`)."""
    with (TRANSLATIONS / "es" / "LC_MESSAGES" / "messages.mo").open("rb") as mo:
        compiled = read_mo(mo)
    def pairs(catalog: Catalog) -> dict[object, object]:
        return {_tuple(entry.id): _tuple(entry.string)
                for entry in catalog if entry.id and not entry.fuzzy}

    assert pairs(compiled) == pairs(spanish)


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value
