"""A machine return or hand-over sent twice is recorded once: the ``Idempotency-Key`` header of the JSON API
and the ``idempotency_key`` field of the phone form (issue #16: a return kept on the phone without a
connection is sent again, maybe twice, when the phone is online; a hand-over is sent again after a double
tap or a lost answer)."""

from __future__ import annotations

import base64
import uuid
from datetime import datetime

import pytest
from sqlalchemy import func, select

from machinery_network.bookings.models import Block
from machinery_network.machine.models import Defect, Handover, HandoverPhoto
from machinery_network.notifications.models import OutboxMessage
from tests.test_bookings import make_item
from tests.test_machine import BERLIN, NOW, OUT, approved, at  # noqa: F401  (NOW: the frozen clock)
from tests.test_machine_web import JPEG, SIGNATURE
from tests.web_helpers import csrf_token, login

pytestmark = pytest.mark.usefixtures("frozen")

JPEG_B64 = base64.b64encode(JPEG).decode()
RETURN = {"meter": 1003, "fuel_percent": 30, "condition": "defect", "usable": False,
          "description": "Mulchergehäuse gerissen"}


async def _handed_over(client, db_session, world, frozen) -> tuple[int, int]:
    """A booking handed over at 11:00; the clock at its end. Returns (booking, a booking in its way)."""
    item = await make_item(db_session, world)
    booking_id = await approved(client, world, item.id, at(1, 11), at(1, 15))
    in_the_way = await approved(client, world, item.id, at(5, 8), at(5, 12), farmer=world.farmer2)
    r = await client.post(f"/api/v1/bookings/{booking_id}/checkout", json=OUT, headers=world.farmer.headers)
    assert r.status_code == 201, r.text
    frozen.move(datetime(2026, 10, 1, 14, 0, tzinfo=BERLIN))
    return booking_id, in_the_way


async def _checkin(client, person, booking_id: int, key: str | None, **changes):
    headers = {**person.headers, **({"Idempotency-Key": key} if key is not None else {})}
    return await client.post(f"/api/v1/bookings/{booking_id}/checkin", json={**RETURN, **changes}, headers=headers)


async def test_the_same_return_sent_twice_with_its_key_is_recorded_once(client, db_session, world, frozen):
    booking_id, in_the_way = await _handed_over(client, db_session, world, frozen)
    key = str(uuid.uuid4())
    first = await _checkin(client, world.farmer, booking_id, key)
    assert first.status_code == 201, first.text
    recorded_at = (await db_session.get(Handover, booking_id, populate_existing=True)).checkin_at
    mails = await db_session.scalar(select(func.count()).select_from(OutboxMessage))

    frozen.move(datetime(2026, 10, 1, 14, 20, tzinfo=BERLIN))  # the phone is online again 20 minutes later
    again = await _checkin(client, world.farmer, booking_id, key)
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    body = again.json()
    assert (body["booking_id"], body["blocked"], body["affected_booking_ids"]) == (booking_id, True, [in_the_way])
    # One return, one defect, one block; nobody told twice.
    assert (await db_session.get(Handover, booking_id, populate_existing=True)).checkin_at == recorded_at
    assert await db_session.scalar(select(func.count()).select_from(Defect)) == 1
    assert await db_session.scalar(select(func.count()).select_from(Block)) == 1
    assert await db_session.scalar(select(func.count()).select_from(OutboxMessage)) == mails


async def test_without_a_key_the_second_return_is_a_conflict(client, db_session, world, frozen):
    booking_id, _ = await _handed_over(client, db_session, world, frozen)
    assert (await _checkin(client, world.farmer, booking_id, None)).status_code == 201
    assert (await _checkin(client, world.farmer, booking_id, None)).status_code == 409


async def test_the_same_key_with_another_return_is_refused(client, db_session, world, frozen):
    booking_id, _ = await _handed_over(client, db_session, world, frozen)
    key = str(uuid.uuid4())
    assert (await _checkin(client, world.farmer, booking_id, key)).status_code == 201
    other = await _checkin(client, world.farmer, booking_id, key, meter=1004)
    assert other.status_code == 422, other.text
    assert other.json()["extra"] == {"field": "idempotency_key"}
    handover = await db_session.get(Handover, booking_id, populate_existing=True)
    assert handover.checkin_meter == 1003


async def test_a_key_of_one_booking_does_not_replay_for_another(client, db_session, world, frozen):
    booking_id, in_the_way = await _handed_over(client, db_session, world, frozen)
    key = str(uuid.uuid4())
    assert (await _checkin(client, world.farmer, booking_id, key, condition="ok", usable=None,
                           description=None)).status_code == 201
    r = await _checkin(client, world.farmer2, in_the_way, key)  # another user: his own key, not a replay
    assert r.status_code == 409 and "idempotent-replayed" not in r.headers  # not handed over yet
    item2 = await make_item(db_session, world)
    other = await approved(client, world, item2.id, at(1, 15), at(1, 17))
    r = await client.post(f"/api/v1/bookings/{other}/checkout", json=OUT, headers=world.farmer.headers)
    assert r.status_code == 201, r.text
    r = await _checkin(client, world.farmer, other, key, condition="ok", usable=None, description=None)
    assert r.status_code == 422 and r.json()["extra"] == {"field": "idempotency_key"}


