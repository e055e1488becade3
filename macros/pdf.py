"""PDF downloads: the web page's HTML with a print stylesheet, laid out by WeasyPrint.

A template's PDF is its web form (``render.template_form``, the partial the page shows) inside a
print document (``partials/print/*.html``) styled by ``partials/print/style.css``; a facilitator
guide is its session page (``render.session_page``). WeasyPrint turns the HTML into a tagged PDF
(PDF/UA-1: structure tree, ``/Lang`` from ``<html lang>``, the title shown in the viewer, bookmarks
from the headings, clickable links) with an AcroForm field for every writing line, box, date and
tick (``pdf_forms``).

Everything a PDF depends on is in its HTML (a :class:`PdfJob`), so the download cache keys on it:
the stylesheet is inlined, the fonts are bundled (``macros/fonts``, loaded through a fetcher that
serves nothing else: a PDF never reads the network or another file), dates come from the record's
version. The same job gives the same bytes.

Fonts: Latin, Greek and Cyrillic from the bundled Noto Sans subsets; every other script falls back
through fontconfig to the fonts installed on the machine (Debian's ``fonts-noto-core`` and
``fonts-noto-cjk`` for Arabic, Japanese, Chinese and Korean). :func:`undrawable` finds text no
installed font can draw, so the build stops with one line naming the file and field instead of
printing empty boxes.
"""

from __future__ import annotations

import functools
import html as htmllib
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from markupsafe import Markup

FONT_DIR = Path(__file__).parent / "fonts"
FONTS = {"regular": "NotoSans-Regular.ttf", "bold": "NotoSans-Bold.ttf", "italic": "NotoSans-Italic.ttf",
         "field": "NotoSans-Field.ttf"}
FONT_URL = "bundled-font:"  # url("bundled-font:NotoSans-Regular.ttf") in the stylesheet
# The bundled face first; then what fontconfig has for other scripts (Debian's Noto packages), then
# whatever the machine's sans-serif is. CJK: the Japanese cut unless the language says otherwise.
FAMILIES = ('"Noto Sans Print", "Noto Sans", "Noto Sans CJK JP", "Noto Sans Arabic", "Noto Naskh Arabic", "Noto Sans Hebrew", '
            '"Noto Sans Devanagari", "Noto Sans Thai", "DejaVu Sans", sans-serif')
LINE_MM = 8  # distance between writing lines, and the height of a one-line field or a table row
PAPER = {"A4": "A4", "Letter": "letter"}
OPTIONS = dict(
    pdf_variant="pdf/ua-1",   # tagged (structure tree, MarkInfo), PDF 1.7, XMP pdfuaid:part=1, DisplayDocTitle
    pdf_forms=True,           # AcroForm fields from <input>, <textarea>
    pdf_identifier=False,     # no /ID: nothing random or time-based in the file
    uncompressed_pdf=False,
    custom_metadata=False,
)
# A last page holding less than this much content is pulled back by a second, tighter layout.
SHORT_TAIL_MM = 45
MAX_FIT_PAGES = 6


@dataclass(frozen=True)
class PdfJob:
    """Everything one PDF depends on: its HTML, and the address relative links resolve against."""

    html: str
    base_url: str = ""
    name: str = ""  # for messages only

    def __repr__(self) -> str:  # the cache key: the whole HTML (fonts and engine are in the engine key)
        return f"PdfJob({self.base_url!r}, {self.html!r})"


# --------------------------------------------------------------------------- building the HTML


def css_string(text: str) -> Markup:
    """A CSS string literal that is also safe inside <style> (no '<', no quote, no newline)."""
    out = []
    for ch in text:
        if ch in '\\"':
            out.append("\\" + ch)
        elif ch in "<>&'" or ord(ch) < 0x20 or ch in "\u2028\u2029":
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return Markup('"' + "".join(out) + '"')


def css_content(message: str, **counters: str) -> Markup:
    """A catalogue message with {placeholders} as a CSS ``content`` value of strings and counters:
    "Page {page} of {pages}" -> "Page " counter(page) " of " counter(pages)."""
    parts = []
    for literal, name in re.findall(r"([^{]*)(?:\{(\w+)\})?", message):
        if literal:
            parts.append(str(css_string(literal)))
        if name:
            parts.append(counters[name])
    return Markup(" ".join(parts) or '""')


_HREF = re.compile(r'\shref="([^"]*)"')


