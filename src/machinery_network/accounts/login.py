"""Login with e-mail address and password, and the throttling of guesses: refused per (account,
address) and per address, slowed down (never locked) per account."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import LoginAttempt, User
from machinery_network.accounts.security import verify_password_async
from machinery_network.db import network_of, use_network
from machinery_network.errors import NotAuthenticated, TooManyRequests

THROTTLE_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PAIR = 5  # per (account, address): 429 for that address only
MAX_FAILURES_PER_ADDRESS = 20  # per address, over all accounts
ACCOUNT_SLOW_AFTER = 5  # failures on one account from anywhere, before logins to it are slowed
MAX_LOGIN_DELAY = 60


def login_delay_seconds(failures: int) -> float:
    """The account-wide slow-down: none up to ``ACCOUNT_SLOW_AFTER`` recent failures, then 1, 2, 4 … seconds,
    at most ``MAX_LOGIN_DELAY``. It slows guessing from many addresses; it never refuses the right password."""
    if failures < ACCOUNT_SLOW_AFTER:
        return 0.0
    return float(min(MAX_LOGIN_DELAY, 2 ** min(failures - ACCOUNT_SLOW_AFTER, 16)))


# Replaced in tests, to see the delays without waiting for them.
login_sleep = asyncio.sleep


async def _throttle(session: AsyncSession, email: str, address: str) -> None:
    """Refuse (429) a pair (account, address) or an address with too many recent failures; slow down
    every login to an account that many addresses have failed on. Nobody but the guesser is refused."""
    since = datetime.now(UTC) - THROTTLE_WINDOW
    recent = col(LoginAttempt.attempted_at) > since
    by_pair, by_address, by_account = (await session.execute(select(
        func.count().filter(col(LoginAttempt.email) == email, col(LoginAttempt.address) == address),
        func.count().filter(col(LoginAttempt.address) == address),
        func.count().filter(col(LoginAttempt.email) == email),
    ).where(recent, (col(LoginAttempt.email) == email) | (col(LoginAttempt.address) == address)))).one()
    if by_pair >= MAX_FAILURES_PER_PAIR or by_address >= MAX_FAILURES_PER_ADDRESS:
        raise TooManyRequests("auth.throttled", seconds=int(THROTTLE_WINDOW.total_seconds()))
    delay = login_delay_seconds(by_account)
    if delay:
        await session.commit()  # hold no connection while waiting
        await login_sleep(delay)


async def authenticate(session: AsyncSession, email: str, password: str, address: str) -> User:
    """Check the password; failures are recorded and throttled per (account, address) and per address,
    and slow down (never lock) the account as a whole."""
    email = email.strip().lower()
    await _throttle(session, email, address)
    network_id = await network_of(session, "email", email)
    if network_id is not None:  # look the user up inside his network
        await use_network(session, network_id)
    user = await session.scalar(select(User).where(col(User.email) == email))
    if (not await verify_password_async(user.password_hash if user else None, password) or not user
            or not user.active):
        session.add(LoginAttempt(email=email, address=address))
        # Commit now: the refusal below rolls the request back, and the attempt must still count.
        await session.commit()
        raise NotAuthenticated("auth.bad_credentials")
    await session.execute(
        delete(LoginAttempt).where(col(LoginAttempt.email) == email, col(LoginAttempt.address) == address)
    )
    return user
