"""The German page "Mitteilungen", the unread count in the menu of every role, marking read by form."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from machinery_network.accounts.models import User
from machinery_network.notifications import notices
from machinery_network.notifications.models import Notice
from tests.web_helpers import login, post_form

NOW = datetime(2026, 10, 1, 10, 0, tzinfo=ZoneInfo("Europe/Berlin"))
pytestmark = pytest.mark.usefixtures("frozen")


async def tell(session, person, count: int) -> list[int]:
    user = await session.get(User, person.id)
    ids = []
    for n in range(count):
        told = await notices.tell(session, user, "care_log_rejected", "notice.care_log_rejected",
                                  {"section": f"Weg {n}", "day": "14.09.2026", "reason": "Doppelt"},
                                  link="/care", now=NOW + timedelta(minutes=n))
        ids.append(told.notice_id)
    await session.commit()
    return ids


@pytest.mark.parametrize("role", ["farmer", "yard_north", "finance_north", "admin"])
async def test_every_role_has_the_notices_in_its_menu_with_the_unread_count(client, db_session, world, role):
    person = getattr(world, role)
    await tell(db_session, person, 2)
    await login(client, person.user.email)
    page = await client.get("/profile")
    assert 'id="nav-notices"' in page.text and 'hx-get="/notices/unread"' in page.text
    badge = await client.get("/notices/unread", headers={"HX-Request": "true"})
    assert badge.status_code == 200 and ">2</span>" in badge.text and "2 ungelesen" in badge.text


async def test_the_page_lists_pages_and_marks_read(client, db_session, world, monkeypatch):
    from machinery_network.web import notices as web_notices

    monkeypatch.setattr(web_notices, "HTML_LIMIT", 2)
    ids = await tell(db_session, world.farmer, 3)
    other = await tell(db_session, world.farmer2, 1)
    assert (await client.get("/notices", follow_redirects=False)).status_code in (302, 303, 401)
    await login(client, world.farmer.user.email)
    page = await client.get("/notices")
    assert page.status_code == 200 and "<h1>Mitteilungen" in page.text and "3 ungelesen" in page.text
    assert "Ihre Pflegearbeit „Weg 2“ vom 14.09.2026 wurde nicht bestätigt: Doppelt" in page.text
    assert "Weg 1" in page.text and "Weg 0" not in page.text  # newest first, two per page
    more = page.text.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    second = await client.get(more)
    assert "Weg 0" in second.text and "Weg 2" not in second.text and 'rel="next"' not in second.text
    # Marking one read by the form; another user's notice is unknown (404), and stays unread.
    r = await post_form(client, f"/notices/{ids[2]}/read", {})
    assert r.status_code == 303
    r = await post_form(client, f"/notices/{other[0]}/read", {}, headers={"Accept": "text/html"})
    assert r.status_code == 404
    read = {n.id: n.read_at for n in await db_session.scalars(
        select(Notice).execution_options(populate_existing=True))}
    assert read[ids[2]] is not None and read[other[0]] is None and read[ids[0]] is None
    r = await post_form(client, "/notices/read-all", {})
    assert r.status_code == 303
    assert "ungelesen" not in (await client.get("/notices")).text
    assert (await client.get("/notices/unread")).text.strip() == ""
