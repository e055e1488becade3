"""PDF downloads: made from the web pages' HTML, tagged, fillable, within their page budgets, any script.

Most checks read the PDFs with pypdf, as a reader's tools would; the layout checks look at the pages
WeasyPrint laid out (where each heading, label and table row landed).
"""

from __future__ import annotations

import dataclasses
import io
import os
import re
import shutil

import pytest
from pypdf import PdfReader

from macros import downloads, pdf
from macros import models as m
from macros.loader import load_site
from macros.text import plain

from .conftest import FIXTURES, ROOT, build, edit

MM = 96 / 25.4  # CSS pixels per millimetre (WeasyPrint's layout unit)

# Pages of each template PDF as the fpdf2 writer made them (commit ddb9b1c), A4 and Letter: the
# budget of every template the issue does not give one. Three templates have budgets of their own.
BEFORE = {
    "mentoring-agreement": (4, 4), "first-meeting-checklist": (2, 2), "mentee-needs-self-assessment": (3, 3),
    "mentoring-network-map": (3, 3), "meeting-agenda-and-record": (3, 3), "individual-development-plan": (3, 3),
    "mentor-self-assessment": (2, 3), "relationship-health-check": (2, 2), "mentoring-committee-pack": (3, 3),
    "closing-or-transition-form": (2, 2), "programme-evaluation-kit": (4, 4), "evaluation-plan": (3, 3),
    "external-review-record": (2, 2), "programme-design-checklist": (2, 2), "group-peer-ground-rules": (2, 3),
    "speed-mentoring-run-sheet": (2, 3), "reverse-mentoring-run-sheet": (2, 3), "distance-mentoring-protocol": (2, 2),
}
BUDGET = {"meeting-agenda-and-record": 1, "first-meeting-checklist": 2, "mentoring-agreement": 3}
PAPERS = ("A4", "Letter")


@pytest.fixture(scope="module")
def site():
    s, problems = load_site(ROOT / "docs", ROOT)
    assert problems == []
    return s


def _render(job: pdf.PdfJob):
    html, doc = pdf.layout(job)
    return doc.write_pdf(finisher=pdf.Finisher(html.etree_element), **pdf.OPTIONS), doc, html


@pytest.fixture(scope="module")
def templates(site):
    """Every template, laid out and written on A4 and on Letter: {(id, paper): (bytes, layout, html)}."""
    return {(tid, paper): _render(downloads.template_pdf(site, t, paper))
            for tid, t in site.templates.items() for paper in PAPERS}


@pytest.fixture(scope="module")
def guides(site):
    sessions = sorted(site.curriculum.values(), key=lambda x: x.number)
    out = {x.id: _render(downloads.session_pdf(site, x, "A4")) for x in sessions}
    out["course-pack"] = _render(downloads.course_pack_pdf(site, sessions, "A4", max(x.version for x in sessions)))
    return out


def fillable(t: m.Template) -> int:
    """Items a reader fills in, as the YAML has them: a field each, a cell per table cell, two per signature."""
    n = 0
    for sec in t.sections:
        for f in sec.fields:
            if isinstance(f, m.Table):
                n += f.rows * len(f.columns)
            elif isinstance(f, m.Signature):
                n += 2
            elif not isinstance(f, m.Guidance):
                n += 1
    return n


def _outline_titles(reader: PdfReader) -> list[str]:
    out = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item.title)

    walk(reader.outline)
    return out


# --------------------------------------------------------------------------- tagged, titled, fillable


