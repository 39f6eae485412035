"""Use cases of the accounts domain: municipalities, users, login and tokens."""

from __future__ import annotations

import asyncio
import functools
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import SQLColumnExpression, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts import datev_settings
from machinery_network.accounts.models import ApiToken, LoginAttempt, Municipality, Role, User
from machinery_network.accounts.passwords import check_password
from machinery_network.accounts.security import (
    hash_password_async,
    new_token,
    token_digest,
    verify_password_async,
)
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.config import Settings
from machinery_network.db import (
    OPERATOR_NETWORK,
    DriverStatement,
    driver,
    network_of,
    session_network,
    use_network,
)
from machinery_network.errors import (
    Conflict,
    Invalid,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    TooManyRequests,
)
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, search_pattern, sorts
from machinery_network.rows import add_named, get_or_404
from machinery_network.schemas import apply_changes
from machinery_network.validators import normalize_bic, normalize_creditor_id, normalize_iban

TOKEN_LIFETIME = timedelta(days=30)
THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PAIR = 5  # per (account, address): 429 for that address only
MAX_FAILURES_PER_ADDRESS = 20  # per address, over all accounts
ACCOUNT_SLOW_AFTER = 5  # failures on one account from anywhere, before logins to it are slowed
MAX_LOGIN_DELAY = 60


def actor_of(user: User) -> Actor:
    return Actor(
        id=user.id, role=user.role, municipality_id=user.municipality_id, name=user.name, email=user.email,
        network_id=user.network_id,
    )


# --- municipalities ------------------------------------------------------------------------


async def create_municipality(
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    iban: str | None = None,
    bic: str | None = None,
    creditor_id: str | None = None,
    address: str | None = None,
) -> Municipality:
    require_role(actor, Role.admin)
    municipality = Municipality(
        name=name.strip(),
        network_id=actor.network_id,  # None (the system): the transaction's or the only network
        iban=normalize_iban(iban),
        bic=normalize_bic(bic),
        creditor_id=normalize_creditor_id(creditor_id),
        address=address,
    )
    same_name = select(col(Municipality.id)).where(col(Municipality.name) == municipality.name)
    if actor.network_id is not None:
        same_name = same_name.where(col(Municipality.network_id) == actor.network_id)
    return await add_named(session, municipality, same_name, "municipality.name_taken")


async def get_municipality(session: AsyncSession, municipality_id: int) -> Municipality:
    return await get_or_404(session, Municipality, municipality_id, "municipality.not_found")


async def list_municipalities(session: AsyncSession, network_id: int | None = None) -> list[Municipality]:
    """The municipalities the transaction sees (its network's), or those of ``network_id``."""
    stmt = select(Municipality).order_by(col(Municipality.name), col(Municipality.id))
    if network_id is not None:
        stmt = stmt.where(col(Municipality.network_id) == network_id)
    return list(await session.scalars(stmt))


MUNICIPALITY_ORDER = "municipalities:name,id"


async def page_municipalities(
    session: AsyncSession, page: PageRequest, network_id: int | None = None, *, query: str | None = None
) -> Page[Municipality]:
    """One page of ``list_municipalities``' rows by name, then id (index ``ix_municipalities_listing``);
    ``query`` searches the name in SQL before the limit."""
    stmt = select(Municipality)
    if network_id is not None:
        stmt = stmt.where(col(Municipality.network_id) == network_id)
    if (pattern := search_pattern(query)) is not None:
        stmt = stmt.where(col(Municipality.name).ilike(pattern))
    rows = list(await session.scalars(keyset(stmt, (col(Municipality.name), col(Municipality.id)), page)))
    return finish(rows, page, lambda m: (m.name, m.id))


# Fields a municipality's finance office may change (bank and DATEV); the name only the administrator.
FINANCE_FIELDS = frozenset({
    "iban", "bic", "creditor_id", "datev_consultant_number", "datev_client_number", "datev_chart",
    "fiscal_year_start_month", "prenotification_days", "datev_account_length", "datev_debtor_start",
    "datev_debtor_end", "datev_revenue_account", "datev_revenue_account_reduced",
    "datev_revenue_account_exempt", "datev_expense_account", "datev_vat_accounts",
})
# Fields that may be cleared with null (back to "none" or to the chart's default).
CLEARABLE_FIELDS = ("iban", "bic", "creditor_id", "address", "datev_debtor_start", "datev_debtor_end",
                    "datev_revenue_account", "datev_revenue_account_reduced", "datev_revenue_account_exempt",
                    "datev_expense_account")