def absolute_links(markup: str, base: str) -> str:
    """Links of a page, for paper: relative ones made absolute against the page's public address, or
    (without one) removed, so a PDF never holds a link to a file that is not there."""

    def fix(mt: re.Match) -> str:
        url = htmllib.unescape(mt.group(1))
        if url.startswith(("http://", "https://", "mailto:", "#")):
            return mt.group(0)
        if not base:
            return ""
        return f' href="{htmllib.escape(urljoin(base, url), quote=True)}"'

    return _HREF.sub(fix, markup)


def demote(markup: str, by: int = -1, lowest: int = 2) -> str:
    """Change heading levels: h3 -> h2 with by=-1 (the print page has no "The template" heading)."""
    return re.sub(r"<(/?)h([1-6])\b", lambda mt: f"<{mt.group(1)}h{max(lowest, min(6, int(mt.group(2)) + by))}",
                  markup)


_SHEETS: dict[tuple, str] = {}
_SLOTS = {"header": "\ue000header\ue001", "footer": "\ue000footer\ue001", "extra": "\ue000extra\ue001"}


def stylesheet(site, paper: str, header: str, footer: str, extra: str = "") -> Markup:
    """The print stylesheet for one document: the partial rendered once per site and paper size, then
    this document's running header and footer and its own rules put in."""
    from .render import environment

    msg = site.messages
    key = (str(site.root), paper, msg.language, msg.dir, site.settings.primary_colour, msg.strings.get("doc.page"))
    if key not in _SHEETS:
        rtl = msg.dir == "rtl"
        sheet = environment(str(site.root)).get_template("print/style.css")
        _SHEETS[key] = sheet.render(
            t=msg, paper=Markup(PAPER[paper]), start=Markup("right" if rtl else "left"),
            end=Markup("left" if rtl else "right"), header=Markup(_SLOTS["header"]), footer=Markup(_SLOTS["footer"]),
            page_label=css_content(msg.text("doc.page"), page="counter(page)", pages="counter(pages)"),
            fonts={k: Markup(FONT_URL + v) for k, v in FONTS.items()}, families=Markup(FAMILIES),
            primary=Markup(site.settings.primary_colour), line=LINE_MM, extra=Markup(_SLOTS["extra"])).strip()
    text = _SHEETS[key]
    for slot, value in (("header", str(css_string(header))), ("footer", str(css_string(footer))), ("extra", extra)):
        text = text.replace(_SLOTS[slot], value)
    return Markup(text)


def document(site, *, title: str, body: Markup, style: Markup, author: str, description: str, keywords: str,
             stamp: str, blank: bool = False) -> str:
    from .render import partial

    return str(partial(site, "print/document", lang=site.settings.language, dir=site.messages.dir, title=title,
                       author=author, description=description, keywords=keywords, stamp=stamp, style=style,
                       generator="" if blank else site.settings.programme_name, body=body, tight=False)) + "\n"


# --------------------------------------------------------------------------- fonts


def _font_bytes(name: str) -> bytes:
    return (FONT_DIR / name).read_bytes()


@functools.lru_cache(maxsize=1)
def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class BundledOnly(URLFetcher):
        """Serves the bundled fonts and nothing else: no network, no other file."""

        def fetch(self, url, headers=None):
            name = url[len(FONT_URL):] if url.startswith(FONT_URL) else ""
            if name not in FONTS.values():
                raise ValueError(f"not fetched for a PDF: {url[:80]}")
            return URLFetcherResponse(url, _font_bytes(name), {"Content-Type": "font/ttf"})

    return BundledOnly


_FONT_CONFIG = None


