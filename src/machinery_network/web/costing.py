"""Cost-price pages: an item's calculator (its yard head) with the kept calculations (everyone), and
the cost coverage per item and year (yard head, finance office, administrator)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from machinery_network import clock
from machinery_network._sa import row_id
from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality, list_municipalities
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.catalogue.models import Item
from machinery_network.catalogue.service import get_item
from machinery_network.costing import coverage, ktbl, service
from machinery_network.costing.models import CostCalculation
from machinery_network.costing.schemas import CostAdoption, CostCalculationInput
from machinery_network.errors import NotAllowed
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import (
    FormError,
    date_field,
    euros_input,
    form_action,
    form_data,
    int_or_none,
    parse_decimal,
    parse_euros,
    present,
)

# form field → schema field, for amounts the form takes in euros
_EUROS = {
    "purchase_price": "purchase_price_cents",
    "residual_value": "residual_value_cents",
    "insurance": "insurance_cents_per_year",
    "housing": "housing_cents_per_year",
    "tax": "tax_cents_per_year",
    "operator_wage": "operator_wage_cents_per_hour",
    "rate": "rate_cents",
}
_DECIMALS = ("life_years", "life_units", "annual_units", "interest_percent", "repair_percent_of_price",
             "fuel_litres_per_unit", "operator_overhead_percent")
FIELD_OF = {schema: form for form, schema in _EUROS.items()} | {"fuel_price_cents_per_litre": "fuel_price"}
FORM_FIELDS = (*_EUROS, *_DECIMALS, "fuel_price", "valid_from", "note")


def _values(form: dict[str, str], *, adopt: bool) -> dict[str, Any]:
    values: dict[str, Any] = {schema: parse_euros(form.get(name)) for name, schema in _EUROS.items()}
    values.update({name: parse_decimal(form.get(name)) for name in _DECIMALS})
    fuel = parse_decimal(form.get("fuel_price"))  # € per litre, to three decimals (1,659 €)
    values["fuel_price_cents_per_litre"] = fuel * 100 if isinstance(fuel, Decimal) else fuel
    if adopt:
        values["valid_from"] = date_field(form.get("valid_from"))
        values["note"] = form.get("note") or None
    else:
        values.pop("rate_cents")
    return present(values)


def _form_of(row: CostCalculation | None) -> dict[str, str]:
    if row is None:
        return {name: "" for name in FORM_FIELDS} | {"interest_percent": "3", "operator_overhead_percent": "0"}
    form = {name: euros_input(getattr(row, schema)) for name, schema in _EUROS.items() if name != "rate"}
    form.update({name: str(getattr(row, name).normalize()).replace(".", ",") for name in _DECIMALS})
    form["fuel_price"] = str((Decimal(row.fuel_price_cents_per_litre) / 100).normalize()).replace(".", ",")
    return form | {"rate": "", "valid_from": "", "note": ""}


async def _page(
    db_session: DbSession, actor: Actor, item: Item, *, form: dict[str, str], errors: dict[str, str] | None = None,
    message: str | None = None, result: Any = None, status_code: int = 200,
) -> Template:
    kept = await service.kept_calculations(db_session, row_id(item))
    municipality = await get_municipality(db_session, item.municipality_id)
    can_manage = actor.role == Role.yard_head and actor.municipality_id == item.municipality_id
    return render(
        "costing/item.html", actor, status_code=status_code, item=item, municipality=municipality, kept=kept,
        can_manage=can_manage, form=form, errors=errors or {}, message=message, result=result,
    )


@get("/items/{item_id:int}/cost", include_in_schema=False)
async def cost_page(item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> Template:
    item = await get_item(db_session, item_id)
    kept = await service.kept_calculations(db_session, item_id)
    return await _page(db_session, actor, item, form=_form_of(kept[0] if kept else None))


@post("/items/{item_id:int}/cost", include_in_schema=False)
async def cost_post(
    item_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings,
) -> Response[Any]:
    item = await get_item(db_session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    form = await form_data(request)

    async def act() -> ktbl.CostInputs | None:
        """Adopt the calculation (None), or compute it for the page (its inputs)."""
        if form.get("action") == "adopt":
            await service.adopt(db_session, actor, item_id, CostAdoption.model_validate(_values(form, adopt=True)),
                                settings)
            return None
        return CostCalculationInput.model_validate(_values(form, adopt=False)).inputs()

    async def shown(inputs: ktbl.CostInputs | None) -> Response[Any]:
        if inputs is None:
            return redirect(f"/items/{item_id}/cost", request, flash="costing.adopted")
        result = {
            "figures": ktbl.calculate(inputs),
            "break_even": ktbl.break_even_units(inputs, item.rate_cents),
        }
        return await _page(db_session, actor, item, form=form, result=result)

    async def again(error: FormError) -> Template:
        return await _page(db_session, actor, item, form=form, errors=error.fields, message=error.message,
                           status_code=error.status_code)

    return await form_action(act, again, shown, rename=FIELD_OF)


@get("/manage/cost-coverage", include_in_schema=False)
async def coverage_page(
    actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    year: FromQuery[str | None] = None, municipality_id: FromQuery[str | None] = None,
) -> Template:
    municipalities = []
    if actor.role == Role.admin:
        municipalities = await list_municipalities(db_session)
        chosen = int_or_none(municipality_id) or (municipalities[0].id if municipalities else None)
    elif actor.role in (Role.yard_head, Role.finance):
        chosen = actor.municipality_id
    else:
        raise NotAllowed()
    this_year = clock.today(settings.tz).year
    selected_year = int_or_none(year) or this_year
    if not 2000 <= selected_year < 2100:
        selected_year = this_year
    rows = []
    municipality = None
    if chosen is not None:
        rows = await coverage.coverage(db_session, actor, chosen, selected_year, settings)
        municipality = await get_municipality(db_session, chosen)
    return render(
        "costing/coverage.html", actor, rows=rows, year=selected_year, municipality=municipality,
        municipalities=municipalities, years=list(range(this_year, this_year - 6, -1)),
    )


ROUTES = [cost_page, cost_post, coverage_page]
