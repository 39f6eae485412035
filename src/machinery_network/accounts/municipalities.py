"""Municipalities: creating, finding and listing them, and the changes their administrator and their
finance office may make (bank details, DATEV settings)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts import datev_settings
from machinery_network.accounts.models import Municipality, Role
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.config import Settings
from machinery_network.errors import Conflict, Invalid, NotAllowed
from machinery_network.paging import Page, PageRequest, finish, keyset, search_pattern
from machinery_network.rows import add_named, get_or_404
from machinery_network.schemas import apply_changes
from machinery_network.validators import normalize_bic, normalize_creditor_id, normalize_iban


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
# The DATEV settings that decide which VAT rates are booked (checked against the items' rates).
DATEV_FIELDS = frozenset({"datev_chart", "datev_revenue_account", "datev_revenue_account_reduced",
                          "datev_revenue_account_exempt", "datev_vat_accounts"})
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
        if changes.keys() & DATEV_FIELDS:
            await _check_rates_in_use(session, municipality)
    except Invalid:
        for field, value in before.items():  # leave the identity-mapped row as it was
            setattr(municipality, field, value)
        raise
    try:
        await session.flush()
    except IntegrityError as exc:
        raise Conflict("municipality.name_taken", field="name") from exc
    return municipality


async def _check_rates_in_use(session: AsyncSession, municipality: Municipality) -> None:
    """422 when the changed DATEV settings no longer book a VAT rate that one of the municipality's
    items carries (an item may take a rate only once it is booked, ``catalogue.service``): clearing
    that rate's account would leave a month whose DATEV export cannot be produced."""
    from machinery_network.catalogue.models import Item  # catalogue depends on accounts, not back

    rates = await session.scalars(
        select(col(Item.vat_percent)).where(col(Item.municipality_id) == municipality.id).distinct())
    booked = datev_settings.effective(municipality)
    for rate in sorted(rates):
        if booked.revenue_for(rate) is None:
            raise Invalid("municipality.vat_rate_in_use", field="datev_vat_accounts",
                          rate=datev_settings.rate_key(rate))
