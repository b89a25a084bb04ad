"""The documents' PDF building blocks (reportlab): DejaVu Sans embedded (every character Indonesian text needs,
from matplotlib's wheel), the styles, a table, a picture, and the mark that puts the DEMO line on a page."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Image, Table, TableStyle

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"  # DejaVu Sans ships with matplotlib's wheel
INK, MUTED, EDGE, DEMO_INK = (
    colors.HexColor("#1b2430"),
    colors.HexColor("#5a6472"),
    colors.HexColor("#c8ced8"),
    colors.HexColor("#7a3e00"),
)


def fonts() -> None:
    if "DejaVu" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("DejaVu", str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVu-Bold", str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(
            "DejaVu", normal="DejaVu", bold="DejaVu-Bold", italic="DejaVu", boldItalic="DejaVu-Bold"
        )


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName="DejaVu", fontSize=9, leading=12, textColor=INK)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=10, textColor=MUTED),
        "cover_title": ParagraphStyle(
            "cover_title", parent=base, fontName="DejaVu-Bold", fontSize=26, leading=32, spaceAfter=8
        ),
        "cover": ParagraphStyle("cover", parent=base, fontSize=12, leading=18),
        "h1": ParagraphStyle(
            "h1",
            parent=base,
            fontName="DejaVu-Bold",
            fontSize=15,
            leading=19,
            spaceBefore=4,
            spaceAfter=6,
            textColor=colors.HexColor("#0b4f8a"),
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName="DejaVu-Bold", fontSize=10.5, leading=13, spaceBefore=8, spaceAfter=2
        ),
        "flag": ParagraphStyle("flag", parent=base, fontName="DejaVu-Bold", fontSize=8, leading=10, textColor=DEMO_INK),
        "cell": ParagraphStyle("cell", parent=base, fontSize=7.5, leading=9.5),
        "toc1": ParagraphStyle("toc1", parent=base, fontSize=11, leading=16),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER, textColor=MUTED, fontSize=7.5),
    }


class DemoMark(Flowable):
    """Invisible: where it is drawn, that page gets the DEMO line at its foot (the page template reads the mark)."""

    def wrap(self, *_):
        return 0, 0

    def draw(self):
        self.canv._lr_demo_page = True  # noqa: SLF001 - a flag on this canvas page, read by the page's end


def picture(png: bytes, width_mm: float) -> Image:
    from reportlab.lib.utils import ImageReader

    reader = ImageReader(io.BytesIO(png))
    w, h = reader.getSize()
    return Image(io.BytesIO(png), width=width_mm * mm, height=width_mm * mm * h / w)


def table(rows: list[list], widths: list[float], head_rows: int = 1) -> Table:
    out = Table(rows, colWidths=[w * mm for w in widths], repeatRows=head_rows)
    out.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), "DejaVu", 7.5),
                ("FONT", (0, 0), (-1, head_rows - 1), "DejaVu-Bold", 7.5),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("LINEBELOW", (0, 0), (-1, head_rows - 1), 0.8, INK),
                ("LINEBELOW", (0, head_rows), (-1, -1), 0.3, EDGE),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return out
