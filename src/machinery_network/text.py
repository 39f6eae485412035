"""Text that other programs read (mail headers, calendar properties): one line, no control characters.

Names and reasons come from people; a line break in an item name must not break a mail header or a
calendar line, and must not stop a whole outbox batch. Every such output goes through ``one_line``.
"""

from __future__ import annotations

import re
import unicodedata

# Cc (C0, DEL, C1) plus the Unicode line and paragraph separators, which some readers take as breaks.
_BREAKING = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_BLANKS = re.compile(r"\s+")


def one_line(value: str, max_length: int | None = None) -> str:
    """``value`` with every control character and line break replaced by one space, trimmed, and cut
    to ``max_length`` characters (with an ellipsis) when given."""
    text = _BLANKS.sub(" ", _BREAKING.sub(" ", value)).strip()
    if max_length is not None and len(text) > max_length:
        text = text[: max_length - 1].rstrip() + "…"
    return text


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a character of category Cc or a line/paragraph separator."""
    return any(unicodedata.category(ch) == "Cc" or ch in "\u2028\u2029" for ch in value)


_CONTROL_KEEP_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")


def clean_lines(value: str) -> str:
    """``value`` with line breaks kept (CR LF and CR become LF, the separators U+2028/2029 too) and
    every other control character but the tab removed: for descriptions that may span lines."""
    text = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    return _CONTROL_KEEP_BREAKS.sub("", text)