# --- the phone form ---------------------------------------------------------------------------------


async def _post_return(client, booking_id: int, fields: dict, photos: int):
    token = await csrf_token(client)
    files = [("photos", (f"p{i}.jpg", JPEG, "image/jpeg")) for i in range(photos)]
    return await client.post(f"/machine/bookings/{booking_id}/checkin", data={**fields, "_csrf_token": token},
                             files=files or None)


async def test_the_return_form_sent_twice_records_one_return_with_its_photos_once(client, db_session, world, frozen):
    booking_id, _ = await _handed_over(client, db_session, world, frozen)
    await login(client, world.farmer.user.email)
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert 'data-outbox="once"' in page.text and 'name="idempotency_key"' in page.text
    fields = {"meter": "1003", "fuel_percent": "30", "condition": "ok", "remarks": "sauber",
              "signature": SIGNATURE, "idempotency_key": str(uuid.uuid4()), "for_user": str(world.farmer.id)}
    first = await _post_return(client, booking_id, fields, photos=2)
    assert first.status_code == 303, first.text
    again = await _post_return(client, booking_id, fields, photos=2)
    assert again.status_code == 303, again.text
    assert again.headers["location"] == first.headers["location"] == f"/machine/bookings/{booking_id}"
    page = await client.get(f"/machine/bookings/{booking_id}")
    assert "Rückgabe erfasst." in page.text
    kinds = list(await db_session.scalars(select(HandoverPhoto.kind).where(HandoverPhoto.booking_id == booking_id)))
    assert kinds == ["checkin", "checkin"]
    # Without its key the same form is the second return it is: refused in German.
    again = await _post_return(client, booking_id, {**fields, "idempotency_key": ""}, photos=0)
    assert again.status_code == 409 and "Rückgabe" in again.text


async def test_the_return_form_with_the_same_key_and_other_values_is_refused_in_german(client, db_session, world,
                                                                                        frozen):
    booking_id, _ = await _handed_over(client, db_session, world, frozen)
    await login(client, world.farmer.user.email)
    fields = {"meter": "1003", "fuel_percent": "30", "condition": "ok", "signature": SIGNATURE,
              "idempotency_key": str(uuid.uuid4())}
    assert (await _post_return(client, booking_id, fields, photos=0)).status_code == 303
    other = await _post_return(client, booking_id, {**fields, "remarks": "Kratzer hinten"}, photos=0)
    assert other.status_code == 422
    assert "Dieses Formular wurde schon einmal mit anderen Angaben gesendet." in other.text
    handover = await db_session.get(Handover, booking_id, populate_existing=True)
    assert handover.checkin_remarks is None


async def test_a_return_kept_under_another_login_is_refused(client, db_session, world, frozen):
    booking_id, _ = await _handed_over(client, db_session, world, frozen)
    await login(client, world.yard_north.user.email)
    fields = {"meter": "1003", "fuel_percent": "30", "condition": "ok", "signature": SIGNATURE,
              "idempotency_key": str(uuid.uuid4()), "for_user": str(world.farmer.id)}
    r = await _post_return(client, booking_id, fields, photos=0)
    assert r.status_code == 409 and "unter einer anderen Anmeldung gespeichert" in r.text
    assert (await db_session.get(Handover, booking_id, populate_existing=True)).checkin_at is None


# --- the hand-over (checkout) -----------------------------------------------------------------------


async def _checkout(client, person, booking_id: int, key: str | None, **changes):
    headers = {**person.headers, **({"Idempotency-Key": key} if key is not None else {})}
    return await client.post(f"/api/v1/bookings/{booking_id}/checkout", json={**OUT, **changes}, headers=headers)


async def _approved_booking(client, db_session, world) -> int:
    item = await make_item(db_session, world)
    return await approved(client, world, item.id, at(1, 11), at(1, 15))


