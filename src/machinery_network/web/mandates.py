"""The finance office's mandate page: record a signed SEPA mandate from the paper form, see and revoke
the municipality's mandates, and which partners have none (they cannot be debited)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import File, Template
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network import clock
from machinery_network.accounts.models import Role, User
from machinery_network.accounts.service import get_municipality, list_municipalities
from machinery_network.auth import Actor, require_role
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.i18n import gettext_de
from machinery_network.mandates import scans, service
from machinery_network.mandates.models import Mandate, MandateState
from machinery_network.paging import Page, page_request
from machinery_network.uploads import megabytes
from machinery_network.web.care import find_farmer
from machinery_network.web.common import AppSettings, CurrentActor, DbSession, redirect, render
from machinery_network.web.forms import FormError, form_action, form_data, form_with_upload
from machinery_network.web.paging import HTML_LIMIT, pager


def _municipality_id(actor: Actor, municipality_id: str | None) -> int | None:
    require_role(actor, Role.finance, Role.admin)
    if actor.role == Role.finance:
        return actor.municipality_id
    return int(municipality_id) if municipality_id and municipality_id.isdigit() else None


async def _page(
    actor: Actor, db_session: AsyncSession, settings: Settings, municipality_id: int | None, *,
    form: dict[str, str] | None = None, errors: dict[str, str] | None = None, message: str | None = None,
    notice: str | None = None,
    status_code: int = 200, request: Request[Any, Any, Any] | None = None, q: str | None = None, state: str | None = None,
    cursor: str | None = None, choices: list[User] | None = None,
) -> Template:
    """The page; its mandate list is paged by id (``HTML_LIMIT``), searched by reference or farmer name
    (``q``) and filtered by state in SQL. The form finds the farmer by a search, not a list of every partner."""
    municipalities = await list_municipalities(db_session) if actor.is_admin else []
    if municipality_id is None and municipalities:
        municipality_id = municipalities[0].id
    municipality = await get_municipality(db_session, municipality_id) if municipality_id else None
    mandates: Page[Mandate] = Page([], None)
    names: dict[int, str] = {}
    if municipality_id:
        page = page_request(HTML_LIMIT, cursor, order=service.MANDATE_ORDER, width=1)
        mandates = await service.page_mandates(db_session, actor, page, municipality_id, query=q, state=state or None)
        ids = {m.farmer_id for m in mandates.rows}
        if ids:
            found = await db_session.execute(select(col(User.id), col(User.name)).where(col(User.id).in_(ids)))
            names = {i: n for i, n in found if i is not None}
    today = clock.today(settings.tz).isoformat()
    return render(
        "mandates/list.html", actor, status_code=status_code, municipality=municipality,
        municipalities=municipalities, mandates=mandates.rows, names=names, today=today,
        q=q or "", state=state or "", states=list(MandateState), choices=choices or [],
        pager=pager(request, mandates, path="/finance/mandates") if request is not None else None,
        form=form or {"farmer_q": "", "reference": "", "signed_on": today, "iban": ""},
        errors=errors or {}, message=message, notice=notice, scan_max=megabytes(settings.upload_max_bytes),
    )


@get("/finance/mandates", include_in_schema=False)
async def mandates_page(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
    municipality_id: FromQuery[str | None] = None, done: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None, mandate_state: Annotated[str | None, QueryParameter(name="state")] = None,
    cursor: FromQuery[str | None] = None,
) -> Template:
    mid = _municipality_id(actor, municipality_id)
    return await _page(actor, db_session, settings, mid, notice=gettext_de("mandates.saved") if done else None,
                       request=request, q=q, state=mandate_state, cursor=cursor)


@get("/finance/mandates/without", include_in_schema=False)
async def without_page(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, municipality_id: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Template:
    """The partners without an active mandate (they are not debited), paged by name."""
    mid = _municipality_id(actor, municipality_id)
    municipalities = await list_municipalities(db_session) if actor.is_admin else []
    if mid is None and municipalities:
        mid = municipalities[0].id
    municipality = await get_municipality(db_session, mid) if mid else None
    farmers: Page[User] = Page([], None)
    if mid:
        page = page_request(HTML_LIMIT, cursor, order=service.WITHOUT_ORDER, width=2)
        farmers = await service.page_without_mandate(db_session, actor, mid, page)
    return render("mandates/without.html", actor, municipality=municipality, municipalities=municipalities,
                  farmers=farmers.rows, pager=pager(request, farmers, path="/finance/mandates/without"))


@post("/finance/mandates", include_in_schema=False)
async def record_mandate(
    request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template | Response[Any]:
    form = await form_data(request)
    mid = _municipality_id(actor, form.get("municipality_id"))
    errors: dict[str, str] = {}
    choices: list[User] = []
    farmer_id = form.get("farmer_id", "")
    if not farmer_id.isdigit():
        try:  # the search field: one match is taken, several are offered to pick from
            farmer_id = str(await find_farmer(db_session, actor, form.get("farmer_q", ""), choices))
        except Invalid as exc:
            errors["farmer_id"] = exc.message("de")
    try:
        signed_on = date.fromisoformat(form.get("signed_on", ""))
    except ValueError:
        errors["signed_on"] = gettext_de("field.date")
    if errors or mid is None:
        return await _page(actor, db_session, settings, mid, form=form, errors=errors,
                           message=gettext_de("validation"), status_code=422, choices=choices)

    async def create() -> Mandate:
        async with db_session.begin_nested():  # nothing half-written when the form is refused
            return await service.create_mandate(
                db_session, actor, farmer_id=int(farmer_id), municipality_id=mid,
                reference=form.get("reference", ""), signed_on=signed_on, iban=form.get("iban") or None,
                tz=settings.tz,
            )

    async def again(error: FormError) -> Template:
        return await _page(actor, db_session, settings, mid, form=form, errors=error.fields, message=error.message,
                           status_code=error.status_code)

    return await form_action(create, again, lambda mandate: _done(request, actor, mandate))


def _done(request: Request[Any, Any, Any], actor: Actor, mandate: Mandate) -> Response[Any]:
    """Back to the list (the admin's: of the mandate's municipality), which says it was saved."""
    suffix = f"&municipality_id={mandate.municipality_id}" if actor.is_admin else ""
    return redirect(f"/finance/mandates?done=1{suffix}", request)


@post("/finance/mandates/{mandate_id:int}/revoke", include_in_schema=False)
async def revoke_mandate(
    mandate_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template | Response[Any]:
    require_role(actor, Role.finance, Role.admin)

    async def again(error: FormError) -> Template:
        return await _page(actor, db_session, settings, actor.municipality_id, message=error.message,
                           status_code=error.status_code)

    return await form_action(lambda: service.revoke_mandate(db_session, actor, mandate_id), again,
                             lambda mandate: _done(request, actor, mandate))


@post("/finance/mandates/{mandate_id:int}/scan", include_in_schema=False)
async def upload_scan(
    mandate_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template | Response[Any]:
    """The scan of the signed form, from the mandate's row (the same service as the API)."""
    require_role(actor, Role.finance, Role.admin)
    _, upload = await form_with_upload(request, "file")
    content = await upload.read(settings.upload_max_bytes + 1) if upload is not None else b""

    async def attach() -> Mandate:
        async with db_session.begin_nested():
            return await scans.attach_scan(db_session, actor, mandate_id, content, settings)

    async def again(error: FormError) -> Template:
        mine = await service.get_mandate(db_session, actor, mandate_id)
        return await _page(actor, db_session, settings, mine.municipality_id, message=error.message,
                           status_code=error.status_code)

    return await form_action(attach, again, lambda mandate: _done(request, actor, mandate))


@get("/finance/mandates/{mandate_id:int}/scan", include_in_schema=False)
async def download_scan(
    mandate_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> File:
    path, content_type = await scans.scan_file(db_session, actor, mandate_id, settings)
    return File(path=path, media_type=content_type, content_disposition_type="attachment",
                filename=f"mandat-{mandate_id}{path.suffix}")


ROUTES = [mandates_page, without_page, record_mandate, revoke_mandate, upload_scan, download_scan]
