"""The phone page at the machine: hand-over and return through the forms (signature, photos), refusals."""

from __future__ import annotations

import base64
import io
from datetime import datetime

from PIL import Image
from sqlalchemy import func, select

from machinery_network.machine.models import Handover, HandoverPhoto
from tests.test_bookings import make_item
from tests.test_care_api import JPEG as JPEG_IMAGE
from tests.test_machine import BERLIN, NOW, approved, at  # noqa: F401  (NOW: the frozen clock)
from tests.web_helpers import csrf_token, login, post_form

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG).decode()
JPEG = JPEG_IMAGE  # a real image: photos at the machine are decoded and re-encoded like care photos


async def _post_multipart(client, path: str, data: dict, photos: int = 0):
    token = await csrf_token(client)
    files = [("photos", (f"p{i}.jpg", JPEG, "image/jpeg")) for i in range(photos)]
    return await client.post(path, data={**data, "_csrf_token": token}, files=files or None)


async def test_farmer_hands_over_and_returns_on_the_phone_page(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    await login(client, world.farmer.user.email)
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert page.status_code == 200
    assert "Übergabe bestätigen" in page.text and 'data-signature-for="signature"' in page.text

    # Without a signature: re-rendered with the message and what was typed.
    r = await _post_multipart(client, f"/machine/bookings/{booking_id}/checkout",
                              {"meter": "1.000,5", "fuel_percent": "80", "condition": "ok", "remarks": "Kratzer"})
    assert r.status_code == 422 and "Bitte im Feld unterschreiben." in r.text and "Kratzer" in r.text
    # Six photos are too many.
    r = await _post_multipart(client, f"/machine/bookings/{booking_id}/checkout",
                              {"meter": "1000,5", "fuel_percent": "80", "condition": "ok", "signature": SIGNATURE},
                              photos=6)
    assert r.status_code == 422 and "Höchstens 5 Fotos." in r.text
    assert await db_session.scalar(select(func.count()).select_from(Handover)) == 0

    r = await _post_multipart(client, f"/machine/bookings/{booking_id}/checkout",
                              {"meter": "1000,5", "fuel_percent": "80", "condition": "ok", "signature": SIGNATURE},
                              photos=2)
    assert r.status_code == 303, r.text
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert "Übergabe erfasst." in page.text and "Rückgabe bestätigen" in page.text
    photo_ids = list(await db_session.scalars(select(HandoverPhoto.id).order_by(HandoverPhoto.id)))
    assert len(photo_ids) == 2
    r = await client.get(f"/machine/photos/{photo_ids[0]}")
    # Served as stored: decoded and encoded anew (never the client's bytes), still the same picture.
    assert r.status_code == 200 and r.content.startswith(b"\xff\xd8\xff") and r.content != JPEG
    assert Image.open(io.BytesIO(r.content)).size == Image.open(io.BytesIO(JPEG)).size
    r = await client.get(f"/machine/bookings/{booking_id}/signature/checkout.png")
    assert r.status_code == 200 and r.content == PNG

    frozen.move(datetime(2026, 10, 1, 18, 0, tzinfo=BERLIN))
    r = await _post_multipart(client, f"/machine/bookings/{booking_id}/checkin",
                              {"meter": "999", "fuel_percent": "40", "condition": "ok", "signature": SIGNATURE})
    assert r.status_code == 422 and "unter dem bei der Übergabe" in r.text
    r = await _post_multipart(client, f"/machine/bookings/{booking_id}/checkin",
                              {"meter": "1007", "fuel_percent": "40", "condition": "ok", "signature": SIGNATURE})
    assert r.status_code == 303, r.text
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert "Rückgabe erfasst." in page.text and "6,5" in page.text  # hours used, proposed quantity
    handover = await db_session.get(Handover, booking_id, populate_existing=True)
    assert handover.checkin_signature == PNG and handover.checkin_signed_at is not None


async def test_machine_page_refusals(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    assert (await client.get(f"/machine/bookings/{booking_id}", follow_redirects=False)).status_code in (302, 303, 401)
    await login(client, world.farmer2.user.email)
    assert (await client.get(f"/machine/bookings/{booking_id}")).status_code == 403
    r = await post_form(client, f"/machine/bookings/{booking_id}/checkout",
                        {"meter": "1", "fuel_percent": "1", "condition": "ok", "signature": SIGNATURE})
    assert r.status_code == 403
    assert (await client.get("/machine/bookings/999999")).status_code == 404
    assert (await client.get("/machine/photos/999999")).status_code == 404
    client.cookies.clear()
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert page.status_code == 200 and "Übergabe bestätigen" in page.text


async def test_yard_head_confirms_or_corrects_the_proposed_quantity_with_a_reason(client, db_session, world, frozen):
    from machinery_network.bookings.models import BookingEvent

    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    out = {"meter": 1000, "fuel_percent": 80, "condition": "ok"}
    assert (await client.post(f"/api/v1/bookings/{booking_id}/checkout", json=out,
                              headers=world.farmer.headers)).status_code == 201
    frozen.move(datetime(2026, 10, 1, 18, 0, tzinfo=BERLIN))
    assert (await client.post(f"/api/v1/bookings/{booking_id}/checkin", json={**out, "meter": "1006.5"},
                              headers=world.farmer.headers)).status_code == 201
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/manage/bookings/{booking_id}")
    assert 'value="6,5"' in page.text and f'href="/machine/bookings/{booking_id}"' in page.text
    r = await post_form(client, f"/manage/bookings/{booking_id}/complete", {"quantity": "5"})
    assert r.status_code == 422 and "vom Vorschlag (6,5) ab" in r.text
    r = await post_form(client, f"/manage/bookings/{booking_id}/complete",
                        {"quantity": "5", "reason": "1,5 h Leerlauf beim Umsetzen"})
    assert r.status_code == 303, r.text
    note = await db_session.scalar(select(BookingEvent.note).where(BookingEvent.to_status == "completed"))
    assert note == "Vorschlag 6,5, erfasst 5: 1,5 h Leerlauf beim Umsetzen"
    handover = await db_session.get(Handover, booking_id, populate_existing=True)
    assert handover.proposed_quantity == 6.5


async def test_yard_head_decides_on_the_affected_page(client, db_session, world, frozen):
    from tests.test_machine import _break_down

    item, spare, defect_id, (first, second, third) = await _break_down(client, db_session, world, frozen)
    await login(client, world.yard_north.user.email)
    page = await client.get("/manage/affected")
    assert page.status_code == 200 and "Hydraulik undicht" in page.text and "Umbuchen auf" in page.text
    r = await post_form(client, f"/manage/defects/{defect_id}/bookings/{second}/move", {"item_id": str(spare.id)})
    assert r.status_code == 409 and "nicht frei" in r.text
    r = await post_form(client, f"/manage/defects/{defect_id}/bookings/{first}/move", {"item_id": str(spare.id)})
    assert r.status_code == 303
    r = await post_form(client, f"/manage/defects/{defect_id}/bookings/{third}/cancel", {})
    assert r.status_code == 303
    page = await client.get("/manage/affected")
    assert "umgebucht" in page.text and "storniert" in page.text
    client.cookies.clear()
    await login(client, world.farmer.user.email)
    assert (await client.get("/manage/affected")).status_code == 403


async def test_yard_head_posts_the_fuel_surcharge_with_the_return(client, db_session, world, frozen):
    from machinery_network.ledger.models import LedgerEntry

    item = await make_item(db_session, world)
    item.fuel_surcharge_cents = 1800
    await db_session.commit()
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    await client.post(f"/api/v1/bookings/{booking_id}/checkout", json={"meter": 5, "fuel_percent": 90,
                                                                       "condition": "ok"},
                      headers=world.farmer.headers)
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert "Tankzuschlag buchen (18,00 €)" in page.text and "Reinigungszuschlag" not in page.text
    r = await _post_multipart(client, f"/machine/bookings/{booking_id}/checkin",
                              {"meter": "9", "fuel_percent": "20", "condition": "ok", "signature": SIGNATURE,
                               "surcharges": "fuel"})
    assert r.status_code == 303, r.text
    assert await db_session.scalar(select(LedgerEntry.amount_cents)) == 1800


async def test_due_maintenance_on_the_yard_heads_start_page(client, db_session, world, frozen):
    from machinery_network.bookings.models import Block
    from machinery_network.machine.models import MaintenanceInterval

    item = await make_item(db_session, world)
    db_session.add(MaintenanceInterval(item_id=item.id, name="TÜV", every_months=24,
                                       last_done_at=datetime(2024, 10, 5, tzinfo=BERLIN), created_at=NOW))
    await db_session.commit()
    await login(client, world.yard_north.user.email)
    page = await client.get("/manage/bookings")
    assert "Wartung fällig" in page.text and "TÜV" in page.text and "nächste: 05.10.2026" in page.text
    interval_id = await db_session.scalar(select(MaintenanceInterval.id))
    r = await post_form(client, f"/manage/maintenance/{interval_id}/plan", {})
    assert r.status_code == 303 and r.headers["location"] == f"/manage/items/{item.id}/blocks"
    assert await db_session.scalar(select(Block.reason)) == "Wartung: TÜV"
    r = await post_form(client, f"/manage/maintenance/{interval_id}/done", {})
    assert r.status_code == 303
    assert "Wartung fällig" not in (await client.get("/manage/bookings")).text


async def test_machine_history_page_and_csv(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 18))
    out = {"meter": 1000, "fuel_percent": 80, "condition": "ok"}
    await client.post(f"/api/v1/bookings/{booking_id}/checkout", json=out, headers=world.farmer.headers)
    frozen.move(datetime(2026, 10, 1, 18, 0, tzinfo=BERLIN))
    await client.post(f"/api/v1/bookings/{booking_id}/checkin",
                      json={**out, "meter": "1006.5", "condition": "defect", "usable": False, "description": "Riss"},
                      headers=world.farmer.headers)
    await client.post(f"/api/v1/bookings/{booking_id}/complete", json={"quantity": "6.5"},
                      headers=world.yard_north.headers)
    await client.post(f"/api/v1/items/{item.id}/repairs", json={"description": "=geschweißt", "cost_cents": 12000},
                      headers=world.yard_north.headers)
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/manage/items/{item.id}/history")
    assert page.status_code == 200
    assert "Maschinenakte" in page.text and "2026-10" in page.text and "6,5" in page.text and "Riss" in page.text
    assert "371,28 €" in page.text and "120,00 €" in page.text  # revenue, repair cost
    r = await client.get(f"/manage/items/{item.id}/history.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    text = r.content.decode("utf-8-sig")
    rows = [line.split(";") for line in text.splitlines()]
    assert rows[0][:3] == ["Art", "Datum", "Bis"]
    booking_row = next(row for row in rows if row[0] == "Buchung")
    assert booking_row[6:11] == ["1000", "1006,5", "6,5", "6,5", "371,28"]
    assert next(row for row in rows if row[0] == "Betriebsstunden")[:2] == ["Betriebsstunden", "2026-10"]
    assert next(row for row in rows if row[0] == "Reparatur")[3] == "'=geschweißt"  # no formula
    client.cookies.clear()
    await login(client, world.farmer.user.email)
    assert (await client.get(f"/manage/items/{item.id}/history")).status_code == 403
    assert (await client.get(f"/manage/items/{item.id}/history.csv")).status_code == 403
    client.cookies.clear()
    await login(client, world.yard_south.user.email)
    assert (await client.get(f"/manage/items/{item.id}/history")).status_code == 403
    assert (await client.get("/manage/items/999999/history")).status_code == 404
