"""The farmer's care page (``/care``) lists every report of his, paged like the other lists (issue #16):
search, order and page size kept in every link, each report once when following the pages, none of
another farmer's; the report form and its outbox fields stay on the page."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import insert

from machinery_network.care.models import Assignment, CareLog, Section
from machinery_network.web.care import farmer as care_farmer
from tests.test_paging_web import NEXT, walk_pages
from tests.test_sorting import both_ways, in_order, link
from tests.web_helpers import login

ROW = re.compile(r'<tr id="log-(\d+)"')


async def _section(db_session, municipality_id: int, name: str) -> Section:
    section = Section(municipality_id=municipality_id, name=name, kind="path", length_m=900, task="verge_mowing",
                      unit="hour", rate_cents=3000)
    db_session.add(section)
    await db_session.flush()
    return section


async def _reports(db_session, section: Section, farmer_id: int, count: int, *, first: date) -> dict[int, tuple]:
    """``count`` reports, one a day from ``first`` on, credits with ties; id → (day, credit, id)."""
    rows = [{"section_id": section.id, "farmer_id": farmer_id, "performed_on": first + timedelta(days=n),
             "quantity": Decimal(1), "credit_cents": (3000, 1500, 3000, 4500)[n % 4],
             "status": ("reported", "confirmed", "rejected")[n % 3]} for n in range(count)]
    ids = list((await db_session.execute(insert(CareLog).returning(CareLog.id), rows)).scalars())
    return {i: (row["performed_on"], row["credit_cents"], i) for i, row in zip(ids, rows, strict=True)}


@pytest.fixture
async def many(db_session, world) -> dict[str, dict[int, tuple]]:
    """Eleven reports of the farmer on two sections (one of them his now; days shared between them: ties
    broken by id), four of another farmer."""
    wiese = await _section(db_session, world.north.id, "Wiesenweg")
    graben = await _section(db_session, world.north.id, "Grabenweg")
    db_session.add(Assignment(section_id=wiese.id, farmer_id=world.farmer.id, valid_from=date(2026, 1, 1)))
    mine = await _reports(db_session, wiese, world.farmer.id, 7, first=date(2026, 5, 1))
    mine_graben = await _reports(db_session, graben, world.farmer.id, 4, first=date(2026, 5, 2))
    others = await _reports(db_session, wiese, world.farmer2.id, 4, first=date(2026, 5, 1))
    await db_session.commit()
    return {"wiese": mine, "graben": mine_graben, "others": others}


async def test_every_report_of_the_farmer_once_newest_work_first(client, world, many, monkeypatch):
    monkeypatch.setattr(care_farmer, "HTML_LIMIT", 4)
    keys = {i: (k[0], i) for i, k in {**many["wiese"], **many["graben"]}.items()}
    await login(client, world.farmer.user.email)
    found, pages = await walk_pages(client, "/care", ROW)
    assert [int(i) for i in found] == in_order(keys, "-date") and pages == 3
    assert not set(map(int, found)) & set(many["others"])


async def test_the_report_form_and_its_outbox_stay_on_every_page(client, world, many):
    await login(client, world.farmer.user.email)
    first = await client.get("/care?limit=5")
    assert first.status_code == 200
    assert len(ROW.findall(first.text)) == 5
    later = await client.get(html.unescape(NEXT.search(first.text).group(1)))
    assert later.status_code == 200 and len(ROW.findall(later.text)) == 5
    for page in (first.text, later.text):
        assert 'action="/care/report"' in page and "data-outbox" in page
        assert 'name="idempotency_key"' in page and f'name="for_user" value="{world.farmer.id}"' in page
        assert "data-outbox-status" in page


@pytest.mark.parametrize("sort", both_ways("date", "credit"))
async def test_every_order_with_search_and_page_size(client, world, many, sort):
    column = 0 if sort.lstrip("-") == "date" else 1
    graben = {i: (k[column], i) for i, k in many["graben"].items()}
    everything = {i: (k[column], i) for i, k in {**many["wiese"], **many["graben"]}.items()}
    await login(client, world.farmer.user.email)
    found, pages = await walk_pages(client, f"/care?q=graben&sort={sort}&limit=3", ROW)
    assert [int(i) for i in found] == in_order(graben, sort) and pages == 2
    found, pages = await walk_pages(client, f"/care?sort={sort}&limit=4", ROW)
    assert [int(i) for i in found] == in_order(everything, sort) and pages == 3


async def test_links_keep_search_order_and_page_size(client, world, many):
    await login(client, world.farmer.user.email)
    page = (await client.get("/care?q=wiesen&sort=credit&limit=3")).text
    assert 'aria-sort="ascending"' in page
    assert link(NEXT.search(page).group(1)) == (
        "/care", {"q": "wiesen", "sort": "credit", "limit": "3", "cursor": link(NEXT.search(page).group(1))[1]["cursor"]})
    assert 'action="/care#my-logs"' in page and 'value="wiesen"' in page


@pytest.mark.parametrize(("query", "word"), [("cursor=kaputt", "nächste Seite"), ("sort=kaputt", "Sortierung"),
                                             ("limit=0", "Seitengröße"), ("limit=101", "Seitengröße")])
async def test_bad_paging_is_refused_in_german(client, world, many, query, word):
    await login(client, world.farmer.user.email)
    response = await client.get(f"/care?{query}", headers={"accept": "text/html"})
    assert response.status_code == 422
    assert "<html" in response.text.lower() and word in response.text


async def test_a_refused_report_shows_the_first_page_of_the_reports(client, world, many, monkeypatch):
    from tests.web_helpers import csrf_token

    monkeypatch.setattr(care_farmer, "HTML_LIMIT", 4)
    await login(client, world.farmer.user.email)
    token = await csrf_token(client)
    response = await client.post("/care/report", data={"section_id": "", "performed_on": "2026-05-03",
                                                       "quantity": "1", "_csrf_token": token},
                                 files={"photo": ("", b"", "application/octet-stream")})
    assert response.status_code == 422, response.text
    keys = {i: (k[0], i) for i, k in {**many["wiese"], **many["graben"]}.items()}
    assert [int(i) for i in ROW.findall(response.text)] == in_order(keys, "-date")[:4]
    next_page = link(NEXT.search(response.text).group(1))
    assert next_page[0] == "/care" and set(next_page[1]) == {"cursor"}
