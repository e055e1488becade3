"""A small document model and three deterministic writers: Markdown, DOCX and PDF.

Templates and facilitator guides are turned into a list of blocks (``Doc``); each writer
renders any ``Doc``. The same inputs give byte-identical files (fixed zip timestamps in
DOCX, fixed metadata and no random id in PDF), so builds are reproducible.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Union

FONT_DIR = Path(__file__).parent / "fonts"
BOX = "\u2610"  # ballot box, for ticks and rating scales
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_COVERAGE: frozenset[int] | None = None


def pdf_coverage() -> frozenset[int]:
    """Code points the PDF fonts can draw (fonts/coverage.txt, written by fonts/subset.py)."""
    global _COVERAGE
    if _COVERAGE is None:
        points: set[int] = set()
        for part in (FONT_DIR / "coverage.txt").read_text(encoding="ascii").split():
            a, _, b = part.partition("-")
            points.update(range(int(a, 16), int(b or a, 16) + 1))
        _COVERAGE = frozenset(points)
    return _COVERAGE


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` the PDF font cannot draw, in order of first use."""
    if text.isascii():
        return []
    covered = pdf_coverage()
    return list(dict.fromkeys(c for c in text if ord(c) not in covered and not c.isspace()))


# --------------------------------------------------------------------------- blocks (plain text)


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1  # 1 = section, 2 = subsection


@dataclass(frozen=True)
class Para:
    text: str
    style: str = ""  # "" | "italic" | "bold" | "quote"


@dataclass(frozen=True)
class Meta:
    """A bold label followed by a value, on one line."""

    label: str
    value: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]
    numbered: bool = False


@dataclass(frozen=True)
class Lines:
    """A label and ruled lines to write on (1 line = a short answer)."""

    label: str
    lines: int = 1


@dataclass(frozen=True)
class DateLine:
    label: str


@dataclass(frozen=True)
class Tick:
    label: str


@dataclass(frozen=True)
class Scale:
    label: str
    options: tuple[str, ...]


