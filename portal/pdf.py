"""The project's PDF documents (receipts, tax slips, attendance sheets) start here.

fpdf2 is pure Python; DejaVu Sans (Debian's fonts-dejavu-core, installed by ``.ci/run``)
prints any name. Without it the built-in Helvetica is used, with the characters outside
Latin-1 replaced.
"""

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


@dataclass
class Document:
    pdf: FPDF
    family: str  # the font family
    clean: Callable[[str], str]  # what the font can print of a text

    def line(self, text: str, *, size: int = 10, bold: bool = False, height: float = 5) -> None:
        """A paragraph across the page."""
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.multi_cell(0, height, self.clean(text), new_x="LMARGIN", new_y="NEXT")


def new_document(*, title: str, orientation: str = "P", margin: float = 15) -> Document:
    """A Letter page with the fonts registered, the title set and the first page added."""
    pdf = FPDF(orientation=orientation, format="Letter")
    if FONT.exists() and FONT_BOLD.exists():
        pdf.add_font("DejaVu", "", str(FONT))
        pdf.add_font("DejaVu", "B", str(FONT_BOLD))
        document = Document(pdf=pdf, family="DejaVu", clean=str)
    else:  # pragma: no cover - CI installs the font
        document = Document(pdf=pdf, family="Helvetica", clean=_latin1)
    pdf.set_title(document.clean(title))
    pdf.set_auto_page_break(auto=True, margin=margin)
    pdf.add_page()
    return document
