"""Evidence attached to a care log: the farmer's photo (added or replaced while the log waits for a
decision) and the GPX track of the pass with the share of the section it covered."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.auth import Actor
from machinery_network.care import track
from machinery_network.care.logs import get_care_log, log_for, readable_log
from machinery_network.care.models import CareLog, CareLogStatus
from machinery_network.care.photos import (
    prepare_photo,
    remove_after_commit,
    remove_after_rollback,
    resolve_photo,
    store_photo,
)
from machinery_network.care.sections import get_section
from machinery_network.config import Settings
from machinery_network.errors import Conflict, Invalid, NotAllowed


async def attach_photo(
    session: AsyncSession, actor: Actor, care_log_id: int, content: bytes, *, settings: Settings
) -> CareLog:
    """The reporting farmer adds (or replaces) the photo of a log that is not decided yet."""
    log = await get_care_log(session, care_log_id, for_update=True)
    if actor.role != Role.farmer or log.farmer_id != actor.id:
        raise NotAllowed()
    if log.status != CareLogStatus.reported:
        raise Conflict("care.not_reported", status=log.status)
    section = await get_section(session, log.section_id)
    encoded, content_type, ext = await prepare_photo(
        content, settings.upload_max_bytes, keep_location=section.location_evidence
    )
    # The replaced file goes once the commit made the new one the referenced photo; a rollback
    # removes the new one instead.
    remove_after_commit(session, settings, log.photo_path)
    log.photo_path = store_photo(settings, encoded, ext)
    remove_after_rollback(session, settings, log.photo_path)
    log.photo_content_type = content_type
    await session.flush()
    return log


async def photo_file(
    session: AsyncSession, actor: Actor, care_log_id: int, *, settings: Settings
) -> tuple[Path, str]:
    log, _ = await readable_log(session, actor, care_log_id)
    return resolve_photo(settings, log.photo_path), log.photo_content_type or "application/octet-stream"


async def track_coverage(
    session: AsyncSession, actor: Actor, care_log_id: int, content: bytes, *, settings: Settings
) -> float:
    """The share of the log's section (percent) that a GPX track came within ``track.TOLERANCE_M`` of.
    The reporting farmer or the section's yard head (or the admin) may check a track. While the log is
    not decided, the track is kept with it as evidence (a newer track replaces it); a decided log keeps
    the track it had."""
    log, section = await log_for(session, actor, care_log_id, Role.yard_head, admin=True, for_update=True)
    if section.geometry is None:
        raise Invalid("care.section_without_geometry", field="section_id")
    covered = track.covered_percent(section.geometry, track.parse_gpx(content))
    if log.status == CareLogStatus.reported:
        remove_after_commit(session, settings, log.track_path)
        log.track_path, log.track_sha256 = track.store_track(settings, content)
        remove_after_rollback(session, settings, log.track_path)
        log.track_covered_percent = Decimal(str(covered))
        await session.flush()
    return covered


async def track_file(session: AsyncSession, actor: Actor, care_log_id: int, *, settings: Settings) -> Path:
    log, _ = await readable_log(session, actor, care_log_id)
    return track.resolve_track(settings, log.track_path)
