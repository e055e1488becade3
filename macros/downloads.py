"""Downloads generated from the same template models as the web pages: DOCX, PDF, Markdown.

All three writers are deterministic: the same inputs give byte-identical files (fixed
timestamps in the DOCX zip and the PDF metadata), so builds are reproducible.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path
from typing import Callable

from . import models as m
from .text import markdown_text, plain

FONT_DIR = Path(__file__).parent / "fonts"
BOX = "\u2610"  # ballot box
RULE = "_" * 60

Cite = Callable[[str], str]


def _cite_text(refs: dict[str, m.Reference]) -> Cite:
    return lambda key: f"({refs[key].short})" if key in refs else f"[{key}]"


def _footer_text(t: m.Template, s: m.Settings) -> str:
    return f"{t.title} · version {t.version.isoformat()} · {s.licence} · {s.programme_name}"


def _intro_lines(t: m.Template, s: m.Settings, cite: Cite) -> list[tuple[str, str]]:
    lines = [
        ("Purpose", plain(t.purpose, cite)),
        ("For", ", ".join(a.replace("-", " ") for a in t.audience)),
        ("When to use it", plain(t.when_to_use, cite)),
        ("Time needed", plain(t.time_needed)),
        ("Programme", f"{s.programme_name}, {s.institution}"),
        ("Contact", f"{s.contact_name}, {s.contact_email}"),
    ]
    if t.credits:
        lines.append(("Credits", plain(t.credits, cite)))
    return lines


# --------------------------------------------------------------------------- Markdown


def template_markdown(t: m.Template, s: m.Settings, refs: dict[str, m.Reference]) -> bytes:
    cite = _cite_text(refs)
    out = [f"# {markdown_text(t.title)}", "", f"*{markdown_text(s.programme_name)} · {markdown_text(s.institution)}*", ""]
    for label, value in _intro_lines(t, s, cite):
        out.append(f"- **{label}:** {markdown_text(value)}")
    out.append("")
    for section in t.sections:
        out += [f"## {markdown_text(section.title)}", ""]
        if section.guidance:
            out += [f"*{markdown_text(plain(section.guidance, cite))}*", ""]
        for f in section.fields:
            if isinstance(f, m.Guidance):
                out += [f"> {markdown_text(plain(f.text, cite))}", ""]
                continue
            label = markdown_text(plain(f.label, cite))
            if isinstance(f, m.ShortText):
                out += [f"**{label}:** ____________________", ""]
            elif isinstance(f, m.LongText):
                out += [f"**{label}:**", ""] + ["____________________________________________________________"] * f.lines + [""]
            elif isinstance(f, m.DateField):
                out += [f"**{label}:** ____ / ____ / ________", ""]
            elif isinstance(f, m.Checkbox):
                out += [f"- [ ] {label}", ""]
            elif isinstance(f, m.Rating):
                out += [f"**{label}:** " + "   ".join(f"[ ] {markdown_text(x)}" for x in f.scale), ""]
            elif isinstance(f, m.Table):
                cols = [markdown_text(c).replace("|", "\\|") for c in f.columns]
                out += [f"**{label}**", "", "| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
                out += ["| " + " | ".join(" " for _ in cols) + " |"] * f.rows + [""]
            elif isinstance(f, m.Signature):
                out += [f"**{label}:** Signature ____________________  Date ____ / ____ / ________", ""]
    out += ["---", "", f"*{markdown_text(_footer_text(t, s))}*", ""]
    text = "\n".join(out)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.encode("utf-8")


# --------------------------------------------------------------------------- DOCX

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with sorted entries and fixed timestamps (reproducible output)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    names = src.namelist()
    # [Content_Types].xml must stay first for some readers.
    names.sort(key=lambda n: (n != "[Content_Types].xml", n))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, src.read(name))
    return out.getvalue()


def _ruled(paragraph) -> None:
    """Give a paragraph a bottom border: a ruled line to write on."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    ppr = paragraph._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "808080")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.append(bdr)


def template_docx(t: m.Template, s: m.Settings, refs: dict[str, m.Reference]) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT  # noqa: F401  (kept for clarity of intent)
    from docx.shared import Mm, Pt

    cite = _cite_text(refs)
    doc = Document()
    section = doc.sections[0]
    if s.paper_size == "A4":
        section.page_width, section.page_height = Mm(210), Mm(297)
    else:
        section.page_width, section.page_height = Mm(215.9), Mm(279.4)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)

    section.header.paragraphs[0].text = f"{s.programme_name} · {s.institution}"
    footer = section.footer.paragraphs[0]
    footer.text = _footer_text(t, s)
    footer.runs[0].font.size = Pt(8)

    doc.add_heading(plain(t.title), level=0)
    for label, value in _intro_lines(t, s, cite):
        p = doc.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)

    for sec in t.sections:
        doc.add_heading(plain(sec.title, cite), level=1)
        if sec.guidance:
            doc.add_paragraph().add_run(plain(sec.guidance, cite)).italic = True
        for f in sec.fields:
            if isinstance(f, m.Guidance):
                doc.add_paragraph().add_run(plain(f.text, cite)).italic = True
                continue
            label = plain(f.label, cite)
            if isinstance(f, m.ShortText):
                p = doc.add_paragraph()
                p.add_run(f"{label}: ").bold = True
                _ruled(p)
            elif isinstance(f, m.LongText):
                doc.add_paragraph().add_run(label).bold = True
                for _ in range(f.lines):
                    _ruled(doc.add_paragraph())
            elif isinstance(f, m.DateField):
                p = doc.add_paragraph()
                p.add_run(f"{label}: ").bold = True
                p.add_run("____ / ____ / ________")
            elif isinstance(f, m.Checkbox):
                doc.add_paragraph(f"{BOX}  {label}")
            elif isinstance(f, m.Rating):
                p = doc.add_paragraph()
                p.add_run(f"{label}").bold = True
                doc.add_paragraph("     ".join(f"{BOX} {plain(x)}" for x in f.scale))
            elif isinstance(f, m.Table):
                doc.add_paragraph().add_run(label).bold = True
                table = doc.add_table(rows=f.rows + 1, cols=len(f.columns))
                table.style = "Table Grid"
                for i, col in enumerate(f.columns):
                    cell = table.rows[0].cells[i]
                    cell.text = plain(col)
                    cell.paragraphs[0].runs[0].bold = True
                doc.add_paragraph()
            elif isinstance(f, m.Signature):
                p = doc.add_paragraph()
                p.add_run(f"{label}").bold = True
                p.add_run("   Signature: ______________________   Date: ____ / ____ / ________")

    props = doc.core_properties
    stamp = dt.datetime.combine(t.version, dt.time(0, 0))
    props.created = props.modified = props.last_printed = stamp
    props.author = props.last_modified_by = s.programme_name
    props.title = t.title
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _normalise_zip(buf.getvalue())


