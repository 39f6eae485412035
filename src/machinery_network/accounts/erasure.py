"""Erasure of a farmer (DSGVO Art. 17): his personal data replaced by a pseudonym once he owes nothing
and has nothing open; what was booked stays booked (§147 AO)."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.access import end_access
from machinery_network.accounts.changes import record
from machinery_network.accounts.models import LoginAttempt, Municipality, PasswordReset, Role, User
from machinery_network.accounts.password_changes import UNUSABLE_PASSWORD
from machinery_network.accounts.users import get_user
from machinery_network.auth import Actor, require_role
from machinery_network.errors import Conflict, Invalid
from machinery_network.ledger.models import LedgerEntry
from machinery_network.money import format_eur


async def open_balances(session: AsyncSession, farmer_id: int) -> list[tuple[str, int]]:
    """(municipality name, balance in cents) of each municipality where the farmer's balance is not 0."""
    rows = await session.execute(
        select(col(Municipality.name), func.sum(col(LedgerEntry.amount_cents)))
        .join(Municipality, col(Municipality.id) == col(LedgerEntry.municipality_id))
        .where(col(LedgerEntry.farmer_id) == farmer_id)
        .group_by(col(Municipality.name))
        .having(func.sum(col(LedgerEntry.amount_cents)) != 0)
        .order_by(col(Municipality.name))
    )
    return [(name, int(total)) for name, total in rows.all()]


def pseudonym(user_id: int) -> str:
    return f"Gelöschter Landwirt {user_id}"


async def erase_farmer(session: AsyncSession, actor: Actor, user_id: int) -> User:
    """DSGVO Art. 17: replace a farmer's personal data by a pseudonym. Refused (409) while he has an
    open balance with any municipality. His ledger entries, settlements and exports stay as booked
    (§147 AO), now under the pseudonym; the erasure itself is recorded."""
    require_role(actor, Role.admin)
    user = await get_user(session, user_id)
    if user.role != Role.farmer:
        raise Invalid("user.erase_only_farmers", field="id")
    if user.erased_at is not None:
        raise Conflict("user.erased")
    # Lock the account row: no booking or entry of his can be half-way while we decide.
    await session.execute(select(col(User.id)).where(col(User.id) == user_id).with_for_update())
    balances = await open_balances(session, user_id)
    if balances:
        name, amount = balances[0]
        raise Conflict("user.erase_open_balance", municipality=name, amount=format_eur(amount),
                       extra={"open_balances": [{"municipality": n, "balance_cents": a} for n, a in balances]})
    await _refuse_open_business(session, user_id)
    old_email = user.email
    user.name = pseudonym(user_id)
    user.email = f"geloescht-{user_id}@erased.invalid"
    user.password_hash = UNUSABLE_PASSWORD
    user.iban = user.bic = user.address = user.street = user.postcode = user.town = user.phone = None
    user.vat_status = None
    user.calendar_token = None
    user.notify = {}
    user.active = False
    user.password_change_required = False
    user.erased_at = clock.now()
    await end_access(session, user_id)
    await session.execute(delete(PasswordReset).where(col(PasswordReset.user_id) == user_id))
    await session.execute(delete(LoginAttempt).where(col(LoginAttempt.email) == old_email))
    await _pseudonymise_outbox(session, user_id, user.email)
    await record(session, user_id, actor, "erased")
    await session.flush()
    return user


async def _refuse_open_business(session: AsyncSession, farmer_id: int) -> None:
    """409 while a booking is requested or approved (not yet completed: a charge may follow) or a care
    log waits for its decision (a credit may follow): those are settled or withdrawn first."""
    from machinery_network.bookings.models import Booking
    from machinery_network.care.models import CareLog

    bookings = await session.scalar(select(func.count()).select_from(Booking).where(
        col(Booking.farmer_id) == farmer_id, col(Booking.status).in_(("requested", "approved"))))
    logs = await session.scalar(select(func.count()).select_from(CareLog).where(
        col(CareLog.farmer_id) == farmer_id, col(CareLog.status) == "reported"))
    if bookings or logs:
        raise Conflict("user.erase_open_business", bookings=bookings or 0, care_logs=logs or 0)


async def _pseudonymise_outbox(session: AsyncSession, user_id: int, email: str) -> None:
    """His mails keep no text, and his notices go (they told him of events; the records stay elsewhere)."""
    from machinery_network.notifications.models import Notice, OutboxMessage

    await session.execute(delete(Notice).where(col(Notice.user_id) == user_id))
    await session.execute(
        update(OutboxMessage).where(col(OutboxMessage.recipient_id) == user_id)
        .values(recipient_email=email, subject="(gelöscht)", body="(gelöscht)",
                sent_at=func.coalesce(col(OutboxMessage.sent_at), func.now()))
    )