async def update_municipality(
    session: AsyncSession, actor: Actor, municipality_id: int, changes: dict[str, Any], settings: Settings
) -> Municipality:
    """PATCH a municipality: the administrator anything, its finance office the bank and DATEV fields.

    Identifiers are normalized and checked (IBAN/BIC, creditor id with ISO 7064 check digits), the
    DATEV settings validated as a whole (ranges DATEV allows); 422 naming the field, nothing written.
    """
    if not actor.is_admin:
        require_for_municipality(actor, municipality_id, Role.finance)
        if set(changes) - FINANCE_FIELDS:
            raise NotAllowed()
    municipality = await get_municipality(session, municipality_id)
    changes = dict(changes)
    if "name" in changes and changes["name"] is not None:
        changes["name"] = changes["name"].strip()
        taken = await session.scalar(select(col(Municipality.id)).where(
            col(Municipality.name) == changes["name"], col(Municipality.id) != municipality_id))
        if taken:
            raise Conflict("municipality.name_taken", field="name")
    if "iban" in changes:
        changes["iban"] = normalize_iban(changes["iban"])
    if "bic" in changes:
        changes["bic"] = normalize_bic(changes["bic"])
    if "creditor_id" in changes:
        changes["creditor_id"] = normalize_creditor_id(changes["creditor_id"])
    if "datev_vat_accounts" in changes:  # the whole list replaces the stored one; null or [] clears it
        changes["datev_vat_accounts"] = datev_settings.vat_accounts_value(
            changes["datev_vat_accounts"] or [], settings.vat_rates)
    before = {field: getattr(municipality, field) for field in changes}
    apply_changes(municipality, changes, clearable=CLEARABLE_FIELDS)
    try:
        datev_settings.check(municipality)
    except Invalid:
        for field, value in before.items():  # leave the identity-mapped row as it was
            setattr(municipality, field, value)
        raise
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("municipality.name_taken", field="name") from exc
    return municipality


# --- users ---------------------------------------------------------------------------------


