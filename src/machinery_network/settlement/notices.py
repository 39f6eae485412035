"""The farmers are told when their monthly statement is ready: one notice (and mail, by choice) per
farmer with lines in a settlement that was just frozen, with the amount, the statement's link and how
it is paid. For a debit (he owes and has an active mandate) the collection date and the mandate
reference, as the statement PDF's pre-notification names them (``exports.sepa.announced_collection_date``)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Municipality, User
from machinery_network.config import Settings
from machinery_network.money import format_eur
from machinery_network.notifications.notices import Tidings, declare, tell_many
from machinery_network.notifications.service import MailTemplates
from machinery_network.settlement.models import Settlement

MAILS = MailTemplates("machinery_network.settlement")
declare("settlement", "settlement_ready")
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
          "November", "Dezember")


def payment_key(net_cents: int, debit: bool) -> str:
    if net_cents > 0:
        return "notice.settlement_debit" if debit else "notice.settlement_owed"
    if net_cents < 0:
        return "notice.settlement_payout"
    return "notice.settlement_even"


async def untold(session: AsyncSession) -> list[int]:
    """Frozen settlements of the transaction's network whose farmers were not told yet, oldest first."""
    return list(await session.scalars(text(
        "SELECT s.id FROM settlements s WHERE s.frozen"
        " AND NOT EXISTS (SELECT FROM settlement_tellings t WHERE t.settlement_id = s.id) ORDER BY s.id"
    )))


async def tell_statements(session: AsyncSession, settlement: Settlement, settings: Settings,
                          tz: ZoneInfo | None = None) -> int:
    """One notice per farmer of the frozen ``settlement``, once: the settlement's row in
    ``settlement_tellings`` is claimed first (a second process waits at its key, then finds it told)."""
    from machinery_network.exports.data import load_lines
    from machinery_network.exports.sepa import announced_collection_date, missing_bank_details

    assert settlement.id is not None
    claimed = await session.scalar(text(
        "INSERT INTO settlement_tellings (settlement_id, network_id) SELECT id, network_id FROM settlements"
        " WHERE id = :sid ON CONFLICT DO NOTHING RETURNING settlement_id"), {"sid": settlement.id})
    if claimed is None:
        return 0
    tz = tz or settings.tz
    municipality = await session.get(Municipality, settlement.municipality_id)
    assert municipality is not None
    lines = await load_lines(session, settlement.id)
    if not lines:
        return 0
    users = {u.id: u for u in await session.scalars(
        select(User).where(col(User.id).in_([ln.farmer_id for ln in lines])))}
    due = f"{announced_collection_date(municipality, settlement, tz):%d.%m.%Y}"
    can_debit = not missing_bank_details(municipality)
    month = f"{MONTHS[settlement.month.month - 1]} {settlement.month.year}"
    link = f"/account/statements/{settlement.month:%Y-%m}?municipality_id={municipality.id}"
    base_url = settings.base_url.rstrip("/")
    keys: dict[str, list[Tidings]] = {}
    for line in lines:
        farmer = users.get(line.farmer_id)
        if farmer is None:
            continue
        debit = bool(line.net_cents > 0 and line.mandate_reference and line.iban and can_debit)
        key = payment_key(line.net_cents, debit)
        params = {"month": month, "municipality": municipality.name,
                  "amount": format_eur(abs(line.net_cents), symbol=True),
                  "date": due if line.net_cents != 0 else "", "mandate": (line.mandate_reference or "") if debit else ""}
        mail = MAILS.render("ready", {**params, "name": farmer.name, "key": key, "link": f"{base_url}{link}",
                                      "creditor_id": municipality.creditor_id or ""})
        told = Tidings(farmer, params, link=link, mail=mail, dedupe_key=f"settlement:{settlement.id}")
        keys.setdefault(key, []).append(told)
    written = 0
    for key, group in keys.items():
        written += await tell_many(session, "settlement_ready", key, group)
    return written
