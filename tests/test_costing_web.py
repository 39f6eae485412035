"""Cost-price pages in German: the calculator, adopting a rate, the kept calculation, cost coverage."""

from sqlalchemy import func, select

from machinery_network.catalogue.models import Item
from machinery_network.costing.models import CostCalculation
from tests.web_helpers import login, post_form

# the tractor of test_costing_ktbl, as a yard head types it (German numbers, euros)
FORM = {
    "purchase_price": "120.000", "residual_value": "24.000,00", "life_years": "12", "life_units": "10.000",
    "annual_units": "600", "interest_percent": "3", "insurance": "800", "housing": "400", "tax": "",
    "repair_percent_of_price": "80", "fuel_litres_per_unit": "9,5", "fuel_price": "1,50",
    "operator_wage": "22", "operator_overhead_percent": "60",
}


async def tractor(db_session, world) -> Item:
    item = Item(municipality_id=world.north.id, name="Traktor 120 PS", kind="machine", unit="hour", rate_cents=4800)
    db_session.add(item)
    await db_session.commit()
    return item


async def test_yard_head_calculates_in_german(client, world, db_session):
    item = await tractor(db_session, world)
    await login(client, world.yard_north.user.email)
    page = await client.get(f"/items/{item.id}/cost")
    assert page.status_code == 200
    assert "Kalkulation" in page.text and "noch keine Kalkulation" in page.text
    result = await post_form(client, f"/items/{item.id}/cost", {**FORM, "action": "calculate"})
    assert result.status_code == 200, result.text
    text = result.text
    assert "11.360,00 €" in text  # fixed per year
    assert "23,85 €" in text  # variable per hour
    assert "42,78 €" in text  # cost per hour at 600 h
    assert "35,20 €" in text  # operator with 60 % overheads
    assert "470,4 Stunde" in text  # threshold at the current 48,00 €
    assert 'value="9,5"' in text  # what was typed stays
    # nothing adopted by calculating
    assert await db_session.scalar(select(func.count()).select_from(CostCalculation)) == 0


async def test_yard_head_adopts_and_everyone_sees_how(client, world, db_session):
    item = await tractor(db_session, world)
    await login(client, world.yard_north.user.email)
    done = await post_form(client, f"/items/{item.id}/cost", {**FORM, "action": "adopt", "rate": "43",
                                                             "note": "KTBL-Werte 2026"})
    assert done.status_code == 303, done.text
    page = await client.get(done.headers["location"])
    assert "Der neue Satz ist übernommen" in page.text
    await db_session.refresh(item)
    assert (item.rate_cents, item.operator_rate_cents) == (4300, 3520)

    client.cookies.clear()
    await login(client, world.farmer.user.email)
    seen = await client.get(f"/items/{item.id}/cost")
    assert seen.status_code == 200
    assert "So ist der Satz entstanden" in seen.text and "KTBL-Werte 2026" in seen.text
    assert "120.000,00 €" in seen.text and "43,00 €" in seen.text
    assert 'name="action"' not in seen.text  # no calculator for him


async def test_bad_input_rerenders_with_the_message_and_writes_nothing(client, world, db_session):
    item = await tractor(db_session, world)
    await login(client, world.yard_north.user.email)
    response = await post_form(client, f"/items/{item.id}/cost", {**FORM, "life_units": "0", "action": "adopt"})
    assert response.status_code == 422
    assert "Muss größer als null sein." in response.text
    assert 'value="120.000"' in response.text
    assert await db_session.scalar(select(func.count()).select_from(CostCalculation)) == 0


async def test_others_cannot_post_the_calculator(client, world, db_session):
    item = await tractor(db_session, world)
    for who in ("farmer", "yard_south", "finance_north"):
        client.cookies.clear()
        await login(client, getattr(world, who).user.email)
        response = await post_form(client, f"/items/{item.id}/cost", {**FORM, "action": "adopt"})
        assert response.status_code == 403, who
    assert await db_session.scalar(select(func.count()).select_from(CostCalculation)) == 0
    client.cookies.clear()
    await login(client, world.yard_north.user.email)
    assert (await client.get("/items/999999/cost")).status_code == 404


async def test_coverage_page_for_staff_only(client, world, db_session):
    await tractor(db_session, world)
    for who in ("yard_north", "finance_north", "admin"):
        client.cookies.clear()
        await login(client, getattr(world, who).user.email)
        page = await client.get("/manage/cost-coverage?year=2026")
        assert page.status_code == 200, who
        assert "Kostendeckung 2026" in page.text and "Traktor 120 PS" in page.text
        assert "keine Kalkulation" in page.text
    client.cookies.clear()
    await login(client, world.farmer.user.email)
    assert (await client.get("/manage/cost-coverage")).status_code == 403
