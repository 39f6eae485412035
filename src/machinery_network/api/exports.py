"""JSON API of the finance exports: the files of a settled month, a farmer's own statement, and the
SEPA exception listing."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Response, get
from litestar.params import FromPath, FromQuery, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.auth import Actor
from machinery_network.errors import Invalid
from machinery_network.exports import service
from machinery_network.exports.sepa import exceptions_header
from machinery_network.injected import CurrentActor, DbSession
from machinery_network.schemas import parse_month


def month_or_422(value: str) -> date:
    try:
        return parse_month(value)
    except ValueError:
        raise Invalid("field.month", field="month") from None


def municipality_or_422(actor: Actor, municipality_id: int | None) -> int:
    """Finance officers may leave it out (their own municipality); everyone else must name it."""
    if municipality_id is None:
        if actor.municipality_id is None:
            raise Invalid("field.required", field="municipality_id")
        return actor.municipality_id
    return municipality_id


def file_response(export_file: service.ExportFile) -> Response[Any]:
    headers = {
        "Content-Disposition": f'attachment; filename="{export_file.filename}"',
        "Cache-Control": "no-store",
    }
    if export_file.transactions is not None:
        headers["X-SEPA-Transactions"] = str(export_file.transactions)
        headers["X-SEPA-Total-Cents"] = str(export_file.total_cents)
        headers["X-SEPA-Exception-Count"] = str(len(export_file.exceptions))
        headers["X-SEPA-Exceptions"] = exceptions_header(export_file.exceptions)
    # Litestar adds "; charset=<encoding>" to text types itself: hand it the file's own charset (DATEV is
    # Windows-1252) instead of letting a second charset parameter follow the first.
    media_type, _, charset = export_file.media_type.partition("; charset=")
    return Response(content=export_file.content, media_type=media_type, headers=headers,
                    encoding=charset or "utf-8")


@get("/settlements/{month:str}/export", tags=["exports"])
async def export_settlement(
    month: FromPath[str],
    actor: CurrentActor,
    db_session: DbSession,
    municipality_id: FromQuery[int | None] = None,
    fmt: Annotated[str | None, QueryParameter(name="format")] = None,
    farmer_id: FromQuery[int | None] = None,
) -> Response[Any]:
    """The month's file: csv | datev | pdf (all statements, or one with ``farmer_id``) | sepa-debit | sepa-credit."""
    return await export_response(db_session, actor, month, municipality_id, fmt, farmer_id)


async def export_response(
    db_session: AsyncSession, actor: Actor, month: str, municipality_id: int | None, fmt: str | None,
    farmer_id: int | None,
) -> Response[Any]:
    """Shared by the API route and the settlement page's download links."""
    if not fmt:
        raise Invalid("field.required", field="format")
    export_file = await service.export(
        db_session, actor, month_or_422(month), municipality_or_422(actor, municipality_id), fmt,
        farmer_id=farmer_id,
    )
    return file_response(export_file)


@get("/settlements/{month:str}/sepa-exceptions", tags=["exports"])
async def sepa_exceptions(
    month: FromPath[str],
    actor: CurrentActor,
    db_session: DbSession,
    municipality_id: FromQuery[int | None] = None,
    fmt: Annotated[str, QueryParameter(name="format")] = "sepa-debit",
) -> list[dict[str, Any]]:
    """Farmers who cannot go into the SEPA file (no IBAN, invalid IBAN, no mandate)."""
    exceptions = await service.sepa_exceptions(
        db_session, actor, month_or_422(month), municipality_or_422(actor, municipality_id), fmt
    )
    return [
        {"farmer_id": e.farmer_id, "name": e.name, "net_cents": e.net_cents, "reason": e.reason}
        for e in exceptions
    ]


@get("/statements/{month:str}", tags=["exports"])
async def my_statement(
    month: FromPath[str],
    actor: CurrentActor,
    db_session: DbSession,
    municipality_id: FromQuery[int],
    farmer_id: FromQuery[int | None] = None,
) -> Response[Any]:
    """A farmer's statement PDF of a settled month: the farmer his own; finance/admin with ``farmer_id``."""
    return file_response(
        await service.statement(db_session, actor, month_or_422(month), municipality_id, farmer_id)
    )


ROUTES = [export_settlement, sepa_exceptions, my_statement]
