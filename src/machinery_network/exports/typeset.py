"""Setting text on fpdf2 pages fast: the layer under the statements of ``pdf``.

A month's PDF of a 500-farmer municipality sets about 50,000 short texts (dates, amounts, "19 %", the same
item names again and again). fpdf2's ``text`` and ``get_string_width`` map every character to the font subset,
escape and measure it again on every call, which was most of the document's time. ``Document`` keeps, per font,
what a text measures and what it encodes to, and writes a table row as one text object; the glyphs are still
picked into the subset by fpdf2 itself (``encode_text``), the first time a text is set in a font.

Text is set in DejaVu Sans, a free Unicode TrueType font shipped in ``exports/fonts`` (from the npm
package ``dejavu-fonts-ttf`` 2.37.3, licence in ``fonts/DejaVu-LICENSE.txt``); fpdf2 embeds the subset of
glyphs used, so German, the other European Latin scripts, Greek and „“‚‘–—€ print as themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import cast

from fpdf import FPDF
from fpdf.fonts import TTFFont

FONT_DIR = Path(__file__).parent / "fonts"
FONT = "DejaVu"

Placed = tuple[float, float, str]  # (x mm from the left, baseline y mm from the top, text)


class Document(FPDF):
    """An A4 document (mm) whose texts are measured and encoded once per font.

    ``footer_text`` is printed at the foot of every page with the page number; ``next_footer_text``, set
    before a statement's first page, becomes its footer and counts its pages from 1.
    """

    footer_text = ""
    next_footer_text = ""
    first_page = 1

    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        self._advances: dict[tuple[int, str], float] = {}  # (font number, text) -> advance in 1/1000 em
        self._encoded: dict[tuple[int, str], str] = {}  # (font number, text) -> "(…) Tj"

    def header(self) -> None:
        if self.next_footer_text:
            self.footer_text, self.first_page, self.next_footer_text = self.next_footer_text, self.page, ""

    def footer(self) -> None:
        self.set_font(FONT, size=7)
        label = f"{self.footer_text} – Seite {self.page_no() - self.first_page + 1}"
        self.place([((self.w - self.width(label)) / 2, self.h - 12 + 2.5 + 0.3 * self.font_size, label)])

    def width(self, text: str) -> float:
        """Width in mm of ``text`` at the current font and size (the fonts' advance widths summed, as
        ``get_string_width`` without text shaping)."""
        font = cast(TTFFont, self.current_font)
        key = (font.i, text)
        units = self._advances.get(key)
        if units is None:
            widths = font.cw
            units = self._advances[key] = sum(widths[ord(ch)] for ch in text)
        return units * self.font_size_pt * 0.001 / self.k

    def place(self, texts: Iterable[Placed]) -> None:
        """Set ``texts`` in the current font and size, in one text object (what ``text`` writes per text:
        fill colour, no underline)."""
        font = cast(TTFFont, self.current_font)
        if not self.current_font_is_set_on_page:
            self._out(self._set_font_for_page(font, self.font_size_pt))
        parts = ["BT"]
        x0 = y0 = 0.0
        for x, y, text in texts:
            key = (font.i, text)
            encoded = self._encoded.get(key)
            if encoded is None:
                encoded = self._encoded[key] = font.encode_text(text)
            # Td moves relative to the start of the previous line: the offsets of this text to the last one.
            px, py = x * self.k, (self.h - y) * self.k
            parts.append(f"{px - x0:.2f} {py - y0:.2f} Td {encoded}")
            x0, y0 = px, py
        if len(parts) > 1:
            parts.append("ET")
            self._out(" ".join(parts))


def add_unicode_font(pdf: FPDF) -> None:
    """Register the shipped DejaVu Sans (regular and bold) as ``FONT``; fpdf2 embeds the glyphs used."""
    pdf.add_font(FONT, "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font(FONT, "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))


def wrap(pdf: Document, text: str, width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` mm at the current font: at spaces, and inside
    a word only when the word alone is wider than the column."""
    if "\n" not in text and pdf.width(text) <= width:
        return [text]
    space = pdf.width(" ")
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current, used = "", 0.0
        for word in paragraph.split():
            size = pdf.width(word)
            if current and used + space + size <= width:
                current, used = f"{current} {word}", used + space + size
                continue
            if current:
                lines.append(current)
            while size > width:
                cut = len(word) - 1
                while cut > 1 and pdf.width(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                size = pdf.width(word)
            current, used = word, size
        lines.append(current)
    return lines or [""]
