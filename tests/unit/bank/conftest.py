"""Fixtures for the question-bank tests: a bank folder under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

# The helpers assert on problems; let pytest explain their failures too.
pytest.register_assert_rewrite("bank_testkit")

from bank_testkit import BankFolder  # noqa: E402


@pytest.fixture
def bank(tmp_path: Path) -> BankFolder:
    return BankFolder(tmp_path / "questions")
