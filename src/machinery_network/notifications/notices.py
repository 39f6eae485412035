"""In-app notices: every event told to a user goes through ``tell``.

``tell`` writes the notice (the user's list on the page "Mitteilungen", ``GET /me/notices``) and, when
the user wants mail for the event's category (``accounts.profile.wants_mail``: the default) and has an
address, queues the mail in the outbox, in the caller's transaction. A ``dedupe_key`` tells an event at
most once per user whichever process tells it: the insert skips a row that exists already
(``uq_notices_user_dedupe``), and the mail is queued only with a notice that was written.

A domain's hot statements may write their notices themselves, with the same columns and the same
preference rule (``mail_wanted``, in SQL).

Each domain declares the kinds it tells and the category a user chooses mail or page for (``declare``);
this module knows no domain.

A notice belongs to its recipient's network. A network may write one to a farmer of a partner network
(its yard head decided his booking of a shared item, its settlement charges him), but not read it:
row-level security checks the rows an INSERT returns against the reading policy, so such a notice is
written without RETURNING, its id drawn first (``_insert_across``).

A notice keeps its message key and parameters: the text is German (``text``, rendered when written) and
rendered again in English on request. Texts live in the domains' catalogues (``notice.*`` keys).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network._sa import table_of
from machinery_network.accounts.models import User
from machinery_network.auth import Actor
from machinery_network.db import session_network
from machinery_network.errors import NotAllowed, NotFound
from machinery_network.i18n import translate
from machinery_network.notifications.models import Notice
from machinery_network.notifications.service import Mail, enqueue, enqueue_many
from machinery_network.paging import Page, PageRequest, finish, keyset

TEXT_LENGTH = 4000
NOTICE_SEQUENCE = "notices_id_seq"  # ids of notices written without RETURNING (``_insert_across``)

# The kind of each notice and the category a user chooses mail or page for (``people.NOTIFICATION_KINDS``),
# as declared by the domains that tell them (``declare``).
CATEGORIES: dict[str, str] = {}


def declare(category: str, *kinds: str) -> None:
    """Declare notice kinds a domain tells and the preference category they fall under (at import)."""
    for kind in kinds:
        if CATEGORIES.setdefault(kind, category) != category:
            raise ValueError(f"notice kind {kind!r} declared under two categories")


ORDER = "notices:newest"
KEYS = (col(Notice.created_at), col(Notice.id))


def category_of(kind: str) -> str:
    return CATEGORIES[kind]


def wants_mail(user: User, kind: str) -> bool:
    from machinery_network.accounts.profile import wants_mail as wants

    return wants(user, category_of(kind))


def mail_wanted(kind: str) -> ColumnElement[bool]:
    """``wants_mail`` as SQL over ``users``, for statements that write notices and mails themselves."""
    return func.coalesce(table_of(User).c.notify[category_of(kind)].astext, "mail") != "page"


def render(key: str, params: dict[str, Any], lang: str = "de") -> str:
    return translate(key, lang, **params)[:TEXT_LENGTH]


def _across(session: AsyncSession, recipient: User) -> bool:
    """Whether ``recipient`` belongs to another network than the session's (a partner network's farmer)."""
    network_id = session_network(session)
    return network_id is not None and recipient.network_id is not None and recipient.network_id != network_id


async def _insert_across(session: AsyncSession, values: dict[str, Any]) -> int | None:
    """Write a notice of another network, which this transaction may write but not read: no RETURNING,
    the id drawn from the sequence first. None when the ``dedupe_key`` was told already.

    ON CONFLICT names no index: with one, PostgreSQL checks the new row against the reading policy too.
    The id is fresh, so the only conflict possible is ``uq_notices_user_dedupe``."""
    notice_id = int(await session.scalar(select(func.nextval(NOTICE_SEQUENCE))) or 0)
    result = await session.execute(pg_insert(Notice).values({**values, "id": notice_id}).on_conflict_do_nothing())
    return notice_id if getattr(result, "rowcount", 0) else None


@dataclass(frozen=True, slots=True)
class Told:
    notice_id: int
    mailed: bool


async def tell(
    session: AsyncSession, recipient: User, kind: str, key: str, params: dict[str, Any], *,
    link: str | None = None, mail: Mail | None = None, dedupe_key: str | None = None,
    now: datetime | None = None,
) -> Told | None:
    """Tell ``recipient`` of an event: the notice, and the mail when he wants it. None when the event
    was told already (same ``dedupe_key``)."""
    assert recipient.id is not None
    values = {"user_id": recipient.id, "kind": kind, "key": key, "params": params, "text": render(key, params),
              "link": link, "dedupe_key": dedupe_key, "created_at": now or clock.now()}
    if _across(session, recipient):
        notice_id = await _insert_across(session, values)
    else:
        stmt = pg_insert(Notice).values(values)
        if dedupe_key is not None:
            stmt = stmt.on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"],
                                               index_where=col(Notice.dedupe_key).is_not(None))
        notice_id = await session.scalar(stmt.returning(col(Notice.id)))
    if notice_id is None:
        return None
    mailed = bool(mail is not None and recipient.email and recipient.active and recipient.erased_at is None
                  and wants_mail(recipient, kind))
    if mailed:
        assert mail is not None
        enqueue(session, recipient=recipient, mail=mail)
    return Told(notice_id, mailed)


@dataclass(frozen=True, slots=True)
class Tidings:
    """One recipient's share of an event told to many (``tell_many``)."""

    recipient: User
    params: dict[str, Any]
    link: str | None = None
    mail: Mail | None = None
    dedupe_key: str | None = None


