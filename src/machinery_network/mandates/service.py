"""SEPA mandates: recorded by the municipality's finance office from the signed paper form, revoked,
listed; and the one active mandate per farmer that a municipality's debit file uses.

The database guarantees: reference unique per municipality (``uq_mandates_reference``), one active
mandate per farmer and municipality (``uq_mandates_active``), a mandate only for a partner
(``fk_mandates_partner``), and the amendment on an IBAN change (trigger ``trg_amend_mandates``).
"""

from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import Select, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock, validators
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import get_farmer, get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotFound
from machinery_network.mandates.models import Mandate, MandateState, Partner, PartnerHow
from machinery_network.mandates.partners import add_partner, is_partner
from machinery_network.paging import Page, PageRequest, finish, keyset, search_pattern

# The SEPA character set of a mandate reference (Max35Text restricted), no leading or double slash.
_REFERENCE = re.compile(r"^[A-Za-z0-9+?/:().,' -]{1,35}$")


def check_reference(value: str) -> str:
    reference = (value or "").strip()
    if not _REFERENCE.fullmatch(reference) or reference.startswith("/") or "//" in reference:
        raise Invalid("mandates.bad_reference", field="reference")
    return reference


async def create_mandate(
    session: AsyncSession,
    actor: Actor,
    *,
    farmer_id: int,
    municipality_id: int,
    reference: str,
    signed_on: date,
    iban: str | None = None,
    tz: ZoneInfo = ZoneInfo("Europe/Berlin"),
) -> Mandate:
    """Record a signed mandate (finance of that municipality, admin). The farmer becomes a partner if he
    was not one (he signed a contract with the municipality); without ``iban`` his own IBAN is used."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    farmer = await get_farmer(session, farmer_id)
    reference = check_reference(reference)
    if signed_on > clock.today(tz):
        raise Invalid("mandates.signed_in_future", field="signed_on")
    account = validators.iban(iban) or farmer.iban
    if account is None:
        raise Invalid("mandates.iban_required", field="iban")
    if await session.scalar(select(col(Mandate.id)).where(
        col(Mandate.municipality_id) == municipality_id, col(Mandate.reference) == reference
    )):
        raise Conflict("mandates.reference_taken", field="reference", reference=reference)
    if await session.scalar(select(col(Mandate.id)).where(
        col(Mandate.municipality_id) == municipality_id, col(Mandate.farmer_id) == farmer_id,
        col(Mandate.state) == MandateState.active,
    )):
        raise Conflict("mandates.active_exists", field="farmer_id")
    if not await is_partner(session, municipality_id, farmer_id):
        await add_partner(session, actor, municipality_id, farmer_id, PartnerHow.registered)
    mandate = Mandate(
        farmer_id=farmer_id, municipality_id=municipality_id, reference=reference, signed_on=signed_on,
        iban=account, created_by=actor.id,
    )
    try:
        async with session.begin_nested():  # a concurrent twin loses on the unique indexes
            session.add(mandate)
            await session.flush()
    except IntegrityError as exc:
        if "uq_mandates_reference" in str(exc.orig):
            raise Conflict("mandates.reference_taken", field="reference", reference=reference) from None
        if "uq_mandates_active" in str(exc.orig):
            raise Conflict("mandates.active_exists", field="farmer_id") from None
        raise
    return mandate


async def get_mandate(session: AsyncSession, actor: Actor, mandate_id: int) -> Mandate:
    mandate = await session.get(Mandate, mandate_id)
    if mandate is None:
        raise NotFound("mandates.not_found", id=mandate_id)
    if actor.role == Role.farmer:
        if mandate.farmer_id != actor.id:
            raise NotFound("mandates.not_found", id=mandate_id)
    else:
        require_for_municipality(actor, mandate.municipality_id, Role.finance, admin=True)
    return mandate


async def revoke_mandate(session: AsyncSession, actor: Actor, mandate_id: int) -> Mandate:
    """Finance of the creditor municipality or admin; revoking twice is 409."""
    mandate = await get_mandate(session, actor, mandate_id)
    if actor.role == Role.farmer:
        raise NotAllowed()
    if mandate.state != MandateState.active:
        raise Conflict("mandates.already_revoked", id=mandate_id)
    await session.execute(
        update(Mandate).where(col(Mandate.id) == mandate_id)
        .values(state=MandateState.revoked, revoked_at=clock.now())
    )
    await session.refresh(mandate)
    return mandate


MANDATE_ORDER = "mandates:id"
WITHOUT_ORDER = "mandates-without:name,id"


async def page_mandates(
    session: AsyncSession, actor: Actor, page: PageRequest, municipality_id: int | None = None,
    farmer_id: int | None = None, *, query: str | None = None, state: str | None = None,
) -> Page[Mandate]:
    """One page of ``list_mandates``' rows, ordered by id (index ``ix_mandates_municipality_listing``).
    ``query`` searches the reference and the farmer's name, ``state`` filters; both in SQL before the limit."""
    stmt = _mandates_where(actor, municipality_id, farmer_id)
    if state:
        if state not in MandateState.__members__:
            raise Invalid("field.invalid", field="state")
        stmt = stmt.where(col(Mandate.state) == state)
    if (pattern := search_pattern(query)) is not None:
        # The farmer's name looked up per mandate of the municipality (by primary key): the cost follows the
        # municipality's mandates, never the farmers of the network.
        named = (
            select(col(User.id)).where(col(User.id) == col(Mandate.farmer_id), col(User.name).ilike(pattern))
            .exists()
        )
        stmt = stmt.where(or_(col(Mandate.reference).ilike(pattern), named))
    stmt = keyset(stmt, (col(Mandate.id),), page)
    return finish(list(await session.scalars(stmt)), page, lambda mandate: (mandate.id,))