@pytest.mark.slow
def test_every_template_pdf_is_tagged_titled_bookmarked_and_fillable(site, templates):
    for (tid, paper), (data, _, _) in templates.items():
        t = site.templates[tid]
        reader = PdfReader(io.BytesIO(data))
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root, tid
        assert bool(root["/MarkInfo"]["/Marked"]) is True, tid
        assert root["/Lang"] == site.settings.language, tid
        assert reader.metadata.title == plain(t.title), tid
        assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True, tid  # the viewer shows the title
        titles = _outline_titles(reader)
        assert titles[0] == plain(t.title) and all(plain(s.title) in titles for s in t.sections), (tid, titles)
        fields = reader.get_fields() or {}
        assert len(fields) >= fillable(t), (tid, paper, len(fields), fillable(t))
        for name, field in fields.items():
            assert field.get("/TU"), (tid, name)  # a tooltip that screen readers announce
        kinds = {str(f.get("/FT")) for f in fields.values()}
        assert "/Tx" in kinds, tid
        if any(isinstance(f, m.Checkbox) for s in t.sections for f in s.fields):
            assert "/Btn" in kinds, tid


@pytest.mark.slow
def test_form_fields_are_named_after_their_labels_with_spaces_kept(site, templates):
    data = templates[("mentoring-agreement", "A4")][0]
    tooltips = {str(f["/TU"]) for f in PdfReader(io.BytesIO(data)).get_fields().values()}
    labels = {plain(f.label) for s in site.templates["mentoring-agreement"].sections for f in s.fields
              if isinstance(f, (m.ShortText, m.LongText, m.DateField, m.Checkbox))}
    assert labels <= tooltips, labels - tooltips  # a wrapped label keeps the space at its line break
    assert any(re.fullmatch(r"Goals for this period: Goal, row 1", tu) for tu in tooltips)


@pytest.mark.slow
def test_rating_scales_are_one_radio_field_each(site):
    t = site.templates["mentee-needs-self-assessment"]
    ratings = [f for s in t.sections for f in s.fields if isinstance(f, m.Rating)]
    assert ratings
    reader = PdfReader(io.BytesIO(pdf.render(downloads.template_pdf(site, t, "A4"))))
    acro = reader.trailer["/Root"]["/AcroForm"]["/Fields"]
    groups = [f.get_object() for f in acro if "/Kids" in f.get_object()]
    assert len(groups) == len(ratings)
    scales = {plain(r.label): len(r.scale) for r in ratings}
    for g in groups:
        assert len(g["/Kids"]) == scales[g["/TU"]]  # one button per point of the scale, named by the legend
        for kid in g["/Kids"]:
            assert "/T" not in kid.get_object()  # a button of the group, not a field of its own
    assert not any(kid in acro for g in groups for kid in g["/Kids"])
    for f in acro:
        da = f.get_object().get("/DA")
        assert da is None or " gs" not in str(da)


@pytest.mark.slow
def test_links_are_clickable(site, templates):
    data = templates[("meeting-agenda-and-record", "A4")][0]
    uris = [a.get_object()["/A"]["/URI"] for page in PdfReader(io.BytesIO(data)).pages
            for a in page.get("/Annots", []) if a.get_object().get("/Subtype") == "/Link"]
    assert f"mailto:{site.settings.contact_email}" in uris


def test_relative_links_become_absolute_with_a_public_address_or_are_left_out():
    html = '<a href="../references.html#ref-x">A</a> <a href="https://doi.org/1">B</a> <a href="#s1">C</a>'
    assert pdf.absolute_links(html, "https://m.example/templates/a.html") == (
        '<a href="https://m.example/references.html#ref-x">A</a> <a href="https://doi.org/1">B</a> <a href="#s1">C</a>')
    assert pdf.absolute_links(html, "") == '<a>A</a> <a href="https://doi.org/1">B</a> <a href="#s1">C</a>'


def test_css_strings_cannot_end_the_style_element():
    text = 'a "b" \\ </style><script>x</script>\n'
    out = str(pdf.css_string(text))
    assert "<" not in out and ">" not in out and "\n" not in out and len(re.findall(r'(?<!\\)"', out)) == 2
    assert str(pdf.css_content("Page {page} of {pages}", page="counter(page)", pages="counter(pages)")) == \
        '"Page " counter(page) " of " counter(pages)'


# --------------------------------------------------------------------------- layout