BATCH = 1000  # rows per INSERT (asyncpg takes at most 32,767 parameters)


async def tell_many(session: AsyncSession, kind: str, key: str, tidings: Sequence[Tidings], *,
                    now: datetime | None = None) -> int:
    """``tell`` for many recipients in a few statements (a settlement tells thousands of farmers):
    the notices in batches, then the mails of those who want them and whose notice was written.
    Answers how many notices were written."""
    now = now or clock.now()
    by_user = {t.recipient.id: t for t in tidings}

    def values(t: Tidings) -> dict[str, Any]:
        # The recipient's network named, so that the tenant trigger need not look it up row by row.
        return {"user_id": t.recipient.id, "network_id": t.recipient.network_id, "kind": kind, "key": key,
                "params": t.params, "text": render(key, t.params), "link": t.link, "dedupe_key": t.dedupe_key,
                "created_at": now}

    written: list[int] = []
    own = [t for t in tidings if not _across(session, t.recipient)]
    table = table_of(Notice)  # Core rows, sent as one executemany (no ORM objects, one compiled statement)
    stmt = pg_insert(table).on_conflict_do_nothing(
        index_elements=["user_id", "dedupe_key"], index_where=table.c.dedupe_key.is_not(None)
    ).returning(table.c.user_id)
    for start in range(0, len(own), BATCH):
        written += list(await session.scalars(stmt, [values(t) for t in own[start:start + BATCH]]))
    for t in tidings:  # farmers of partner networks: few, one at a time
        if _across(session, t.recipient) and await _insert_across(session, values(t)) is not None:
            assert t.recipient.id is not None
            written.append(t.recipient.id)
    mails: list[tuple[User, Mail]] = []
    for user_id in written:
        t = by_user[user_id]
        if (t.mail is not None and t.recipient.email and t.recipient.active and t.recipient.erased_at is None
                and wants_mail(t.recipient, kind)):
            if _across(session, t.recipient):
                enqueue(session, recipient=t.recipient, mail=t.mail)
            else:
                mails.append((t.recipient, t.mail))
    await enqueue_many(session, mails, batch=BATCH)  # one INSERT per batch: thousands at a settlement
    await session.flush()
    return len(written)


# --- the user's list -------------------------------------------------------------------------------


def _own(actor: Actor) -> int:
    if actor.id is None:
        raise NotAllowed()
    return actor.id


async def page_notices(session: AsyncSession, actor: Actor, page: PageRequest) -> Page[Notice]:
    """The caller's notices, newest first (by created_at, then id)."""
    stmt = select(Notice).where(col(Notice.user_id) == _own(actor))
    rows: Sequence[Notice] = list(await session.scalars(keyset(stmt, KEYS, page, descending=True)))
    return finish(rows, page, lambda n: (n.created_at, n.id))


async def unread_count(session: AsyncSession, actor: Actor) -> int:
    return int(await session.scalar(
        select(func.count()).select_from(Notice)
        .where(col(Notice.user_id) == _own(actor), col(Notice.read_at).is_(None))
    ) or 0)


async def mark_read(session: AsyncSession, actor: Actor, notice_id: int) -> None:
    """Mark one of the caller's notices read (again: unchanged); another user's is unknown (404)."""
    found = await session.scalar(
        update(Notice).where(col(Notice.id) == notice_id, col(Notice.user_id) == _own(actor))
        .values(read_at=func.coalesce(col(Notice.read_at), clock.now())).returning(col(Notice.id))
    )
    if found is None:
        raise NotFound("notice.not_found", id=notice_id)


async def mark_all_read(session: AsyncSession, actor: Actor) -> int:
    result = await session.execute(
        update(Notice).where(col(Notice.user_id) == _own(actor), col(Notice.read_at).is_(None))
        .values(read_at=clock.now())
    )
    return int(getattr(result, "rowcount", 0) or 0)


__all__ = ["CATEGORIES", "KEYS", "ORDER", "Told", "category_of", "declare", "mail_wanted", "mark_all_read", "mark_read",
           "page_notices", "render", "tell", "tell_many", "Tidings", "unread_count", "wants_mail"]
