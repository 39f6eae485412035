"""The finance office's mandate page at network size (issue #15): the mandate list paged by id with search
(reference or farmer name) and a state filter in SQL, the partners without a mandate paged by name, and the
"new mandate" form finding the farmer by a search instead of a list of every partner."""

from __future__ import annotations

import re
from datetime import date

import pytest

from machinery_network.auth import SYSTEM
from machinery_network.mandates import partners
from machinery_network.mandates import service as mandates
from machinery_network.web import mandates as mandates_web
from tests.conftest import make_person
from tests.test_paging_web import walk_pages
from tests.web_helpers import login, post_form

REFERENCE = re.compile(r"<tr><td>([A-Z0-9-]+)</td>")


@pytest.fixture
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mandates_web, "HTML_LIMIT", 4)


async def _mandates(db_session, world, count: int, prefix: str = "NORD") -> list:
    farmers = [await make_person(db_session, "farmer", f"Bauer {prefix.title()} {i:02d}") for i in range(count)]
    made = []
    for i, farmer in enumerate(farmers):
        made.append(await mandates.create_mandate(
            db_session, SYSTEM, farmer_id=farmer.user.id, municipality_id=world.north.id,
            reference=f"{prefix}-{i:03d}", signed_on=date(2026, 3, 1), iban="DE89370400440532013000",
        ))
    await db_session.commit()
    return made


async def test_every_mandate_found_once_by_following_the_pages(client, db_session, world, small_pages):
    made = await _mandates(db_session, world, 11)
    await login(client, world.finance_north.user.email)
    found, pages = await walk_pages(client, "/finance/mandates", REFERENCE)
    assert found == [m.reference for m in made] and pages == 3
    first = await client.get("/finance/mandates")
    assert "<select" not in first.text.split('id="mandate-form"')[1].split("</form>")[0]  # no list of farmers


async def test_search_by_reference_or_name_and_state_filter_in_sql(client, db_session, world, small_pages):
    made = await _mandates(db_session, world, 9)
    await mandates.revoke_mandate(db_session, SYSTEM, made[2].id)
    await mandates.revoke_mandate(db_session, SYSTEM, made[7].id)
    await db_session.commit()
    await login(client, world.finance_north.user.email)
    by_reference, _ = await walk_pages(client, "/finance/mandates?q=nord-00", REFERENCE)
    assert by_reference == [f"NORD-{i:03d}" for i in range(9)]
    by_name, _ = await walk_pages(client, "/finance/mandates?q=Bauer%20Nord%2005", REFERENCE)
    assert by_name == ["NORD-005"]
    revoked, pages = await walk_pages(client, "/finance/mandates?state=revoked", REFERENCE)
    assert revoked == ["NORD-002", "NORD-007"] and pages == 1
    active, pages = await walk_pages(client, "/finance/mandates?state=active&q=nord", REFERENCE)
    assert len(active) == 7 and pages == 2 and "NORD-002" not in active
    assert (await client.get("/finance/mandates?state=kaputt")).status_code == 422
    assert (await client.get("/finance/mandates?cursor=kaputt")).status_code == 422


async def test_partners_without_a_mandate_paged_by_name(client, db_session, world, small_pages):
    covered = await _mandates(db_session, world, 3)
    names = []
    for i in range(9):
        person = await make_person(db_session, "farmer", f"Ohne Mandat {i:02d}")
        await partners.add_partner(db_session, SYSTEM, world.north.id, person.user.id)
        names.append(person.user.name)
    await db_session.commit()
    await login(client, world.finance_north.user.email)
    found, pages = await walk_pages(client, "/finance/mandates/without", re.compile(r'<li id="without-\d+">([^(]+) \('))
    assert [n for n in found if n.startswith("Ohne")] == names
    assert not any(n.startswith("Bauer") for n in found)  # they have an active mandate
    assert len(covered) == 3 and pages >= 3


async def test_new_mandate_form_finds_the_farmer_by_search_and_keeps_what_was_typed(client, db_session, world):
    await login(client, world.finance_north.user.email)
    form = {"municipality_id": str(world.north.id), "farmer_q": "Franz Bauer", "reference": "NORD-SUCHE-1",
            "signed_on": "2026-02-01", "iban": ""}
    done = await post_form(client, "/finance/mandates", form)
    assert done.status_code in (200, 303), done.text
    assert (await mandates.active_mandate(db_session, world.north.id, world.farmer.id)).reference == "NORD-SUCHE-1"
    # Nothing found: 422, everything typed is kept.
    missing = await post_form(client, "/finance/mandates", {**form, "farmer_q": "Niemand Xyz", "reference": "X-2"})
    assert missing.status_code == 422
    assert "Kein Landwirt gefunden" in missing.text and 'value="Niemand Xyz"' in missing.text
    assert 'value="X-2"' in missing.text and 'value="2026-02-01"' in missing.text
    # Several matches: offered to pick from, with the typed values kept.
    for i in range(3):
        await make_person(db_session, "farmer", f"Gleichnamig {i}")
    await db_session.commit()
    several = await post_form(client, "/finance/mandates", {**form, "farmer_q": "Gleichnamig", "reference": "X-3"})
    assert several.status_code == 422
    assert several.text.count('name="farmer_id"') == 3 and 'value="X-3"' in several.text
    empty = await post_form(client, "/finance/mandates", {**form, "farmer_q": "", "reference": "X-4"})
    assert empty.status_code == 422 and "Bitte Name oder E-Mail" in empty.text and 'value="X-4"' in empty.text


async def test_refusals_yard_head_and_another_municipality_s_finance(client, db_session, world):
    made = await _mandates(db_session, world, 1)
    await login(client, world.yard_north.user.email)
    assert (await client.get("/finance/mandates")).status_code == 403
    assert (await client.get("/finance/mandates/without")).status_code == 403
    assert (await client.get("/finance/mandates?q=nord")).status_code == 403
    await login(client, world.finance_south.user.email)
    south = await client.get("/finance/mandates?q=nord")
    assert south.status_code == 200 and "NORD-000" not in south.text
    assert (await client.get(f"/finance/mandates?municipality_id={world.north.id}")).status_code == 200
    assert "NORD-000" not in (await client.get(f"/finance/mandates?municipality_id={world.north.id}")).text
    assert (await post_form(client, f"/finance/mandates/{made[0].id}/revoke", {})).status_code == 403
    assert (await client.get(f"/finance/mandates/{made[0].id}/scan")).status_code == 403
    assert (await mandates.active_mandate(db_session, world.north.id, made[0].farmer_id)) is not None
