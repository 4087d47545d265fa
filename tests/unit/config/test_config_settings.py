"""Settings: read from the environment when asked, documented in the README, refused clearly."""

from pathlib import Path

import pytest

from screening.config import (
    SETTINGS,
    ConfigError,
    database_uri,
    settings_from_environment,
    sso_settings,
)

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


SSO = {
    "OIDC_DISCOVERY_URL": "https://login.example.com/.well-known/openid-configuration",
    "OIDC_CLIENT_ID": "screening",
    "OIDC_CLIENT_SECRET": "secret",
    "OIDC_ALLOWED_DOMAINS": "example.com",
}


def test_single_sign_on_is_off_without_a_discovery_url() -> None:
    assert sso_settings({"LOCAL_PASSWORDS": 1}) is None


def test_single_sign_on_settings_are_read_and_checked() -> None:
    settings = sso_settings({**SSO, "OIDC_ROLE_CLAIM": "groups",
                             "OIDC_ROLE_MAP": "store-managers=manager",
                             "OIDC_PROVIDER_NAME": "Example Corp", "LOCAL_PASSWORDS": 0})
    assert settings is not None
    assert (settings.client_id, settings.provider_name) == ("screening", "Example Corp")
    assert settings.policy.allowed_domains == frozenset({"example.com"})
    assert settings.policy.role_from_claims({"groups": ["store-managers"]}) == "manager"


@pytest.mark.parametrize(("changes", "message"), [
    ({"OIDC_ALLOWED_DOMAINS": ""}, "SCREENING_OIDC_ALLOWED_DOMAINS is required"),
    ({"OIDC_ALLOWED_DOMAINS": " , "}, "SCREENING_OIDC_ALLOWED_DOMAINS must name"),
    ({"OIDC_CLIENT_ID": None}, "SCREENING_OIDC_CLIENT_ID is required"),
    ({"OIDC_CLIENT_SECRET": ""}, "SCREENING_OIDC_CLIENT_SECRET is required"),
    ({"OIDC_ROLE_CLAIM": "groups"}, "go together"),
    ({"OIDC_ROLE_MAP": "store-managers=manager"}, "go together"),
    ({"OIDC_ROLE_CLAIM": "groups", "OIDC_ROLE_MAP": "a=boss"}, "SCREENING_OIDC_ROLE_MAP"),
    ({"OIDC_DISCOVERY_URL": "http://login.example.com/.well-known/openid-configuration"},
     "must be an https:// URL"),
    ({"LOCAL_PASSWORDS": 2}, "SCREENING_LOCAL_PASSWORDS must be 1 or 0"),
])
def test_half_configured_single_sign_on_refuses_to_start(changes: dict[str, object],
                                                         message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        sso_settings({**SSO, **changes})


def test_passwords_off_without_single_sign_on_refuses_to_start() -> None:
    with pytest.raises(ConfigError, match="SCREENING_LOCAL_PASSWORDS=0 needs single sign-on"):
        sso_settings({"LOCAL_PASSWORDS": 0})


def test_the_app_refuses_to_start_with_single_sign_on_but_no_allowed_domains(
    tmp_path: Path,
) -> None:
    from screening.app import create_app

    with pytest.raises(ConfigError, match="SCREENING_OIDC_ALLOWED_DOMAINS is required"):
        create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
                    **{**SSO, "OIDC_ALLOWED_DOMAINS": ""}})