def _pages_of(doc) -> dict[int, set[int]]:
    """id(element) -> the pages (0-based) its boxes are on."""
    where: dict[int, set[int]] = {}
    for i, page in enumerate(doc.pages):
        for box in page._page_box.descendants():
            if getattr(box, "element", None) is not None and box.element_tag not in ("html", "body"):
                where.setdefault(id(box.element), set()).add(i)
    return where


KEEP_WITH_NEXT = {"h1", "h2", "h3", "h4", "legend", "dt", "label"}


def _separated(doc, html) -> list[str]:
    """Headings, labels, legends and table captions on a different page from what follows them."""
    where = _pages_of(doc)
    out = []
    for parent in html.etree_element.iter():
        children = [c for c in parent if isinstance(c.tag, str)]
        for el, nxt in zip(children, children[1:]):
            caption = el.tag == "p" and "ms-table__label" in (el.get("class") or "")
            if el.tag not in KEEP_WITH_NEXT and not caption:
                continue
            if id(el) in where and id(nxt) in where and max(where[id(el)]) < min(where[id(nxt)]):
                out.append(" ".join("".join(el.itertext()).split()))
    return out


@pytest.mark.slow
def test_headings_labels_and_legends_keep_with_what_follows(templates, guides):
    for key, (_, doc, html) in {**templates, **guides}.items():
        assert _separated(doc, html) == [], key


def test_page_budgets_hold_in_a4_and_letter_branded_and_blank(site, built_site):
    """Every template PDF the site publishes: both paper sizes, the branded file and the blank copy."""
    from macros.registry import download_path, variants

    seen = 0
    for tid in site.templates:
        for variant, paper in variants("pdf", site.settings.paper_size):
            data = (built_site / download_path("templates", tid, "pdf", variant)).read_bytes()
            reader = PdfReader(io.BytesIO(data))
            assert reader.pages[0].mediabox.height == pytest.approx(842 if paper == "A4" else 792, abs=1)
            budget = BUDGET.get(tid, BEFORE[tid][PAPERS.index(paper)])
            assert len(reader.pages) <= budget, (tid, variant, len(reader.pages), budget)
            seen += 1
    assert seen == 4 * len(site.templates)  # upstream does not fix a paper size: A4 and Letter, branded and blank


@pytest.mark.slow
def test_writing_space_and_tables(site, templates):
    """Writing lines and rows at least 8 mm apart; short tables whole; long tables repeat their header;
    columns as wide as the data says."""
    for (tid, paper), (_, doc, html) in templates.items():
        where = _pages_of(doc)
        for page in doc.pages:
            for box in page._page_box.descendants():
                tag = getattr(box, "element_tag", "")
                if tag == "textarea":
                    rows = int(box.element.get("rows"))
                    assert box.border_height() >= rows * 8 * MM - 0.5, (tid, box.element.get("name"))
                elif tag == "td" and box.element.find("input") is not None:
                    assert box.border_height() >= 8 * MM - 0.5, tid
                elif tag == "input" and box.element.get("type") in ("text", "date"):
                    assert box.border_height() >= 8 * MM - 0.5, tid
        for table in html.etree_element.iter("table"):
            rows = table.findall("./tbody/tr")
            pages = set().union(*(where.get(id(r), set()) for r in rows))
            if len(rows) <= 6:
                assert len(pages) == 1, (tid, paper, "split table")
            for p in pages:  # every page with rows has the header
                assert p in where[id(table.find("./thead"))], (tid, "header not repeated")
    # the widths of the agenda's tables follow the data ([6, 3, 2] for Actions)
    t = site.templates["meeting-agenda-and-record"]
    _, doc, page_html = templates[("meeting-agenda-and-record", "A4")]
    (si, fi), actions = next(((si, fi), f) for si, s in enumerate(t.sections) for fi, f in enumerate(s.fields)
                             if isinstance(f, m.Table) and f.label == "Actions")
    fid = f"{t.id}-s{si + 1}-f{fi + 1}"
    ths = [b for b in doc.pages[0]._page_box.descendants() if type(b).__name__ == "TableCellBox"
           and id(b.element) in {id(th) for table in page_html.etree_element.iter("table")
                                 if table.get("aria-labelledby") == fid for th in table.iter("th")}]
    widths = [b.border_width() for b in ths]
    assert [round(w / widths[-1], 1) for w in widths] == [round(x / actions.widths[-1], 1) for x in actions.widths]