# --------------------------------------------------------------------------- PDF


def template_pdf(t: m.Template, s: m.Settings, refs: dict[str, m.Reference]) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    cite = _cite_text(refs)
    footer_text = _footer_text(t, s)
    header_text = f"{s.programme_name} · {s.institution}"

    class Doc(FPDF):
        def header(self) -> None:
            self.set_font("body", "", 8)
            self.set_text_color(90)
            self.cell(0, 5, header_text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.ln(2)
            self.set_text_color(0)

        def footer(self) -> None:
            self.set_y(-14)
            self.set_font("body", "", 7.5)
            self.set_text_color(90)
            self.multi_cell(0, 4, f"{footer_text} · page {self.page_no()}/{{nb}}", align="C")
            self.set_text_color(0)

    pdf = Doc(format="A4" if s.paper_size == "A4" else "Letter")
    pdf.set_margins(18, 16, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_font("body", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("body", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_font("body", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
    stamp = dt.datetime.combine(t.version, dt.time(0, 0), tzinfo=dt.timezone.utc)
    pdf.set_creation_date(stamp)
    pdf.set_title(t.title)
    pdf.set_author(s.programme_name)
    pdf.set_creator(s.programme_name)
    pdf.set_producer("mentoring curriculum site")
    pdf.set_lang(s.language)
    pdf.add_page()
    width = pdf.epw

    def para(text: str, style: str = "", size: float = 10, h: float = 5, after: float = 1.5) -> None:
        pdf.set_font("body", style, size)
        pdf.multi_cell(width, h, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(after)

    def ruled(n: int) -> None:
        for _ in range(n):
            pdf.ln(6)
            y = pdf.get_y()
            pdf.set_draw_color(150)
            pdf.line(pdf.l_margin, y, pdf.l_margin + width, y)
        pdf.ln(3)

    para(plain(t.title), "B", 18, 8, 3)
    for label, value in _intro_lines(t, s, cite):
        pdf.set_font("body", "B", 9.5)
        pdf.multi_cell(width, 4.8, f"**{label}:** {value}", markdown=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)

    for sec in t.sections:
        if pdf.get_y() > pdf.h - 60:
            pdf.add_page()
        pdf.ln(2)
        para(plain(sec.title, cite), "B", 13, 7, 1)
        if sec.guidance:
            para(plain(sec.guidance, cite), "I", 9.5)
        for f in sec.fields:
            if isinstance(f, m.Guidance):
                para(plain(f.text, cite), "I", 9.5)
                continue
            label = plain(f.label, cite)
            if isinstance(f, m.ShortText):
                para(label, "B", 10, 5, 0)
                ruled(1)
            elif isinstance(f, m.LongText):
                para(label, "B", 10, 5, 0)
                ruled(f.lines)
            elif isinstance(f, m.DateField):
                para(f"{label}:  ____ / ____ / ________", "B", 10, 6, 2)
            elif isinstance(f, m.Checkbox):
                para(f"{BOX}  {label}", "", 10, 5.5, 1)
            elif isinstance(f, m.Rating):
                para(label, "B", 10, 5, 0.5)
                para("    ".join(f"{BOX} {plain(x)}" for x in f.scale), "", 9.5, 5, 2)
            elif isinstance(f, m.Table):
                para(label, "B", 10, 5, 1)
                pdf.set_font("body", "", 9)
                with pdf.table(width=width, line_height=7, first_row_as_headings=True) as table:
                    head = table.row()
                    for c in f.columns:
                        head.cell(plain(c))
                    for _ in range(f.rows):
                        row = table.row()
                        for _c in f.columns:
                            row.cell(" ")
                pdf.ln(3)
            elif isinstance(f, m.Signature):
                para(f"{label}", "B", 10, 5, 0)
                para("Signature: ______________________________    Date: ____ / ____ / ________", "", 10, 8, 2)

    pdf.file_id = lambda: ""  # no random document id: reproducible output
    return bytes(pdf.output())


# --------------------------------------------------------------------------- all files


def build_all(templates: dict[str, m.Template], s: m.Settings, refs: dict[str, m.Reference]) -> dict[str, bytes]:
    """Every download, keyed by its path inside the built site."""
    files: dict[str, bytes] = {}
    for t in templates.values():
        base = f"downloads/templates/{t.id}"
        files[f"{base}.md"] = template_markdown(t, s, refs)
        files[f"{base}.docx"] = template_docx(t, s, refs)
        files[f"{base}.pdf"] = template_pdf(t, s, refs)
    return files
