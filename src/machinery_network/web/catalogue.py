"""Catalogue pages: the list with filters (start page), item detail, a yard head's items form."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality, list_municipalities
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.catalogue import service
from machinery_network.catalogue.models import ItemKind, ItemUnit
from machinery_network.catalogue.schemas import ItemCreate, ItemUpdate
from machinery_network.errors import DomainError
from machinery_network.i18n import gettext_de
from machinery_network.web.common import (
    domain_error_fields,
    euros_input,
    field_errors,
    form_data,
    parse_decimal,
    parse_euros,
    redirect,
    render,
)


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@get("/", include_in_schema=False)
async def catalogue_page(
    request: Request,
    actor: Actor,
    db_session: AsyncSession,
    municipality_id: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> Template:
    selected_municipality = _int_or_none(municipality_id)
    selected_kind = kind if kind in ItemKind.__members__ else None
    items = await service.list_items(
        db_session, municipality_id=selected_municipality, kind=selected_kind, query=(q or "").strip() or None
    )
    municipalities = await list_municipalities(db_session)
    context = {
        "items": items,
        "municipalities": municipalities,
        "names": {m.id: m.name for m in municipalities},
        "filters": {"municipality_id": selected_municipality, "kind": selected_kind, "q": q or ""},
    }
    if request.headers.get("hx-request") == "true" and request.headers.get("hx-target") == "item-list":
        return render("catalogue/_items.html", actor, **context)
    return render("catalogue/list.html", actor, **context)


@get("/items/{item_id:int}", include_in_schema=False)
async def item_page(item_id: int, actor: Actor, db_session: AsyncSession) -> Template:
    item = await service.get_item(db_session, item_id)
    municipality = await get_municipality(db_session, item.municipality_id)
    can_manage = actor.role == Role.yard_head and actor.municipality_id == item.municipality_id
    return render("catalogue/detail.html", actor, item=item, municipality=municipality, can_manage=can_manage)


@get("/manage/items", include_in_schema=False)
async def manage_items(actor: Actor, db_session: AsyncSession) -> Template:
    require_role(actor, Role.yard_head)
    items = await service.list_items(db_session, municipality_id=actor.municipality_id, include_inactive=True)
    municipality = await get_municipality(db_session, actor.municipality_id)
    return render("catalogue/manage.html", actor, items=items, municipality=municipality)


def _form_values(form: dict[str, str]) -> dict:
    return {
        "name": form.get("name", ""),
        "description": form.get("description") or None,
        "kind": form.get("kind", ""),
        "unit": form.get("unit", ""),
        "rate_cents": parse_euros(form.get("rate")),
        "operator_rate_cents": parse_euros(form.get("operator_rate")),
        "vat_percent": parse_decimal(form.get("vat_percent")) or 0,
        "active": form.get("active") == "on",
    }


def _render_form(actor: Actor, *, item_id: int | None, form: dict, errors: dict, message: str | None,
                 status_code: int = 200) -> Template:
    return render(
        "catalogue/form.html", actor, status_code=status_code, item_id=item_id, form=form, errors=errors,
        message=message, kinds=list(ItemKind), units=list(ItemUnit),
    )


@get("/manage/items/new", include_in_schema=False)
async def new_item_form(actor: Actor) -> Template:
    require_role(actor, Role.yard_head)
    form = {"name": "", "description": "", "kind": "machine", "unit": "hour", "rate": "", "operator_rate": "",
            "vat_percent": "0", "active": "on"}
    return _render_form(actor, item_id=None, form=form, errors={}, message=None)


@post("/manage/items/new", include_in_schema=False)
async def create_item(request: Request, actor: Actor, db_session: AsyncSession) -> Template | Redirect:
    require_role(actor, Role.yard_head)
    form = await form_data(request)
    try:
        data = ItemCreate.model_validate({**_form_values(form), "municipality_id": actor.municipality_id})
        item = await service.create_item(db_session, actor, data)
    except ValidationError as exc:
        errors = {_FIELD_OF.get(k, k): v for k, v in field_errors(exc).items()}
        return _render_form(actor, item_id=None, form=form, errors=errors,
                            message=gettext_de("validation"), status_code=422)
    except DomainError as exc:
        errors, message = domain_error_fields(exc)
        return _render_form(actor, item_id=None, form=form, errors=errors, message=message,
                            status_code=exc.status_code)
    return redirect(f"/items/{item.id}", request)


@get("/manage/items/{item_id:int}/edit", include_in_schema=False)
async def edit_item_form(item_id: int, actor: Actor, db_session: AsyncSession) -> Template:
    item = await service.get_item(db_session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    form = {
        "name": item.name, "description": item.description or "", "kind": item.kind, "unit": item.unit,
        "rate": euros_input(item.rate_cents), "operator_rate": euros_input(item.operator_rate_cents),
        "vat_percent": str(item.vat_percent).replace(".", ","), "active": "on" if item.active else "",
    }
    return _render_form(actor, item_id=item.id, form=form, errors={}, message=None)


@post("/manage/items/{item_id:int}/edit", include_in_schema=False)
async def update_item(item_id: int, request: Request, actor: Actor, db_session: AsyncSession) -> Template | Redirect:
    form = await form_data(request)
    try:
        data = ItemUpdate.model_validate(_form_values(form))
        item = await service.update_item(db_session, actor, item_id, data)
    except ValidationError as exc:
        errors = {_FIELD_OF.get(k, k): v for k, v in field_errors(exc).items()}
        return _render_form(actor, item_id=item_id, form=form, errors=errors,
                            message=gettext_de("validation"), status_code=422)
    except DomainError as exc:
        if exc.status_code in (403, 404):
            raise
        errors, message = domain_error_fields(exc)
        return _render_form(actor, item_id=item_id, form=form, errors=errors, message=message,
                            status_code=exc.status_code)
    return redirect(f"/items/{item.id}", request)


# schema field → form field
_FIELD_OF = {"rate_cents": "rate", "operator_rate_cents": "operator_rate"}

ROUTES = [catalogue_page, item_page, manage_items, new_item_form, create_item, edit_item_form, update_item]