@pytest.mark.slow
def test_guides_keep_the_timed_plan_whole_and_the_pack_has_contents_and_one_reference_list(site, guides):
    for sid, (_, doc, html) in guides.items():
        where = _pages_of(doc)
        for table in html.etree_element.iter("table"):
            assert len(set().union(*(where.get(id(r), set()) for r in table.iter("tr")))) == 1, sid
    data, doc, html = guides["course-pack"]
    reader = PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    sessions = sorted(site.curriculum.values(), key=lambda x: x.number)
    for x in sessions:  # contents: every session with the page it starts on
        title = site.messages.text("session.title", number=x.number, title=plain(x.title))
        first = min(_pages_of(doc)[id(next(h for h in html.etree_element.iter("h2") if h.get("id") == f"session-{x.number}"))])
        assert re.search(re.escape(title[:40]) + r".*?\.{3,}\s*" + str(first + 1) + r"\b", " ".join(text.split()), re.S), title
    titles = _outline_titles(reader)
    assert all(site.messages.text("session.title", number=x.number, title=plain(x.title)) in titles for x in sessions)
    heading = site.messages.text("session.references_heading")
    assert titles.count(heading) == 1  # one reference list for the whole pack
    full = " ".join(p.extract_text() for p in reader.pages)
    for key in {k for x in sessions for k in x.references}:
        assert site.references[key].link in full.replace("\n", ""), key


def test_a_short_last_page_is_pulled_back():
    """Text that spills a few lines onto a second page is laid out again, tighter, on one page."""
    from weasyprint import HTML

    para = "<p>" + "Mentoring words on a line of their own. " * 6 + "</p>"
    style = ("@page { size: A4; margin: 15mm } @page tight { margin: 11mm 15mm } html.tight body { page: tight } "
             "p { margin: 0 0 3mm; font-size: 10pt; } .tight p { margin-bottom: 1mm; }")
    for n in range(5, 60):
        html = (f'<!DOCTYPE html><html lang="en"><head><title>x</title><style>{style}</style></head>'
                f"<body><h1>T</h1>{para * n}</body></html>")
        if len(HTML(string=html).render().pages) == 2:  # the first count that spills onto a second page
            _, doc = pdf.layout(pdf.PdfJob(html))
            assert len(doc.pages) == 1
            return
    pytest.fail("no paragraph count spilled onto a second page")


# --------------------------------------------------------------------------- fonts and scripts


def needs_fonts(*texts: str) -> None:
    """Skip (on a laptop) or fail (under CI) when the Noto fonts for other scripts are not installed."""
    missing = [c for t in texts for c in pdf.undrawable(t)]
    if missing:
        reason = ("no installed font draws " + "".join(sorted(set(missing)))[:20]
                  + ": install fonts-noto-core and fonts-noto-cjk (README: Fonts)")
        if os.environ.get("CI"):
            pytest.fail("CI is set but " + reason)
        pytest.skip(reason)


JAPANESE = "東京医科大学 メンタリング"
ARABIC = "برنامج الإرشاد الطبي"


