"""A small document model and two deterministic writers: Markdown and DOCX.

Templates and facilitator guides are turned into a list of blocks (``Doc``); each writer
renders any ``Doc``. The same inputs give byte-identical files (fixed zip timestamps in
DOCX), so builds are reproducible. PDFs are made from the web pages' HTML (macros/pdf.py).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Union

BOX = "\u2610"  # ballot box, for ticks and rating scales
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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
    """A table: header row, then rows (blank rows are lists of empty strings: cells to fill in)."""

    label: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[int, ...] = ()  # relative column widths; () = equal


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
    subject: str = ""  # one sentence: what the document is for
    keywords: str = ""
    colour: str = "#1d4f91"  # headings (the settings' primary colour, AA on white)
    direction: str = "ltr"  # "rtl" for Arabic, Hebrew ...
    # Interface strings from the message catalogue, with their {placeholders}.
    page_label: str = "Page {page} of {pages}"
    signature_label: str = "Signature: {who}"
    date_label: str = "Date signed: {who}"


# --------------------------------------------------------------------------- Markdown


# Characters Markdown would act on (an underscore only where it could start or end emphasis: GFM leaves
# snake_case alone), and an ampersand that would start an entity.
_MD_ESCAPE = re.compile(r"([\\`*\[\]<>|]|(?<!\w)_|_(?!\w))|&(?=#?\w+;)")
ANSWER = "…"  # where a reader writes, in a Markdown file (a wiki shows it as is)


def _md(text: str) -> str:
    """Plain text for Markdown that pastes into a wiki as the same text: characters Markdown would act
    on are backslash-escaped (raw HTML shows as text), and nothing becomes an HTML entity."""
    text = _MD_ESCAPE.sub(lambda mt: "\\" + (mt.group(1) or "&"), text)
    return re.sub(r"^(\s*)([#+\-=]|\d+[.)])(?=\s|$)", r"\1\\\2", text, flags=re.M)  # not a heading or list


def _colon(label: str) -> str:
    """'Who attended' -> 'Who attended:'; a label that ends in punctuation keeps its own ('Why?' not 'Why?:')."""
    return label if re.search(r"[?:!.。？：！]$", label) else label + ":"


def to_markdown(doc: Doc) -> bytes:
    """A template as GitHub-flavoured Markdown: task lists for ticks and scale points, a quoted line
    per writing line, empty table cells, labels and punctuation as written."""
    out = [f"# {_md(doc.title)}", ""] + ([f"*{_md(doc.header)}*", ""] if doc.header else [])
    previous = None
    for b in doc.blocks:
        if out[-1] != "" and not (type(b) is type(previous) and isinstance(b, (Tick, Meta))):
            out.append("")  # a list ends before the next block
        previous = b
        if isinstance(b, Heading):
            out += ["#" * (b.level + 1) + " " + _md(b.text), ""]
        elif isinstance(b, Para):
            text = _md(b.text)
            out += [{"italic": f"*{text}*", "bold": f"**{text}**", "quote": f"> {text}"}.get(b.style, text), ""]
        elif isinstance(b, Meta):
            out += [f"- **{_md(_colon(b.label))}** {_md(b.value)}"]
        elif isinstance(b, Bullets):
            out += [""] + [f"{i + 1}. {_md(x)}" if b.numbered else f"- {_md(x)}" for i, x in enumerate(b.items)] + [""]
        elif isinstance(b, Lines) and b.lines == 1:
            out += [f"**{_md(_colon(b.label))}** {ANSWER}", ""]
        elif isinstance(b, Lines):
            out += [f"**{_md(_colon(b.label))}**", ""] + [f"> {ANSWER}"] * b.lines + [""]
        elif isinstance(b, DateLine):
            out += [f"**{_md(_colon(b.label))}** {ANSWER}", ""]
        elif isinstance(b, Tick):
            out += [f"- [ ] {_md(b.label)}"]
        elif isinstance(b, Scale):
            out += ["", f"**{_md(b.label)}**", ""] + [f"- [ ] {_md(x)}" for x in b.options] + [""]
        elif isinstance(b, Grid):
            cols = [_md(c) for c in b.columns]
            if b.label:
                out += ["", f"**{_md(b.label)}**", ""]
            out += ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
            out += ["|" + "|".join(f" {_md(c)} " if c else "   " for c in row) + "|" for row in b.rows] + [""]
        elif isinstance(b, SignLine):
            out += ["", f"**{_md(b.label)}**", "",
                    f"- {_md(doc.signature_label.format(who=b.label))} {ANSWER}",
                    f"- {_md(doc.date_label.format(who=b.label))} {ANSWER}", ""]
        elif isinstance(b, PageBreak):
            out += ["", "---", ""]
    out += ["", "---", "", f"*{_md(doc.footer)}*", ""]
    text = "\n".join(out)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.encode("utf-8")


# --------------------------------------------------------------------------- DOCX

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14_NS = "http://schemas.microsoft.com/office/word/2010/wordml"
LINE_TWIPS = 454  # 8 mm between writing lines (1 mm = 56.7 twips)
RULE = 'w:val="single" w:sz="4" w:space="1" w:color="6B6B6B"'
# Parts of python-docx's default template that describe the template, not our document.
_LEFTOVER_PARTS = ("docProps/thumbnail.jpeg", "customXml/item1.xml", "customXml/itemProps1.xml",
                   "customXml/_rels/item1.xml.rels", "word/stylesWithEffects.xml")


def _x(text: str) -> str:
    """Text for an XML attribute or element."""
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;"))


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _word_lang(language: str) -> str:
    """A language tag as Word writes it (en -> en-GB, the house style; fr -> fr-FR ...)."""
    from .i18n import babel_locale

    loc = babel_locale(language)
    if language.split("-")[0] != loc.language:
        return language
    return f"{loc.language}-{loc.territory}" if loc.territory else language


def _date_format(language: str) -> str:
    """Word's picture for a long date in the language (Babel's CLDR pattern, 'y' as 'yyyy')."""
    from .i18n import babel_locale

    pattern = babel_locale(language).date_formats["long"].pattern
    return re.sub(r"(?<!y)y(?!y)", "yyyy", pattern).replace("'", "")


def _clean_package(data: bytes, app_xml: str) -> bytes:
    """The saved package without the default template's leftovers, with our own extended properties,
    sorted entries and fixed timestamps (so the same document gives the same bytes)."""
    src = zipfile.ZipFile(io.BytesIO(data))
    parts = {n: src.read(n) for n in src.namelist() if n not in _LEFTOVER_PARTS}
    parts["docProps/app.xml"] = app_xml.encode("utf-8")
    for rels in ("_rels/.rels", "word/_rels/document.xml.rels"):
        text = parts[rels].decode("utf-8")
        text = re.sub(r'<Relationship [^>]*Target="[^"]*(thumbnail\.jpeg|customXml/item1\.xml|stylesWithEffects\.xml)"[^>]*/>',
                      "", text)
        parts[rels] = text.encode("utf-8")
    types = parts["[Content_Types].xml"].decode("utf-8")
    types = re.sub(r'<Override PartName="/(customXml/itemProps1\.xml|word/stylesWithEffects\.xml|docProps/thumbnail\.jpeg)"[^>]*/>',
                   "", types)
    parts["[Content_Types].xml"] = types.encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name in sorted(parts, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            dst.writestr(info, parts[name])
    return out.getvalue()


# Word reads the children of w:pPr and w:tblPr only in the schema's order (ECMA-376 CT_PPrBase, CT_TblPr).
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
              "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
              "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
              "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
              "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange")
_TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
                "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
                "tblCaption", "tblDescription")


def _insert_in_order(parent, element, order: tuple[str, ...]) -> None:
    """Put ``element`` where the schema wants it among ``parent``'s children, replacing one of its kind."""
    name = element.tag.split("}")[1]
    for old in parent.findall(element.tag):
        parent.remove(old)
    rank = order.index(name)
    for i, child in enumerate(parent):
        tag = child.tag.split("}")[1] if "}" in child.tag else child.tag
        if tag in order and order.index(tag) > rank:
            parent.insert(i, element)
            return
    parent.append(element)


