"""The scan of a signed mandate form: attached by the creditor municipality's finance office or the
administrator, read by whoever may read the mandate.

What is accepted is decided by the file's magic bytes, never by its name or the client's content type:
a PDF (``%PDF-``), kept as sent, or a JPEG or PNG, decoded and encoded anew by Pillow within the pixel
limit like the care photos (``care.photos.reencode_photo``; EXIF dropped). At most
``MN_UPLOAD_MAX_BYTES`` (default 5 MB): larger is 413. Files live under ``<upload dir>/mandates`` and
follow the transaction (a replaced scan is removed after the commit, a new one after a rollback).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.accounts.models import Role
from machinery_network.auth import Actor
from machinery_network.care.photos import (
    reencode_photo,
    remove_after_commit,
    remove_after_rollback,
    resolve_photo,
    store_photo,
)
from machinery_network.config import Settings
from machinery_network.errors import Invalid, NotAllowed, NotFound, TooLarge
from machinery_network.mandates.models import Mandate
from machinery_network.mandates.service import get_mandate
from machinery_network.uploads import JPEG, PDF, PNG, Refusals, check_upload

SCAN_SUBDIR = "mandates"
SCAN_TYPES = (PDF, JPEG, PNG)
SCAN_REFUSALS = Refusals(field="file", too_large="mandates.scan_too_large", empty="mandates.scan_empty",
                         wrong_type="mandates.scan_type", too_large_error=TooLarge)
CONTENT_TYPES = {file_type.ext: file_type.content_type for file_type in SCAN_TYPES}


def scan_type(content: bytes, max_bytes: int) -> tuple[str, str]:
    """(content type, extension) of an acceptable scan: 413 over the limit, 422 empty or another type."""
    scan = check_upload(content, max_bytes, SCAN_TYPES, SCAN_REFUSALS)
    return scan.content_type, scan.ext


async def prepared_scan(content: bytes, max_bytes: int) -> tuple[bytes, str, str]:
    """(bytes to store, content type, extension): images re-encoded (off the event loop), PDFs as sent."""
    content_type, ext = scan_type(content, max_bytes)
    if content_type == "application/pdf":
        return content, content_type, ext
    try:
        encoded = await asyncio.to_thread(reencode_photo, content, content_type, keep_location=False)
    except Invalid as exc:  # the photo's own words, for the field of this form
        raise Invalid("mandates.scan_unreadable", field="file") from exc
    return encoded, content_type, ext


async def attach_scan(
    session: AsyncSession, actor: Actor, mandate_id: int, content: bytes, settings: Settings
) -> Mandate:
    """Attach (or replace) the scan of the signed form: the creditor's finance office or the admin."""
    mandate = await get_mandate(session, actor, mandate_id)
    if actor.role == Role.farmer:
        raise NotAllowed()
    await session.refresh(mandate, with_for_update=True)  # two uploads at once: one replaces the other
    encoded, _, ext = await prepared_scan(content, settings.upload_max_bytes)
    remove_after_commit(session, settings, mandate.scan_path)
    mandate.scan_path = store_photo(settings, encoded, ext, subdir=SCAN_SUBDIR)
    remove_after_rollback(session, settings, mandate.scan_path)
    await session.flush()
    return mandate


async def scan_file(session: AsyncSession, actor: Actor, mandate_id: int, settings: Settings) -> tuple[Path, str]:
    """The scan's file and content type, for whoever may read the mandate (404 when none is attached)."""
    mandate = await get_mandate(session, actor, mandate_id)
    try:
        path = resolve_photo(settings, mandate.scan_path)
    except NotFound:
        raise NotFound("mandates.scan_missing") from None
    return path, CONTENT_TYPES.get(path.suffix, "application/octet-stream")
