"""Care-log photos: what is accepted (type, size, pixels), how it is re-encoded (EXIF location only where the
section needs it), where the files live, which paths may be served, and when files are removed."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import secrets
import warnings
from pathlib import Path
from typing import Any

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from machinery_network.config import Settings
from machinery_network.errors import Invalid, NotFound
from machinery_network.uploads import JPEG, PNG, WEBP, Refusals, check_upload
from machinery_network.uploads import megabytes as megabytes  # named here for the care pages

PHOTO_SUBDIR = "care"

log = logging.getLogger(__name__)

# Magic bytes decide the type (``uploads``); the client's file name and content type are never trusted.
PHOTO_TYPES = (JPEG, PNG, WEBP)
PHOTO_REFUSALS = Refusals(field="photo", too_large="care.photo_too_large", empty="care.photo_empty",
                          wrong_type="care.photo_type")


def check_photo(content: bytes, max_bytes: int) -> tuple[str, str]:
    """(content type, file extension) of an acceptable photo, else Invalid."""
    photo = check_upload(content, max_bytes, PHOTO_TYPES, PHOTO_REFUSALS)
    return photo.content_type, photo.ext


def store_photo(settings: Settings, content: bytes, ext: str, subdir: str = PHOTO_SUBDIR) -> str:
    """Write the photo (or another upload) under a random name in ``subdir``; return its path relative to
    the upload directory."""
    directory = settings.upload_dir / subdir
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}{ext}"
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return f"{subdir}/{name}"


def resolve_photo(settings: Settings, photo_path: str | None) -> Path:
    """The file of a stored photo path; NotFound unless it is an existing file inside the upload directory."""
    if not photo_path:
        raise NotFound("care.photo_missing")
    root = settings.upload_dir.resolve()
    path = (root / photo_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("care.photo_missing")
    return path


# --- decoding and re-encoding ----------------------------------------------------------------------

# A photo is decoded and written anew, so what is stored is pixels Pillow produced, never the client's
# bytes. The pixel limit comes before decoding (Pillow reads the size from the header): a small file
# that claims a huge canvas (a decompression bomb) is refused without allocating it.
MAX_PIXELS = 50_000_000
_GPS_IFD = 0x8825
_DATETIME = 0x0132
_FORMATS: dict[str, tuple[str, dict[str, Any]]] = {
    "image/jpeg": ("JPEG", {"quality": 90}), "image/png": ("PNG", {"optimize": False}),
    "image/webp": ("WEBP", {"quality": 90}),
}


def reencode_photo(content: bytes, content_type: str, *, keep_location: bool) -> bytes:
    """Decode the photo within the pixel limit and encode it again in its own format.

    EXIF is dropped except, when ``keep_location``, the GPS block and the time it was taken (the
    section's location evidence); the orientation is applied to the pixels instead of being kept.
    """
    fmt, options = _FORMATS[content_type]
    too_many = Invalid("care.photo_too_many_pixels", field="photo", max=MAX_PIXELS // 1_000_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(content), formats=[fmt]) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise too_many
                exif = image.getexif()
                image.load()
                upright = ImageOps.exif_transpose(image)
            kept = Image.Exif()
            if keep_location:
                gps = exif.get_ifd(_GPS_IFD)
                if gps:
                    kept[_GPS_IFD] = gps
                if exif.get(_DATETIME):
                    kept[_DATETIME] = exif[_DATETIME]
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise too_many from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, KeyError, TypeError) as exc:
            raise Invalid("care.photo_unreadable", field="photo") from exc
    if fmt == "JPEG" and upright.mode not in ("RGB", "L"):
        upright = upright.convert("RGB")
    elif fmt == "WEBP" and upright.mode not in ("RGB", "RGBA"):
        upright = upright.convert("RGBA")
    out = io.BytesIO()
    save_options: dict[str, Any] = dict(options)
    if len(kept):
        save_options["exif"] = kept.tobytes()
    upright.save(out, format=fmt, **save_options)
    return out.getvalue()


async def prepare_photo(content: bytes, max_bytes: int, *, keep_location: bool) -> tuple[bytes, str, str]:
    """(re-encoded bytes, content type, extension) of an acceptable photo, else Invalid naming ``photo``."""
    content_type, ext = check_photo(content, max_bytes)
    # Decoding takes CPU time: off the event loop, so other requests are served meanwhile.
    encoded = await asyncio.to_thread(reencode_photo, content, content_type, keep_location=keep_location)
    return encoded, content_type, ext


# --- files follow the transaction ------------------------------------------------------------------

# A photo file is written before the transaction that references it commits, and a replaced one is
# still referenced until then. So files are removed only once the outcome is known: a replaced or
# rejected photo's file after the commit, a newly written one after a rollback.
_REMOVE_ON_COMMIT = "care.photos.remove_on_commit"
_REMOVE_ON_ROLLBACK = "care.photos.remove_on_rollback"


def remove_after_commit(session: AsyncSession, settings: Settings, photo_path: str | None) -> None:
    if photo_path:
        session.sync_session.info.setdefault(_REMOVE_ON_COMMIT, []).append(settings.upload_dir / photo_path)


def remove_after_rollback(session: AsyncSession, settings: Settings, photo_path: str) -> None:
    session.sync_session.info.setdefault(_REMOVE_ON_ROLLBACK, []).append(settings.upload_dir / photo_path)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError as exc:  # the commit stands; a leftover file is only disk space
            log.warning("could not remove the photo file %s: %s", path, exc)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    session.info.pop(_REMOVE_ON_ROLLBACK, None)
    _remove(session.info.pop(_REMOVE_ON_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended; after a commit the lists are already empty.
    if transaction.parent is None:
        session.info.pop(_REMOVE_ON_COMMIT, None)
        _remove(session.info.pop(_REMOVE_ON_ROLLBACK, []))
