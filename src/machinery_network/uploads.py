"""The check every upload passes first (care and machine photos, mandate scans): what a file is decided by
its magic bytes, never by its name or the client's content type; empty or over the size limit is refused.
Each caller names the types it accepts and the message keys of its refusals."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from machinery_network.errors import DomainError, Invalid


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    ext: str
    signature: tuple[tuple[int, bytes], ...]  # (offset, bytes): all of them must be there

    def matches(self, content: bytes) -> bool:
        return all(content[at:at + len(magic)] == magic for at, magic in self.signature)


PDF = FileType("application/pdf", ".pdf", ((0, b"%PDF-"),))
JPEG = FileType("image/jpeg", ".jpg", ((0, b"\xff\xd8\xff"),))
PNG = FileType("image/png", ".png", ((0, b"\x89PNG\r\n\x1a\n"),))
WEBP = FileType("image/webp", ".webp", ((0, b"RIFF"), (8, b"WEBP")))


@dataclass(frozen=True, slots=True)
class Refusals:
    """The message keys of an upload's refusals, the form field they name, and the error of a file over the
    limit (422 by default; 413 where the route says so)."""

    field: str
    too_large: str
    empty: str
    wrong_type: str
    too_large_error: type[DomainError] = Invalid


def megabytes(size: int) -> str:
    return format(Decimal(size) / (1024 * 1024), "f").rstrip("0").rstrip(".") or "0"


def check_upload(content: bytes, max_bytes: int, types: Sequence[FileType], refusals: Refusals) -> FileType:
    """The first of ``types`` that ``content`` is; refused when over ``max_bytes``, empty or of another type."""
    if len(content) > max_bytes:
        raise refusals.too_large_error(refusals.too_large, field=refusals.field, max=megabytes(max_bytes))
    if not content:
        raise Invalid(refusals.empty, field=refusals.field)
    for file_type in types:
        if file_type.matches(content):
            return file_type
    raise Invalid(refusals.wrong_type, field=refusals.field)
