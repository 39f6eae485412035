"""Photos and the drawn signature at the machine: checked before anything is written."""

from __future__ import annotations

import base64
import binascii
import os
import secrets

from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.care.photos import check_photo
from machinery_network.config import Settings
from machinery_network.errors import Invalid
from machinery_network.machine.models import HandoverPhoto

PHOTO_SUBDIR = "machine"
MAX_PHOTOS = 5
MAX_SIGNATURE_BYTES = 300 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_DATA_URL = "data:image/png;base64,"


def checked_photos(contents: list[bytes], settings: Settings) -> list[tuple[bytes, str, str]]:
    """(content, content type, extension) of each photo; at most five, each a real image."""
    contents = [content for content in contents if content]
    if len(contents) > MAX_PHOTOS:
        raise Invalid("machine.too_many_photos", field="photos", max=MAX_PHOTOS)
    return [(content, *check_photo(content, settings.upload_max_bytes)) for content in contents]


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
        session.add(HandoverPhoto(booking_id=booking_id, kind=kind, path=f"{PHOTO_SUBDIR}/{name}",
                                  content_type=content_type, created_at=clock.now()))
