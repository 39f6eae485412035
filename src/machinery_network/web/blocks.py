"""HTML pages of blocks: the times a yard head takes his municipality's item out of booking
(repair, own use), listed, added and removed through ``bookings.service``."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.accounts.models import Role
from machinery_network.auth import Actor, require_for_municipality
from machinery_network.bookings import service
from machinery_network.bookings.models import Block
from machinery_network.bookings.schemas import BlockCreate
from machinery_network.catalogue.service import get_item
from machinery_network.config import Settings
from machinery_network.i18n import gettext_de
from machinery_network.web.booking_forms import booking_values, default_booking_form
from machinery_network.web.common import (
    AppSettings,
    CurrentActor,
    DbSession,
    redirect,
    render,
    time_formatter,
)
from machinery_network.web.forms import FormError, form_action, form_data


async def _blocks_page(session: AsyncSession, actor: Actor, item_id: int, settings: Settings, *,
                       form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                       message: str | None = None, status_code: int = 200) -> Template:
    item = await get_item(session, item_id)
    require_for_municipality(actor, item.municipality_id, Role.yard_head)
    blocks = await service.list_blocks(session, item_id, since=clock.now() - timedelta(days=30))
    return render(
        "bookings/blocks.html", actor, status_code=status_code, item=item, blocks=blocks, fmt=time_formatter(settings),
        form=form or {**default_booking_form(settings), "reason": ""}, errors=errors or {}, message=message,
    )


@get("/manage/items/{item_id:int}/blocks", include_in_schema=False)
async def blocks_page(
    item_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Template:
    return await _blocks_page(db_session, actor, item_id, settings)


@post("/manage/items/{item_id:int}/blocks", include_in_schema=False)
async def create_block(request: Request[Any, Any, Any], item_id: FromPath[int], actor: CurrentActor, db_session: DbSession,
                       settings: AppSettings) -> Response[Any]:
    form = await form_data(request)
    values, errors = booking_values(form, item_id, settings)

    def again(error: FormError) -> Awaitable[Template]:
        return _blocks_page(db_session, actor, item_id, settings, form=form, errors=error.fields,
                            message=error.message, status_code=error.status_code)

    if errors:
        return await again(FormError(422, gettext_de("validation"), errors, validation=True))

    async def block() -> None:
        data = BlockCreate.model_validate({"start": values["start"], "end": values["end"],
                                           "reason": form.get("reason", "")})
        await service.create_block(db_session, actor, item_id, data, settings)

    return await form_action(
        block, again, lambda _: redirect(f"/manage/items/{item_id}/blocks", request, flash="flash.block_created")
    )


@post("/manage/blocks/{block_id:int}/delete", include_in_schema=False)
async def delete_block(
    request: Request[Any, Any, Any], block_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
) -> Redirect | Response[Any]:
    block = await db_session.get(Block, block_id)
    item_id = block.item_id if block else 0
    await service.remove_block(db_session, actor, block_id, settings)
    return redirect(f"/manage/items/{item_id}/blocks", request, flash="flash.block_deleted")


ROUTES = [blocks_page, create_block, delete_block]
