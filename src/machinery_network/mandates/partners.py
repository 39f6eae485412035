"""Contract partners: the service API the ledger, the people lists and the exports ask.

The database adds partners on its own (triggers of migration 0005: a booking turning approved or
completed, a section assignment), so the booking routes pay one indexed insert and nothing here.
"""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_farmer, get_municipality
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.errors import NotAllowed
from machinery_network.mandates.models import Partner, PartnerHow
from machinery_network.paging import Page, PageRequest, finish, keyset


async def is_partner(session: AsyncSession, municipality_id: int, farmer_id: int) -> bool:
    found = await session.scalar(
        select(col(Partner.farmer_id))
        .where(col(Partner.municipality_id) == municipality_id, col(Partner.farmer_id) == farmer_id)
    )
    return found is not None


async def require_partner(session: AsyncSession, municipality_id: int, farmer_id: int) -> None:
    """403 unless the farmer is a contract partner of the municipality."""
    if not await is_partner(session, municipality_id, farmer_id):
        raise NotAllowed("partners.not_partner", farmer_id=farmer_id, municipality_id=municipality_id)


def partner_ids_query(municipality_id: int) -> Select[int]:
    """``SELECT farmer_id FROM partners WHERE municipality_id = …``, for ``IN (…)`` filters in lists."""
    return select(col(Partner.farmer_id)).where(col(Partner.municipality_id) == municipality_id)


async def partner_ids(session: AsyncSession, municipality_id: int) -> set[int]:
    return set(await session.scalars(partner_ids_query(municipality_id)))


async def partners_of(session: AsyncSession, municipality_id: int) -> list[Partner]:
    return list(
        await session.scalars(
            select(Partner).where(col(Partner.municipality_id) == municipality_id).order_by(col(Partner.farmer_id))
        )
    )


PARTNER_ORDER = "partners:farmer_id"


async def page_partners(session: AsyncSession, municipality_id: int, page: PageRequest) -> Page[Partner]:
    """One page of the municipality's partners by farmer id (the primary key (municipality_id, farmer_id))."""
    of_municipality = select(Partner).where(col(Partner.municipality_id) == municipality_id)
    stmt = keyset(of_municipality, (col(Partner.farmer_id),), page)
    return finish(list(await session.scalars(stmt)), page, lambda p: (p.farmer_id,))


async def add_partner(
    session: AsyncSession, actor: Actor, municipality_id: int, farmer_id: int,
    how: PartnerHow = PartnerHow.registered,
) -> tuple[Partner, bool]:
    """Register a farmer as partner (yard head or finance of the municipality, admin).
    Answers the row and whether it is new; registering twice is not an error."""
    require_for_municipality(actor, municipality_id, Role.yard_head, Role.finance, admin=True)
    await get_municipality(session, municipality_id)
    await get_farmer(session, farmer_id)
    inserted = await session.scalar(
        insert(Partner)
        .values(municipality_id=municipality_id, farmer_id=farmer_id, how=how)
        .on_conflict_do_nothing()
        .returning(col(Partner.farmer_id))
    )
    partner = await session.get(Partner, (municipality_id, farmer_id), populate_existing=True)
    assert partner is not None
    return partner, inserted is not None
