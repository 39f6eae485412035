"""HTML: the booking panel and form (CSRF, German messages on bad input), my bookings, the yard
head's inbox with decisions, completion and blocks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from machinery_network.bookings.models import Block, Booking
from machinery_network.ledger.models import LedgerEntry
from tests.test_bookings import BERLIN, NOW, make_item  # noqa: F401  (NOW: the frozen clock)
from tests.web_helpers import csrf_token, login, post_form


def slot(day: str, start: str, end: str, end_day: str | None = None, **extra) -> dict:
    return {"start_date": day, "start_time": start, "end_date": end_day or day, "end_time": end, **extra}


async def bookings(db_session) -> list[Booking]:
    return list(await db_session.scalars(
        select(Booking).order_by(Booking.id).execution_options(populate_existing=True)))


async def test_farmer_books_through_the_form(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world)
    await login(client, world.farmer.user.email)
    page = await client.get(f"/items/{item.id}/booking-panel", params={"week": "2026-10-05"})
    assert page.status_code == 200
    assert f'action="/items/{item.id}/bookings"' in page.text and "05.10." in page.text

    estimate = await client.get(f"/items/{item.id}/booking-estimate", params=slot("2026-10-05", "08:00", "12:00"))
    assert "228,48 €" in estimate.text and "(4 × Stunde)" in estimate.text  # 4 h × 48,00 € + 19 %
    estimate = await client.get(f"/items/{item.id}/booking-estimate", params=slot("2026-10-05", "08:00", "08:20"))
    assert "19,04 €" in estimate.text and "(0,33 × Stunde)" in estimate.text  # 1/3 h × 48,00 € = 16,00 + 19 %
    estimate = await client.get(f"/items/{item.id}/booking-estimate", params=slot("2026-10-05", "12:00", "08:00"))
    assert "Das Ende muss nach dem Beginn liegen." in estimate.text

    r = await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "08:00", "12:00", note="Hecke"))
    assert r.status_code == 303 and r.headers["location"].startswith("/bookings")
    [booking] = await bookings(db_session)
    # 08:00 in Berlin in October is 06:00 UTC
    assert booking.start_at == datetime(2026, 10, 5, 8, 0, tzinfo=BERLIN)
    assert (booking.status, booking.estimated_cents, booking.note) == ("requested", 22848, "Hecke")

    mine = await client.get("/bookings")
    assert mine.status_code == 200 and "angefragt" in mine.text and "Stornieren" in mine.text
    assert "/calendar/farmers/" in mine.text

    r = await post_form(client, f"/bookings/{booking.id}/cancel", {})
    assert r.status_code == 303
    assert (await bookings(db_session))[0].status == "cancelled"
    r = await post_form(client, f"/bookings/{booking.id}/cancel", {})
    assert r.status_code == 409 and "kann nicht mehr storniert werden" in r.text


async def test_bad_form_input_is_rerendered_in_german_and_writes_nothing(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world)
    await login(client, world.farmer.user.email)
    cases = [
        (slot("2026-10-05", "12:00", "08:00"), "Das Ende muss nach dem Beginn liegen."),
        (slot("2026-09-30", "08:00", "12:00"), "Der Beginn liegt in der Vergangenheit."),
        (slot("2027-06-01", "08:00", "12:00"), "höchstens 180 Tage im Voraus"),
        (slot("2026-10-05", "08:00", "12:00", with_operator="on"), "keinen Bediener"),
        (slot("kein-datum", "08:00", "12:00"), "Ungültiges Datum."),
        (slot("2026-10-05", "08:00", "12:00", note="x" * 2001), "Höchstens 2000 Zeichen."),
    ]
    for form, german in cases:
        r = await post_form(client, f"/items/{item.id}/bookings", form)
        assert r.status_code == 422, (form, r.status_code)
        assert german in r.text, german
        assert 'name="start_date"' in r.text  # the form again, with what was typed
    assert await bookings(db_session) == []
    # Without the CSRF token the post is refused.
    await csrf_token(client)
    r = await client.post(f"/items/{item.id}/bookings", data=slot("2026-10-05", "08:00", "12:00"))
    assert r.status_code == 403
    assert await bookings(db_session) == []


async def test_yard_head_inbox_decisions_completion_and_blocks(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world, unit="hour", rate=4800, operator=3500)
    await login(client, world.farmer.user.email)
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "08:00", "12:00", with_operator="on"))
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "10:00", "14:00"))
    first, second = await bookings(db_session)
    assert (await client.get("/manage/bookings")).status_code == 403  # not for farmers
    hint = await client.get(f"/items/{item.id}/booking-estimate", params=slot("2026-10-05", "11:00", "12:00"))
    assert "liegen bereits andere Anfragen vor" in hint.text and "bereits gebucht" not in hint.text

    await login(client, world.yard_north.user.email)
    inbox = await client.get("/manage/bookings")
    assert inbox.status_code == 200
    assert inbox.text.count("überschneidet sich") == 2  # competing requests are flagged
    assert inbox.text.index(f"booking-{first.id}") < inbox.text.index(f"booking-{second.id}")  # by start

    r = await post_form(client, f"/manage/bookings/{second.id}/reject", {"reason": "  "})
    assert r.status_code == 422 and "Pflichtfeld." in r.text
    r = await post_form(client, f"/manage/bookings/{first.id}/approve", {})
    assert r.status_code == 303
    r = await post_form(client, f"/manage/bookings/{second.id}/approve", {})
    assert r.status_code == 409 and "05.10.2026 08:00 bis 05.10.2026 12:00 bereits gebucht" in r.text
    hint = await client.get(f"/items/{item.id}/booking-estimate", params=slot("2026-10-05", "11:00", "12:00"))
    assert "05.10.2026 08:00 bis 05.10.2026 12:00 bereits gebucht" in hint.text
    r = await post_form(client, f"/manage/bookings/{second.id}/reject", {"reason": "Schon vergeben"})
    assert r.status_code == 303
    assert [b.status for b in await bookings(db_session)] == ["approved", "rejected"]

    # Completion: before the start 409, bad quantity 422, then the charge.
    r = await post_form(client, f"/manage/bookings/{first.id}/complete", {"quantity": "4"})
    assert r.status_code == 409 and "noch nicht begonnen" in r.text
    frozen.move(datetime(2026, 10, 5, 12, 30, tzinfo=BERLIN))
    detail = await client.get(f"/manage/bookings/{first.id}")
    assert detail.status_code == 200 and 'name="quantity"' in detail.text
    assert "angefragt" in detail.text and "genehmigt" in detail.text and "Yannick Nord" in detail.text
    r = await post_form(client, f"/manage/bookings/{first.id}/complete", {"quantity": "-1"})
    assert r.status_code == 422 and "Darf nicht negativ sein." in r.text
    r = await post_form(client, f"/manage/bookings/{first.id}/complete", {"quantity": "4", "operator_hours": "3,5"})
    assert r.status_code == 303
    # 4 h × 48,00 + 3,5 h × 35,00 = 314,50 net + 19 % = 374,255 → 374,26
    entry = await db_session.scalar(select(LedgerEntry).where(LedgerEntry.booking_id == first.id))
    assert entry.amount_cents == 37426

    # Blocks on his item; one over the approved booking is refused in German.
    frozen.move(datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN))
    r = await post_form(client, f"/manage/items/{item.id}/blocks",
                        slot("2026-10-07", "06:00", "18:00", reason="Ölwechsel"))
    assert r.status_code == 303
    r = await post_form(client, f"/manage/items/{item.id}/blocks",
                        slot("2026-10-05", "11:00", "13:00", reason="Wartung"))
    assert r.status_code == 409 and "bereits gebucht" in r.text
    r = await post_form(client, f"/manage/items/{item.id}/blocks", slot("2026-10-08", "06:00", "18:00", reason=""))
    assert r.status_code == 422 and "Pflichtfeld." in r.text
    assert await db_session.scalar(select(func.count()).select_from(Block)) == 1
    panel = await client.get(f"/items/{item.id}/booking-panel", params={"week": "2026-10-05"})
    assert "06:00–18:00 gesperrt" in panel.text and "08:00–12:00 gebucht" in panel.text

    # The yard head of another municipality may not touch any of it.
    await login(client, world.yard_south.user.email)
    assert (await post_form(client, f"/manage/items/{item.id}/blocks",
                            slot("2026-10-09", "06:00", "18:00", reason="x"))).status_code == 403
    assert (await client.get(f"/manage/bookings/{first.id}")).status_code == 403
    assert (await post_form(client, f"/manage/bookings/{second.id}/approve", {})).status_code == 403


async def test_state_changes_answer_with_a_success_message_shown_once(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world, unit="hour", rate=4800, operator=3500)
    await login(client, world.farmer.user.email)
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "08:00", "12:00"))
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-06", "08:00", "12:00"))
    first, second = await bookings(db_session)
    r = await post_form(client, f"/bookings/{second.id}/cancel", {})
    assert r.status_code == 303
    assert "Die Buchung ist storniert." in (await client.get(r.headers["location"])).text
    assert "Die Buchung ist storniert." not in (await client.get("/bookings")).text  # once

    await login(client, world.yard_north.user.email)
    r = await post_form(client, f"/manage/bookings/{first.id}/approve", {})
    assert r.status_code == 303
    assert "Die Buchungsanfrage ist genehmigt." in (await client.get(r.headers["location"])).text
    r = await post_form(client, f"/manage/items/{item.id}/blocks", slot("2026-10-07", "06:00", "18:00", reason="Öl"))
    assert r.status_code == 303
    assert "Die Sperrzeit ist eingetragen." in (await client.get(r.headers["location"])).text
