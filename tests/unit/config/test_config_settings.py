"""Settings: read from the environment when asked, documented in the README, refused clearly."""

from pathlib import Path

import pytest

from screening.config import SETTINGS, ConfigError, database_uri, settings_from_environment

README = Path(__file__).resolve().parents[3] / "README.md"


def test_every_setting_is_in_the_readme_table() -> None:
    readme = README.read_text()
    for _, variable, _, _ in SETTINGS:
        assert f"| `{variable}` |" in readme, variable


def test_numbers_are_converted_and_bad_numbers_name_the_variable() -> None:
    assert settings_from_environment({"SCREENING_RETENTION_DAYS": "30"})["RETENTION_DAYS"] == 30
    with pytest.raises(ConfigError, match="SCREENING_INVITATION_DAYS must be a whole number"):
        settings_from_environment({"SCREENING_INVITATION_DAYS": "two weeks"})


def test_unset_settings_keep_their_defaults() -> None:
    values = settings_from_environment({})
    assert values["BASE_URL"] == "http://127.0.0.1:5000"
    assert "DATABASE_URL" not in values and "SECRET_KEY" not in values


@pytest.mark.parametrize(
    "url", ["not a url", "mysql://root@localhost/db", "postgresql+psycopg2://u@h/d"]
)
def test_unusable_database_urls_name_the_setting(url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SCREENING_DATABASE_URL"):
        database_uri(url, tmp_path)


def test_plain_postgresql_urls_use_psycopg(tmp_path: Path) -> None:
    assert database_uri("postgresql://u@h:5432/d", tmp_path).startswith("postgresql+psycopg://")
    assert database_uri(None, tmp_path) == f"sqlite:///{tmp_path / 'screening.db'}"
