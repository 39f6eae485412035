"""The winter-service proof download of the sections page (yard head and finance): one section or all
winter sections of the municipality, for a period, as CSV or PDF (``care.proof``)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Response, get
from litestar.params import FromQuery, QueryParameter

from machinery_network.accounts.models import Role
from machinery_network.auth import own_municipality
from machinery_network.care import proof as proof_files
from machinery_network.care import service
from machinery_network.errors import Invalid
from machinery_network.web.common import AppSettings, CurrentActor, DbSession
from machinery_network.web.forms import int_field


@get("/manage/sections/winter-proof", include_in_schema=False)
async def winter_proof_download(
    actor: CurrentActor,
    db_session: DbSession,
    settings: AppSettings,
    start: Annotated[str, QueryParameter(name="from")] = "",
    end: Annotated[str, QueryParameter(name="to")] = "",
    section_id: FromQuery[str] = "",
    fmt: Annotated[str, QueryParameter(name="format")] = "csv",
) -> Response[Any]:
    municipality_id = own_municipality(actor, Role.yard_head, Role.finance)
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        raise Invalid("field.date", field="from") from exc
    proof_files.check_format(fmt)
    chosen = int_field(section_id)
    if isinstance(chosen, str):
        raise Invalid("field.invalid", field="section_id")
    proof = await service.winter_proof(
        db_session, actor, municipality_id, first, last, section_id=chosen, settings=settings
    )
    file = proof_files.render(proof, fmt, settings.tz)
    return Response(content=file.content, media_type=file.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})


ROUTES: list[Any] = [winter_proof_download]
