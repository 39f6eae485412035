"""The ways to a new password: the user changes his own with the current one, asks for a reset link by
mail and sets one through it, or the administrator forces a reset. Each ends the account's other sessions
and tokens; the rules of a good password are ``passwords``."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.access import end_access
from machinery_network.accounts.changes import record
from machinery_network.accounts.models import LoginAttempt, PasswordReset, Role, User
from machinery_network.accounts.passwords import check_password
from machinery_network.accounts.profile import me
from machinery_network.accounts.security import hash_password_async, new_token, verify_password_async
from machinery_network.accounts.users import get_user
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.db import network_of, use_network
from machinery_network.errors import Conflict, Invalid
from machinery_network.notifications.service import Mail, enqueue

RESET_LIFETIME = timedelta(hours=1)
MAX_RESETS_PER_HOUR = 3  # more requests for one address within the hour send nothing (no mail bombing)
UNUSABLE_PASSWORD = "!"  # not an argon2 hash: nothing verifies against it


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
