"""Every statement the bookings domain sends through the driver (``db.driver``), each built and
compiled once (``functools.cache``): the request's lookup and write, the approval's lookup and
write, with the booking notices written inside them.

A notice is one INSERT … SELECT over its recipients, so each is addressed by name without a query
first; the mail text comes from ``bookings/mail`` (``notices``), cut at the per-recipient fields.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Date,
    DateTime,
    Insert,
    Integer,
    String,
    and_,
    bindparam,
    cast,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    update,
)
from sqlalchemy import column as sa_column
from sqlalchemy import table as sa_table
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import SQLCoreOperations
from sqlmodel import col

from machinery_network._sa import table_of
from machinery_network.accounts.models import Municipality, Role, User
from machinery_network.bookings.draw_models import ContestedSeason, Draw
from machinery_network.bookings.models import Booking, BookingEvent, BookingStatus, Occupancy
from machinery_network.bookings.notices import DECISION_FIELDS, MAILS, REQUEST_FIELDS
from machinery_network.bookings.queries import OCCUPANCY_LOCK_CLASS, occupying
from machinery_network.bookings.rules import RULES
from machinery_network.catalogue.models import Item
from machinery_network.db import DriverStatement, for_driver
from machinery_network.notifications.models import Notice, OutboxMessage
from machinery_network.notifications.notices import mail_wanted
from machinery_network.notifications.service import OUTBOX_COLUMNS, SUBJECT_LENGTH, sql_text

BOOKING_VALUES = ("item_id", "farmer_id", "start_at", "end_at", "with_operator", "expected_quantity", "note",
                  "status", "estimated_cents", "created_at", "series_id", "in_draw")
BOOKING_COLUMNS = tuple(column.name for column in table_of(Booking).c)
APPROVED_RATES = ("approved_rate_cents", "approved_operator_rate_cents", "approved_vat_percent")


def _mail_rows(
    kind: str, fields: tuple[str, ...], columns: Mapping[str, SQLCoreOperations[str]]
) -> list[ColumnElement[Any]]:
    """The outbox columns after the recipient's id and address: subject, body, attempts, created_at."""
    return [
        func.left(sql_text("subject", MAILS.field_order(kind, "subject", fields), columns), SUBJECT_LENGTH),
        sql_text("body", MAILS.field_order(kind, "body", fields), columns),
        literal(0, Integer), bindparam("now", type_=DateTime(timezone=True)),
    ]


NOTICE_COLUMNS = ("user_id", "kind", "key", "params", "text", "link", "created_at")
# The notices below name their network, the recipient's, as the database would (migration 0022's
# trigger looks it up per row with dynamic SQL, about a fifth of a booking request's database time).


def _notice_columns(kind: str, link: ColumnElement[str] | None = None) -> list[ColumnElement[Any]]:
    """The notice columns after the recipient's id (``NOTICE_COLUMNS``); parameters ``notice_key``,
    ``notice_params`` (JSON text), ``notice_text``, ``notice_link`` (unless ``link``), ``now``."""
    return [
        literal(kind, String), bindparam("notice_key", type_=String),
        cast(bindparam("notice_params", type_=String), JSONB), bindparam("notice_text", type_=String),
        link if link is not None else bindparam("notice_link", type_=String),
        bindparam("now", type_=DateTime(timezone=True)),
    ]


def decision_in_app(after: CTE) -> Insert:
    """The approved farmer's notice (``notifications.notices``), written only if ``after`` returned a row."""
    rows = (
        select(col(User.id), *_notice_columns("booking_approved"), col(User.network_id))
        .where(col(User.id) == bindparam("farmer_id", type_=Integer), select(after).exists())
    )
    return insert(table_of(Notice)).from_select([*NOTICE_COLUMNS, "network_id"], rows)


