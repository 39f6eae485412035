"""Settings from the environment (the README's configuration table lists them)."""

from __future__ import annotations

import secrets
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "production"]

DEFAULT_TIMEZONE = "Europe/Berlin"
# The network time zone of services called without one (tests, scripts); entry points pass ``Settings.tz``.
DEFAULT_TZ = ZoneInfo(DEFAULT_TIMEZONE)

# In production the signing secret must be long enough not to be guessed (32 characters of
# ``secrets.token_urlsafe`` are 192 bits).
MIN_PRODUCTION_SECRET = 32


DEFAULT_MAP_TILES = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_MAP_ATTRIBUTION = "© OpenStreetMap contributors (openstreetmap.org/copyright)"
# The documented alternative: basemap.de of the German federal and state surveying offices.
BASEMAP_DE_TILES = (
    "https://sgx.geodatenzentrum.de/wmts_basemapde/tile/1.0.0/de_basemapde_web_raster_farbe/default/"
    "GLOBAL_WEBMERCATOR/{z}/{y}/{x}.png"
)


def tile_host(url: str) -> str:
    """The CSP source of a tile URL template: ``https://host`` (``{s}`` subdomains: ``https://*.rest``)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url.replace("{s}", "a"))
    if parts.scheme not in ("https", "http") or not parts.hostname or not all(k in url for k in ("{z}", "{x}", "{y}")):
        raise ValueError("MN_MAP_TILES must be an http(s) URL with {z}, {x} and {y}")
    host = urlsplit(url).netloc
    if "{s}" in host:
        host = "*." + host.split(".", 1)[1]
    if not all(c.isalnum() or c in "-.*:" for c in host):
        raise ValueError("MN_MAP_TILES has an unusable host")
    return f"{parts.scheme}://{host}"


class SettingsError(ValueError):
    """The environment holds a setting the service refuses to start with; the message is one line."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=None, extra="ignore", populate_by_name=True)

    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("./var"), alias="MN_DATA_DIR")
    secret_key: str | None = Field(default=None, alias="MN_SECRET_KEY")
    timezone: str = Field(default=DEFAULT_TIMEZONE, alias="MN_TIMEZONE")
    smtp_url: str | None = Field(default=None, alias="MN_SMTP_URL")
    smtp_from: str = Field(default="maschinennetz@localhost", alias="MN_SMTP_FROM")
    env: Environment = Field(default="development", alias="MN_ENV")
    booking_horizon_days: int = Field(default=180, alias="MN_BOOKING_HORIZON_DAYS", ge=1)
    # How long before a booking's start the machine may be handed over (checkout).
    handover_lead_hours: int = Field(default=48, alias="MN_HANDOVER_LEAD_HOURS", ge=0, le=24 * 30)
    upload_max_bytes: int = Field(default=5 * 1024 * 1024, alias="MN_UPLOAD_MAX_BYTES", ge=1)
    # The address links in mails and calendar feeds start with; ``serve`` defaults it to where it listens.
    base_url: str = Field(default="http://127.0.0.1:8000", alias="MN_BASE_URL")
    # Where people report barriers (the accessibility statement, /barrierefreiheit, names it).
    accessibility_contact: str = Field(default="barrierefreiheit@example.org", alias="MN_ACCESSIBILITY_CONTACT",
                                       min_length=3)
    db_pool_size: int = Field(default=10, alias="MN_DB_POOL_SIZE", ge=1)
    # The role the application's connections act as (row-level security applies to it; migrations
    # create it). Empty: the role of DATABASE_URL itself (only for a server without that role).
    db_role: str = Field(default="mn_app", alias="MN_DB_ROLE")
    access_log: bool = Field(default=True, alias="MN_ACCESS_LOG")
    vat_rates_text: str = Field(default="0,7,19", alias="MN_VAT_RATES")
    # Public holidays of one federal state besides the nationwide ones (winter-service duty times).
    holiday_state: str = Field(default="", alias="MN_HOLIDAY_STATE")
    # Background map tiles of the section map (an https URL template with {z}, {x}, {y}, optionally {s});
    # its host is the only foreign host the pages' CSP allows, for images only.
    map_tiles: str = Field(default=DEFAULT_MAP_TILES, alias="MN_MAP_TILES")
    map_attribution: str = Field(default=DEFAULT_MAP_ATTRIBUTION, alias="MN_MAP_ATTRIBUTION")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        ZoneInfo(value)  # raises for an unknown zone
        return value

    @field_validator("database_url")
    @classmethod
    def _async_driver(cls, value: str | None) -> str | None:
        return asyncpg_url(value) if value else None

    @field_validator("holiday_state")
    @classmethod
    def _state(cls, value: str) -> str:
        from machinery_network.care.duty import STATES

        value = value.strip().upper()
        if value and value not in STATES:
            raise ValueError(f"unknown federal state {value!r} (one of {', '.join(STATES)})")
        return value

    @field_validator("map_tiles")
    @classmethod
    def _tiles(cls, value: str) -> str:
        tile_host(value)  # raises for a URL without a host or the tile placeholders
        return value

    @property
    def map_tile_host(self) -> str:
        return tile_host(self.map_tiles)

    @field_validator("vat_rates_text")
    @classmethod
    def _vat_rates(cls, value: str) -> str:
        parse_vat_rates(value)  # raises for a bad list
        return value

    @model_validator(mode="after")
    def _production_needs_secret(self) -> Settings:
        if self.env == "production":
            if not self.secret_key:
                raise ValueError("MN_SECRET_KEY is required when MN_ENV=production")
            if len(self.secret_key) < MIN_PRODUCTION_SECRET:
                raise ValueError(
                    f"MN_SECRET_KEY must be at least {MIN_PRODUCTION_SECRET} characters when MN_ENV=production"
                )
        return self

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def vat_rates(self) -> tuple[Decimal, ...]:
        """The network's VAT rates in percent (``MN_VAT_RATES``, default ``0,7,19``)."""
        return parse_vat_rates(self.vat_rates_text)

    @property
    def upload_dir(self) -> Path:
        return self.data_dir.resolve() / "uploads"

    def resolved_secret(self) -> str:
        """The signing secret: MN_SECRET_KEY, or one generated once per data dir in development."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir.resolve() / "secret_key"
        if path.exists():
            return path.read_text().strip()
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key)
        path.chmod(0o600)
        return key


def asyncpg_url(value: str) -> str:
    """postgresql://… and postgres://… name the asyncpg driver SQLAlchemy needs."""
    for prefix in ("postgresql://", "postgres://"):
        if value.startswith(prefix):
            return "postgresql+asyncpg://" + value[len(prefix):]
    return value


