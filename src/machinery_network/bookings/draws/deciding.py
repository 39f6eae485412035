"""Recording what a draw decided, set-based: a handful of statements for all the draws of one run,
whatever the number of requests.

- **Winners** are approved by one statement: their occupancies are inserted with ``ON CONFLICT DO
  NOTHING``, so the exclusion constraint ``ex_occupancies_no_overlap`` decides for each of them as it
  does for a hand approval (an occupancy it refuses is simply not written, never an error that loses
  the transaction); only the bookings whose occupancy was written become ``approved``, at the item's
  rates of now, with their event. Under the occupancy locks the draw holds nothing can get in the
  way; should the constraint refuse one anyway, that request is recorded as not won (``occupied``)
  and waits like the others.
- **The others** wait on the waiting list (status ``waiting``, the reason in words in
  ``reject_reason`` and in the event's note): when a won period frees up (a cancellation, a removed
  block, an expired offer), the waiting list's ``offer_next`` offers it to the first waiting request
  that fits, as for any waiting request.
- **Entries**: one row per request (what the allocation saw and decided), the draw's record.
- **Everyone is told**: the notice and, if he wants it, the mail (``bookings/mail``: ``approved``,
  ``draw_waiting``), written by two INSERTs over arrays; the rule for mail is ``notices.tell``'s.

Every row names its network itself (the item's; a notice its recipient's), so the tenant triggers
return at once instead of looking the network up row by row.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Municipality, User
from machinery_network.auth import Actor
from machinery_network.bookings import notices
from machinery_network.bookings.allocation import Decision, Reason, Request
from machinery_network.bookings.draw_models import DrawEntry
from machinery_network.bookings.draws.results import reason_text
from machinery_network.catalogue.models import Item
from machinery_network.config import Settings
from machinery_network.notifications.notices import render, wants_mail
from machinery_network.notifications.service import SUBJECT_LENGTH


@dataclass(frozen=True, slots=True)
class Decided:
    """One request of a draw as the allocation decided it, with what recording it needs."""

    draw_id: int
    seed: int
    item: Item
    request: Request
    decision: Decision
    estimated_cents: int | None


APPROVE = text("""
WITH occupied AS (
    INSERT INTO occupancies (item_id, start_at, end_at, booking_id, buffer_minutes, network_id)
    SELECT b.item_id, b.start_at, b.end_at, b.id, i.buffer_minutes, i.network_id
      FROM bookings b JOIN items i ON i.id = b.item_id
     WHERE b.id = ANY (CAST(:ids AS integer[])) AND b.status = 'requested'
     ORDER BY b.item_id, b.start_at
    ON CONFLICT DO NOTHING
    RETURNING booking_id
), approved AS (
    UPDATE bookings b SET status = 'approved', decided_by = :actor, decided_at = :now,
           approved_rate_cents = i.rate_cents, approved_operator_rate_cents = i.operator_rate_cents,
           approved_vat_percent = i.vat_percent
      FROM occupied o, items i
     WHERE b.id = o.booking_id AND i.id = b.item_id
    RETURNING b.id, b.network_id
), event AS (
    INSERT INTO booking_events (booking_id, network_id, actor_id, from_status, to_status, at)
    SELECT id, network_id, :actor, 'requested', 'approved', :now FROM approved
)
SELECT id FROM approved
""")

WAIT = text("""
WITH waiting AS (
    UPDATE bookings b SET status = 'waiting', reject_reason = v.reason, decided_by = :actor, decided_at = :now
      FROM unnest(CAST(:ids AS integer[]), CAST(:reasons AS text[])) AS v(id, reason)
     WHERE b.id = v.id AND b.status = 'requested'
    RETURNING b.id, b.network_id, v.reason
), event AS (
    INSERT INTO booking_events (booking_id, network_id, actor_id, from_status, to_status, note, at)
    SELECT id, network_id, :actor, 'requested', 'waiting', reason, :now FROM waiting
)
SELECT id FROM waiting
""")

NOTICES = text("""
INSERT INTO notices (user_id, network_id, kind, key, params, text, link, created_at)
SELECT v.user_id, v.network_id, v.kind, v.key, CAST(v.params AS jsonb), v.text, '/bookings', :now
  FROM unnest(CAST(:users AS integer[]), CAST(:networks AS integer[]), CAST(:kinds AS text[]),
              CAST(:keys AS text[]), CAST(:params AS text[]), CAST(:texts AS text[]))
       AS v(user_id, network_id, kind, key, params, text)
