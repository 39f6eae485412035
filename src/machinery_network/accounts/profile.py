"""The caller's own profile: name, address, phone, IBAN, VAT status and how he wants to be notified."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.changes import record
from machinery_network.accounts.models import Role, User, VatStatus
from machinery_network.auth import Actor
from machinery_network.errors import Invalid, NotAllowed, NotAuthenticated
from machinery_network.validators import normalize_iban

# The kinds of notifications a user can choose for: "mail" (default) or "page" (only the in-app notice).
NOTIFICATION_KINDS = (
    "booking",  # requests, decisions, cancellations
    "care_log",  # care logs confirmed or rejected
    "settlement",  # the monthly statement is ready, a debit is coming
    "reminder",  # the day before an approved booking
    "digest",  # the yard head's weekly digest
)
NOTIFICATION_CHOICES = ("mail", "page")


def wants_mail(user: User, kind: str) -> bool:
    """Whether the user wants notifications of ``kind`` by mail (the default) or only on the page."""
    choice: str = (user.notify or {}).get(kind, "mail")
    return choice != "page"


async def me(session: AsyncSession, actor: Actor) -> User:
    if actor.id is None:
        raise NotAllowed()
    user = await session.get(User, actor.id, populate_existing=True)
    if user is None or not user.active:
        raise NotAuthenticated()
    return user


def _mask_iban(iban: str | None) -> str | None:
    return f"{iban[:4]}…{iban[-4:]}" if iban else None


async def update_profile(session: AsyncSession, actor: Actor, changes: dict[str, Any]) -> User:
    """Change the caller's own name, address, phone, IBAN, VAT status, notification choices.

    ``changes`` holds only the fields given (``None`` clears an optional one). IBAN and VAT status are
    a farmer's; an IBAN change is recorded, and the database amends his mandates with it.
    """
    user = await me(session, actor)
    assert user.id is not None
    if ("iban" in changes or "vat_status" in changes) and user.role != Role.farmer:
        field = "iban" if "iban" in changes else "vat_status"
        raise Invalid("user.not_farmer", field=field, id=user.id)
    if "name" in changes:
        if not changes["name"]:
            raise Invalid("validation", field="name")
        user.name = changes["name"]
    if "phone" in changes:
        user.phone = changes["phone"] or None
    if "address" in changes:
        address = changes["address"]
        if address is None:
            user.street = user.postcode = user.town = user.address = None
        else:
            user.street, user.postcode, user.town = address["street"], address["postcode"], address["town"]
            # The one-line form the statements and exports print.
            user.address = f"{user.street}\n{user.postcode} {user.town}"
    if "vat_status" in changes:
        status = changes["vat_status"]
        user.vat_status = VatStatus(status).value if status is not None else None
    if "notifications" in changes:
        notify = dict(user.notify or {})
        for kind, choice in (changes["notifications"] or {}).items():
            if kind not in NOTIFICATION_KINDS:
                raise Invalid("user.notify_kind", field="notifications", kind=kind)
            if choice not in NOTIFICATION_CHOICES:
                raise Invalid("user.notify_choice", field="notifications", kind=kind)
            notify[kind] = choice
        user.notify = notify
    if "iban" in changes:
        iban = normalize_iban(changes["iban"])
        if iban != user.iban:
            await record(session, user.id, actor, "iban_changed", old=_mask_iban(user.iban), new=_mask_iban(iban))
            user.iban = iban
            user.bic = None  # the BIC belonged to the old account; SEPA needs none inside the EEA
    await record(session, user.id, actor, "profile_changed", fields=sorted(changes))
    await session.flush()
    return user


def sees_iban(actor: Actor) -> bool:
    return actor.role in (Role.admin, Role.finance)
