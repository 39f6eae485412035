"""The yearly report: the administrator's dashboard of one year as one PDF, with the same charts (the
SVG drawn into the PDF, patterns replaced by grey shades: fpdf2 draws no SVG patterns; every bar keeps
its number) and each chart's table.

Text, the charts' included, is set in the DejaVu Sans the statements embed (``exports.pdf``), so names
such as „Łódź“, „Kırşehir“ or „Ærø“ and the euro sign print as themselves.
"""

from __future__ import annotations

import io
import logging
import re

from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network import clock
from machinery_network.auth import Actor
from machinery_network.config import Settings
from machinery_network.dashboards import service, svg
from machinery_network.exports.pdf import xmp_metadata
from machinery_network.exports.typeset import FONT, add_unicode_font

_FILL = re.compile(r"url\(#[\w-]*?p-(solid|hatch|dots)\)")
_SHADES = {"solid": "#333333", "hatch": "#8c8c8c", "dots": "#cccccc"}
_FAMILY = re.compile(r'font-family="[^"]*"')
AUTHOR = "Maschinen- und Pflegenetzwerk"


def printable_svg(chart: str) -> str:
    """The chart without what fpdf2 cannot draw (patterns become shades of grey; no <desc>), its text
    in the embedded font."""
    chart = re.sub(r"<defs>.*?</defs>", "", chart, flags=re.S)
    chart = re.sub(r"<desc[^>]*>.*?</desc>", "", chart, flags=re.S)
    chart = _FILL.sub(lambda m: _SHADES[m.group(1)], chart)
    return _FAMILY.sub(f'font-family="{FONT}"', chart)


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=7)
        self.cell(0, 5, f"{self.footer_text} – Seite {self.page_no()}", align="C")


async def yearly_report(session: AsyncSession, actor: Actor, year: int, settings: Settings) -> bytes:
    panels = await service.council(session, actor, year, settings)
    title = f"Jahresbericht {year} – {AUTHOR}"
    pdf = _Report(format="A4")
    add_unicode_font(pdf)
    pdf.footer_text = f"Jahresbericht {year}"
    pdf.set_lang("de-DE")
    pdf.set_title(title)
    pdf.set_author(AUTHOR)
    pdf.set_creator("machinery-network")
    pdf.set_producer("machinery-network")
    pdf.set_xmp_metadata(xmp_metadata(title, AUTHOR, clock.now().isoformat()))
    pdf.set_auto_page_break(auto=True, margin=15)
    svg_logger = logging.getLogger("fpdf.svg")
    level = svg_logger.level
    svg_logger.setLevel(logging.ERROR)  # "unsupported tag <title>" is expected, not news
    try:
        for index, panel in enumerate(panels):
            pdf.add_page()
            if index == 0:
                pdf.set_font(FONT, "B", 16)
                pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
            pdf.set_font(FONT, "B", 12)
            pdf.multi_cell(0, 7, panel.title, new_x="LMARGIN", new_y="NEXT")
            chart = printable_svg(panel.chart)
            view_box = re.search(r'viewBox="0 0 \d+ (\d+)"', chart)
            assert view_box is not None  # every chart of svg.py has one
            height = float(view_box.group(1))
            width = 170.0
            pdf.image(io.BytesIO(chart.encode("utf-8")), x=pdf.l_margin, y=pdf.get_y() + 2, w=width)
            pdf.set_y(pdf.get_y() + 4 + width * height / svg.WIDTH)
            pdf.set_font(FONT, size=8)
            with pdf.table(text_align="LEFT", first_row_as_headings=True) as table:
                table.row(panel.columns)
                for row in panel.shown():
                    table.row([cell.replace("\u00a0", " ") for cell in row])
    finally:
        svg_logger.setLevel(level)
    return bytes(pdf.output())