@dataclass(frozen=True)
class Grid:
    """A table: header row, then rows (blank rows are lists of empty strings)."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class SignLine:
    label: str


@dataclass(frozen=True)
class PageBreak:
    pass


Block = Union[Heading, Para, Meta, Bullets, Lines, DateLine, Tick, Scale, Grid, SignLine, PageBreak]


@dataclass(frozen=True)
class Doc:
    title: str
    header: str  # programme name and institution, on every page
    footer: str  # title, version, licence, programme
    date: dt.date  # version date: the fixed timestamp of every output
    author: str
    language: str = "en"
    paper: str = "A4"  # "A4" | "Letter"
    blocks: tuple[Block, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- Markdown


def _md(text: str) -> str:
    """Plain text made safe for a Markdown file: raw HTML shown as text, literal braces kept."""
    return html.escape(text, quote=False)


def to_markdown(doc: Doc) -> bytes:
    out = [f"# {_md(doc.title)}", "", f"*{_md(doc.header)}*", ""]
    for b in doc.blocks:
        if isinstance(b, Heading):
            out += ["#" * (b.level + 1) + " " + _md(b.text), ""]
        elif isinstance(b, Para):
            text = _md(b.text)
            out += [{"italic": f"*{text}*", "bold": f"**{text}**", "quote": f"> {text}"}.get(b.style, text), ""]
        elif isinstance(b, Meta):
            out += [f"- **{_md(b.label)}:** {_md(b.value)}"]
        elif isinstance(b, Bullets):
            out += [""] + [f"{i + 1}. {_md(x)}" if b.numbered else f"- {_md(x)}" for i, x in enumerate(b.items)] + [""]
        elif isinstance(b, Lines):
            if b.lines == 1:
                out += [f"**{_md(b.label)}:** ____________________", ""]
            else:
                out += [f"**{_md(b.label)}:**", ""] + ["_" * 60] * b.lines + [""]
        elif isinstance(b, DateLine):
            out += [f"**{_md(b.label)}:** ____ / ____ / ________", ""]
        elif isinstance(b, Tick):
            out += [f"- [ ] {_md(b.label)}", ""]
        elif isinstance(b, Scale):
            out += [f"**{_md(b.label)}:** " + "   ".join(f"[ ] {_md(x)}" for x in b.options), ""]
        elif isinstance(b, Grid):
            cols = [_md(c).replace("|", "\\|") for c in b.columns]
            if b.label:
                out += [f"**{_md(b.label)}**", ""]
            out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            out += ["| " + " | ".join(_md(c).replace("|", "\\|") or " " for c in row) + " |" for row in b.rows] + [""]
        elif isinstance(b, SignLine):
            out += [f"**{_md(b.label)}:** Signature ____________________  Date ____ / ____ / ________", ""]
        elif isinstance(b, PageBreak):
            out += ["---", ""]
    out += ["", "---", "", f"*{_md(doc.footer)}*", ""]
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.encode("utf-8")


# --------------------------------------------------------------------------- DOCX


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with sorted entries and fixed timestamps."""
    src = zipfile.ZipFile(io.BytesIO(data))
    names = sorted(src.namelist(), key=lambda n: (n != "[Content_Types].xml", n))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def _ruled(paragraph) -> None:
    """A bottom border on a paragraph: a line to write on."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "808080")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def to_docx(doc: Doc) -> bytes:
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm, Pt

    d = Document()
    section = d.sections[0]
    section.page_width, section.page_height = (Mm(210), Mm(297)) if doc.paper == "A4" else (Mm(215.9), Mm(279.4))
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    d.styles["Normal"].font.name = "Calibri"
    d.styles["Normal"].font.size = Pt(11)
    section.header.paragraphs[0].text = doc.header
    footer = section.footer.paragraphs[0]
    footer.text = doc.footer
    footer.runs[0].font.size = Pt(8)

    d.add_heading(doc.title, level=0)
    for b in doc.blocks:
        if isinstance(b, Heading):
            d.add_heading(b.text, level=b.level)
        elif isinstance(b, Para):
            run = d.add_paragraph(style="Quote" if b.style == "quote" else None).add_run(b.text)
            run.italic = b.style == "italic"
            run.bold = b.style == "bold"
        elif isinstance(b, Meta):
            p = d.add_paragraph()
            p.add_run(f"{b.label}: ").bold = True
            p.add_run(b.value)
        elif isinstance(b, Bullets):
            for item in b.items:
                d.add_paragraph(item, style="List Number" if b.numbered else "List Bullet")
        elif isinstance(b, Lines):
            p = d.add_paragraph()
            p.add_run(f"{b.label}:" if b.lines == 1 else b.label).bold = True
            if b.lines == 1:
                _ruled(p)
            else:
                for _ in range(b.lines):
                    _ruled(d.add_paragraph())
        elif isinstance(b, DateLine):
            p = d.add_paragraph()
            p.add_run(f"{b.label}: ").bold = True
            p.add_run("____ / ____ / ________")
        elif isinstance(b, Tick):
            d.add_paragraph(f"{BOX}  {b.label}")
        elif isinstance(b, Scale):
            d.add_paragraph().add_run(b.label).bold = True
            d.add_paragraph("     ".join(f"{BOX} {x}" for x in b.options))
        elif isinstance(b, Grid):
            if b.label:
                d.add_paragraph().add_run(b.label).bold = True
            table = d.add_table(rows=len(b.rows) + 1, cols=len(b.columns))
            table.style = "Table Grid"
            for i, col in enumerate(b.columns):
                table.rows[0].cells[i].text = col
                table.rows[0].cells[i].paragraphs[0].runs[0].bold = True
            for r, row in enumerate(b.rows, start=1):
                for i, value in enumerate(row):
                    if value:
                        table.rows[r].cells[i].text = value
            d.add_paragraph()
        elif isinstance(b, SignLine):
            p = d.add_paragraph()
            p.add_run(b.label).bold = True
            p.add_run("   Signature: ______________________   Date: ____ / ____ / ________")
        elif isinstance(b, PageBreak):
            d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    props = d.core_properties
    stamp = dt.datetime.combine(doc.date, dt.time(0, 0))
    props.created = props.modified = props.last_printed = stamp
    props.author = props.last_modified_by = doc.author
    props.title = doc.title
    props.revision = 1
    buf = io.BytesIO()
    d.save(buf)
    return _normalise_zip(buf.getvalue())


# --------------------------------------------------------------------------- PDF


def wrap_lines(text: str, avail: float, width_of: Callable[[str], float]) -> list[str]:
    """Greedy word wrap: the lines of ``text`` that fit ``avail`` by ``width_of``.

    Runs of spaces are kept, a newline starts a new line, and a word wider than a line is cut
    where it stops fitting. (fpdf2's multi_cell re-measures the whole line for every character,
    which made line breaking most of the time of every PDF.)
    """
    lines: list[str] = []
    space = width_of(" ")
    for raw in text.split("\n"):
        line: str | None = None
        used = 0.0
        for word in raw.split(" "):
            w = width_of(word)
            if line is not None and used + space + w <= avail:
                line, used = f"{line} {word}", used + space + w
                continue
            if line is not None:
                lines.append(line)
            while w > avail and len(word) > 1:  # longer than a whole line: cut it
                total, cut = 0.0, len(word)
                for i, ch in enumerate(word):
                    total += width_of(ch)
                    if total > avail:
                        cut = max(i, 1)
                        break
                lines.append(word[:cut])
                word = word[cut:]
                w = width_of(word)
            line, used = word, w
        lines.append(line or "")
    return lines


def to_pdf(doc: Doc) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    class PDF(FPDF):
        def header(self) -> None:
            self.set_font("body", "", 8)
            self.set_text_color(90)
            self.cell(0, 5, doc.header, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)
            self.set_text_color(0)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("body", "", 7.5)
            self.set_text_color(90)
            self.multi_cell(0, 4, f"{doc.footer} · page {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0)

    pdf = PDF(format="A4" if doc.paper == "A4" else "Letter")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("body", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    pdf.set_creation_date(dt.datetime.combine(doc.date, dt.time(0, 0), tzinfo=dt.timezone.utc))
    pdf.set_title(doc.title)
    pdf.set_author(doc.author)
    pdf.set_creator(doc.author)
    pdf.set_producer("mentoring curriculum site")
    pdf.set_lang(doc.language)
    pdf.add_page()
    width = pdf.epw

    measured: dict[tuple, float] = {}

    def width_of(text: str) -> float:
        key = (pdf.font_style, pdf.font_size_pt, text)
        if key not in measured:
            measured[key] = pdf.get_string_width(text)
        return measured[key]

    def lines(text: str, w: float, h: float, indent: float = 0, first_x: float | None = None) -> None:
        """Left-aligned lines (WCAG 1.4.8: no justified text), each a cell; pages break as needed."""
        for i, line in enumerate(wrap_lines(text, w - 2 * pdf.c_margin, width_of)):
            pdf.set_x(first_x if i == 0 and first_x is not None else pdf.l_margin + indent)
            pdf.cell(w, h, line, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def para(text: str, style: str = "", size: float = 10, h: float = 5, after: float = 1.5, indent: float = 0) -> None:
        pdf.set_font("body", style, size)
        lines(text, width - indent, h, indent)
        pdf.ln(after)

    def room(height: float) -> None:
        """Start a new page unless ``height`` mm still fit above the footer."""
        if pdf.get_y() + height > pdf.page_break_trigger:
            pdf.add_page()

    def ruled(n: int) -> None:
        pdf.set_draw_color(150)
        for _ in range(n):
            room(7)
            pdf.ln(6)
            y = pdf.get_y()
            pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
        pdf.ln(3)

    para(doc.title, "B", 18, 8, 3)
    for b in doc.blocks:
        if isinstance(b, Heading):
            if pdf.get_y() > pdf.h - 60:
                pdf.add_page()
            pdf.ln(2 if b.level == 1 else 1)
            para(b.text, "B", 13 if b.level == 1 else 11, 7 if b.level == 1 else 6, 1)
        elif isinstance(b, Para):
            style = {"italic": "I", "bold": "B", "quote": "I"}.get(b.style, "")
            para(b.text, style, 9.5 if b.style in ("italic", "quote") else 10, 5, 1.5, 4 if b.style == "quote" else 0)
        elif isinstance(b, Meta):
            pdf.set_x(pdf.l_margin)
            pdf.set_font("body", "B", 9.5)
            pdf.write(4.8, f"{b.label}: ")
            pdf.set_font("body", "", 9.5)
            pdf.write(4.8, b.value)
            pdf.ln(6)
        elif isinstance(b, Bullets):
            for i, item in enumerate(b.items):
                pdf.set_font("body", "", 10)
                pdf.set_x(pdf.l_margin)
                pdf.cell(6, 5, f"{i + 1}." if b.numbered else "•")
                lines(item, width - 6, 5, indent=6, first_x=pdf.get_x())
                pdf.ln(1)
            pdf.ln(1)
        elif isinstance(b, Lines):
            room(5 + 6 * min(b.lines, 3))  # keep a label with the start of its lines
            para(b.label, "B", 10, 5, 0)
            ruled(b.lines)
        elif isinstance(b, DateLine):
            para(f"{b.label}:  ____ / ____ / ________", "B", 10, 6, 2)
        elif isinstance(b, Tick):
            para(f"{BOX}  {b.label}", "", 10, 5.5, 1)
        elif isinstance(b, Scale):
            para(b.label, "B", 10, 5, 0.5)
            para("    ".join(f"{BOX} {x}" for x in b.options), "", 9.5, 5, 2)
        elif isinstance(b, Grid):
            room(6 + 7 * min(len(b.rows) + 1, 4))  # keep a label with its table's first rows
            if b.label:
                para(b.label, "B", 10, 5, 1)
            pdf.set_font("body", "", 9)
            with pdf.table(width=width, line_height=6 if any(any(r) for r in b.rows) else 7,
                           first_row_as_headings=True, text_align="LEFT") as table:
                head = table.row()
                for c in b.columns:
                    head.cell(c)
                for row in b.rows:
                    cells = table.row()
                    for value in row:
                        cells.cell(value or " ")
            pdf.ln(3)
        elif isinstance(b, SignLine):
            para(b.label, "B", 10, 5, 0)
            para("Signature: ______________________________    Date: ____ / ____ / ________", "", 10, 8, 2)
        elif isinstance(b, PageBreak):
            pdf.add_page()

    pdf.file_id = lambda: ""  # no random document id
    return bytes(pdf.output())


WRITERS = {"md": to_markdown, "docx": to_docx, "pdf": to_pdf}