async def create_user(
    session: AsyncSession,
    actor: Actor,
    *,
    email: str,
    password: str,
    name: str,
    role: str,
    municipality_id: int | None = None,
    iban: str | None = None,
    bic: str | None = None,
    address: str | None = None,
    network_id: int | None = None,
) -> User:
    """Admins create users of their network; the operator creates administrators of a network (and
    the system, i.e. the CLI, anyone: without ``network_id`` in the installation's only network)."""
    from machinery_network.networks.service import require_own_network, resolve_network

    if actor.role == Role.operator:
        if role != Role.admin:
            raise NotAllowed("network.operator_creates_admins")
        if network_id is None:
            raise Invalid("network.required", field="network_id")
    else:
        require_role(actor, Role.admin)
    if role == Role.operator:
        if actor.id is not None:  # only the system (CLI) makes operators
            raise NotAllowed()
        if network_id is not None:
            raise Invalid("network.operator_no_network", field="network_id")
        await use_network(session, OPERATOR_NETWORK)  # a row of no network
    else:
        if network_id is None and municipality_id is not None and actor.network_id is None:
            network_id = await network_of(session, "municipality", municipality_id)  # the CLI's staff
        if network_id is None:
            network_id = actor.network_id or session_network(session)
        network_id = await resolve_network(session, network_id)
        require_own_network(actor, network_id)
        if actor.network_id is None:  # the operator or the system: write into that network
            await use_network(session, network_id)
    if role in (Role.yard_head, Role.finance) and municipality_id is None:
        raise Invalid("user.municipality_required", field="municipality_id")
    if role not in (Role.yard_head, Role.finance) and municipality_id is not None:
        raise Invalid("user.municipality_not_allowed", field="municipality_id")
    check_password(password, email)
    if municipality_id is not None:
        municipality = await get_municipality(session, municipality_id)
        if municipality.network_id != network_id:
            raise NotFound("municipality.not_found", id=municipality_id)
    email = email.strip().lower()
    if await session.scalar(select(col(User.id)).where(col(User.email) == email)):
        raise Conflict("user.email_taken", field="email")
    user = User(
        email=email,
        name=name.strip(),
        password_hash=await hash_password_async(password),
        # An administrator chose this password: the user must replace it at his first login.
        password_change_required=actor.id is not None,
        role=role,
        municipality_id=municipality_id,
        network_id=network_id,
        iban=normalize_iban(iban),
        bic=normalize_bic(bic),
        address=address,
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("user.email_taken", field="email") from exc
    return user


async def get_user(session: AsyncSession, user_id: int) -> User:
    return await get_or_404(session, User, user_id, "user.not_found")


async def get_farmer(session: AsyncSession, farmer_id: int) -> User:
    user = await get_user(session, farmer_id)
    if user.role != Role.farmer:
        raise Invalid("user.not_farmer", field="farmer_id", id=farmer_id)
    return user


async def list_users(session: AsyncSession, network_id: int | None = None) -> list[User]:
    stmt = select(User).order_by(col(User.role), col(User.name), col(User.id))
    if network_id is not None:
        stmt = stmt.where(col(User.network_id) == network_id)
    return list(await session.scalars(stmt))


async def list_farmers(session: AsyncSession) -> list[User]:
    return list(
        await session.scalars(
            select(User).where(col(User.role) == Role.farmer, col(User.active)).order_by(col(User.name))
        )
    )


USER_ORDER = "users:name,id"
USER_KEYS: tuple[SQLColumnExpression[Any], ...] = (col(User.name), col(User.id))
USER_SORTS = sorts("users", {"name": USER_KEYS, "email": (col(User.email), col(User.id))}, default="name",
                   tags={"name": USER_ORDER})
"""The users list's orders (``sort``): by name (the default) or e-mail address, each either way."""


async def page_users(
    session: AsyncSession, actor: Actor, page: PageRequest, *, query: str | None = None, role: str | None = None,
    partners_only: bool = True, sort: Sort | None = None,
) -> Page[User]:
    """One page of users in the order ``sort`` (default: by name, then id). Admin: every user; yard heads
    and finance: the active farmers who are their municipality's partners (``partners_only=False``: every
    active farmer, for the search that finds a new partner). ``query`` searches name and e-mail address in
    SQL, before the limit. The admin's list reads the index on (network_id, name or email, id)."""
    sort = sort or USER_SORTS.choose(None)
    from machinery_network.mandates.partners import partner_ids_query

    require_role(actor, Role.admin, Role.yard_head, Role.finance)
    stmt = select(User)
    if actor.is_admin and actor.network_id is not None:  # his network (row-level security says the same)
        stmt = stmt.where(col(User.network_id) == actor.network_id)
    if not actor.is_admin:
        if actor.municipality_id is None:
            raise NotAllowed()
        stmt = stmt.where(col(User.role) == Role.farmer, col(User.active))
        if partners_only:
            # The municipality's partners first (materialized), then their rows by primary key: the cost
            # follows the municipality's partners, not the farmers of the network.
            partners = partner_ids_query(actor.municipality_id).cte("partners").prefix_with("MATERIALIZED")
            stmt = stmt.join(partners, partners.c[0] == col(User.id))
    elif role:
        if role not in Role.__members__:
            raise Invalid("field.invalid", field="role")
        stmt = stmt.where(col(User.role) == role)
    if (pattern := search_pattern(query)) is not None:
        # The matches first (trigram indexes, materialized), then ordered: see ``catalogue.service``.
        matches = (
            select(col(User.id).label("id")).where(or_(col(User.name).ilike(pattern), col(User.email).ilike(pattern)))
            .cte("matches").prefix_with("MATERIALIZED")
        )
        stmt = stmt.join(matches, matches.c.id == col(User.id))
    rows = list(await session.scalars(keyset(stmt, sort.keys, page, descending=sort.descending)))
    return finish(rows, page, sort.key_of)


# --- login, tokens -------------------------------------------------------------------------


def login_delay_seconds(failures: int) -> float:
    """The account-wide slow-down: none up to ``ACCOUNT_SLOW_AFTER`` recent failures, then 1, 2, 4 … seconds,
    at most ``MAX_LOGIN_DELAY``. It slows guessing from many addresses; it never refuses the right password."""
    if failures < ACCOUNT_SLOW_AFTER:
        return 0.0
    return float(min(MAX_LOGIN_DELAY, 2 ** min(failures - ACCOUNT_SLOW_AFTER, 16)))


# Replaced in tests, to see the delays without waiting for them.
login_sleep = asyncio.sleep


async def _throttle(session: AsyncSession, email: str, address: str) -> None:
    """Refuse (429) a pair (account, address) or an address with too many recent failures; slow down
    every login to an account that many addresses have failed on. Nobody but the guesser is refused."""
    since = datetime.now(UTC) - THROTTLE_WINDOW
    recent = col(LoginAttempt.attempted_at) > since
    by_pair, by_address, by_account = (await session.execute(select(
        func.count().filter(col(LoginAttempt.email) == email, col(LoginAttempt.address) == address),
        func.count().filter(col(LoginAttempt.address) == address),
        func.count().filter(col(LoginAttempt.email) == email),
    ).where(recent, (col(LoginAttempt.email) == email) | (col(LoginAttempt.address) == address)))).one()
    if by_pair >= MAX_FAILURES_PER_PAIR or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyRequests("auth.throttled", seconds=int(THROTTLE_WINDOW.total_seconds()))
    delay = login_delay_seconds(by_account)
    if delay:
        await session.commit()  # hold no connection while waiting
        await login_sleep(delay)


async def authenticate(session: AsyncSession, email: str, password: str, address: str) -> User:
    """Check the password; failures are recorded and throttled per (account, address) and per address,
    and slow down (never lock) the account as a whole."""
    email = email.strip().lower()
    await _throttle(session, email, address)
    network_id = await network_of(session, "email", email)
    if network_id is not None:  # look the user up inside his network
        await use_network(session, network_id)
    user = await session.scalar(select(User).where(col(User.email) == email))
    if (not await verify_password_async(user.password_hash if user else None, password) or not user
            or not user.active):
        session.add(LoginAttempt(email=email, address=address))
        # Commit now: the refusal below rolls the request back, and the attempt must still count.
        await session.commit()
        raise NotAuthenticated("auth.bad_credentials")
    await session.execute(
        delete(LoginAttempt).where(col(LoginAttempt.email) == email, col(LoginAttempt.address) == address)
    )
    return user


async def issue_token(session: AsyncSession, user: User, label: str | None = None) -> str:
    assert user.id is not None
    token = new_token()
    session.add(ApiToken(
        user_id=user.id, token_hash=token_digest(token), expires_at=datetime.now(UTC) + TOKEN_LIFETIME,
        label=label[:200] if label else None,
    ))
    await session.flush()
    return token


@functools.cache
def _token_statement() -> DriverStatement:
    """The token's user, found before his network is known: a SECURITY DEFINER function (0018_network_rls)."""
    return DriverStatement(sql="SELECT * FROM mn_token_actor($1)", names=("digest",), defaults={}, processors={})


class TokenCache:
    """The actors of recently used bearer tokens, kept for ``seconds`` at most and never past the
    token's expiry, so that a busy client costs one token lookup in a while, not one per request.

    Logout, revocation and deactivation delete the token rows and ``clear`` this process's cache; a
    process that has just seen the token keeps serving it for at most ``seconds`` (10 s).
    """

    def __init__(self, seconds: float = 10.0, size: int = 10_000) -> None:
        self.seconds, self.size = seconds, size
        self._entries: dict[str, tuple[Actor, float]] = {}

    def get(self, digest: str) -> Actor | None:
        entry = self._entries.get(digest)
        if entry is None:
            return None
        if entry[1] <= time.monotonic():
            self._entries.pop(digest, None)
            return None
        return entry[0]

    def put(self, digest: str, actor: Actor, expires_at: datetime) -> None:
        if len(self._entries) >= self.size:
            self._entries.clear()  # rare (more distinct tokens than size in ``seconds``) and cheap
        remaining = (expires_at - datetime.now(UTC)).total_seconds()
        self._entries[digest] = (actor, time.monotonic() + min(self.seconds, remaining))

    def clear(self) -> None:
        self._entries.clear()


token_cache = TokenCache()


async def actor_from_token(session: AsyncSession, token: str) -> Actor | None:
    """The active user behind an unexpired bearer token. Runs on every API request: from the
    ``token_cache``, else one prepared statement through the driver, outside any transaction."""
    digest = token_digest(token)
    actor = token_cache.get(digest)
    if actor is not None:
        return actor
    row = await _token_statement().fetchrow(await driver(session, begin=False), {"digest": digest})
    if row is None:
        return None
    actor = Actor(id=row["id"], role=row["role"], municipality_id=row["municipality_id"], name=row["name"],
                  email=row["email"], network_id=row["network_id"])
    token_cache.put(digest, actor, row["expires_at"])
    return actor


async def actor_from_session(session: AsyncSession, user_id: int, epoch: object) -> Actor | None:
    """The user of an HTML session cookie, if he is active and has not logged out since it was issued."""
    network_id = await network_of(session, "user", user_id)
    if network_id is None:
        return None
    await use_network(session, network_id)
    user = await session.get(User, user_id)
    if user is None or not user.active or user.session_epoch != epoch:
        return None
    return actor_of(user)


async def end_sessions(session: AsyncSession, user_id: int) -> None:
    """Logout: every session cookie issued to the user so far stops working."""
    await session.execute(
        update(User).where(col(User.id) == user_id).values(session_epoch=col(User.session_epoch) + 1)
    )
