"""Care-log photos: what is accepted, where the files live, and which paths may be served."""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path

from machinery_network.config import Settings
from machinery_network.errors import Invalid, NotFound

PHOTO_SUBDIR = "care"

# Magic bytes decide the type; the client's file name and content type are never trusted.
_PHOTO_TYPES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def megabytes(size: int) -> str:
    return format(Decimal(size) / (1024 * 1024), "f").rstrip("0").rstrip(".") or "0"


def check_photo(content: bytes, max_bytes: int) -> tuple[str, str]:
    """(content type, file extension) of an acceptable photo, else Invalid."""
    if len(content) > max_bytes:
        raise Invalid("care.photo_too_large", field="photo", max=megabytes(max_bytes))
    if not content:
        raise Invalid("care.photo_empty", field="photo")
    for magic, content_type, ext in _PHOTO_TYPES:
        if content.startswith(magic):
            return content_type, ext
    if len(content) >= 12 and content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", ".webp"
    raise Invalid("care.photo_type", field="photo")


def store_photo(settings: Settings, content: bytes, ext: str) -> str:
    """Write the photo under a random name; return its path relative to the upload directory."""
    directory = settings.upload_dir / PHOTO_SUBDIR
    directory.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}{ext}"
    fd = os.open(directory / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
    return f"{PHOTO_SUBDIR}/{name}"


def resolve_photo(settings: Settings, photo_path: str | None) -> Path:
    """The file of a stored photo path; NotFound unless it is an existing file inside the upload directory."""
    if not photo_path:
        raise NotFound("care.photo_missing")
    root = settings.upload_dir.resolve()
    path = (root / photo_path).resolve()
    if not path.is_relative_to(root) or not path.is_file():
        raise NotFound("care.photo_missing")
    return path
