"""Catalogue pages: the list with filters (start page), item detail, a yard head's items form."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality, list_municipalities
from machinery_network.auth import Actor, own_municipality, require_for_municipality, require_role
from machinery_network.catalogue import service
from machinery_network.catalogue.models import Item, ItemKind, ItemUnit, MeterKind
from machinery_network.catalogue.schemas import ItemCreate, ItemUpdate
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import (
    FormError,
    euros_input,
    form_action,
    form_data,
    int_or_none,
    parse_decimal,
    parse_euros,
)
from machinery_network.web.paging import HTML_LIMIT, list_view, pager


@get("/", include_in_schema=False)
async def catalogue_page(
    request: Request[Any, Any, Any],
    actor: CurrentActor,
    db_session: DbSession,
    municipality_id: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
) -> Template:
    """The catalogue, filtered and searched in SQL, sorted (``sort``: by municipality and name, or by name
    or rate) and paged (``limit``, ``HTML_LIMIT`` by default)."""
    selected_municipality = int_or_none(municipality_id)
    selected_kind = kind if kind in ItemKind.__members__ else None
    view = list_view(request, service.ITEM_SORTS, path="/", default_limit=HTML_LIMIT)
    items = await service.page_items(
        db_session, view.page, municipality_id=selected_municipality, kind=selected_kind, query=view.search,
        sort=view.sort,
    )
    municipalities = await list_municipalities(db_session)
    context: dict[str, Any] = {
        "items": items.rows,
        "pager": pager(request, items, path="/"),
        "view": view,
        "municipalities": municipalities,
        "names": {m.id: m.name for m in municipalities},
        "filters": {"municipality_id": selected_municipality, "kind": selected_kind, "q": view.q},
    }
    if request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == "item-list":
        return render("catalogue/_items.html", actor, **context)
    return render("catalogue/list.html", actor, **context)


@get("/items/{item_id:int}", include_in_schema=False)
async def item_page(
    item_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    week: FromQuery[str | None] = None,
) -> Template:
    """The item with its booking panel (week and form) in the page: it works without JavaScript."""
    from machinery_network.web.bookings import item_page_context

    return render("catalogue/detail.html", actor,
                  **await item_page_context(db_session, actor, item_id, settings, week=week))


@get("/manage/items", include_in_schema=False)
async def manage_items(request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession) -> Template:
    """The yard head's items (inactive ones too), searched in SQL (``q``), by name or rate (``sort``), paged
    (``limit``, ``HTML_LIMIT`` by default)."""
    municipality_id = own_municipality(actor, Role.yard_head)
    view = list_view(request, service.MANAGED_ITEM_SORTS, path="/manage/items", default_limit=HTML_LIMIT)
    items = await service.page_items(db_session, view.page, municipality_id=municipality_id,
                                     query=view.search, include_inactive=True, sort=view.sort)
    municipality = await get_municipality(db_session, municipality_id)
    return render("catalogue/manage.html", actor, items=items.rows, municipality=municipality, view=view,
                  pager=pager(request, items, path="/manage/items"))


def _form_values(form: dict[str, str]) -> dict[str, Any]:
    return {
        "name": form.get("name", ""),
        "description": form.get("description") or None,
        "kind": form.get("kind", ""),
        "unit": form.get("unit", ""),
        "rate_cents": parse_euros(form.get("rate")),
        "operator_rate_cents": parse_euros(form.get("operator_rate")),
        "vat_percent": parse_decimal(form.get("vat_percent")) or 0,
        "active": form.get("active") == "on",
        "meter_kind": form.get("meter_kind") or "hours",
    }


def _render_form(actor: Actor, *, item_id: int | None, form: dict[str, str], errors: dict[str, str], message: str | None,
                 status_code: int = 200) -> Template:
    return render(
        "catalogue/form.html", actor, status_code=status_code, item_id=item_id, form=form, errors=errors,
        message=message, kinds=list(ItemKind), units=list(ItemUnit), meter_kinds=list(MeterKind),
    )


def _render_error(actor: Actor, item_id: int | None, form: dict[str, str], error: FormError) -> Template:
    return _render_form(actor, item_id=item_id, form=form, errors=error.fields, message=error.message,
                        status_code=error.status_code)


@get("/manage/items/new", include_in_schema=False)
async def new_item_form(actor: CurrentActor) -> Template:
    require_role(actor, Role.yard_head)
    form = {"name": "", "description": "", "kind": "machine", "unit": "hour", "rate": "", "operator_rate": "",
            "vat_percent": "0", "active": "on", "meter_kind": "hours"}
    return _render_form(actor, item_id=None, form=form, errors={}, message=None)


@post("/manage/items/new", include_in_schema=False)
async def create_item(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Response[Any]:
    require_role(actor, Role.yard_head)
    form = await form_data(request)

    async def create() -> Item:
        data = ItemCreate.model_validate({**_form_values(form), "municipality_id": actor.municipality_id})
        return await service.create_item(db_session, actor, data, settings)

    return await form_action(
        create,
        lambda error: _render_error(actor, None, form, error),
        lambda item: redirect(f"/items/{item.id}", request, flash="flash.item_created"),
        rename=_FIELD_OF,
    )


@get("/manage/items/{item_id:int}/edit", include_in_schema=False)
async def edit_item_form(item_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> Template:
    item = await service.get_item(db_session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    form = {
        "name": item.name, "description": item.description or "", "kind": item.kind, "unit": item.unit,
        "rate": euros_input(item.rate_cents), "operator_rate": euros_input(item.operator_rate_cents),
        "vat_percent": str(item.vat_percent).replace(".", ","), "active": "on" if item.active else "",
        "meter_kind": item.meter_kind,
    }
    return _render_form(actor, item_id=item.id, form=form, errors={}, message=None)


@post("/manage/items/{item_id:int}/edit", include_in_schema=False)
async def update_item(
    item_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
    settings: AppSettings,
) -> Response[Any]:
    form = await form_data(request)

    async def update() -> Item:
        data = ItemUpdate.model_validate(_form_values(form))
        return await service.update_item(db_session, actor, item_id, data, settings)

    return await form_action(
        update,
        lambda error: _render_error(actor, item_id, form, error),
        lambda item: redirect(f"/items/{item.id}", request, flash="flash.item_saved"),
        rename=_FIELD_OF,
    )


# schema field → form field
_FIELD_OF = {"rate_cents": "rate", "operator_rate_cents": "operator_rate"}

ROUTES = [catalogue_page, item_page, manage_items, new_item_form, create_item, edit_item_form, update_item]
