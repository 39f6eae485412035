"""JSON routes of the care domain: sections, assignments, care logs, seasonal plans, winter-service proof."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post
from litestar.datastructures import UploadFile
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, Parameter, QueryParameter
from litestar.response import File
from pydantic import ValidationError

from machinery_network import idempotency
from machinery_network.api.idempotency import REPLAY_NOTE, IdempotencyKeyHeader, created
from machinery_network.api.paging import Paging, paged_response
from machinery_network.care import map as care_map
from machinery_network.care import proof as proof_files
from machinery_network.care import service
from machinery_network.care.assignments import ASSIGNMENT_ORDER, page_assignments
from machinery_network.care.models import CareLogStatus
from machinery_network.care.schemas import (
    AssignmentCreate,
    AssignmentEnd,
    AssignmentPublic,
    CareLogCorrection,
    CareLogCreate,
    CareLogPublic,
    CareLogReject,
    CoverageStretch,
    ImportPreview,
    PassCoveragePublic,
    PlanRowPublic,
    SectionCreate,
    SectionImportOptions,
    SectionPreview,
    SectionPublic,
    SectionUpdate,
    TrackCoverage,
)
from machinery_network.care.sections import SECTION_KEYS, SECTION_ORDER, page_sections
from machinery_network.care.track import GPX_MAX_BYTES, TOLERANCE_M
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.injected import AppSettings, CurrentActor, DbSession


def plan_public(row: service.PlanRow) -> PlanRowPublic:
    assert row.section.id is not None  # a stored section
    return PlanRowPublic(
        section_id=row.section.id, section_name=row.section.name, task=row.section.task, unit=row.section.unit,
        farmer_id=row.farmer_id, farmer_name=row.farmer_name, year=row.year, season=row.season,
        season_start=row.season_start, season_end=row.season_end, planned=row.planned, reported=row.reported,
        confirmed=row.confirmed, overdue=row.overdue, state=row.state,
    )


async def read_upload(request: Request[Any, Any, Any], settings: Settings) -> bytes:
    """The uploaded photo (form field ``photo`` or ``file``), read no further than one byte past the limit."""
    form = await request.form()
    upload = form.get("photo") or form.get("file")
    if not isinstance(upload, UploadFile):
        raise Invalid("care.photo_empty", field="photo")
    return await upload.read(settings.upload_max_bytes + 1)


def proof_response(proof: service.WinterProof, fmt: str, settings: Settings) -> Response[bytes]:
    file = proof_files.render(proof, fmt, settings.tz)
    return Response(
        content=file.content,
        media_type=file.media_type,
        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'},
    )


class SectionController(Controller):
    path = "/sections"
    tags = ["care"]

    @post("/")
    async def create(self, data: JSONBody[SectionCreate], actor: CurrentActor, db_session: DbSession) -> SectionPublic:
        return SectionPublic.of(await service.create_section(db_session, actor, data))

    @post("/import")
    async def import_(
        self, request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
        preview: FromQuery[bool] = False,
    ) -> Response[Any]:
        """Sections from a GeoJSON or GeoPackage file (multipart ``file``; optional form fields
        ``municipality_id``, ``kind``, ``task``, ``unit``, ``rate_cents``) → 201 the created sections.
        ``?preview=true`` → 200 ``{crs, skipped, sections}`` and nothing created."""
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("care.import_empty_file", field="file")
        content = await upload.read(settings.upload_max_bytes + 1)
        if len(content) > settings.upload_max_bytes:
            raise Invalid("care.import_too_large", field="file", mb=max(1, settings.upload_max_bytes // (1024 * 1024)))
        fields: dict[str, Any] = {
            k: form.get(k) for k in ("municipality_id", "kind", "task", "unit", "rate_cents") if form.get(k)
        }
        for number in ("municipality_id", "rate_cents"):  # form fields are text; whole numbers only
            if isinstance(fields.get(number), str) and fields[number].strip().isdigit():
                fields[number] = int(fields[number])
        try:
            options = SectionImportOptions.model_validate(fields)
        except ValidationError as exc:
            raise ValidationException(
                detail="Validation failed",
                extra=[{"key": ".".join(str(p) for p in e["loc"]), "message": e["msg"]} for e in exc.errors()],
            ) from exc
        reading, created = await service.import_sections(db_session, actor, content, options, preview=preview)
        if preview:
            body = ImportPreview(crs=reading.crs, skipped=reading.skipped, sections=[
                SectionPreview(name=f.name, kind=f.kind or options.kind, length_m=f.length_m, area_m2=f.area_m2,
                               geometry=f.geometry)
                for f in reading.features
            ])
            return Response(body.model_dump(mode="json"), status_code=200)
        return Response([SectionPublic.of(s).model_dump(mode="json") for s in created], status_code=201)

    @get("/")
    async def list_(
        self, request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, paging: Paging,
        municipality_id: FromQuery[int | None] = None, active: FromQuery[bool | None] = None,
    ) -> Response[list[Any]]:
        """Ordered by municipality, name, id; paged (``limit``, ``cursor``, ``Link: rel="next"``)."""
        page = paging.page(order=SECTION_ORDER, width=len(SECTION_KEYS))
        sections = await page_sections(db_session, page, municipality_id=municipality_id, active=active)
        return paged_response(request, sections, SectionPublic.of)

    @get("/{section_id:int}")
    async def show(self, section_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> SectionPublic:
        return SectionPublic.of(await service.get_section(db_session, section_id))

    @patch("/{section_id:int}")
    async def update(
        self, section_id: FromPath[int], data: JSONBody[SectionUpdate], actor: CurrentActor, db_session: DbSession
    ) -> SectionPublic:
        return SectionPublic.of(await service.update_section(db_session, actor, section_id, data))

    @post("/{section_id:int}/assignments")
    async def assign(
        self, section_id: FromPath[int], data: JSONBody[AssignmentCreate], actor: CurrentActor, db_session: DbSession
    ) -> AssignmentPublic:
        return AssignmentPublic.of(await service.assign(db_session, actor, section_id, data))

    @get("/{section_id:int}/assignments")
    async def assignments(
        self, request: Request[Any, Any, Any], section_id: FromPath[int], actor: CurrentActor, db_session: DbSession, paging: Paging,
    ) -> Response[list[Any]]:
        """By ``valid_from``, then id; paged (``limit``, ``cursor``, ``Link: rel="next"``)."""
        page = paging.page(order=ASSIGNMENT_ORDER, width=2)
        return paged_response(request, await page_assignments(db_session, actor, section_id, page),
                              AssignmentPublic.of)

    @get("/plan")
    async def plan(
        self,
        actor: CurrentActor,
        db_session: DbSession,
        settings: AppSettings,
        municipality_id: FromQuery[int],
        year: FromQuery[int],
        season: FromQuery[str | None] = None,
        due_within_days: FromQuery[int] = Parameter(default=service.DEFAULT_DUE_WITHIN_DAYS, ge=0, le=366),
    ) -> list[PlanRowPublic]:
        rows = await service.season_plan(
            db_session, actor, municipality_id, year, season=season, due_within_days=due_within_days,
            settings=settings,
        )
        return [plan_public(row) for row in rows]

    @get("/winter-proof")
    async def winter_proof(
        self,
        actor: CurrentActor,
        db_session: DbSession,
        settings: AppSettings,
        municipality_id: FromQuery[int],
        start: Annotated[date, QueryParameter(name="from")],
        end: Annotated[date, QueryParameter(name="to")],
        section_id: FromQuery[int | None] = None,
        fmt: Annotated[str, QueryParameter(name="format")] = "csv",
    ) -> Response[Any]:
        proof_files.check_format(fmt)
        proof = await service.winter_proof(
            db_session, actor, municipality_id, start, end, section_id=section_id, settings=settings
        )
        return proof_response(proof, fmt, settings)


    @get("/{section_id:int}/winter-proof")
    async def section_winter_proof(
        self,
        section_id: FromPath[int],
        actor: CurrentActor,
        db_session: DbSession,
        settings: AppSettings,
        season: Annotated[int, QueryParameter(ge=2000, le=2198)],
        fmt: Annotated[str, QueryParameter(name="format")] = "csv",
    ) -> Response[Any]:
        """Every confirmed pass on the section in the winter of ``season`` (1 December to end of February)."""
        proof_files.check_format(fmt)
        section = await service.get_section(db_session, section_id)
        start, end = service.season_bounds(season, "winter")
        proof = await service.winter_proof(
            db_session, actor, section.municipality_id, start, end, section_id=section_id, settings=settings
        )
        return proof_response(proof, fmt, settings)


class AssignmentController(Controller):
    path = "/assignments"
    tags = ["care"]

    @post("/{assignment_id:int}/end", status_code=200)
    async def end(
        self, assignment_id: FromPath[int], data: JSONBody[AssignmentEnd], actor: CurrentActor, db_session: DbSession
    ) -> AssignmentPublic:
        return AssignmentPublic.of(await service.end_assignment(db_session, actor, assignment_id, data.valid_to))


class CareLogController(Controller):
    path = "/care-logs"
    tags = ["care"]

    @post("/", responses={201: ResponseSpec(CareLogPublic, description=REPLAY_NOTE)})
    async def report(
        self, data: JSONBody[CareLogCreate], actor: CurrentActor, db_session: DbSession, settings: AppSettings,
        idempotency_key: IdempotencyKeyHeader = None,
    ) -> Response[CareLogPublic]:
        """A farmer's report. With an ``Idempotency-Key`` header a retry answers the first report again
        (``Idempotent-Replayed: true``) instead of reporting twice; the same key with another body is 422."""
        log, replayed = await service.report_once(
            db_session, actor, data, idempotency.checked_key(idempotency_key), settings=settings)
        return created(CareLogPublic.of(log), replayed)

    @get("/")
    async def list_(
        self,
        request: Request[Any, Any, Any],
        actor: CurrentActor,
        db_session: DbSession,
        paging: Paging,
        status: FromQuery[CareLogStatus | None] = None,
        section_id: FromQuery[int | None] = None,
        municipality_id: FromQuery[int | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[str | None] = None,
    ) -> Response[list[Any]]:
        """Paged; newest work first (performed_on, then id, descending; ``sort``: ``date`` or ``credit``, ``-``
        first for descending, each then by id); ``q`` searches the section's and the farmer's name."""
        order = service.CARE_LOG_SORTS.choose(sort)
        rows = await service.page_care_logs(
            db_session, actor, order.page(paging.limit, paging.cursor), status=status, section_id=section_id,
            municipality_id=municipality_id, query=q, sort=order,
        )
        return paged_response(request, rows, lambda row: CareLogPublic.of(row.log))

    @get("/{care_log_id:int}")
    async def show(self, care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession) -> CareLogPublic:
        return CareLogPublic.of(await service.show_care_log(db_session, actor, care_log_id))

    @post("/{care_log_id:int}/photo", status_code=200)
    async def upload_photo(
        self, care_log_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> CareLogPublic:
        content = await read_upload(request, settings)
        return CareLogPublic.of(
            await service.attach_photo(db_session, actor, care_log_id, content, settings=settings)
        )

    @post("/{care_log_id:int}/track", status_code=200)
    async def track(
        self, care_log_id: FromPath[int], request: Request[Any, Any, Any], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> TrackCoverage:
        """A GPX track (multipart field ``file``) → the share of the section it covered."""
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise Invalid("care.track_empty", field="file")
        content = await upload.read(GPX_MAX_BYTES + 1)
        return TrackCoverage(
            covered_percent=await service.track_coverage(db_session, actor, care_log_id, content, settings=settings)
        )

    @get("/{care_log_id:int}/track")
    async def track_download(
        self, care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> File:
        """The GPX track kept with the log (the evidence, as uploaded)."""
        path = await service.track_file(db_session, actor, care_log_id, settings=settings)
        return File(path=path, media_type="application/gpx+xml", filename=f"spur-{care_log_id}.gpx",
                    headers={"X-Content-Type-Options": "nosniff"})

    @get("/{care_log_id:int}/coverage")
    async def coverage(
        self, care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> PassCoveragePublic:
        """The kept GPS track against the section's course: the covered and uncovered stretches (metres along
        the section and GeoJSON lines), the track thinned for a map, the share now and as recorded."""
        found = await care_map.pass_coverage(db_session, actor, care_log_id, settings=settings)
        return PassCoveragePublic(
            care_log_id=care_log_id, section_id=found.log.section_id, covered_percent=found.percent,
            recorded_percent=found.recorded_percent, tolerance_m=TOLERANCE_M, length_m=found.length_m,
            covered_m=found.covered_m,
            stretches=[CoverageStretch(from_m=s.from_m, to_m=s.to_m, covered=s.covered) for s in found.stretches],
            **care_map.coverage_geometries(found),
        )

    @get("/{care_log_id:int}/photo")
    async def photo(self, care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings) -> File:
        path, content_type = await service.photo_file(db_session, actor, care_log_id, settings=settings)
        return File(path=path, media_type=content_type, content_disposition_type="inline",
                    headers={"X-Content-Type-Options": "nosniff"})

    @post("/{care_log_id:int}/confirm", status_code=200)
    async def confirm(
        self, care_log_id: FromPath[int], actor: CurrentActor, db_session: DbSession, settings: AppSettings
    ) -> CareLogPublic:
        log, _ = await service.confirm(db_session, actor, care_log_id, settings=settings)
        return CareLogPublic.of(log)

    @post("/{care_log_id:int}/corrections")
    async def correct(
        self, care_log_id: FromPath[int], data: JSONBody[CareLogCorrection], actor: CurrentActor,
        db_session: DbSession, settings: AppSettings,
    ) -> CareLogPublic:
        """A correction of a confirmed winter-service log as a new record linked by ``corrects_id``."""
        return CareLogPublic.of(await service.correct(db_session, actor, care_log_id, data, settings=settings))

    @post("/{care_log_id:int}/reject", status_code=200)
    async def reject(
        self, care_log_id: FromPath[int], data: JSONBody[CareLogReject], actor: CurrentActor, db_session: DbSession,
        settings: AppSettings,
    ) -> CareLogPublic:
        return CareLogPublic.of(
            await service.reject(db_session, actor, care_log_id, data.reason, settings=settings)
        )


ROUTES = [SectionController, AssignmentController, CareLogController]
