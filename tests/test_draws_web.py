"""HTML (German): the repeating-booking form on the booking panel and the series page; the yard head's
draw page (mark contested, run the due draw) and the result page for the yard head and the farmers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from machinery_network.bookings.models import Booking
from tests.test_bookings import BERLIN, make_item, request
from tests.test_draws import SEASON
from tests.web_helpers import login, post_form

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=BERLIN)  # a Thursday (the frozen clock)

SERIES = {"weekday_2": "on", "start_time": "07:00", "end_time": "11:00", "first_day": "2026-10-05",
          "last_day": "2026-10-31", "note": "Streuobstwiese"}


async def test_farmer_requests_a_repeating_booking_from_the_booking_panel(client, db_session, world, frozen):
    item = await make_item(db_session, world)
    taken = await request(client, world.farmer2, item.id, "2026-10-13T08:00:00+02:00", "2026-10-13T09:00:00+02:00")
    r = await client.post(f"/api/v1/bookings/{taken.json()['id']}/approve", headers=world.yard_north.headers)
    assert r.status_code == 200
    await login(client, world.farmer.user.email)
    panel = await client.get(f"/items/{item.id}/booking-panel", params={"week": "2026-10-05"})
    assert f'action="/items/{item.id}/booking-series"' in panel.text and "Serienbuchung anfragen" in panel.text
    assert f'href="/items/{item.id}/draws"' in panel.text

    r = await post_form(client, f"/items/{item.id}/booking-series", SERIES)
    assert r.status_code == 201, r.text
    assert "3 Termine angefragt." in r.text and "Nicht angefragt (belegt)" in r.text
    assert "13.10.2026: Das Gerät ist von 13.10.2026 08:00 bis 13.10.2026 09:00 bereits gebucht." in r.text
    series_id = (await db_session.scalars(select(Booking.series_id).where(Booking.series_id.is_not(None)))).first()
    page = await client.get(f"/booking-series/{series_id}")
    assert page.status_code == 200 and "Dienstag" in page.text and page.text.count("angefragt") >= 3
    r = await post_form(client, f"/booking-series/{series_id}/cancel", {})
    assert r.status_code == 303
    page = await client.get(f"/booking-series/{series_id}")
    assert "Offene Termine der Serie storniert." in page.text and page.text.count("storniert") >= 4

    # Bad input: re-rendered in German, nothing written; too many occurrences named.
    r = await post_form(client, f"/items/{item.id}/booking-series", {**SERIES, "weekday_2": ""})
    assert r.status_code == 422 and "Bitte mindestens einen Wochentag" in r.text
    r = await post_form(client, f"/items/{item.id}/booking-series",
                        {**SERIES, "weekday_1": "on", "weekday_3": "on", "weekday_5": "on", "last_day": "2027-03-31"})
    assert r.status_code == 422 and "höchstens 60 Termine" in r.text
    r = await post_form(client, f"/items/{item.id}/booking-series", {**SERIES, "last_day": "2026-10-13",
                                                                     "first_day": "2026-10-13"})
    assert r.status_code == 422 and "Kein Termin der Serienbuchung" in r.text and "bereits gebucht" in r.text


async def test_yard_head_marks_contested_runs_the_draw_and_everyone_sees_the_result(
    client, db_session, world, frozen
):
    item = await make_item(db_session, world)
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/items/{item.id}/draws")
    assert page.status_code == 200 and "Verlosungszeitraum festlegen" in page.text
    r = await post_form(client, f"/manage/items/{item.id}/contested", {**SEASON, "last_day": "2026-10-01"})
    assert r.status_code == 422 and "Der letzte Tag muss nach dem ersten liegen." in r.text
    r = await post_form(client, f"/manage/items/{item.id}/contested", SEASON)
    assert r.status_code == 303
    page = await client.get(f"/items/{item.id}/draws")
    assert "Der Verlosungszeitraum ist festgelegt." in page.text
    assert "05.10.2026" in page.text and "Donnerstag 12:00 Uhr für die Folgewoche" in page.text
    r_ids = []
    for person in (world.farmer, world.farmer2):
        r = await request(client, person, item.id, "2026-10-05T08:00:00+02:00", "2026-10-05T12:00:00+02:00")
        assert r.status_code == 201 and r.json()["in_draw"]
        r_ids.append(r.json()["id"])
    r = await post_form(client, f"/manage/items/{item.id}/draws", {})
    assert r.status_code == 409 and "keine Verlosung fällig" in r.text
    inbox = await client.get("/manage/bookings")
    assert inbox.text.count("wird verlost") == 2
    r = await post_form(client, f"/manage/bookings/{r_ids[0]}/approve", {})
    assert r.status_code == 409 and "Verlosungszeitraum" in r.text
    frozen.move(NOW.replace(hour=12, minute=30))
    r = await post_form(client, f"/manage/items/{item.id}/draws", {})
    assert r.status_code == 303, r.text
    result_url = r.headers["location"]
    page = await client.get(result_url)
    assert page.status_code == 200 and "Ergebnis der Verlosung" in page.text and "Startwert" in page.text
    assert world.farmer.user.name in page.text and world.farmer2.user.name in page.text
    assert "Zuschlag" in page.text and "per Los" in page.text and "dasselbe Ergebnis" in page.text

    # A farmer sees the result with the other farmer as a number; another municipality's yard head may not.
    await login(client, world.farmer.user.email)
    page = await client.get(result_url)
    assert page.status_code == 200 and world.farmer.user.name in page.text
    assert world.farmer2.user.name not in page.text and "Betrieb " in page.text
    r = await post_form(client, f"/manage/items/{item.id}/draws", {})
    assert r.status_code == 403
    await login(client, world.yard_south.user.email)
    assert (await client.get(result_url)).status_code == 403
    r = await post_form(client, f"/manage/items/{item.id}/contested", SEASON)
    assert r.status_code == 403
