"""Ids typed or passed in by people: only what can name a row gets through."""

import pytest

from screening.services.ids import MAX_ID, parse_id


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
