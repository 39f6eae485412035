"""Accessibility of the HTML pages, checked on the markup (the browser tests run axe-core on top):
unique ids, field errors tied to their fields, an error summary that is focused instead of a
role="alert" present at load, visible conflict reasons, confirmation steps before destructive actions,
and the form's page in the address bar after a refused post."""

from __future__ import annotations

import re
from collections import Counter

from tests.test_bookings import NOW, make_item  # noqa: F401  (NOW: the frozen clock)
from tests.test_bookings_web import bookings, slot
from tests.web_helpers import login, post_form


def ids(html: str) -> Counter:
    return Counter(re.findall(r'\sid="([^"]+)"', html))


def assert_unique_ids(html: str) -> None:
    duplicates = [name for name, count in ids(html).items() if count > 1]
    assert not duplicates, duplicates


def assert_errors_tied(html: str) -> None:
    """Every aria-describedby names an element of the page; every invalid field says so."""
    known = set(ids(html))
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        for name in described.split():
            assert name in known, name
    assert 'role="alert"' not in html


async def test_the_admin_page_has_unique_ids_and_labels_for_both_forms(client, world):
    await login(client, world.admin.user.email)
    page = await client.get("/admin")
    assert_unique_ids(page.text)
    for prefix in ("m-", "u-"):
        for name in ("name", "iban"):
            assert f'<label for="{prefix}{name}">' in page.text and f'id="{prefix}{name}"' in page.text
    refused = await post_form(client, "/admin/users", {"name": "", "email": "kein", "password": "kurz",
                                                        "role": "farmer", "iban": ""}, headers={"referer": "http://testserver.local/admin"})
    assert refused.status_code == 422
    assert_unique_ids(refused.text)
    assert_errors_tied(refused.text)
    assert 'id="u-name" name="name"' in refused.text and 'aria-describedby="u-name-error"' in refused.text
    assert 'class="alert error error-summary" tabindex="-1"' in refused.text
    assert 'href="#u-name"' in refused.text  # the summary links to the field
    assert 'data-page-url="/admin"' in refused.text  # app.js puts the form's page in the address bar


async def test_a_refused_booking_names_its_fields_and_keeps_the_page_url(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world)
    await login(client, world.farmer.user.email)
    r = await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "12:00", "08:00"),
                        headers={"referer": f"http://testserver.local/items/{item.id}"})
    assert r.status_code == 422
    assert_errors_tied(r.text)
    assert 'aria-invalid="true" aria-describedby="end_time-error"' in r.text
    assert 'id="end_time-error">Das Ende muss nach dem Beginn liegen.' in r.text
    assert f'data-page-url="/items/{item.id}"' in r.text
    # A foreign Referer is never put in the address bar.
    r = await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "12:00", "08:00"),
                        headers={"referer": "https://elsewhere.example/x"})
    assert "data-page-url" not in r.text
    panel = await client.get(f"/items/{item.id}/booking-panel", params={"week": "2026-10-05"})
    assert 'id="estimate" aria-live="polite"' in panel.text


async def test_conflicts_are_visible_text_and_destructive_actions_ask_first(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world, unit="hour", rate=4800)
    await login(client, world.farmer.user.email)
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "08:00", "12:00"))
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "10:00", "14:00"))
    mine = await client.get("/bookings")
    assert_unique_ids(mine.text)
    # Cancelling: a disclosure whose form asks again; only its button posts.
    assert re.search(r'<details class="confirm">\s*<summary class="btn danger small">Stornieren</summary>\s*'
                     r'<form method="post" action="/bookings/\d+/cancel"', mine.text)
    assert "Diese Buchung wirklich stornieren?" in mine.text and "Ja, stornieren" in mine.text

    await login(client, world.yard_north.user.email)
    inbox = await client.get("/manage/bookings")
    assert_unique_ids(inbox.text)
    assert 'title="' not in inbox.text.split("<main", 1)[1]  # no reason hidden in a tooltip
    assert inbox.text.count('<div class="conflict-reason">') == 2 and inbox.text.count("überschneidet sich") == 2
    assert inbox.text.count("Die Buchungsanfrage ablehnen?") == 2
    first, second = await bookings(db_session)
    refused = await post_form(client, f"/manage/bookings/{second.id}/reject", {"reason": " "})
    assert refused.status_code == 422
    assert_errors_tied(refused.text)
    assert "<details class=\"confirm\" open>" in refused.text  # the refused step stays open
    assert f'aria-describedby="reason-{second.id}-error"' in refused.text
    blocks = await client.get(f"/manage/items/{item.id}/blocks")
    assert blocks.status_code == 200
    assert_unique_ids(blocks.text)


async def test_the_yard_heads_menu_counts_what_waits(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world, unit="hour", rate=4800)
    await login(client, world.farmer.user.email)
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-05", "08:00", "12:00"))
    await post_form(client, f"/items/{item.id}/bookings", slot("2026-10-06", "08:00", "12:00"))
    assert '<span class="count">' not in (await client.get("/bookings")).text  # farmers decide nothing
    await login(client, world.yard_north.user.email)
    page = await client.get("/manage/items")
    assert ('href="/manage/bookings">Buchungsanfragen <span class="count">2<span class="visually-hidden"> offen'
            in page.text)
    assert 'href="/manage/care-logs">Pflegemeldungen</a>' in page.text  # nothing waiting: no count
    first, _ = await bookings(db_session)
    await post_form(client, f"/manage/bookings/{first.id}/approve", {})
    assert '<span class="count">1<' in (await client.get("/manage/items")).text
    await login(client, world.yard_south.user.email)  # the other municipality has nothing waiting
    assert '<span class="count">' not in (await client.get("/manage/items")).text


async def test_switching_the_week_keeps_what_was_typed(client, db_session, world, frozen):  # noqa: F811
    item = await make_item(db_session, world, unit="hour", rate=4800, operator=3500)
    await login(client, world.farmer.user.email)
    typed = slot("2026-10-07", "09:15", "11:45", with_operator="on", note="Hecke am Bach")
    panel = await client.get(f"/items/{item.id}/booking-panel", params={"week": "2026-10-12", **typed},
                             headers={"hx-request": "true"})
    assert panel.status_code == 200 and "12.10.2026" in panel.text
    for value in ('value="2026-10-07"', 'value="09:15"', 'value="11:45"', "Hecke am Bach"):
        assert value in panel.text, value
    assert re.search(r'name="with_operator"\s+checked', panel.text)
    assert 'hx-include="#booking-form"' in panel.text