def _fonts(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


def test_japanese_and_arabic_names_are_drawn_with_fallback_fonts(site):
    needs_fonts(JAPANESE, ARABIC)
    s = site.settings.model_copy(update={"programme_name": JAPANESE, "institution": ARABIC})
    t = site.templates["meeting-agenda-and-record"]
    data = downloads.template_file(site, t, "pdf", s)
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert JAPANESE in text and ARABIC in text
    fonts = _fonts(data)
    assert any("CJK" in f for f in fonts) and any("Arabic" in f for f in fonts), fonts
    assert any(f.startswith("Noto-Sans-Print") for f in fonts)  # the bundled face for Latin


def test_a_right_to_left_site_lays_its_pdfs_out_right_to_left(site):
    needs_fonts(ARABIC)
    s = site.settings.model_copy(update={"language": "ar", "programme_name": ARABIC})
    rtl = dataclasses.replace(site, settings=s, messages=dataclasses.replace(site.messages, language="ar"))
    t = site.templates["meeting-agenda-and-record"]
    html, doc = pdf.layout(downloads.template_pdf(rtl, t, "A4"))
    assert html.etree_element.get("dir") == "rtl" and html.etree_element.get("lang") == "ar"
    page = doc.pages[0]._page_box
    h1 = next(b for b in page.descendants() if getattr(b, "element_tag", "") == "h1")
    line = next(b for b in h1.descendants() if type(b).__name__ == "LineBox")
    text_box = next(b for b in line.descendants() if type(b).__name__ == "TextBox")
    right = h1.content_box_x() + h1.width
    assert abs((text_box.position_x + text_box.width) - right) < 2  # the title starts at the right edge
    reader = PdfReader(io.BytesIO(doc.write_pdf(**pdf.OPTIONS)))
    assert reader.trailer["/Root"]["/Lang"] == "ar"


def test_bundled_fonts_draw_latin_greek_and_cyrillic_and_nothing_else_is_assumed():
    assert pdf.undrawable("Łódź “Zürich” — Genève Ωμέγα Москва Tiếng Việt €") == []
    covered = pdf.bundled_coverage()
    assert ord("東") not in covered and ord("ب") not in covered
    assert pdf.undrawable("\U0010fffd") == ["\U0010fffd"]  # a private-use character no font has


@pytest.mark.fixture
def test_text_no_font_can_draw_stops_the_build_with_one_line(fixture_site):
    edit(fixture_site / "docs/data/settings.yml", "programme_name: Fixture Programme",
         'programme_name: "Fixture Programme \U0010fffd"')
    result = build(fixture_site, fixture_site / "out")
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    lines = [ln for ln in output.splitlines() if "no installed font can draw" in ln]
    assert len(lines) == 1, output
    assert "docs/data/settings.yml" in lines[0] and "settings.programme_name" in lines[0] and "U+10FFFD" in lines[0]


# --------------------------------------------------------------------------- a fork in other scripts

FORK = {"programme_name": ARABIC, "institution": JAPANESE}  # as in tests/fixtures/fork-scripts


@pytest.fixture(scope="module")
def scripts_fork(tmp_path_factory):
    """A fork whose programme is named in Arabic (right to left) and whose institution in Japanese."""
    from .test_fork import copy_project

    project = copy_project(tmp_path_factory.mktemp("scripts") / "project")
    shutil.copytree(FIXTURES / "fork-scripts", project, dirs_exist_ok=True)
    out = project / "site"
    result = build(project, out)
    return result, out


@pytest.mark.slow
def test_a_fork_in_arabic_and_japanese_builds_and_names_itself_in_every_pdf_and_docx(scripts_fork):
    needs_fonts(*FORK.values())
    from .test_downloads import docx_text

    result, out = scripts_fork
    assert result.returncode == 0, result.stdout + result.stderr
    fixture = (FIXTURES / "fork-scripts/docs/local/settings.yml").read_text(encoding="utf-8")
    assert all(name in fixture for name in FORK.values())
    files = sorted((out / "downloads").rglob("*.pdf")) + sorted((out / "downloads").rglob("*.docx"))
    assert len(files) > 40
    for f in files:
        data = f.read_bytes()
        if f.suffix == ".pdf":
            reader = PdfReader(io.BytesIO(data))
            text = " ".join(p.extract_text() for p in reader.pages)
            assert reader.trailer["/Root"]["/Lang"] == "ar", f
        else:
            text = docx_text(data)
        for name in FORK.values():
            assert (name in text) != ("-blank" in f.name), (f.name, name)  # blank copies name no programme
