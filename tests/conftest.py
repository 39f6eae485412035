"""Test fixtures on a real PostgreSQL.

Once per session: start the embedded server (or use TEST_DATABASE_URL), create a fresh database and
run the Alembic migrations. Each test then runs inside an outer transaction that is rolled back at the
end; the app's request sessions join it through savepoints, so commits in the code under test are
real savepoint releases and nothing leaks between tests. Tests that need several real connections
(races, storms) use ``committed_sessionmaker`` and clean up with ``truncate_all``.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

# Settings are read on first use: fix the environment before the package is imported.
_TMP = Path(tempfile.mkdtemp(prefix="mn-test-"))
os.environ.setdefault("MN_DATA_DIR", str(_TMP))
os.environ.setdefault("MN_SECRET_KEY", "test-secret-key-not-for-production")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("MN_SMTP_URL", None)

import httpx  # noqa: E402
import pytest  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import (  # noqa: E402
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from machinery_network import clock  # noqa: E402
from machinery_network.accounts import security  # noqa: E402
from machinery_network.accounts import service as accounts  # noqa: E402
from machinery_network.accounts.models import Municipality, Role, User  # noqa: E402
from machinery_network.app import create_app  # noqa: E402
from machinery_network.auth import SYSTEM, Actor  # noqa: E402
from machinery_network.config import Settings  # noqa: E402
from machinery_network.mandates import partners  # noqa: E402
from machinery_network.testing import scratch_database  # noqa: E402

# Cheap argon2 parameters: the tests create many users; production keeps the library defaults.
security._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
PASSWORD = "correct-horse-battery"


def _server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url.replace("postgresql://", "postgresql+asyncpg://", 1) if "+asyncpg" not in url else url
    from machinery_network import embedded

    data_dir = Path(os.environ.get("MN_TEST_DATA_DIR", Path(__file__).resolve().parent.parent / "var" / "test"))
    return embedded.start(data_dir, database="postgres")


@pytest.fixture(scope="session")
async def server_url() -> AsyncIterator[str]:
    yield _server_url()


@pytest.fixture(scope="session")
async def database_url(server_url: str) -> AsyncIterator[str]:
    """A fresh database with every migration applied, dropped at the end of the session."""
    async with scratch_database(server_url, "mn_test") as url:
        yield url


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url, pool_size=5, max_overflow=60)
    yield engine
    await engine.dispose()


@pytest.fixture
async def connection(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    async with engine.connect() as conn:
        outer = await conn.begin()
        if os.environ.get("MN_TEST_APP_ROLE") == "1":
            # The whole suite as the application's role (row-level security applies): a check mode.
            await conn.execute(text("SET LOCAL ROLE mn_app"))
        try:
            yield conn
        finally:
            await outer.rollback()


@pytest.fixture
def sessionmaker(connection: AsyncConnection) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(
        bind=connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
    )


@pytest.fixture
async def db_session(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    async with sessionmaker() as session:
        yield session


@pytest.fixture(autouse=True)
def _fresh_token_cache() -> None:
    """Each test sees the database's tokens, not what an earlier test's requests cached."""
    accounts.token_cache.clear()


class FrozenClock:
    """The service clock (``clock.now``) held at one instant; ``move`` sets another."""

    def __init__(self, when: datetime) -> None:
        self.now = when.astimezone(UTC)

    def move(self, when: datetime) -> None:
        self.now = when.astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def frozen(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> FrozenClock:
    """The one frozen clock, at the test module's ``NOW``. A module whose every test needs it says
    ``pytestmark = pytest.mark.usefixtures("frozen")``."""
    frozen_clock = FrozenClock(request.module.NOW)
    monkeypatch.setattr(clock, "now", frozen_clock)
    return frozen_clock


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(MN_DATA_DIR=tmp_path, MN_SECRET_KEY="test-secret-key-not-for-production")


@pytest.fixture
async def client(settings: Settings, sessionmaker) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP client on the real app, in the test's event loop (so it can share the test's connection)."""
    app = create_app(settings, sessionmaker)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as client:
        yield client


# --- committed data for tests that need several real connections -----------------------------


@pytest.fixture
async def committed_sessionmaker(engine: AsyncEngine) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    yield async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    await truncate_all(engine)


async def truncate_all(engine: AsyncEngine) -> None:
    from sqlmodel import SQLModel

    # The installation's first network (made by the migration) stays: code that knows of no network
    # writes into the only one.
    tables = ", ".join(f'"{t}"' for t in SQLModel.metadata.tables if t != "networks")
    async with engine.begin() as conn:
        await conn.execute(text("SET LOCAL mn.allow_truncate = 'on'"))
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        await conn.execute(text("DELETE FROM networks WHERE id <> (SELECT min(id) FROM networks)"))


# --- a small network: two municipalities, staff of each, two farmers -----------------------------


@dataclass
class Person:
    user: User
    token: str

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def actor(self) -> Actor:
        return accounts.actor_of(self.user)


@dataclass
class World:
    north: Municipality
    south: Municipality
    admin: Person
    yard_north: Person
    yard_south: Person
    finance_north: Person
    finance_south: Person
    farmer: Person
    farmer2: Person
    extra: dict = field(default_factory=dict)


async def make_person(session: AsyncSession, role: str, name: str, municipality_id: int | None = None,
                      iban: str | None = None) -> Person:
    email = f"{name.lower().replace(' ', '.')}.{uuid.uuid4().hex[:6]}@example.org"
    user = await accounts.create_user(
        session, SYSTEM, email=email, password=PASSWORD, name=name, role=role,
        municipality_id=municipality_id, iban=iban,
    )
    token = await accounts.issue_token(session, user)
    return Person(user=user, token=token)


async def build_world(session: AsyncSession) -> World:
    north = await accounts.create_municipality(
        session, SYSTEM, name=f"Nordheim {uuid.uuid4().hex[:4]}", iban="DE89370400440532013000",
        bic="COBADEFFXXX", creditor_id="DE98ZZZ09999999999",
    )
    south = await accounts.create_municipality(session, SYSTEM, name=f"Südhausen {uuid.uuid4().hex[:4]}")
    world = World(
        north=north,
        south=south,
        admin=await make_person(session, Role.admin, "Ada Admin"),
        yard_north=await make_person(session, Role.yard_head, "Yannick Nord", north.id),
        yard_south=await make_person(session, Role.yard_head, "Yvonne Süd", south.id),
        finance_north=await make_person(session, Role.finance, "Fritz Nord", north.id),
        finance_south=await make_person(session, Role.finance, "Frieda Süd", south.id),
        farmer=await make_person(session, Role.farmer, "Franz Bauer", iban="DE02120300000000202051"),
        farmer2=await make_person(session, Role.farmer, "Gerda Hof", iban="DE02500105170137075030"),
    )
    # Both farmers deal with both municipalities (contract partners: they may be charged and credited).
    for municipality in (north, south):
        for farmer in (world.farmer, world.farmer2):
            await partners.add_partner(session, SYSTEM, municipality.id, farmer.id)
    await session.commit()
    return world


@pytest.fixture
async def world(db_session: AsyncSession) -> World:
    return await build_world(db_session)