async def test_the_same_hand_over_sent_twice_with_its_key_is_recorded_once(client, db_session, world, frozen):
    booking_id = await _approved_booking(client, db_session, world)
    key = str(uuid.uuid4())
    first = await _checkout(client, world.farmer, booking_id, key, photos=[JPEG_B64])
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    recorded_at = (await db_session.get(Handover, booking_id, populate_existing=True)).checkout_at

    frozen.move(datetime(2026, 10, 1, 10, 20, tzinfo=BERLIN))  # the answer was lost; the phone sends again
    again = await _checkout(client, world.farmer, booking_id, key, photos=[JPEG_B64])
    assert again.status_code == 201, again.text
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() and again.json()["booking_id"] == booking_id
    # One hand-over, at the first request's time, with its photo once.
    assert await db_session.scalar(select(func.count()).select_from(Handover)) == 1
    assert (await db_session.get(Handover, booking_id, populate_existing=True)).checkout_at == recorded_at
    kinds = list(await db_session.scalars(select(HandoverPhoto.kind).where(HandoverPhoto.booking_id == booking_id)))
    assert kinds == ["checkout"]


async def test_without_a_key_the_second_hand_over_is_a_conflict(client, db_session, world, frozen):
    booking_id = await _approved_booking(client, db_session, world)
    assert (await _checkout(client, world.farmer, booking_id, None)).status_code == 201
    second = await _checkout(client, world.farmer, booking_id, None)
    assert second.status_code == 409 and "idempotent-replayed" not in second.headers


async def test_the_same_key_with_another_hand_over_is_refused(client, db_session, world, frozen):
    booking_id = await _approved_booking(client, db_session, world)
    key = str(uuid.uuid4())
    assert (await _checkout(client, world.farmer, booking_id, key)).status_code == 201
    other = await _checkout(client, world.farmer, booking_id, key, meter=1001)
    assert other.status_code == 422, other.text
    assert other.json()["extra"] == {"field": "idempotency_key"}
    assert (await db_session.get(Handover, booking_id, populate_existing=True)).checkout_meter == 1000
    # A hand-over's key replays no return of the same booking.
    frozen.move(datetime(2026, 10, 1, 14, 0, tzinfo=BERLIN))
    r = await _checkin(client, world.farmer, booking_id, key, condition="ok", usable=None, description=None)
    assert r.status_code == 422 and r.json()["extra"] == {"field": "idempotency_key"}
    assert (await db_session.get(Handover, booking_id, populate_existing=True)).checkin_at is None


async def test_a_refused_hand_over_keeps_no_trace_of_its_key(client, db_session, world, frozen):
    booking_id = await _approved_booking(client, db_session, world)
    key = str(uuid.uuid4())
    frozen.move(datetime(2026, 9, 28, 10, 0, tzinfo=BERLIN))  # days before the start: too early
    assert (await _checkout(client, world.farmer, booking_id, key)).status_code == 409
    frozen.move(datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN))
    r = await _checkout(client, world.farmer, booking_id, key)
    assert r.status_code == 201 and "idempotent-replayed" not in r.headers


async def test_the_hand_over_form_sent_twice_records_one_hand_over_with_its_photos_once(client, db_session, world,
                                                                                       frozen):
    booking_id = await _approved_booking(client, db_session, world)
    await login(client, world.farmer.user.email)
    page = await client.get(f"/machine/bookings/{booking_id}")
    form = page.text.split(f'action="/machine/bookings/{booking_id}/checkout"')[1].split("</form>")[0]
    assert 'name="idempotency_key"' in form and f'name="for_user" value="{world.farmer.id}"' in form
    fields = {"meter": "1000", "fuel_percent": "80", "condition": "ok", "remarks": "sauber", "signature": SIGNATURE,
              "idempotency_key": str(uuid.uuid4()), "for_user": str(world.farmer.id)}
    first = await _post_form(client, f"/machine/bookings/{booking_id}/checkout", fields, photos=2)
    assert first.status_code == 303, first.text
    again = await _post_form(client, f"/machine/bookings/{booking_id}/checkout", fields, photos=2)
    assert again.status_code == 303, again.text
    assert again.headers["location"] == first.headers["location"] == f"/machine/bookings/{booking_id}"
    assert await db_session.scalar(select(func.count()).select_from(Handover)) == 1
    kinds = list(await db_session.scalars(select(HandoverPhoto.kind).where(HandoverPhoto.booking_id == booking_id)))
    assert kinds == ["checkout", "checkout"]
    # Without its key the same form is the second hand-over it is: refused in German.
    again = await _post_form(client, f"/machine/bookings/{booking_id}/checkout", {**fields, "idempotency_key": ""})
    assert again.status_code == 409 and "Übergabe" in again.text
    # Sent under another login: refused, nothing recorded for him.
    client.cookies.clear()
    await login(client, world.yard_north.user.email)
    r = await _post_form(client, f"/machine/bookings/{booking_id}/checkout", fields)
    assert r.status_code == 409 and "unter einer anderen Anmeldung gespeichert" in r.text


async def _post_form(client, path: str, fields: dict, photos: int = 0):
    token = await csrf_token(client)
    files = [("photos", (f"p{i}.jpg", JPEG, "image/jpeg")) for i in range(photos)]
    return await client.post(path, data={**fields, "_csrf_token": token}, files=files or None)