def decision_notice(after: CTE) -> Insert:
    """The approved farmer's outbox row, written only if the data-modifying CTE ``after`` returned a
    row and he wants booking mail. Parameters: ``notices.decision_params("approved", …)``."""
    farmer = aliased(User)
    columns = {"name": col(User.name), "municipality": col(Municipality.name), "farmer": col(farmer.name)}
    rows = (
        select(col(User.id), col(User.email), *_mail_rows("approved", DECISION_FIELDS, columns))
        .select_from(User)
        .join(Municipality, col(Municipality.id) == bindparam("municipality_id", type_=Integer))
        .join(farmer, col(farmer.id) == bindparam("farmer_id", type_=Integer))
        .where(col(User.id) == bindparam("farmer_id", type_=Integer), select(after).exists(),
               mail_wanted("booking_approved"))
    )
    return insert(table_of(OutboxMessage)).from_select(list(OUTBOX_COLUMNS), rows)


def request_notice(booking_ids: CTE) -> CTE:
    """A data-modifying CTE: one outbox row per active yard head of the municipality
    ``:municipality_id`` for the new request whose id comes from ``booking_ids``.
    Parameters: ``notices.request_params``."""
    columns: dict[str, SQLCoreOperations[str]] = {"name": col(User.name), "id": cast(booking_ids.c.id, String)}
    return (
        insert(table_of(OutboxMessage))
        .from_select(
            list(OUTBOX_COLUMNS),
            select(col(User.id), col(User.email), *_mail_rows("requested", REQUEST_FIELDS, columns))
            .select_from(User)
            .join(booking_ids, literal(True))
            .where(col(User.role) == Role.yard_head,
                   col(User.municipality_id) == bindparam("municipality_id", type_=Integer),
                   col(User.active), mail_wanted("booking_requested")),
        )
        .cte("request_notice")
    )


def request_in_app(booking_ids: CTE) -> CTE:
    """A data-modifying CTE: the notice of each active yard head of ``:municipality_id`` for the new
    request, linking to it. Parameters: ``notices.request_params``."""
    link = literal("/manage/bookings/", String) + cast(booking_ids.c.id, String)
    return (
        insert(table_of(Notice))
        .from_select(
            [*NOTICE_COLUMNS, "network_id"],
            select(col(User.id), *_notice_columns("booking_requested", link), col(User.network_id))
            .select_from(User)
            .join(booking_ids, literal(True))
            .where(col(User.role) == Role.yard_head,
                   col(User.municipality_id) == bindparam("municipality_id", type_=Integer),
                   col(User.active)),
        )
        .cte("request_in_app")
    )


def collected_for_draw(start: Any) -> ColumnElement[bool]:
    """Whether a request starting at ``start`` is collected for the draw (``draws``): its local day
    lies in a contested season of the item and its week (Monday, local time) has not been drawn.
    Parameter ``tz``: the network's time zone name."""
    local = func.timezone(bindparam("tz", type_=String), start)
    day, week = cast(local, Date), cast(func.date_trunc("week", local), Date)
    seasons, draws = table_of(ContestedSeason), table_of(Draw)
    return and_(
        select(seasons.c.id).where(seasons.c.item_id == col(Item.id), seasons.c.first_day <= day,
                                   seasons.c.last_day >= day).exists(),
        ~select(draws.c.id).where(draws.c.item_id == col(Item.id), draws.c.period_start == week).exists(),
    )


@functools.cache
def request_lookup() -> DriverStatement:
    """The item (with its booking rules), whether the request goes into the draw (``in_draw``) and the
    first approved booking or block of it in the way of [start, end)."""
    start, end = bindparam("start", type_=DateTime(timezone=True)), bindparam("end", type_=DateTime(timezone=True))
    return for_driver(
        select(col(Item.id), col(Item.name), col(Item.municipality_id), col(Item.network_id), col(Item.active),
               col(Item.unit),
               col(Item.rate_cents), col(Item.operator_rate_cents), col(Item.vat_percent),
               *(table_of(Item).c[name] for name in RULES),
               collected_for_draw(start).label("in_draw"), col(Occupancy.start_at), col(Occupancy.end_at),
               col(Occupancy.booking_id), col(Occupancy.block_id))
        .outerjoin(Occupancy, and_(col(Occupancy.item_id) == col(Item.id),
                                   occupying(start, end, col(Item.buffer_minutes))))
        .where(col(Item.id) == bindparam("item_id", type_=Integer))
        .order_by(col(Occupancy.start_at), col(Occupancy.id))
        .limit(1)
    )


