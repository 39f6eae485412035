"""The pages link to the documents: a farmer's statement PDF, the SEPA exception list on the month page."""

import re
from datetime import date

from machinery_network.auth import SYSTEM
from machinery_network.config import get_settings
from machinery_network.ledger import service as ledger
from machinery_network.settlement import service as settlement
from tests.web_helpers import login


async def _settled_october(db_session, world):
    await ledger.post_adjustment(
        db_session, world.finance_north.actor, farmer_id=world.farmer.id, municipality_id=world.north.id,
        value_date=date(2026, 10, 5), amount_cents=2500, reason="Dieselnachfüllung", settings=get_settings(),
    )
    await settlement.settle(db_session, SYSTEM, date(2026, 10, 1), world.north.id, settings=get_settings())
    await db_session.commit()


async def test_farmer_downloads_his_statement_from_the_account_page(client, db_session, world):
    await _settled_october(db_session, world)
    await login(client, world.farmer.user.email)
    page = await client.get("/account")
    assert page.status_code == 200
    link = re.search(r'href="(/account/statements/2026-10\?municipality_id=\d+)"', page.text)
    assert link, "the statement row links to its PDF"
    pdf = await client.get(link.group(1).replace("&amp;", "&"))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"].startswith("application/pdf")
    assert pdf.content.startswith(b"%PDF")


async def test_other_farmer_cannot_download_the_statement(client, db_session, world):
    await _settled_october(db_session, world)
    await login(client, world.farmer2.user.email)
    response = await client.get(f"/account/statements/2026-10?municipality_id={world.north.id}&farmer_id={world.farmer.id}")
    assert response.status_code in (403, 404)


async def test_month_page_loads_the_sepa_exception_list(client, db_session, world):
    await _settled_october(db_session, world)
    await login(client, world.finance_north.user.email)
    page = await client.get("/finance/settlements/2026-10")
    assert page.status_code == 200
    assert "/finance/settlements/2026-10/sepa-exceptions?municipality_id=" in page.text
