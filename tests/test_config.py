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


def test_listen_base_url_names_the_served_address() -> None:
    from machinery_network.config import listen_base_url

    assert listen_base_url("127.0.0.1", 8123) == "http://127.0.0.1:8123"
    assert listen_base_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"
    assert listen_base_url("::", 9000) == "http://[::1]:9000"
    assert listen_base_url("fd00::5", 80) == "http://[fd00::5]:80"
    assert listen_base_url("maschinen.example", 8080) == "http://maschinen.example:8080"


@pytest.mark.parametrize(("given", "expected"), [(None, "http://127.0.0.1:8765"), ("https://mn.example", "https://mn.example")])
def test_serve_defaults_mn_base_url_to_its_listening_address(environment, given, expected) -> None:
    """Mail and calendar links follow ``--port`` unless MN_BASE_URL is set."""
    environment.setenv("MN_BASE_URL", "recorded")  # monkeypatch restores the original value afterwards
    environment.delenv("MN_BASE_URL")
    if given:
        environment.setenv("MN_BASE_URL", given)
    seen = {}

    def fake_serve(args) -> int:
        seen["base_url"] = get_settings().base_url
        return 0

    environment.setattr(cli, "cmd_serve", fake_serve)
    assert cli.main(["serve", "--port", "8765", "--no-scheduler"]) == 0
    assert seen["base_url"] == expected
