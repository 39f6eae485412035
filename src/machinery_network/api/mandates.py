"""JSON routes: SEPA mandates per farmer and municipality."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File
from pydantic import BaseModel

from machinery_network.api.paging import Paging, paged_response
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession
from machinery_network.mandates import scans, service
from machinery_network.mandates.models import Mandate
from machinery_network.schemas import Day, Id, Input


class MandateCreate(Input):
    farmer_id: Id
    municipality_id: Id
    reference: str
    signed_on: Day
    iban: str | None = None


class MandatePublic(BaseModel):
    id: int
    farmer_id: int
    municipality_id: int
    reference: str
    signed_on: date
    iban: str
    state: str
    original_iban: str | None
    amended_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime
    # a scan of the signed form is attached (GET /mandates/{id}/scan)
    has_scan: bool = False

    @classmethod
    def of(cls, mandate: Mandate) -> MandatePublic:
        return cls.model_validate(mandate, from_attributes=True).model_copy(
            update={"has_scan": mandate.scan_path is not None})


class MandateController(Controller):
    path = "/mandates"
    tags = ["mandates"]

    @post("/")
    async def create(
        self, data: JSONBody[MandateCreate], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> MandatePublic:
        """Record a signed mandate (that municipality's finance office, admin); 409 for a reference the
        municipality used already or a second active mandate of the farmer."""
        mandate = await service.create_mandate(
            db_session, actor, farmer_id=data.farmer_id, municipality_id=data.municipality_id,
            reference=data.reference, signed_on=data.signed_on, iban=data.iban, tz=settings.tz,
        )
        return MandatePublic.of(mandate)

    @get("/")
    async def list_(
        self, request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, paging: Paging,
        municipality_id: FromQuery[int | None] = None, farmer_id: FromQuery[int | None] = None,
    ) -> Response[list[Any]]:
        """Ordered by id; paged (``limit``, ``cursor``, ``Link: rel="next"``). Finance: its municipality's;
        admin: any; a farmer: his own."""
        page = paging.page(order=service.MANDATE_ORDER, width=1)
        mandates = await service.page_mandates(db_session, actor, page, municipality_id, farmer_id)
        return paged_response(request, mandates, MandatePublic.of)

    @get("/{mandate_id:int}")
    async def show(self, mandate_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> MandatePublic:
        return MandatePublic.of(await service.get_mandate(db_session, actor, mandate_id))

    @post("/{mandate_id:int}/revoke", status_code=200)
    async def revoke(self, mandate_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> MandatePublic:
        return MandatePublic.of(await service.revoke_mandate(db_session, actor, mandate_id))

    @post("/{mandate_id:int}/scan", status_code=200)
    async def upload_scan(
        self, mandate_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> MandatePublic:
        """Attach (or replace) the scan of the signed form: multipart field ``file``, a PDF, JPEG or PNG of at
        most ``MN_UPLOAD_MAX_BYTES`` (413 beyond). That municipality's finance office or the administrator."""
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("mandates.scan_empty", field="file")
        content = await upload.read(settings.upload_max_bytes + 1)
        return MandatePublic.of(await scans.attach_scan(db_session, actor, mandate_id, content, settings))

    @get("/{mandate_id:int}/scan")
    async def scan(
        self, mandate_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> File:
        """The scan, for whoever may read the mandate (the farmer his own; 404 when none is attached)."""
        path, content_type = await scans.scan_file(db_session, actor, mandate_id, settings)
        return File(path=path, media_type=content_type, content_disposition_type="attachment",
                    filename=f"mandat-{mandate_id}{path.suffix}")


ROUTES = [MandateController]
