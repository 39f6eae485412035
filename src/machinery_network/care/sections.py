"""Sections: the roads and paths farmers look after, created and changed by the yard head."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from machinery_network.accounts.models import Role
from machinery_network.accounts.service import get_municipality
from machinery_network.auth import Actor, require_for_municipality, require_role
from machinery_network.care import gis, spatial
from machinery_network.care.models import CareLog, CareLogStatus, Section, SectionKind
from machinery_network.care.schemas import SectionCreate, SectionImportOptions, SectionUpdate
from machinery_network.errors import Conflict, Invalid, NotFound
from machinery_network.paging import Page, PageRequest, finish, keyset
from machinery_network.schemas import apply_changes

MAX_LENGTH_M = 1_000_000

SECTION_ORDER = "sections:municipality,name,id"
SECTION_KEYS = (col(Section.municipality_id), col(Section.name), col(Section.id))


async def length_from(session: AsyncSession, geometry: dict[str, Any]) -> int:
    """The section's length in whole metres from its geometry (geodesic, WGS 84; by PostGIS when the
    database has it, ``care.spatial``)."""
    metres = round((await spatial.measure(session, geometry))[0])
    if not 1 <= metres <= MAX_LENGTH_M:
        raise Invalid("care.geometry_length", field="geometry", max=MAX_LENGTH_M)
    return metres


async def create_section(session: AsyncSession, actor: Actor, data: SectionCreate) -> Section:
    require_for_municipality(actor, data.municipality_id, Role.yard_head)
    await get_municipality(session, data.municipality_id)
    values = data.model_dump(exclude_none=True)
    # The drawn course decides the length; a typed length stands only for sections without one.
    if data.geometry is not None:
        values["length_m"] = await length_from(session, data.geometry)
    elif data.length_m is None:
        raise Invalid("care.length_required", field="length_m")
    section = Section(**values)
    session.add(section)
    await session.flush()
    return section


async def import_sections(
    session: AsyncSession, actor: Actor, content: bytes, options: SectionImportOptions, *, preview: bool = False
) -> tuple[gis.Reading, list[Section]]:
    """Sections from a GeoJSON or GeoPackage file of the municipality's GIS (``care.gis``), each with its
    length computed from its geometry. ``preview``: read and check only, create nothing."""
    require_role(actor, Role.yard_head)
    municipality_id = options.municipality_id or actor.municipality_id
    if municipality_id is None:
        raise Invalid("care.import_municipality", field="municipality_id")
    require_for_municipality(actor, municipality_id, Role.yard_head)
    await get_municipality(session, municipality_id)
    reading = gis.read(content)
    if preview:
        return reading, []
    created = []
    for feature in reading.features:
        data = SectionCreate(
            municipality_id=municipality_id, name=feature.name,
            kind=SectionKind(feature.kind) if feature.kind else options.kind,
            task=options.task, unit=options.unit, rate_cents=options.rate_cents, geometry=feature.geometry,
        )
        created.append(await create_section(session, actor, data))
    return reading, created


async def update_section(session: AsyncSession, actor: Actor, section_id: int, data: SectionUpdate) -> Section:
    section = await get_section(session, section_id)
    require_for_municipality(actor, section.municipality_id, Role.yard_head)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("geometry") is not None:
        changes["length_m"] = await length_from(session, changes["geometry"])
    # Open reports carry the credit computed from the rate and unit they were reported under.
    money_changes = [
        field for field in ("rate_cents", "unit")
        if changes.get(field) is not None and changes[field] != getattr(section, field)
    ]
    if money_changes:
        open_logs = await session.scalar(
            select(func.count()).where(col(CareLog.section_id) == section_id,
                                       col(CareLog.status) == CareLogStatus.reported)
        )
        if open_logs:
            raise Conflict("care.open_logs_block_change", field="rate_cents", count=open_logs)
    apply_changes(section, changes, clearable=("planned_passes", "geometry"))
    await session.flush()
    return section


async def get_section(session: AsyncSession, section_id: int) -> Section:
    section = await session.get(Section, section_id)
    if section is None:
        raise NotFound("care.section_not_found", id=section_id)
    return section


async def list_sections(
    session: AsyncSession, *, municipality_id: int | None = None, active: bool | None = None
) -> list[Section]:
    stmt = select(Section).order_by(*SECTION_KEYS)
    if municipality_id is not None:
        stmt = stmt.where(col(Section.municipality_id) == municipality_id)
    if active is not None:
        stmt = stmt.where(col(Section.active) == active)
    return list(await session.scalars(stmt))


async def page_sections(
    session: AsyncSession, page: PageRequest, *, municipality_id: int | None = None, active: bool | None = None
) -> Page[Section]:
    """One page of ``list_sections``' rows: by municipality, name, id (index ``ix_sections_listing``)."""
    stmt = select(Section)
    if municipality_id is not None:
        stmt = stmt.where(col(Section.municipality_id) == municipality_id)
    if active is not None:
        stmt = stmt.where(col(Section.active) == active)
    rows = list(await session.scalars(keyset(stmt, SECTION_KEYS, page)))
    return finish(rows, page, lambda s: (s.municipality_id, s.name, s.id))
