"""Users as the administrator manages them: creating one (the operator: a network's administrators),
finding and listing them (a yard head or finance office: the municipality's partners), and editing name,
role, municipality and active state."""

from __future__ import annotations

from typing import Any

from sqlalchemy import SQLColumnExpression, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.access import end_access
from machinery_network.accounts.changes import record
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.municipalities import get_municipality
from machinery_network.accounts.passwords import check_password
from machinery_network.accounts.security import hash_password_async
from machinery_network.auth import Actor, require_role
from machinery_network.db import OPERATOR_NETWORK, network_of, session_network, use_network
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.paging import Page, PageRequest, Sort, finish, keyset, search_pattern, sorts
from machinery_network.rows import get_or_404
from machinery_network.validators import normalize_bic, normalize_iban


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


async def update_user(session: AsyncSession, actor: Actor, user_id: int, changes: dict[str, Any]) -> User:
    """The administrator edits name, role, municipality and active state. Deactivating ends every
    session and token of the user; so does a change of role or municipality (new rights, new login)."""
    require_role(actor, Role.admin)
    user = await get_user(session, user_id)
    if user.erased_at is not None:
        raise Conflict("user.erased")
    if user.id == actor.id and (changes.get("active") is False or changes.get("role", user.role) != user.role):
        raise Conflict("user.not_self")
    role = changes.get("role", user.role)
    municipality_id = changes.get("municipality_id", user.municipality_id)
    if "role" in changes and role not in (Role.yard_head, Role.finance) and "municipality_id" not in changes:
        municipality_id = None  # a farmer or admin is bound to no municipality
    if role in (Role.yard_head, Role.finance) and municipality_id is None:
        raise Invalid("user.municipality_required", field="municipality_id")
    if role not in (Role.yard_head, Role.finance) and municipality_id is not None:
        raise Invalid("user.municipality_not_allowed", field="municipality_id")
    if municipality_id is not None:
        await get_municipality(session, municipality_id)
    before = {"name": user.name, "role": user.role, "municipality_id": user.municipality_id, "active": user.active}
    if "name" in changes and changes["name"] is not None:
        user.name = changes["name"]
    user.role, user.municipality_id = role, municipality_id
    if changes.get("active") is not None:
        user.active = bool(changes["active"])
    after = {"name": user.name, "role": user.role, "municipality_id": user.municipality_id, "active": user.active}
    changed = {key: [before[key], after[key]] for key in before if before[key] != after[key]}
    await session.flush()
    if changed:
        await record(session, user_id, actor, "deactivated" if changed.get("active") == [True, False]
                     else "updated", changes=changed)
    if {"role", "municipality_id"} & changed.keys() or not user.active:
        await end_access(session, user_id)
    await session.flush()
    await session.refresh(user)
    return user