@functools.cache
def request_statement(tell_yard_heads: bool = True) -> DriverStatement:
    """One statement writes a new request, its first event and the yard heads' notification.

    ``tell_yard_heads=False`` for an item of a partner network: its yard heads are not visible to the
    farmer's network; ``owner_notice`` tells them after the request is written.

    The booking names its network (``network_id``: the item's) and its farmer's (``farmer_network_id``),
    so that the database's triggers need not look them up (migrations 0007 and 0018: dynamic SQL per
    row); ``None`` leaves them to the triggers, and the foreign key on (item, network) refuses a
    network that is not the item's."""
    bookings = table_of(Booking)
    written = sa_table(
        Booking.__tablename__, sa_column("id", Integer),
        *(sa_column(name, bookings.c[name].type) for name in BOOKING_VALUES),
        sa_column("network_id", Integer), sa_column("farmer_network_id", Integer),
    )
    inserted = (
        insert(written)
        .values({name: bindparam(name, type_=written.c[name].type)
                 for name in (*BOOKING_VALUES, "network_id", "farmer_network_id")})
        .returning(written.c.id, written.c.network_id)
        .cte("inserted")
    )
    # The event names its network: a trigger cannot see the booking inserted by the same statement
    # (for a farmer of a partner network, the booking's network is the item's, not his own).
    names = ["booking_id", "network_id", "actor_id", "from_status", "to_status", "at"]
    event = (
        insert(sa_table(BookingEvent.__tablename__, *(sa_column(name) for name in names)))
        .from_select(
            names,
            select(inserted.c.id, inserted.c.network_id, bindparam("actor_id", type_=Integer), null(),
                   literal(BookingStatus.requested.value), bindparam("now", type_=DateTime(timezone=True))),
        )
        .cte("event")
    )
    ctes = [event, request_notice(inserted), request_in_app(inserted)] if tell_yard_heads else [event]
    return for_driver(select(inserted.c.id).add_cte(*ctes))


@functools.cache
def owner_notice() -> DriverStatement:
    """The notices and mails of the owning yard heads of a partner network's item, for a request or a
    cancellation by a farmer of the transaction's network (``mn_tell_owner_yard_heads``, migration
    ``0032_partner_notices``, which writes nothing unless the item is shared under an active agreement).
    Answers how many yard heads were told. Parameters: ``notices.owner_params``."""
    return for_driver(select(func.mn_tell_owner_yard_heads(
        bindparam("booking_id", type_=Integer), bindparam("kind", type_=String),
        bindparam("notice_key", type_=String), cast(bindparam("notice_params", type_=String), JSONB),
        bindparam("notice_text", type_=String), bindparam("subject", type_=ARRAY(String)),
        bindparam("body", type_=ARRAY(String)), bindparam("now", type_=DateTime(timezone=True)),
    )))



@functools.cache
def approval_lookup() -> DriverStatement:
    """The booking (row-locked) with what an approval needs of its item, after taking the item's
    occupancy lock (``queries.lock_item``): approvals of one item happen one after the other."""
    bookings = table_of(Booking)
    return for_driver(
        select(bookings, col(Item.municipality_id).label("item_municipality_id"), col(Item.name).label("item_name"),
               func.pg_advisory_xact_lock(OCCUPANCY_LOCK_CLASS, bookings.c.item_id).label("locked"))
        .join(Item, col(Item.id) == bookings.c.item_id)
        .where(bookings.c.id == bindparam("booking_id", type_=Integer))
        .with_for_update(of=bookings)
    )


