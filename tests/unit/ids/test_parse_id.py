"""Ids typed or passed in by people, or in a URL: only what can name a row gets through."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from screening.ids import MAX_ID, parse_id
from screening.web.converters import IdConverter, numbers_up_to


@pytest.mark.parametrize("text, expected", [
    ("1", 1), (" 42 ", 42), ("2147483647", 2**31 - 1), ("007", 7),
])
def test_ids_that_can_name_a_row(text: str, expected: int) -> None:
    assert parse_id(text) == expected


@pytest.mark.parametrize("text", [
    "", "0", "-3", "2147483648", "9223372036854775808", "1" * 40, "²", "٣", "１２", "1.0",
    "12a", "0x1f",
])
def test_anything_else_is_none_not_an_error(text: str) -> None:
    assert parse_id(text) is None


def test_the_limit_is_postgresqls_integer() -> None:
    assert MAX_ID == 2**31 - 1


@given(st.integers(min_value=-10, max_value=2**33))
def test_the_url_converter_matches_exactly_the_ids_parse_id_accepts(number: int) -> None:
    pattern = re.compile(IdConverter.regex)
    assert bool(pattern.fullmatch(str(number))) == (parse_id(str(number)) is not None)


@pytest.mark.parametrize("limit", [1, 9, 10, 99, 100, 305, 1000, 2999])
def test_numbers_up_to_every_limit(limit: int) -> None:
    pattern = re.compile(numbers_up_to(limit))
    matched = [n for n in range(0, limit * 3 + 20) if pattern.fullmatch(str(n))]
    assert matched == list(range(1, limit + 1))
    assert not pattern.fullmatch("0") and not pattern.fullmatch("01")
