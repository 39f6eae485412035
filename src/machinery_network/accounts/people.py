"""People and their accounts: profiles, passwords, password resets, tokens, the administrator's edits,
erasure (DSGVO Art. 17) and the record of what changed.

Every change to an account that matters later (IBAN, role, active state, password, erasure) is written
to ``user_changes`` in the same transaction. Ending access means three things at once: the session
epoch is incremented (HTML cookies), the bearer tokens are deleted (API) and this process's token
cache is emptied; other processes keep a cached token for at most ``TokenCache.seconds`` (10 s).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import (
    ApiToken,
    LoginAttempt,
    Municipality,
    PasswordReset,
    Role,
    User,
    UserChange,
    VatStatus,
)
from machinery_network.accounts.passwords import check_password
from machinery_network.accounts.security import (
    hash_password_async,
    new_token,
    token_digest,
    verify_password_async,
)
from machinery_network.accounts.service import get_municipality, get_user, token_cache
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.db import network_of, use_network
from machinery_network.errors import Conflict, Invalid, NotAllowed, NotAuthenticated, NotFound
from machinery_network.ledger.models import LedgerEntry
from machinery_network.money import format_eur
from machinery_network.notifications.service import Mail, enqueue
from machinery_network.validators import normalize_iban

RESET_LIFETIME = timedelta(hours=1)
MAX_RESETS_PER_HOUR = 3  # more requests for one address within the hour send nothing (no mail bombing)
UNUSABLE_PASSWORD = "!"  # not an argon2 hash: nothing verifies against it

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


async def record(
    session: AsyncSession, user_id: int, actor: Actor | None, kind: str, **details: Any
) -> None:
    session.add(UserChange(user_id=user_id, actor_id=actor.id if actor else None, kind=kind, details=details))


def _mask_iban(iban: str | None) -> str | None:
    return f"{iban[:4]}…{iban[-4:]}" if iban else None


async def end_access(session: AsyncSession, user_id: int, *, keep_token: str | None = None) -> None:
    """Every session cookie and bearer token of the user stops working (``keep_token``: but this one)."""
    await session.execute(update(User).where(col(User.id) == user_id).values(session_epoch=col(User.session_epoch) + 1))
    stmt = delete(ApiToken).where(col(ApiToken.user_id) == user_id)
    if keep_token is not None:
        stmt = stmt.where(col(ApiToken.token_hash) != token_digest(keep_token))
    await session.execute(stmt)
    token_cache.clear()


# --- the caller's profile ------------------------------------------------------------------------


async def me(session: AsyncSession, actor: Actor) -> User:
    if actor.id is None:
        raise NotAllowed()
    user = await session.get(User, actor.id, populate_existing=True)
    if user is None or not user.active:
        raise NotAuthenticated()
    return user


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


# --- passwords -----------------------------------------------------------------------------------


async def set_password(session: AsyncSession, user: User, password: str) -> None:
    """Hash and store a new password the user chose himself; open reset links stop working."""
    check_password(password, user.email)
    user.password_hash = await hash_password_async(password)
    user.password_change_required = False
    await session.execute(
        update(PasswordReset).where(col(PasswordReset.user_id) == user.id, col(PasswordReset.used_at).is_(None))
        .values(used_at=clock.now())
    )


async def change_password(
    session: AsyncSession, actor: Actor, current_password: str, new_password: str, *, keep_token: str | None = None
) -> User:
    """The caller changes his password with the current one. Every other session and token ends."""
    user = await me(session, actor)
    assert user.id is not None
    if not await verify_password_async(user.password_hash, current_password):
        raise Invalid("password.wrong_current", field="current_password")
    if new_password == current_password:
        raise Invalid("password.same", field="password")
    await set_password(session, user, new_password)
    await end_access(session, user.id, keep_token=keep_token)
    await record(session, user.id, actor, "password_changed")
    await session.flush()
    await session.refresh(user)
    return user


def _reset_digest(token: str, settings: Settings) -> str:
    """A keyed digest: the table alone (a backup, a leak) does not let anyone forge or use a link."""
    secret = settings.resolved_secret().encode()
    return hmac.new(secret, b"password-reset:" + token.encode(), hashlib.sha256).hexdigest()


RESET_TEXT = (
    "Guten Tag {name},\n\n"
    "für Ihr Konto im Maschinen- und Pflegenetzwerk wurde das Zurücksetzen des Passworts angefordert{by}.\n"
    "Mit diesem Link legen Sie ein neues Passwort fest (eine Stunde gültig, nur einmal benutzbar):\n\n"
    "{link}\n\n"
    "Wenn Sie das nicht angefordert haben, können Sie diese Nachricht ignorieren; Ihr Passwort bleibt dann "
    "unverändert.\n"
)


async def _send_reset(session: AsyncSession, user: User, settings: Settings, *, by_admin: bool = False) -> str:
    assert user.id is not None
    token = new_token()
    session.add(PasswordReset(
        user_id=user.id, token_hash=_reset_digest(token, settings), expires_at=clock.now() + RESET_LIFETIME,
    ))
    link = f"{settings.base_url.rstrip('/')}/password-reset/{token}"
    enqueue(session, recipient=user, mail=Mail(
        subject="Passwort zurücksetzen",
        body=RESET_TEXT.format(name=user.name, link=link, by=" (durch die Netzwerkverwaltung)" if by_admin else ""),
    ))
    await session.flush()
    return token


async def request_reset(session: AsyncSession, email: str, settings: Settings) -> None:
    """Send a reset link if the address belongs to an active account; the caller answers the same
    (202) either way, so the answer does not tell whether an address is registered."""
    network_id = await network_of(session, "email", email.strip().lower())
    if network_id is not None:  # an anonymous request: look the account up inside its network
        await use_network(session, network_id)
    user = await session.scalar(select(User).where(col(User.email) == email.strip().lower()))
    if user is None or not user.active or user.erased_at is not None:
        return
    recent = await session.scalar(
        select(func.count()).select_from(PasswordReset)
        .where(col(PasswordReset.user_id) == user.id, col(PasswordReset.created_at) > clock.now() - RESET_LIFETIME)
    )
    if (recent or 0) >= MAX_RESETS_PER_HOUR:
        return
    await _send_reset(session, user, settings)


async def reset_user(session: AsyncSession, token: str, settings: Settings) -> User:
    """The account of a usable (unused, unexpired) reset link, else 422 naming ``token``."""
    network_id = await network_of(session, "reset", _reset_digest(token, settings))
    if network_id is not None:  # an anonymous request: the link's network
        await use_network(session, network_id)
    reset = await session.scalar(
        select(PasswordReset).where(
            col(PasswordReset.token_hash) == _reset_digest(token, settings), col(PasswordReset.used_at).is_(None),
            col(PasswordReset.expires_at) > clock.now(),
        )
    )
    user = await session.get(User, reset.user_id) if reset else None
    if user is None or not user.active or user.erased_at is not None:
        raise Invalid("password.reset_invalid", field="token")
    return user


async def confirm_reset(session: AsyncSession, token: str, new_password: str, settings: Settings) -> User:
    """Set the new password through a reset link; the link is used up (also against a concurrent twin),
    and every session and token of the account ends."""
    user = await reset_user(session, token, settings)
    assert user.id is not None
    check_password(new_password, user.email)
    used = await session.scalar(
        update(PasswordReset)
        .where(col(PasswordReset.token_hash) == _reset_digest(token, settings), col(PasswordReset.used_at).is_(None))
        .values(used_at=clock.now()).returning(col(PasswordReset.id))
    )
    if used is None:
        raise Invalid("password.reset_invalid", field="token")
    await set_password(session, user, new_password)
    await end_access(session, user.id)
    await session.execute(delete(LoginAttempt).where(col(LoginAttempt.email) == user.email))
    await record(session, user.id, None, "password_reset")
    await session.flush()
    return user


# --- tokens --------------------------------------------------------------------------------------


async def revoke_token(session: AsyncSession, token: str) -> None:
    """Logout of a bearer token: it stops working at once in this process (and within the token
    cache's 10 seconds in any other)."""
    digest = token_digest(token)
    await session.execute(delete(ApiToken).where(col(ApiToken.token_hash) == digest))
    token_cache.clear()


async def list_tokens(session: AsyncSession, actor: Actor) -> list[ApiToken]:
    user = await me(session, actor)
    return list(await session.scalars(
        select(ApiToken).where(col(ApiToken.user_id) == user.id, col(ApiToken.expires_at) > func.now())
        .order_by(col(ApiToken.created_at).desc(), col(ApiToken.id).desc())
    ))


async def revoke_own_token(session: AsyncSession, actor: Actor, token_id: int) -> None:
    user = await me(session, actor)
    deleted = await session.scalar(
        delete(ApiToken).where(col(ApiToken.id) == token_id, col(ApiToken.user_id) == user.id)
        .returning(col(ApiToken.id))
    )
    if deleted is None:
        raise NotFound("token.not_found", id=token_id)
    token_cache.clear()


# --- the administrator ---------------------------------------------------------------------------


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


async def force_reset(session: AsyncSession, actor: Actor, user_id: int, settings: Settings) -> User:
    """The administrator forces a password reset: the current password, sessions and tokens stop
    working and the user gets a reset link by mail. The administrator never learns a password."""
    require_role(actor, Role.admin)
    user = await get_user(session, user_id)
    if not user.active or user.erased_at is not None:
        raise Conflict("user.inactive")
    user.password_hash = UNUSABLE_PASSWORD
    await end_access(session, user_id)
    await _send_reset(session, user, settings, by_admin=True)
    await record(session, user_id, actor, "password_reset_forced")
    await session.flush()
    return user


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


def sees_iban(actor: Actor) -> bool:
    return actor.role in (Role.admin, Role.finance)