@functools.cache
def approval_statement(pre_check: bool = True) -> DriverStatement:
    """Occupy the period unless an approved booking or block is in the way, and only then mark the
    booking approved and write its event and the farmer's notification: one statement; it returns
    the booking id, or nothing.

    ``pre_check=False`` leaves out the look for an occupancy in the way, so that tests can show the
    exclusion constraint deciding alone."""
    occupancies, bookings, events = table_of(Occupancy), table_of(Booking), table_of(BookingEvent)
    item_id, booking_id = bindparam("item_id", type_=Integer), bindparam("booking_id", type_=Integer)
    start, end = bindparam("start", type_=DateTime(timezone=True)), bindparam("end", type_=DateTime(timezone=True))
    actor_id, now = bindparam("actor_id", type_=Integer), bindparam("now", type_=DateTime(timezone=True))
    items = table_of(Item)
    in_the_way = (
        select(occupancies.c.id)
        .where(occupancies.c.item_id == item_id, occupying(start, end, items.c.buffer_minutes))
        .exists()
    )
    occupied = (  # with the item's buffer: the constraint compares the padded periods
        insert(occupancies)
        .from_select(["item_id", "start_at", "end_at", "booking_id", "buffer_minutes"],
                     select(item_id, start, end, booking_id, items.c.buffer_minutes)
                     .where(items.c.id == item_id, ~in_the_way if pre_check else true()))
        .returning(occupancies.c.booking_id)
        .cte("occupied")
    )
    approved = (  # the prices are fixed here: the item's rates of the approval's moment
        update(bookings)
        .where(bookings.c.id.in_(select(occupied.c.booking_id)), items.c.id == bookings.c.item_id)
        .values(status=BookingStatus.approved.value, decided_by=actor_id, decided_at=now,
                approved_rate_cents=items.c.rate_cents, approved_operator_rate_cents=items.c.operator_rate_cents,
                approved_vat_percent=items.c.vat_percent)
        .returning(bookings.c.id, *(bookings.c[name] for name in APPROVED_RATES))
        .cte("approved")
    )
    event = (
        insert(events)
        .from_select(["booking_id", "actor_id", "from_status", "to_status", "at"],
                     select(approved.c.id, actor_id, literal(BookingStatus.requested.value),
                            literal(BookingStatus.approved.value), now))
        .cte("event")
    )
    notice = decision_notice(after=approved).cte("notice")
    in_app = decision_in_app(after=approved).cte("in_app")
    return for_driver(select(approved).add_cte(occupied, event, notice, in_app))



LIVE = (BookingStatus.requested.value, BookingStatus.approved.value, BookingStatus.completed.value,
        BookingStatus.offered.value)


@functools.cache
def usage_lookup(hours: bool, open_requests: bool) -> DriverStatement:
    """A farmer's usage of an item for its booking rules (``rules.Usage``): one row per live booking
    (requested, approved, completed, offered) overlapping [window_start, window_end) if ``hours``, each with
    ``open`` true for an open request; with ``open_requests`` also every open request outside it.
    Only what the item's configured rules need is asked for (the index on farmer, item, start)."""
    bookings = table_of(Booking)
    window_start = bindparam("window_start", type_=DateTime(timezone=True))
    window_end = bindparam("window_end", type_=DateTime(timezone=True))
    wanted = []
    if hours:
        wanted.append(and_(bookings.c.start_at < window_end, bookings.c.end_at > window_start))
    if open_requests:
        wanted.append(bookings.c.status == BookingStatus.requested.value)
    return for_driver(
        select(bookings.c.start_at, bookings.c.end_at,
               (bookings.c.status == BookingStatus.requested.value).label("open"))
        .where(bookings.c.farmer_id == bindparam("farmer_id", type_=Integer),
               bookings.c.item_id == bindparam("item_id", type_=Integer),
               bookings.c.status.in_([literal(status) for status in LIVE]), or_(*wanted))
    )