def _font_config():
    """One fontconfig set-up per process (loading it costs more than a small PDF)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        from weasyprint.text.fonts import FontConfiguration

        _quick_field_names()
        _FONT_CONFIG = FontConfiguration()
    return _FONT_CONFIG


def _quick_field_names() -> None:
    """WeasyPrint 70 looks for each field's <label> by walking every box of the form once per field
    (a tenth of a second for a long form); :class:`Finisher` sets each field's name and tooltip from
    the HTML anyway, so the search is skipped. Only for the pinned version, whose code this replaces."""
    import weasyprint
    from weasyprint.pdf import anchors

    if weasyprint.__version__ == "70.0" and getattr(anchors._get_human_name, "__name__", "") == "_get_human_name":
        def _named_later(form, element, input_name):
            return element.get("title") or input_name

        anchors._get_human_name = _named_later


@functools.lru_cache(maxsize=1)
def bundled_coverage() -> frozenset[int]:
    """Code points every bundled body face can draw (fonts/coverage.txt, written by fonts/subset.py, so
    that a build does not parse the fonts)."""
    points: set[int] = set()
    for part in (FONT_DIR / "coverage.txt").read_text(encoding="ascii").split():
        a, _, b = part.partition("-")
        points.update(range(int(a, 16), int(b or a, 16) + 1))
    return frozenset(points)


@functools.lru_cache(maxsize=1)
def installed_coverage() -> tuple[list[int], list[int]] | None:
    """Code points some font installed on this machine can draw (fontconfig), as sorted, merged ranges
    (starts, ends), or None without fc-list."""
    try:
        out = subprocess.run(["fc-list", "--format", "%{charset}\n"], capture_output=True, text=True, timeout=60,
                             check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    spans = []
    for part in out.split():
        a, _, b = part.partition("-")
        try:
            spans.append((int(a, 16), int(b or a, 16)))
        except ValueError:
            continue
    spans.sort()
    starts: list[int] = []
    ends: list[int] = []
    for a, b in spans:
        if ends and a <= ends[-1] + 1:
            ends[-1] = max(ends[-1], b)
        else:
            starts.append(a)
            ends.append(b)
    return starts, ends


@functools.lru_cache(maxsize=1)
def _fontconfig():
    """fontconfig's C library (for one question per character), or None."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("fontconfig")
    if not name:
        return None
    try:
        lib = ctypes.CDLL(name)
        lib.FcInit()
        lib.FcPatternCreate.restype = ctypes.c_void_p
        lib.FcCharSetCreate.restype = ctypes.c_void_p
        lib.FcCharSetAddChar.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.FcPatternAddCharSet.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]
        lib.FcObjectSetCreate.restype = ctypes.c_void_p
        lib.FcObjectSetAdd.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
        lib.FcFontList.restype = ctypes.POINTER(ctypes.c_int)  # FcFontSet*: its first field is nfont
        lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
        lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(ctypes.c_int)]
        for fn in ("FcPatternDestroy", "FcCharSetDestroy", "FcObjectSetDestroy"):
            getattr(lib, fn).argtypes = [ctypes.c_void_p]
        return lib
    except (OSError, AttributeError):
        return None


@functools.lru_cache(maxsize=4096)
def _installed(cp: int) -> bool:
    """Whether some installed font has the character: asked of fontconfig's library when it can be
    loaded, else read from fc-list's list of every font's characters."""
    lib = _fontconfig()
    if lib is not None:
        pattern, charset, objects = lib.FcPatternCreate(), lib.FcCharSetCreate(), lib.FcObjectSetCreate()
        try:
            lib.FcCharSetAddChar(charset, cp)
            lib.FcPatternAddCharSet(pattern, b"charset", charset)
            lib.FcObjectSetAdd(objects, b"file")
            fonts = lib.FcFontList(None, pattern, objects)
            if fonts:
                found = fonts[0] > 0
                lib.FcFontSetDestroy(fonts)
                return found
        finally:
            lib.FcObjectSetDestroy(objects)
            lib.FcPatternDestroy(pattern)
            lib.FcCharSetDestroy(charset)
    return _listed(cp)


def _listed(cp: int) -> bool:
    import bisect

    cov = installed_coverage()
    if cov is None:
        return False
    starts, ends = cov
    i = bisect.bisect_right(starts, cp) - 1
    return i >= 0 and cp <= ends[i]


_IGNORABLE = re.compile(r"[\s\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]")


def undrawable(text: str) -> list[str]:
    """Characters of ``text`` that neither the bundled fonts nor any installed font can draw."""
    if text.isascii():
        return []
    bundled = bundled_coverage()
    rest = {c for c in _IGNORABLE.sub("", text) if ord(c) not in bundled}
    if not rest:
        return []
    return sorted((c for c in rest if not _installed(ord(c))), key=text.index)