def _content_widths(b: Grid) -> tuple[int, ...]:
    """Column weights that fit a filled table's content: its longest text, within bounds (a column of
    times is narrow, one of descriptions wide); an empty table to fill in shares the width equally."""
    if not any(any(row) for row in b.rows):
        return tuple(1 for _ in b.columns)
    out = []
    for i, col in enumerate(b.columns):
        texts = [col] + [row[i] for row in b.rows]
        longest_word = max(len(w) for t in texts for w in (t.split() or [""]))
        out.append(min(40, max(longest_word + 2, min(max(len(t) for t in texts), 40) // 2, 6)))
    return tuple(out)


class _Docx:
    """Builds one Word document: headings Word's navigation pane lists, content controls for every
    field (plain text, rich text, checkbox, date), tables whose header repeats and whose rows do not
    split, numbered lists that start at 1, page numbers, the site's language and heading colour."""

    def __init__(self, doc: Doc):
        from docx import Document
        from docx.shared import Mm, Pt

        self.doc = doc
        self.d = Document()
        self.ids = 0
        self.lang = _word_lang(doc.language)
        self.colour = doc.colour.lstrip("#").upper()
        self.rtl = doc.direction == "rtl"
        section = self.d.sections[0]
        section.page_width, section.page_height = (Mm(210), Mm(297)) if doc.paper == "A4" else (Mm(215.9), Mm(279.4))
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(18))
        section.header_distance = section.footer_distance = Mm(8)
        normal = self.d.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        self._styles()
        self._header_footer(section)

    # ----------------------------------------------------------------- XML helpers

    def xml(self, text: str):
        """An element from a fragment of WordprocessingML (namespaces declared on its root)."""
        from docx.oxml import parse_xml

        return parse_xml(re.sub(r"^<([\w:]+)", rf'<\1 xmlns:w="{W_NS}" xmlns:w14="{W14_NS}"', text, count=1))

    def next_id(self) -> int:
        self.ids += 1
        return self.ids

    def _set_ppr(self, paragraph, *elements: str) -> None:
        ppr = paragraph._p.get_or_add_pPr()
        for el in elements:
            _insert_in_order(ppr, self.xml(el), _PPR_ORDER)

    # ----------------------------------------------------------------- styles, header, footer

    def _styles(self) -> None:
        from docx.shared import Pt, RGBColor

        styles = self.d.styles
        root = styles.element
        # The document's language (spelling, hyphenation, screen readers) on every run by default.
        rpr = root.find(f"{{{W_NS}}}docDefaults/{{{W_NS}}}rPrDefault/{{{W_NS}}}rPr")
        if rpr is not None:
            for old in rpr.findall(f"{{{W_NS}}}lang"):
                rpr.remove(old)
            rpr.append(self.xml(f'<w:lang w:val="{_x(self.lang)}" w:eastAsia="{_x(self.lang)}" w:bidi="{_x(self.lang)}"/>'))
        sizes = {"Heading 1": 16, "Heading 2": 13, "Heading 3": 11.5}
        for name, size in sizes.items():
            st = styles[name]
            st.font.size = Pt(size)
            st.font.bold = True
            st.font.color.rgb = RGBColor.from_string(self.colour)  # the settings' colour, not the theme's blue
            color = st.element.rPr.find(f"{{{W_NS}}}color")
            for attr in ("themeColor", "themeShade", "themeTint"):
                color.attrib.pop(f"{{{W_NS}}}{attr}", None)
            st.paragraph_format.space_before = Pt(14 if name == "Heading 1" else 10)
            st.paragraph_format.space_after = Pt(4)
            st.paragraph_format.keep_with_next = True
        if self.rtl:
            _insert_in_order(styles["Normal"].element.get_or_add_pPr(), self.xml("<w:bidi/>"), _PPR_ORDER)

    def _field(self, instr: str, shown: str) -> str:
        return (f'<w:fldSimple w:instr=" {instr} "><w:r><w:rPr><w:sz w:val="16"/></w:rPr>'
                f'<w:t>{_x(shown)}</w:t></w:r></w:fldSimple>')

    def _header_footer(self, section) -> None:
        from docx.shared import Pt

        head = section.header.paragraphs[0]
        head.text = self.doc.header
        for run in head.runs:
            run.font.size = Pt(8)
        foot = section.footer.paragraphs[0]
        foot.add_run(self.doc.footer).font.size = Pt(8)
        # "Page {page} of {pages}" with Word's PAGE and NUMPAGES fields in place of the placeholders.
        line = section.footer.add_paragraph()
        parts = re.split(r"(\{page\}|\{pages\})", self.doc.page_label)
        for part in parts:
            if part == "{page}":
                line._p.append(self.xml(self._field("PAGE", "1")))
            elif part == "{pages}":
                line._p.append(self.xml(self._field("NUMPAGES", "1")))
            elif part:
                line.add_run(part).font.size = Pt(8)

    # ----------------------------------------------------------------- content controls

    def _sdt_pr(self, label: str, kind: str, placeholder: bool = True) -> str:
        sid = self.next_id()
        return (f'<w:sdtPr><w:alias w:val="{_x(label[:255])}"/><w:tag w:val="field-{sid}"/><w:id w:val="{sid}"/>'
                + ("<w:showingPlcHdr/>" if placeholder else "") + kind + "</w:sdtPr>")

    def text_control(self, label: str, width_chars: int = 40) -> str:
        """An inline plain-text content control, shown as blank space on the line until filled in."""
        return (f"<w:sdt>{self._sdt_pr(label, '<w:text/>')}<w:sdtContent><w:r><w:rPr><w:rStyle w:val=\"PlaceholderText\"/>"
                f"</w:rPr><w:t xml:space=\"preserve\">{chr(0xA0) * width_chars}</w:t></w:r></w:sdtContent></w:sdt>")

    def date_control(self, label: str) -> str:
        kind = (f'<w:date><w:dateFormat w:val="{_x(_date_format(self.doc.language))}"/><w:lid w:val="{_x(self.lang)}"/>'
                '<w:storeMappedDataAs w:val="dateTime"/><w:calendar w:val="gregorian"/></w:date>')
        return (f"<w:sdt>{self._sdt_pr(label, kind)}<w:sdtContent><w:r><w:rPr><w:rStyle w:val=\"PlaceholderText\"/>"
                f"</w:rPr><w:t xml:space=\"preserve\">{chr(0xA0) * 24}</w:t></w:r></w:sdtContent></w:sdt>")

    def checkbox(self, label: str) -> str:
        kind = ('<w14:checkbox><w14:checked w14:val="0"/><w14:checkedState w14:val="2612" w14:font="MS Gothic"/>'
                '<w14:uncheckedState w14:val="2610" w14:font="MS Gothic"/></w14:checkbox>')
        return (f"<w:sdt>{self._sdt_pr(label, kind, placeholder=False)}<w:sdtContent><w:r><w:rPr>"
                '<w:rFonts w:ascii="MS Gothic" w:eastAsia="MS Gothic" w:hAnsi="MS Gothic" w:hint="eastAsia"/>'
                f"</w:rPr><w:t>{BOX}</w:t></w:r></w:sdtContent></w:sdt>")

    # ----------------------------------------------------------------- blocks

    def label(self, text: str, keep: bool = True):
        p = self.d.add_paragraph()
        p.add_run(text).bold = True
        p.paragraph_format.keep_with_next = keep
        p.paragraph_format.space_before = self._pt(6)
        p.paragraph_format.space_after = self._pt(0)
        return p

    @staticmethod
    def _pt(n: float):
        from docx.shared import Pt

        return Pt(n)

    def ruled_line(self, *inline: str, keep: bool = False):
        """One writing line: a paragraph 8 mm high with a rule below it, holding content controls."""
        p = self.d.add_paragraph()
        self._set_ppr(p, f"<w:pBdr><w:bottom {RULE}/><w:between {RULE}/></w:pBdr>",  # see writing_area
                      f'<w:spacing w:before="0" w:after="60" w:line="{LINE_TWIPS}" w:lineRule="exact"/>')
        p.paragraph_format.keep_with_next = keep
        for el in inline:
            p._p.append(self.xml(el))
        return p

    def labelled_line(self, label: str, control: str) -> None:
        p = self.ruled_line()
        p.paragraph_format.space_before = self._pt(4)
        p.add_run(label + "\u2002").bold = True
        p._p.append(self.xml(control))

    def writing_area(self, label: str, lines: int) -> None:
        """A rich-text content control over N lines 8 mm apart. The lines are 'between' borders of
        paragraphs of the same look, which Word and LibreOffice draw one under each paragraph (a bottom
        border alone merges into one rule under the last paragraph)."""
        paras = "".join(
            f'<w:p><w:pPr><w:keepNext w:val="{1 if i < lines - 1 else 0}"/><w:pBdr><w:bottom {RULE}/><w:between {RULE}/></w:pBdr>'
            f'<w:spacing w:before="0" w:after="0" w:line="{LINE_TWIPS}" w:lineRule="exact"/></w:pPr></w:p>'
            for i in range(lines))
        sdt = f"<w:sdt>{self._sdt_pr(label, '<w:richText/>', placeholder=False)}<w:sdtContent>{paras}</w:sdtContent></w:sdt>"
        self.d.element.body.insert(len(self.d.element.body) - 1, self.xml(sdt))  # before the final sectPr
        tail = self.d.add_paragraph()  # a thin gap, so the next field's label does not touch the last line
        self._set_ppr(tail, '<w:spacing w:before="0" w:after="0" w:line="120" w:lineRule="exact"/>')

    def numbered(self, items: tuple[str, ...]) -> None:
        """A numbered list that starts at 1: its own numbering instance of the List Number definition."""
        numbering = self.d.part.numbering_part.element
        style_num = self.d.styles["List Number"].element.pPr.numPr.numId.val
        abstract = next(n for n in numbering.findall(f"{{{W_NS}}}num")
                        if n.get(f"{{{W_NS}}}numId") == str(style_num)).find(f"{{{W_NS}}}abstractNumId").get(f"{{{W_NS}}}val")
        num_id = max(int(n.get(f"{{{W_NS}}}numId")) for n in numbering.findall(f"{{{W_NS}}}num")) + 1
        numbering.append(self.xml(f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
                                  '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
        for item in items:
            p = self.d.add_paragraph(item, style="List Number")
            self._set_ppr(p, f'<w:numPr><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>')

    def grid(self, b: Grid) -> None:
        from docx.shared import Mm

        if b.label:
            self.label(b.label)
        table = self.d.add_table(rows=len(b.rows) + 1, cols=len(b.columns))
        table.style = "Table Grid"
        width_mm = (210 if self.doc.paper == "A4" else 215.9) - 36
        weights = b.widths or _content_widths(b)
        total = sum(weights)
        widths = [Mm(width_mm * w / total) for w in weights]
        table.autofit = False
        tblpr = table._tbl.tblPr
        _insert_in_order(tblpr, self.xml(f'<w:tblW w:w="{sum(int(w.twips) for w in widths)}" w:type="dxa"/>'),
                         _TBLPR_ORDER)
        _insert_in_order(tblpr, self.xml('<w:tblLayout w:type="fixed"/>'), _TBLPR_ORDER)
        for i, col in enumerate(table.columns):
            col.width = widths[i]
        for r, row in enumerate(table.rows):
            trpr = row._tr.get_or_add_trPr()
            trpr.append(self.xml("<w:cantSplit/>"))  # a row never breaks across pages
            if r == 0:
                trpr.append(self.xml("<w:tblHeader/>"))  # the header row repeats on each page
            else:
                trpr.append(self.xml(f'<w:trHeight w:val="{LINE_TWIPS}" w:hRule="atLeast"/>'))
            for i, cell in enumerate(row.cells):
                cell.width = widths[i]
                p = cell.paragraphs[0]
                if r == 0:
                    p.add_run(b.columns[i]).bold = True
                    p.paragraph_format.keep_with_next = True
                    tcpr = cell._tc.get_or_add_tcPr()
                    tcpr.append(self.xml('<w:shd w:val="clear" w:color="auto" w:fill="EEF1F6"/>'))
                else:
                    value = b.rows[r - 1][i]
                    if value:
                        p.add_run(value)
                    else:  # a cell to fill in
                        p._p.append(self.xml(self.text_control(f"{b.label}: {b.columns[i]}, {r}" if b.label
                                                               else f"{b.columns[i]}, {r}", 4)))
                    if r < len(b.rows) and len(b.rows) <= 6:
                        p.paragraph_format.keep_with_next = True  # a short table stays on one page
        after = self.d.add_paragraph()
        after.paragraph_format.space_after = self._pt(0)

    def build(self) -> bytes:
        from docx.enum.text import WD_BREAK

        doc = self.doc
        self.d.add_heading(doc.title, level=1)  # level 1: listed in the navigation pane
        for b in doc.blocks:
            if isinstance(b, Heading):
                self.d.add_heading(b.text, level=min(b.level + 1, 3))
            elif isinstance(b, Para):
                run = self.d.add_paragraph(style="Quote" if b.style == "quote" else None).add_run(b.text)
                run.italic = b.style == "italic"
                run.bold = b.style == "bold"
            elif isinstance(b, Meta):
                p = self.d.add_paragraph()
                p.add_run(f"{b.label}: ").bold = True
                p.add_run(b.value)
                p.paragraph_format.space_after = self._pt(2)
            elif isinstance(b, Bullets):
                if b.numbered:
                    self.numbered(b.items)
                else:
                    for item in b.items:
                        self.d.add_paragraph(item, style="List Bullet")
            elif isinstance(b, Lines) and b.lines == 1:  # a short answer: the label on its own line to write on
                self.labelled_line(b.label, self.text_control(b.label))
            elif isinstance(b, Lines):
                self.label(b.label)
                self.writing_area(b.label, b.lines)
            elif isinstance(b, DateLine):
                self.labelled_line(b.label, self.date_control(b.label))
            elif isinstance(b, Tick):
                p = self.d.add_paragraph()
                p._p.append(self.xml(self.checkbox(b.label)))
                p.add_run("\u2002" + b.label)
                p.paragraph_format.left_indent = self._pt(18)
                p.paragraph_format.first_line_indent = self._pt(-18)
                p.paragraph_format.space_after = self._pt(3)
            elif isinstance(b, Scale):
                self.label(b.label)
                p = self.d.add_paragraph()
                for i, option in enumerate(b.options):
                    p._p.append(self.xml(self.checkbox(f"{b.label}: {option}")))
                    # an option and its box never part at the end of a line
                    p.add_run("\u00a0" + option.replace(" ", "\u00a0") + ("\u2003 " if i < len(b.options) - 1 else ""))
            elif isinstance(b, Grid):
                self.grid(b)
            elif isinstance(b, SignLine):
                self.label(b.label)
                sig = doc.signature_label.format(who=b.label)
                date = doc.date_label.format(who=b.label)
                p = self.ruled_line()
                p.add_run(sig.split(":")[0] + ": " if ":" in sig else sig + " ")
                p._p.append(self.xml(self.text_control(sig, 36)))
                p.add_run("\u2003" + (date.split(":")[0] + ": " if ":" in date else date + " "))
                p._p.append(self.xml(self.date_control(date)))
            elif isinstance(b, PageBreak):
                self.d.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        return self._save()

    def _save(self) -> bytes:
        doc = self.doc
        props = self.d.core_properties
        stamp = dt.datetime.combine(doc.date, dt.time(0, 0))
        props.created = props.modified = stamp
        props.author = props.last_modified_by = doc.author
        props.title = _clip(doc.title, 255)
        props.subject = _clip(doc.subject, 255)  # the core properties hold at most 255 characters
        props.keywords = _clip(doc.keywords, 255)
        props.language = self.lang
        props.comments = ""
        props.category = ""
        props.revision = 1
        buf = io.BytesIO()
        self.d.save(buf)
        app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
               'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
               f"<Application>{_x(doc.author + ' (python-docx)' if doc.author else 'python-docx')}</Application>"
               "<DocSecurity>0</DocSecurity>"
               "<ScaleCrop>false</ScaleCrop><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
               "<HyperlinksChanged>false</HyperlinksChanged></Properties>")
        return _clean_package(buf.getvalue(), app)


def to_docx(doc: Doc) -> bytes:
    return _Docx(doc).build()


WRITERS = {"md": to_markdown, "docx": to_docx}