""")

MAILS = text("""
INSERT INTO outbox (recipient_id, network_id, recipient_email, subject, body, attempts, created_at)
SELECT v.user_id, v.network_id, v.email, v.subject, v.body, 0, :now
  FROM unnest(CAST(:users AS integer[]), CAST(:networks AS integer[]), CAST(:emails AS text[]),
              CAST(:subjects AS text[]), CAST(:bodies AS text[])) AS v(user_id, network_id, email, subject, body)
""")

# notice kind, notice key, mail template: of a winner and of a waiting request
WON = ("booking_approved", "notice.booking_approved", "approved")
WAITS = ("booking_waiting", "notice.booking_draw_waiting", "draw_waiting")


async def record(session: AsyncSession, actor: Actor, decided: list[Decided], now: datetime,
                 settings: Settings) -> int:
    """Approve the winners, put the others on the waiting list, write the entries and tell every farmer;
    returns how many were approved."""
    if not decided:
        return 0
    winners = [d.request.booking_id for d in decided if d.decision.won]
    approved: set[int] = set()
    if winners:
        approved = set(await session.scalars(APPROVE, {"ids": winners, "actor": actor.id, "now": now}))
    entries: list[dict[str, Any]] = []
    outcome: list[tuple[Decided, str | None]] = []  # (the request, the reason it waits; None: approved)
    for d in decided:
        won, reason = d.decision.won, d.decision.reason
        if won and d.request.booking_id not in approved:  # the constraint refused it: it waits
            won, reason = False, Reason.occupied
        r = d.request
        entries.append({"draw_id": d.draw_id, "booking_id": r.booking_id, "farmer_id": r.farmer_id,
                        "network_id": d.item.network_id, "start_at": r.start, "end_at": r.end,
                        "season_hours": d.decision.season_hours, "position": d.decision.position, "won": won,
                        "reason": reason.value, "against_booking_id": d.decision.against_booking_id})
        outcome.append((d, None if won else reason_text(reason.value, d.decision.season_hours, d.draw_id, d.seed)))
    waiting = [(d.request.booking_id, reason) for d, reason in outcome if reason is not None]
    waited: set[int] = set()
    if waiting:
        waited = set(await session.scalars(WAIT, {
            "ids": [booking_id for booking_id, _ in waiting], "reasons": [reason for _, reason in waiting],
            "actor": actor.id, "now": now}))
    await session.execute(insert(DrawEntry), entries)
    await _tell(session, [(d, reason) for d, reason in outcome
                          if d.request.booking_id in (waited if reason is not None else approved)], now, settings)
    return len(approved)


async def _tell(session: AsyncSession, outcome: list[tuple[Decided, str | None]], now: datetime,
                settings: Settings) -> None:
    """Each farmer's notice of his approved or waiting request, and his mail if he wants it
    (``notifications.notices.tell``'s rule): two statements for all."""
    if not outcome:
        return
    farmers = {user.id: user for user in await session.scalars(
        select(User).where(col(User.id).in_({d.request.farmer_id for d, _ in outcome})))}
    municipalities = {m_id: name for m_id, name in (await session.execute(
        select(col(Municipality.id), col(Municipality.name)).where(
            col(Municipality.id).in_({d.item.municipality_id for d, _ in outcome}))))}
    told: dict[str, list[Any]] = {name: [] for name in ("users", "networks", "kinds", "keys", "params", "texts")}
    mailed: dict[str, list[Any]] = {name: [] for name in ("users", "networks", "emails", "subjects", "bodies")}
    for d, reason in outcome:
        farmer = farmers.get(d.request.farmer_id)
        if farmer is None or farmer.id is None:
            continue
        kind, key, template = WON if reason is None else WAITS
        params, mail = notices.told_of_decision(
            template, farmer_name=farmer.name, municipality=municipalities.get(d.item.municipality_id, ""),
            item_name=d.item.name, start=d.request.start, end=d.request.end, estimated_cents=d.estimated_cents,
            settings=settings, reason=reason)
        for name, value in (("users", farmer.id), ("networks", farmer.network_id), ("kinds", kind), ("keys", key),
                            ("params", json.dumps(params, ensure_ascii=False)), ("texts", render(key, params))):
            told[name].append(value)
        if farmer.email and farmer.active and farmer.erased_at is None and wants_mail(farmer, kind):
            # the mail belongs to the network that writes it, the item's (as ``mn_outbox_network`` says)
            for name, value in (("users", farmer.id), ("networks", d.item.network_id), ("emails", farmer.email),
                                ("subjects", mail.subject[:SUBJECT_LENGTH]), ("bodies", mail.body)):
                mailed[name].append(value)
    await session.execute(NOTICES, {**told, "now": now})
    if mailed["users"]:
        await session.execute(MAILS, {**mailed, "now": now})
