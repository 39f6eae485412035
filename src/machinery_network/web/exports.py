"""Download links of the finance officer's settlement page (``/finance/settlements/{month}``) and the
farmer's statement download from ``/account``: the same service as the API, errors as German pages."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Template

from machinery_network.accounts.service import get_municipality
from machinery_network.api.exports import export_response, file_response, month_or_422, municipality_or_422
from machinery_network.exports import service
from machinery_network.exports.sepa import missing_bank_details, missing_error
from machinery_network.web.common import CurrentActor, DbSession, render


@get("/finance/settlements/{month:str}/export", include_in_schema=False)
async def download_export(
    month: FromPath[str],
    actor: CurrentActor,
    db_session: DbSession,
    municipality_id: FromQuery[int | None] = None,
    fmt: Annotated[str | None, QueryParameter(name="format")] = None,
    farmer_id: FromQuery[int | None] = None,
) -> Response[Any]:
    return await export_response(db_session, actor, month, municipality_id, fmt, farmer_id)


@get("/account/statements/{month:str}", include_in_schema=False)
async def download_statement(
    month: FromPath[str], actor: CurrentActor, db_session: DbSession, municipality_id: FromQuery[int],
    farmer_id: FromQuery[int | None] = None
) -> Response[Any]:
    """A farmer's statement PDF: the farmer his own; finance/admin name the farmer (``farmer_id``)."""
    return file_response(
        await service.statement(db_session, actor, month_or_422(month), municipality_id, farmer_id)
    )


@get("/finance/settlements/{month:str}/sepa-exceptions", include_in_schema=False)
async def sepa_exceptions_fragment(
    month: FromPath[str], actor: CurrentActor, db_session: DbSession,
    municipality_id: FromQuery[int | None] = None
) -> Template:
    """The exception listing for the settlement page (loaded with htmx next to the download buttons)."""
    first, mid = month_or_422(month), municipality_or_422(actor, municipality_id)
    exceptions = [
        (fmt, exception)
        for fmt in ("sepa-debit", "sepa-credit")
        for exception in await service.sepa_exceptions(db_session, actor, first, mid, fmt)
    ]
    municipality = await get_municipality(db_session, mid)
    missing = missing_bank_details(municipality)
    return render(
        "exports/sepa_exceptions.html", actor, exceptions=exceptions,
        missing=missing_error(municipality, missing).message("de") if missing else None,
    )


ROUTES = [download_export, download_statement, sepa_exceptions_fragment]
