"""In-app notices: every event told (notice, and mail by the user's choice), the caller's paged list,
marking read, and the events that are told once only (reminder, digest) even with two processes."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, text, update

from machinery_network.accounts.models import User
from machinery_network.auth import SYSTEM
from machinery_network.bookings.models import Booking
from machinery_network.bookings.notices import remind
from machinery_network.config import get_settings
from machinery_network.dashboards.digest import weekly_digest
from machinery_network.ledger import service as ledger
from machinery_network.mandates import service as mandates
from machinery_network.money import line_amounts
from machinery_network.notifications import notices
from machinery_network.notifications.models import Notice, OutboxMessage
from machinery_network.settlement import service as settlement
from tests.conftest import build_world
from tests.test_bookings import make_item, request

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)  # a Thursday; September has ended

pytestmark = pytest.mark.usefixtures("frozen")


def at(day: int, hour: int, minute: int = 0) -> str:
    return datetime(2026, 10, day, hour, minute, tzinfo=BERLIN).isoformat()


async def notices_of(session, user_id: int) -> list[Notice]:
    return list(await session.scalars(
        select(Notice).where(Notice.user_id == user_id).order_by(Notice.id).execution_options(populate_existing=True)))


async def mails_to(session, user_id: int) -> list[OutboxMessage]:
    return list(await session.scalars(
        select(OutboxMessage).where(OutboxMessage.recipient_id == user_id).order_by(OutboxMessage.id)))


async def choose(session, user_id: int, **choices: str) -> None:
    user = await session.get(User, user_id)
    user.notify = {**(user.notify or {}), **choices}
    await session.commit()


# --- booking events ------------------------------------------------------------------------------------


async def test_request_and_approval_are_told_in_app_and_by_mail_as_chosen(client, db_session, world):
    item = await make_item(db_session, world)
    await choose(db_session, world.farmer.id, booking="page")  # Franz wants booking news on the page only
    r = await request(client, world.farmer, item.id, at(5, 8), at(5, 12))
    assert r.status_code == 201, r.text
    booking_id = r.json()["id"]
    [asked] = await notices_of(db_session, world.yard_north.id)
    assert (asked.kind, asked.link) == ("booking_requested", f"/manage/bookings/{booking_id}")
    assert asked.text == "Franz Bauer fragt „Gerät hour“ an: 05.10.2026 08:00 – 12:00."
    assert await notices_of(db_session, world.yard_south.id) == []  # the other municipality's head: nothing
    assert len(await mails_to(db_session, world.yard_north.id)) == 1

    r = await client.post(f"/api/v1/bookings/{booking_id}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    [approved] = await notices_of(db_session, world.farmer.id)
    assert (approved.kind, approved.link, approved.read_at) == ("booking_approved", "/bookings", None)
    assert approved.text == "Ihre Buchung „Gerät hour“ (05.10.2026 08:00 – 12:00) ist genehmigt."
    assert await mails_to(db_session, world.farmer.id) == []  # page only, as he chose

    # Gerda keeps the default (mail): notice and mail. The yard head now wants requests on the page only.
    await choose(db_session, world.yard_north.id, booking="page")
    r = await request(client, world.farmer2, item.id, at(6, 8), at(6, 12))
    assert len(await notices_of(db_session, world.yard_north.id)) == 2
    assert len(await mails_to(db_session, world.yard_north.id)) == 1
    r = await client.post(f"/api/v1/bookings/{r.json()['id']}/approve", headers=world.yard_north.headers)
    assert [n.kind for n in await notices_of(db_session, world.farmer2.id)] == ["booking_approved"]
    [mail] = await mails_to(db_session, world.farmer2.id)
    assert mail.subject.startswith("Buchung genehmigt")


async def test_rejection_and_cancellation_are_told(client, db_session, world):
    item = await make_item(db_session, world)
    first = (await request(client, world.farmer, item.id, at(5, 8), at(5, 12))).json()["id"]
    r = await client.post(f"/api/v1/bookings/{first}/reject", json={"reason": "Gerät in der Werkstatt"},
                          headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    second = (await request(client, world.farmer, item.id, at(7, 8), at(7, 12))).json()["id"]
    r = await client.post(f"/api/v1/bookings/{second}/cancel", headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    farmer = await notices_of(db_session, world.farmer.id)
    assert [n.kind for n in farmer] == ["booking_rejected", "booking_cancelled"]
    assert farmer[0].text.endswith("wurde abgelehnt: Gerät in der Werkstatt")
    yard = await notices_of(db_session, world.yard_north.id)
    assert [n.kind for n in yard] == ["booking_requested", "booking_requested", "booking_cancelled"]
    assert yard[-1].link == f"/manage/bookings/{second}"


# --- the list ----------------------------------------------------------------------------------------


async def tell_some(session, person, count: int) -> list[int]:
    user = await session.get(User, person.id)
    ids = []
    for n in range(count):
        told = await notices.tell(session, user, "booking_reminder", "notice.booking_reminder",
                                  {"item": f"Gerät {n}", "period": "02.10.2026 08:00 – 12:00"},
                                  link="/bookings", now=NOW + timedelta(minutes=n))
        ids.append(told.notice_id)
    await session.commit()
    return ids


async def test_list_is_newest_first_and_paged_with_a_link(client, db_session, world):
    ids = await tell_some(db_session, world.farmer, 5)
    await tell_some(db_session, world.farmer2, 1)
    url = "/api/v1/me/notices"
    r = await client.get(url, params={"limit": 2}, headers=world.farmer.headers)
    assert r.status_code == 200, r.text
    assert [n["id"] for n in r.json()] == [ids[4], ids[3]]
    assert set(r.json()[0]) == {"id", "kind", "text", "link", "created_at", "read"}
    assert r.json()[0]["text"] == "Erinnerung: Morgen beginnt Ihre Buchung „Gerät 4“ (02.10.2026 08:00 – 12:00)."
    seen = [n["id"] for n in r.json()]
    while "link" in r.headers:
        target = r.headers["link"].split(";")[0].strip("<>")
        assert r.headers["link"].endswith('rel="next"') and "limit=2" in target
        r = await client.get(target, headers=world.farmer.headers)
        seen += [n["id"] for n in r.json()]
    assert seen == ids[::-1]  # all five, none twice, newest first
    # Default limit, English on request.
    r = await client.get(url, headers={**world.farmer.headers, "Accept-Language": "en-GB,en;q=0.8"})
    assert len(r.json()) == 5 and "link" not in r.headers
    assert r.json()[0]["text"] == "Reminder: your booking of Gerät 4 (02.10.2026 08:00 – 12:00) starts tomorrow."


@pytest.mark.parametrize("params, field", [({"limit": 1001}, "limit"), ({"limit": 0}, "limit"),
                                           ({"limit": "viele"}, "limit"), ({"cursor": "kaputt"}, "cursor")])
async def test_bad_limit_or_cursor_is_422(client, world, params, field):
    r = await client.get("/api/v1/me/notices", params=params, headers=world.farmer.headers)
    assert r.status_code == 422 and r.json()["extra"] == {"field": field}


async def test_read_one_read_all_and_nobody_reads_anothers(client, db_session, world):
    ids = await tell_some(db_session, world.farmer, 3)
    h = world.farmer.headers
    assert (await client.get("/api/v1/me/notices/unread", headers=h)).json() == {"unread": 3}
    # Someone else's notice id is unknown to the caller: 404, and it stays unread.
    r = await client.post(f"/api/v1/me/notices/{ids[0]}/read", headers=world.farmer2.headers)
    assert r.status_code == 404 and r.json()["detail"] == "Notice not found."
    assert (await client.post(f"/api/v1/me/notices/{ids[0]}/read", headers=world.yard_north.headers)).status_code == 404
    assert (await client.post(f"/api/v1/me/notices/{ids[0]}/read")).status_code == 401
    assert (await client.get("/api/v1/me/notices")).status_code == 401
    assert (await client.post("/api/v1/me/notices/999999/read", headers=h)).status_code == 404
    # The other user's list does not show it either.
    assert (await client.get("/api/v1/me/notices", headers=world.farmer2.headers)).json() == []

    assert (await client.post(f"/api/v1/me/notices/{ids[0]}/read", headers=h)).status_code == 204
    assert (await client.post(f"/api/v1/me/notices/{ids[0]}/read", headers=h)).status_code == 204  # again: fine
    listed = {n["id"]: n["read"] for n in (await client.get("/api/v1/me/notices", headers=h)).json()}
    assert listed == {ids[0]: True, ids[1]: False, ids[2]: False}
    assert (await client.post("/api/v1/me/notices/read-all", headers=h)).status_code == 204
    assert (await client.get("/api/v1/me/notices/unread", headers=h)).json() == {"unread": 0}


async def test_notices_are_a_tenant_table(db_session, world):
    [notice_id] = await tell_some(db_session, world.farmer, 1)
    network = await db_session.scalar(text("SELECT network_id FROM notices WHERE id = :id"), {"id": notice_id})
    assert network is not None and network == world.farmer.user.network_id


# --- care, settlement, defect ---------------------------------------------------------------------------


async def test_care_log_confirmed_and_rejected_are_told_to_the_farmer(client, db_session, world):
    from tests.test_care_api import assigned_section, report

    section = await assigned_section(client, world)
    first = (await report(client, world.farmer, section["id"], "2026-09-14", 850)).json()["id"]
    second = (await report(client, world.farmer, section["id"], "2026-09-15", 850)).json()["id"]
    await choose(db_session, world.farmer.id, care_log="page")
    assert (await client.post(f"/api/v1/care-logs/{first}/confirm", headers=world.yard_north.headers)).status_code == 200
    r = await client.post(f"/api/v1/care-logs/{second}/reject", json={"reason": "Doppelt gemeldet"},
                          headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    confirmed, rejected = await notices_of(db_session, world.farmer.id)
    assert confirmed.kind == "care_log_confirmed" and "vom 14.09.2026 ist bestätigt; Gutschrift 127,50 €" in confirmed.text
    assert rejected.kind == "care_log_rejected" and rejected.text.endswith("nicht bestätigt: Doppelt gemeldet")
    assert await mails_to(db_session, world.farmer.id) == []  # he chose the page for care logs
    await choose(db_session, world.farmer.id, care_log="mail")
    third = (await report(client, world.farmer, section["id"], "2026-09-16", 850)).json()["id"]
    await client.post(f"/api/v1/care-logs/{third}/confirm", headers=world.yard_north.headers)
    [mail] = await mails_to(db_session, world.farmer.id)
    assert mail.subject == f"Pflegearbeit bestätigt: {section['name']}, 16.09.2026"


async def test_settlement_ready_tells_each_farmer_amount_date_and_mandate(db_session, world):
    amounts = line_amounts(Decimal(2), 5000, Decimal(0))
    await ledger.post_charge(db_session, farmer_id=world.farmer.id, municipality_id=world.north.id,
                             value_date=date(2026, 9, 10), amounts=amounts, vat_percent=Decimal(0), item_name="Traktor",
                             quantity=Decimal(2), unit="hour", rate_cents=5000, booking_id=None, actor=SYSTEM)
    await ledger.post_credit(db_session, farmer_id=world.farmer2.id, municipality_id=world.north.id,
                             value_date=date(2026, 9, 12), quantity=Decimal(100), unit="metre", rate_cents=15,
                             section_name="Weg", care_log_id=None, actor=SYSTEM)
    await mandates.create_mandate(db_session, SYSTEM, farmer_id=world.farmer.id, municipality_id=world.north.id,
                                  reference="MN-NORD-0001", signed_on=date(2026, 3, 1))
    result = await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, tz=BERLIN, settings=get_settings())
    assert result.created
    [debit] = await notices_of(db_session, world.farmer.id)
    assert debit.kind == "settlement_ready"
    # 1 October + 14 days of pre-notification = Thursday 15 October, a TARGET2 business day.
    assert debit.text == ("Ihre Monatsabrechnung September 2026 (" + world.north.name + ") liegt bereit: 100,00 € "
                          "werden am 15.10.2026 per SEPA-Lastschrift eingezogen (Mandatsreferenz MN-NORD-0001).")
    assert debit.link == f"/account/statements/2026-09?municipality_id={world.north.id}"
    [mail] = await mails_to(db_session, world.farmer.id)
    assert "Mandatsreferenz MN-NORD-0001" in mail.body and "15.10.2026" in mail.body
    [payout] = await notices_of(db_session, world.farmer2.id)
    assert "15,00 € werden Ihnen am 15.10.2026 überwiesen" in payout.text
    # Settling again changes nothing and tells nobody twice.
    again = await settlement.settle(db_session, SYSTEM, date(2026, 9, 1), world.north.id, tz=BERLIN, settings=get_settings())
    assert not again.created and len(await notices_of(db_session, world.farmer.id)) == 1
    assert await notices_of(db_session, world.yard_north.id) == []  # staff get no statement


async def test_defect_tells_every_farmer_with_a_booking_in_the_block(client, db_session, world):
    from tests.test_machine import OUT, approved

    item = await make_item(db_session, world)
    returned = await approved(client, world, item.id, at(1, 10), at(1, 18))
    later = await approved(client, world, item.id, at(3, 8), at(3, 12), farmer=world.farmer2)
    r = await client.post(f"/api/v1/bookings/{returned}/checkout", headers=world.farmer.headers, json=OUT)
    assert r.status_code == 201, r.text
    r = await client.post(f"/api/v1/bookings/{returned}/checkin", headers=world.yard_north.headers,
                          json={"meter": 1003, "fuel_percent": 50, "condition": "defect", "usable": False,
                                "description": "Mähwerk gerissen"})
    assert r.status_code == 201 and r.json()["affected_booking_ids"] == [later], r.text
    kinds = [n.kind for n in await notices_of(db_session, world.farmer2.id)]
    assert kinds == ["booking_approved", "booking_defect"]
    told = (await notices_of(db_session, world.farmer2.id))[-1]
    assert "nicht einsatzbereit (Mähwerk gerissen)" in told.text
    defect_id = r.json()["defect_id"]
    r = await client.post(f"/api/v1/defects/{defect_id}/bookings/{later}/decision", json={"action": "cancel"},
                          headers=world.yard_north.headers)
    assert r.status_code == 200, r.text
    assert (await notices_of(db_session, world.farmer2.id))[-1].kind == "booking_defect_cancelled"


# --- told once: the reminder and the digest -------------------------------------------------------------


async def test_reminder_the_day_before_exactly_once_with_two_processes(committed_sessionmaker, settings, frozen):
    async with committed_sessionmaker() as session:
        world = await build_world(session)
        item = await make_item(session, world)
        for farmer, start in ((world.farmer, at(2, 8)), (world.farmer2, at(3, 8))):  # tomorrow; the day after
            session.add(Booking(item_id=item.id, farmer_id=farmer.id, start_at=datetime.fromisoformat(start),
                                end_at=datetime.fromisoformat(start) + timedelta(hours=4), status="approved"))
        await session.commit()

    async def run() -> int:
        async with committed_sessionmaker() as session:
            written = await remind(session, settings, NOW)
            await asyncio.sleep(0.05)  # hold the transaction open while the other one runs
            await session.commit()
            return written

    results = await asyncio.gather(run(), run())
    assert sorted(results) == [0, 1]
    assert await run() == 0  # later runs of the day: nothing more
    async with committed_sessionmaker() as session:
        rows = (await session.execute(select(Notice.user_id, Notice.kind, Notice.dedupe_key))).all()
        assert [(r.user_id, r.kind) for r in rows] == [(world.farmer.id, "booking_reminder")]
        mails = list(await session.scalars(select(OutboxMessage.subject).where(
            OutboxMessage.recipient_id == world.farmer.id)))
        assert mails == ["Erinnerung: morgen Gerät hour, 02.10.2026 08:00 – 12:00"]
    # The next day, the booking of the 3rd.
    frozen.move(NOW + timedelta(days=1))
    async with committed_sessionmaker() as session:
        assert await remind(session, settings, NOW + timedelta(days=1)) == 1
        await session.commit()


async def test_reminder_respects_page_only(db_session, world, settings):
    item = await make_item(db_session, world)
    db_session.add(Booking(item_id=item.id, farmer_id=world.farmer.id, start_at=NOW + timedelta(days=1),
                           end_at=NOW + timedelta(days=1, hours=2), status="approved"))
    db_session.add(Booking(item_id=item.id, farmer_id=world.farmer2.id, start_at=NOW + timedelta(days=1, hours=3),
                           end_at=NOW + timedelta(days=1, hours=5), status="requested"))  # not approved: no reminder
    await choose(db_session, world.farmer.id, reminder="page")
    assert await remind(db_session, settings, NOW) == 1
    assert [n.kind for n in await notices_of(db_session, world.farmer.id)] == ["booking_reminder"]
    assert await mails_to(db_session, world.farmer.id) == []
    assert await notices_of(db_session, world.farmer2.id) == []


async def test_weekly_digest_lists_waiting_requests_and_sections_behind_once_a_week(client, db_session, world, settings):
    from tests.test_care_api import assigned_section

    item = await make_item(db_session, world)
    r = await request(client, world.farmer, item.id, at(20, 8), at(20, 12))
    old = r.json()["id"]
    await db_session.execute(update(Booking).where(Booking.id == old).values(created_at=NOW - timedelta(days=3)))
    await request(client, world.farmer2, item.id, at(21, 8), at(21, 12))  # asked today: not yet waiting long
    # Autumn (1 Sep – 30 Nov): a month of three gone, 3 passes planned, none confirmed → behind.
    section = await assigned_section(client, world, name="Feldweg Mühlbach", planned_passes={"autumn": 3})
    await db_session.commit()
    assert await weekly_digest(db_session, settings, NOW) == 1
    [digest] = [n for n in await notices_of(db_session, world.yard_north.id) if n.kind == "weekly_digest"]
    assert digest.params["waiting"] == "1" and digest.params["sections"] == "1"
    assert digest.text.startswith("Wochenübersicht: 1 Anfrage(n) warten länger als 2 Tage, 1 Abschnitt(e)")
    [mail] = [m for m in await mails_to(db_session, world.yard_north.id) if m.subject.startswith("Wochenübersicht")]
    assert "Franz Bauer: Gerät hour, 20.10.2026 08:00 – 12:00 (angefragt am 28.09.2026)" in mail.body
    assert f"{section['name']} (Herbst, Franz Bauer): 0 von 3 Durchgängen bestätigt" in mail.body
    assert "Gerda Hof" not in mail.body
    # South has nothing to report; a second run in the same week writes nothing.
    assert await notices_of(db_session, world.yard_south.id) == []
    assert await weekly_digest(db_session, settings, NOW + timedelta(hours=2)) == 0
    assert await weekly_digest(db_session, settings, NOW + timedelta(days=7)) == 1


def test_every_notice_kind_has_a_preference_category():
    from machinery_network.accounts.people import NOTIFICATION_KINDS

    assert set(notices.CATEGORIES.values()) <= set(NOTIFICATION_KINDS)


async def test_notices_are_in_the_data_export_and_go_with_an_erasure(client, db_session, world):
    import io
    import json
    import zipfile

    await tell_some(db_session, world.farmer, 2)
    exported = await client.get("/api/v1/me/export", headers=world.farmer.headers)
    listed = json.loads(zipfile.ZipFile(io.BytesIO(exported.content)).read("mitteilungen.json"))
    assert [n["kind"] for n in listed] == ["booking_reminder", "booking_reminder"] and "Gerät 1" in listed[1]["text"]
    erased = await client.post(f"/api/v1/users/{world.farmer.id}/erase", headers=world.admin.headers)
    assert erased.status_code == 200, erased.text
    assert await notices_of(db_session, world.farmer.id) == []


async def test_the_choice_per_kind_through_patch_me(client, db_session, world):
    r = await client.patch("/api/v1/me", json={"notify": {"settlement": "page"}}, headers=world.farmer.headers)
    assert r.status_code == 200 and r.json()["notifications"]["settlement"] == "page", r.text
    r = await client.patch("/api/v1/me", json={"notifications": {"digest": "page"}}, headers=world.farmer.headers)
    assert r.json()["notifications"] == {"booking": "mail", "care_log": "mail", "settlement": "page",
                                         "reminder": "mail", "digest": "page"}
    for bad in ({"notify": {"settlement": "pigeon"}}, {"notify": {"weather": "mail"}}):
        r = await client.patch("/api/v1/me", json=bad, headers=world.farmer.headers)
        assert r.status_code == 422 and r.json()["extra"] == {"field": "notifications"}