async def page_without_mandate(
    session: AsyncSession, actor: Actor, municipality_id: int, page: PageRequest
) -> Page[User]:
    """The municipality's partners without an active mandate (finance of it, admin), by name and id."""
    require_for_municipality(actor, municipality_id, Role.finance, admin=True)
    # Read from the municipality's partners, each farmer's name and mandate looked up by index: the cost
    # follows the municipality's partners, never the farmers of the network.
    # (a scalar subquery per partner, from ``uq_mandates_active``; the planner would otherwise anti-join
    # against every mandate)
    covered = select(col(Mandate.id)).where(
        col(Mandate.municipality_id) == municipality_id, col(Mandate.farmer_id) == col(Partner.farmer_id),
        col(Mandate.state) == MandateState.active,
    ).limit(1).scalar_subquery().is_not(None)
    name = select(col(User.name)).where(col(User.id) == col(Partner.farmer_id)).scalar_subquery()
    without = (
        select(col(Partner.farmer_id).label("id"), name.label("name"))
        .where(col(Partner.municipality_id) == municipality_id, ~covered).subquery("without")
    )
    keys = (without.c.name, without.c.id)
    chosen = list(await session.execute(keyset(select(without.c.id, without.c.name), keys, page)))
    users = {u.id: u for u in await session.scalars(select(User).where(col(User.id).in_([i for i, _ in chosen])))}
    rows = [users[i] for i, _ in chosen]
    return finish(rows, page, lambda user: (user.name, user.id))


async def list_mandates(
    session: AsyncSession, actor: Actor, municipality_id: int | None = None, farmer_id: int | None = None
) -> list[Mandate]:
    """Finance: its municipality's; admin: any; a farmer: his own. Ordered by id."""
    return list(await session.scalars(_mandates_where(actor, municipality_id, farmer_id).order_by(col(Mandate.id))))


def _mandates_where(actor: Actor, municipality_id: int | None, farmer_id: int | None) -> Select[Mandate]:
    stmt = select(Mandate)
    if actor.role == Role.farmer:
        stmt = stmt.where(col(Mandate.farmer_id) == actor.id)
    elif municipality_id is None and not actor.is_admin:
        if actor.role != Role.finance or actor.municipality_id is None:
            raise NotAllowed()
        municipality_id = actor.municipality_id
    if municipality_id is not None:
        if actor.role != Role.farmer:
            require_for_municipality(actor, municipality_id, Role.finance, admin=True)
        stmt = stmt.where(col(Mandate.municipality_id) == municipality_id)
    if farmer_id is not None:
        stmt = stmt.where(col(Mandate.farmer_id) == farmer_id)
    return stmt


async def active_mandate(session: AsyncSession, municipality_id: int, farmer_id: int) -> Mandate | None:
    return await session.scalar(select(Mandate).where(
        col(Mandate.municipality_id) == municipality_id, col(Mandate.farmer_id) == farmer_id,
        col(Mandate.state) == MandateState.active,
    ))