def parse_vat_rates(value: str) -> tuple[Decimal, ...]:
    """'0,7,19' → (0, 7, 19); each between 0 and 100 with at most two decimals."""
    try:
        rates = tuple(Decimal(part.strip()) for part in value.split(",") if part.strip())
    except ArithmeticError as exc:
        raise ValueError(f"MN_VAT_RATES must be a comma-separated list of percentages, not {value!r}") from exc
    if not rates or any(not (0 <= rate <= 100) or rate != rate.quantize(Decimal("0.01")) for rate in rates):
        raise ValueError(f"MN_VAT_RATES must be a comma-separated list of percentages, not {value!r}")
    return rates


def load_settings() -> Settings:
    """Settings from the environment; a mistake raises ``SettingsError`` with one line naming the
    variable and what is wrong (``MN_ENV=prod`` must not silently mean development)."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(describe_settings_error(exc)) from None


def describe_settings_error(exc: ValidationError) -> str:
    reasons = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"])
        message = str(error["msg"]).removeprefix("Value error, ")
        if location:
            given = error.get("input")
            shown = f"={given!r}" if isinstance(given, str) and location.isupper() else ""
            reasons.append(f"{location}{shown}: {message}")
        else:
            reasons.append(message)
    return "invalid configuration: " + "; ".join(reasons).replace("\n", " ")


def listen_base_url(host: str, port: int) -> str:
    """The URL of a server listening on ``host``:``port``; a wildcard address (all interfaces) names
    the loopback address, an IPv6 address is bracketed."""
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "[::1]"
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{port}"


@lru_cache
def get_settings() -> Settings:
    """The process's settings, read once: for entry points only (CLI, the served app's factory).
    Services and handlers take ``Settings`` as an argument."""
    return load_settings()
