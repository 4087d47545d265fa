"""Fixtures for the question-bank tests: a bank folder under tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.bank.factories import BankFolder


@pytest.fixture
def bank(tmp_path: Path) -> BankFolder:
    return BankFolder(tmp_path / "questions")
