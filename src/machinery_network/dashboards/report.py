"""The yearly report: the administrator's dashboard of one year as one PDF, with the same charts (the
SVG drawn into the PDF, patterns replaced by grey shades: fpdf2 draws no SVG patterns; every bar keeps
its number) and each chart's table."""

from __future__ import annotations

import io
import logging
import re

from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from machinery_network.auth import Actor
from machinery_network.config import Settings
from machinery_network.dashboards import service, svg
from machinery_network.exports.pdf import latin1

_FILL = re.compile(r"url\(#[\w-]*?p-(solid|hatch|dots)\)")
_SHADES = {"solid": "#333333", "hatch": "#8c8c8c", "dots": "#cccccc"}


def printable_svg(chart: str) -> str:
    """The chart without what fpdf2 cannot draw: patterns become shades of grey; no <desc>."""
    chart = re.sub(r"<defs>.*?</defs>", "", chart, flags=re.S)
    chart = re.sub(r"<desc[^>]*>.*?</desc>", "", chart, flags=re.S)
    chart = _FILL.sub(lambda m: _SHADES[m.group(1)], chart)
    return chart.replace("€", "EUR")


class _Report(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=7)
        self.cell(0, 5, latin1(self.footer_text) + f" - Seite {self.page_no()}", align="C")


async def yearly_report(session: AsyncSession, actor: Actor, year: int, settings: Settings) -> bytes:
    panels = await service.council(session, actor, year, settings)
    pdf = _Report(format="A4")
    pdf.footer_text = f"Jahresbericht {year}"
    pdf.set_title(latin1(f"Jahresbericht {year}"))
    pdf.set_auto_page_break(auto=True, margin=15)
    svg_logger = logging.getLogger("fpdf.svg")
    level = svg_logger.level
    svg_logger.setLevel(logging.ERROR)  # "unsupported tag <title>" is expected, not news
    try:
        for index, panel in enumerate(panels):
            pdf.add_page()
            if index == 0:
                pdf.set_font("Helvetica", "B", 16)
                pdf.cell(0, 10, latin1(f"Jahresbericht {year} - Maschinen- und Pflegenetzwerk"),
                         new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", "B", 12)
            pdf.multi_cell(0, 7, latin1(panel.title), new_x="LMARGIN", new_y="NEXT")
            chart = printable_svg(panel.chart)
            height = float(re.search(r'viewBox="0 0 \d+ (\d+)"', chart).group(1))  # type: ignore[union-attr]
            width = 170.0
            pdf.image(io.BytesIO(chart.encode("utf-8")), x=pdf.l_margin, y=pdf.get_y() + 2, w=width)
            pdf.set_y(pdf.get_y() + 4 + width * height / svg.WIDTH)
            pdf.set_font("Helvetica", size=8)
            with pdf.table(text_align="LEFT", first_row_as_headings=True) as table:
                table.row([latin1(c) for c in panel.columns])
                for row in panel.shown():
                    table.row([latin1(cell.replace("€", "EUR")) for cell in row])
    finally:
        svg_logger.setLevel(level)
    return bytes(pdf.output())
