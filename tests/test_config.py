"""Configuration that refuses mistakes: MN_ENV is development or production, a production secret is long."""

from __future__ import annotations

import pytest

from machinery_network import cli
from machinery_network.config import (
    MIN_PRODUCTION_SECRET,
    Settings,
    SettingsError,
    get_settings,
    load_settings,
)


@pytest.fixture
def environment(monkeypatch: pytest.MonkeyPatch):
    for name in ("MN_ENV", "MN_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


@pytest.mark.parametrize("value", ["prod", "Production", "PRODUCTION", "dev", "staging", ""])
def test_an_unknown_environment_is_refused(environment, value: str) -> None:
    environment.setenv("MN_ENV", value)
    environment.setenv("MN_SECRET_KEY", "s" * 64)
    with pytest.raises(SettingsError) as refused:
        load_settings()
    message = str(refused.value)
    assert "\n" not in message
    assert "MN_ENV" in message and "production" in message


def test_production_needs_a_long_secret(environment) -> None:
    environment.setenv("MN_ENV", "production")
    with pytest.raises(SettingsError, match="MN_SECRET_KEY is required"):
        load_settings()
    environment.setenv("MN_SECRET_KEY", "x")
    with pytest.raises(SettingsError, match=f"at least {MIN_PRODUCTION_SECRET} characters"):
        load_settings()
    environment.setenv("MN_SECRET_KEY", "x" * (MIN_PRODUCTION_SECRET - 1))
    with pytest.raises(SettingsError):
        load_settings()
    environment.setenv("MN_SECRET_KEY", "x" * MIN_PRODUCTION_SECRET)
    settings = load_settings()
    assert settings.env == "production" and settings.production


def test_development_is_the_default_and_takes_a_short_secret(environment) -> None:
    environment.setenv("MN_SECRET_KEY", "short")
    settings = load_settings()
    assert settings.env == "development" and not settings.production
    assert Settings(MN_ENV="development", MN_SECRET_KEY="x").env == "development"


def test_the_command_line_refuses_to_start_with_one_line(environment, capsys) -> None:
    environment.setenv("MN_ENV", "prod")
    assert cli.main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("machinery-network: invalid configuration: MN_ENV='prod'")
