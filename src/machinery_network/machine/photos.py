"""Photos and the drawn signature at the machine: checked before anything is written.

Photos are treated as care photos are (``care.photos``): the type from the magic bytes, the size limit,
the pixel limit before decoding, and the pixels decoded and encoded anew (EXIF dropped), so what is
stored is never the client's bytes. Through the JSON API they come as base64 text (``photos_from_base64``),
from the phone page as uploads. A file written for a transaction that is rolled back is removed."""

from __future__ import annotations

import base64
import binascii
import os
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.care.photos import prepare_photo, remove_after_rollback
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.machine.models import HandoverPhoto
from machinery_network.uploads import megabytes

PHOTO_SUBDIR = "machine"
MAX_PHOTOS = 5
MAX_SIGNATURE_BYTES = 300 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_DATA_URL = "data:image/png;base64,"


async def checked_photos(contents: list[bytes], settings: Settings) -> list[tuple[bytes, str, str]]:
    """(re-encoded content, content type, extension) of each photo; at most five, each a real image."""
    contents = [content for content in contents if content]
    if len(contents) > MAX_PHOTOS:
        raise Invalid("machine.too_many_photos", field="photos", max=MAX_PHOTOS)
    return [await prepare_photo(content, settings.upload_max_bytes, keep_location=False) for content in contents]


def photos_from_base64(values: list[str] | None, settings: Settings) -> list[bytes]:
    """The photos of a JSON body: base64 text, or a data URL (``data:image/jpeg;base64,…``)."""
    if not values:
        return []
    if len(values) > MAX_PHOTOS:
        raise Invalid("machine.too_many_photos", field="photos", max=MAX_PHOTOS)
    limit = settings.upload_max_bytes * 4 // 3 + 8
    contents = []
    for value in values:
        text = value.split(",", 1)[1] if value.startswith("data:") and "," in value else value
        if len(text) > limit:
            raise Invalid("care.photo_too_large", field="photos", max=megabytes(settings.upload_max_bytes))
        try:
            contents.append(base64.b64decode(text, validate=True))
        except (binascii.Error, ValueError) as exc:
            raise Invalid("machine.photo_base64", field="photos") from exc
    return contents


def signature_png(data_url: str | None) -> bytes | None:
    """The canvas's PNG (a data URL) as bytes; None when nothing was drawn."""
    if not data_url or not data_url.strip():
        return None
    if not data_url.startswith(_DATA_URL) or len(data_url) > MAX_SIGNATURE_BYTES * 4 // 3 + len(_DATA_URL) + 4:
        raise Invalid("machine.signature_invalid", field="signature")
    try:
        content = base64.b64decode(data_url[len(_DATA_URL):], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Invalid("machine.signature_invalid", field="signature") from exc
    if not content.startswith(_PNG):
        raise Invalid("machine.signature_invalid", field="signature")
    return content


def store_photos(session: AsyncSession, settings: Settings, booking_id: int, kind: str,
                 photos: list[tuple[bytes, str, str]]) -> None:
    """Write the files under random names and add their rows (the caller flushes)."""
    directory = settings.upload_dir / PHOTO_SUBDIR
    directory.mkdir(parents=True, exist_ok=True)
    for content, content_type, ext in photos:
        name = f"{secrets.token_hex(16)}{ext}"
        fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        remove_after_rollback(session, settings, f"{PHOTO_SUBDIR}/{name}")
        session.add(HandoverPhoto(booking_id=booking_id, kind=kind, path=f"{PHOTO_SUBDIR}/{name}",
                                  content_type=content_type, created_at=clock.now()))