def fonts_fingerprint() -> str:
    """What the fallback fonts are on this machine (for the cache key): fontconfig's list of files and versions."""
    try:
        return subprocess.run(["fc-list", "--format", "%{file} %{fontversion}\n"], capture_output=True, text=True,
                              timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return "no fontconfig"


# --------------------------------------------------------------------------- rendering


def _tail_mm(page) -> float:
    """Height of the content on a laid-out page, from the top of its content area, in mm."""
    box = page._page_box
    top = box.content_box_y()
    bottom = top
    for child in box.children:
        if getattr(child, "element_tag", "") != "html":
            continue
        for b in child.descendants():
            if getattr(b, "element_tag", "") in ("html", "body"):
                continue
            if hasattr(b, "position_y") and hasattr(b, "margin_height") and b.height not in (None, "auto"):
                bottom = max(bottom, b.position_y + b.border_height())
    return (bottom - top) * 25.4 / 96


def layout(job: PdfJob):
    """The laid-out document: one pass, or two when a short tail can be pulled back onto the page before."""
    from weasyprint import HTML

    fetcher = _fetcher_class()()

    def lay(text: str):
        html = HTML(string=text, base_url=job.base_url or None, url_fetcher=fetcher)
        return html, html.render(font_config=_font_config(), **OPTIONS)  # forms are gathered while laying out

    html, doc = lay(job.html)
    # Only for short documents (forms, guides): laying out a book twice to save a page is not worth it.
    if 1 < len(doc.pages) <= MAX_FIT_PAGES and _tail_mm(doc.pages[-1]) < SHORT_TAIL_MM and "<html " in job.html:
        html2, doc2 = lay(job.html.replace("<html ", '<html class="tight" ', 1))
        if len(doc2.pages) < len(doc.pages):
            return html2, doc2
    return html, doc


def render(job: PdfJob) -> bytes:
    return render_counted(job)[0]


def render_counted(job: PdfJob) -> tuple[bytes, int]:
    """The PDF and its number of pages."""
    html, doc = layout(job)
    return doc.write_pdf(finisher=Finisher(html.etree_element), **OPTIONS), len(doc.pages)


def _text(element) -> str:
    return " ".join("".join(element.itertext()).split())


class Finisher:
    """Corrects WeasyPrint 70's form fields before the PDF is written.

    * Each field's name (/T) is the input's name, else its key or id (the web form's ticks have no
      name), made unique; its tooltip (/TU), which screen readers announce, is the text of its
      <label>, else its aria-label (with the table's caption for a table cell), else its title.
      WeasyPrint takes the label's text from its laid-out lines and drops the space at each line
      break ("shared with theprogramme"), and ignores aria-label.
    * A radio group is one field: its buttons are listed as fields too and carry their own names
      (qpdf: "loop detected while traversing /AcroForm"); they are removed from /Fields and lose /T,
      /TU and /FT. The group's tooltip is the fieldset's legend.
    * A text field's default appearance (/DA) starts with "/a1.0 gs", which is not allowed there
      (poppler: "Missing 'Tf' operator in field's DA string"); it is dropped.
    """

    def __init__(self, root):
        self.labels: dict[str, str] = {}
        self.captions: dict[int, str] = {}
        self.legends: dict[int, str] = {}
        ids = {el.get("id"): el for el in root.iter() if el.get("id")}
        for label in root.iter("label"):
            if label.get("for"):
                self.labels.setdefault(label.get("for"), _text(label))
        for table in root.iter("table"):
            by = ids.get(table.get("aria-labelledby") or "")
            caption = _text(by) if by is not None else ""
            for inp in table.iter("input"):
                self.captions[id(inp)] = caption
        for fieldset in root.iter("fieldset"):
            legend = next(fieldset.iter("legend"), None)
            for inp in fieldset.iter("input"):
                self.legends[id(inp)] = _text(legend) if legend is not None else ""

    def tooltip(self, el) -> str:
        own = self.labels.get(el.get("id") or "") or el.get("aria-label") or el.get("title") or ""
        caption = self.captions.get(id(el))
        if caption and own:
            return f"{caption}: {own}"
        return own or caption or el.get("name") or ""

    def __call__(self, document, pdf) -> None:
        import pydyf

        acro = pdf.catalog.get("AcroForm")
        if acro is None:
            return
        widgets = []
        for page in document.pages:
            for box in page._page_box.descendants():
                field = getattr(box, "widget_annotation", None)
                if field is not None:
                    widgets.append((box.element, field))
        used: set[str] = set()
        kids: set[bytes] = set()
        groups: dict[bytes, str] = {}
        for el, field in widgets:
            if "Parent" in field:  # a radio button: its group is the field
                kids.add(field.reference)
                for key in ("T", "TU", "FT"):
                    field.pop(key, None)
                groups.setdefault(field["Parent"], self.legends.get(id(el)) or el.get("name") or "")
                continue
            unique = _unique(el.get("name") or el.get("data-ms-key") or el.get("id") or "field", used)
            field["T"] = pydyf.String(unique)
            field["TU"] = pydyf.String(self.tooltip(el) or unique)
            if "DA" in field:
                da = field["DA"]
                raw = da.string if hasattr(da, "string") else str(da)
                field["DA"] = pydyf.String(re.sub(r"/\S+ gs\s*", "", raw if isinstance(raw, str) else raw.decode()))
        for obj in pdf.objects:
            if isinstance(obj, pydyf.Dictionary) and obj.get("Kids") is not None and obj.reference in groups:
                obj["TU"] = pydyf.String(groups[obj.reference] or "")
                name = obj["T"].string if hasattr(obj["T"], "string") else str(obj["T"])
                obj["T"] = pydyf.String(_unique(name, used))
        acro["Fields"] = pydyf.Array([ref for ref in acro["Fields"] if ref not in kids])


def _unique(name: str, used: set[str]) -> str:
    """A field name not used yet in this PDF ('Goal', then 'Goal-2' ...); recorded as used."""
    unique, n = name, 1
    while unique in used:
        n += 1
        unique = f"{name}-{n}"
    used.add(unique)
    return unique


# --------------------------------------------------------------------------- the layout of a form on paper


def _sel(kind: str, fid: str) -> str:
    """A selector for the wrapper of one field of the web form (by the id the web partial gives it)."""
    return {"input": f'.ms-field:has(> [id="{fid}"])', "table": f'.ms-table:has(> [id="{fid}"])'}[kind]


def _same_shape(a, b) -> bool:
    """Two writing areas with as many lines, or two tables with as many rows: they can share a row."""
    if type(a) is not type(b):
        return False
    return getattr(a, "lines", None) == getattr(b, "lines", None) and getattr(a, "rows", None) == getattr(b, "rows", None)


def form_css(t, item_key) -> str:
    """Print-only rules for one template's form: which fields share a row, and table column widths.

    Short answers and dates take half a row; two neighbouring short writing areas (up to 3 lines), or
    two neighbouring small tables (up to 3 columns and 4 rows), share a row; ticks take a third of a
    row when their labels are short, half when they are of middle length. Everything else is full width.
    Decided here, from the data, because CSS cannot see how long a label is."""
    from . import models as m
    from .text import plain

    rules: list[str] = []

    def half_able(f) -> bool:
        return (isinstance(f, m.LongText) and f.lines <= 3) or (
            isinstance(f, m.Table) and len(f.columns) <= 3 and f.rows <= 4)

    for si, sec in enumerate(t.sections):
        fields = sec.fields
        width: dict[int, str] = {}
        i = 0
        while i < len(fields):
            f = fields[i]
            fid = f"{t.id}-s{si + 1}-f{i + 1}"
            if isinstance(f, (m.ShortText, m.DateField)):
                width[i] = "half"
            elif isinstance(f, m.Checkbox):  # a run of ticks shares one width, set by its longest label
                j = i
                while j < len(fields) and isinstance(fields[j], m.Checkbox):
                    j += 1
                n = max(len(plain(x.label)) for x in fields[i:j])
                for k in range(i, j):
                    width[k] = "third" if n <= 40 and j - i != 2 and j - i != 4 else "half" if n <= 80 else "full"
                i = j
                continue
            elif half_able(f) and i + 1 < len(fields) and _same_shape(f, fields[i + 1]) and half_able(fields[i + 1]):
                width[i] = width[i + 1] = "half"
                i += 1
            elif isinstance(f, m.LongText) and f.lines <= 3 and i + 1 < len(fields) and isinstance(
                    fields[i + 1], (m.ShortText, m.DateField)):
                width[i] = "half"
            elif isinstance(f, m.LongText) and f.lines <= 3 and i > 0 and width.get(i - 1) == "half" and isinstance(
                    fields[i - 1], (m.ShortText, m.DateField)):
                width[i] = "half"
            i += 1
        for i, f in enumerate(fields):
            fid = f"{t.id}-s{si + 1}-f{i + 1}"
            w = width.get(i, "full")
            if isinstance(f, m.Checkbox):
                sel = _sel("input", f"{t.id}-{item_key(f.label)}")
            elif isinstance(f, m.Table):
                sel = _sel("table", fid)
            elif isinstance(f, (m.ShortText, m.LongText, m.DateField)):
                sel = _sel("input", fid)
            else:
                continue
            if w != "full":
                rules.append(f"{sel} {{ display: inline-block; vertical-align: top; "
                             f"width: {'calc(50% - 3mm)' if w == 'half' else 'calc(33.3% - 3mm)'}; }}")
            if isinstance(f, m.Table):
                weights = f.widths or [1] * len(f.columns)
                total = sum(weights)
                for k, wt in enumerate(weights):
                    rules.append(f'table[aria-labelledby="{fid}"] th:nth-child({k + 1}) '
                                 f"{{ width: {100 * wt / total:.2f}%; }}")
                if f.rows > 6:
                    rules.append(f"{sel} {{ break-inside: auto; }}")
    return "\n".join(rules)
