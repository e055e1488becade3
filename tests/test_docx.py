"""Word downloads: forms with real content controls, lists that restart, tables that behave on paper,
page numbers, the site's language and colours, and clean document properties."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from docx import Document
from lxml import etree

from macros import documents as d
from macros import downloads
from macros import models as m
from macros.loader import load_site
from macros.models import contrast
from macros.text import plain

from .conftest import ROOT

pytestmark = pytest.mark.data

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
NS = {"w": W, "w14": W14}


@pytest.fixture(scope="module")
def site():
    s, problems = load_site(ROOT / "docs", ROOT)
    assert problems == []
    return s


@pytest.fixture(scope="module")
def files(site):
    """Every template's and guide's DOCX, with its parsed document.xml."""
    out = {}
    for path, (ext, job) in downloads.documents(site).items():
        if ext == "docx":
            data = d.to_docx(job)
            z = zipfile.ZipFile(io.BytesIO(data))  # kept open: the tests read its other parts
            out[path] = (data, etree.fromstring(z.read("word/document.xml")), z)
    return out


def _template(files, tid):
    return files[f"downloads/templates/{tid}.docx"]


def _controls(root, kind: str) -> list:
    """Content controls of one kind: text, richText, date, or the w14 checkbox."""
    path = ".//w14:checkbox" if kind == "checkbox" else f".//w:{kind}"
    return [sdt for sdt in root.iter(f"{{{W}}}sdt") if sdt.find(f"w:sdtPr/{path.split('//')[1]}", NS) is not None]


def test_every_field_of_every_template_is_a_content_control(site, files):
    for tid, t in site.templates.items():
        _, root, _ = _template(files, tid)
        fields = [f for s in t.sections for f in s.fields]
        short = sum(isinstance(f, m.ShortText) for f in fields)
        long = sum(isinstance(f, m.LongText) for f in fields)
        dates = sum(isinstance(f, m.DateField) for f in fields) + sum(isinstance(f, m.Signature) for f in fields)
        cells = sum(f.rows * len(f.columns) for f in fields if isinstance(f, m.Table))
        ticks = sum(isinstance(f, m.Checkbox) for f in fields) + sum(len(f.scale) for f in fields if isinstance(f, m.Rating))
        signatures = sum(isinstance(f, m.Signature) for f in fields)
        assert len(_controls(root, "text")) == short + cells + signatures, tid
        assert len(_controls(root, "richText")) == long, tid
        assert len(_controls(root, "date")) == dates, tid
        assert len(_controls(root, "checkbox")) == ticks, tid
        ids = [sdt.find("w:sdtPr/w:id", NS).get(f"{{{W}}}val") for sdt in root.iter(f"{{{W}}}sdt")]
        assert len(ids) == len(set(ids)), tid  # each control its own id
        for sdt in root.iter(f"{{{W}}}sdt"):
            assert sdt.find("w:sdtPr/w:alias", NS).get(f"{{{W}}}val"), tid  # named for screen readers


def test_checkboxes_and_dates_are_real_controls(files, site):
    _, root, _ = _template(files, "meeting-agenda-and-record")
    box = _controls(root, "checkbox")[0]
    assert box.find(".//w14:checked", NS).get(f"{{{W14}}}val") == "0"
    assert box.find(".//w14:uncheckedState", NS).get(f"{{{W14}}}val") == "2610"
    date = _controls(root, "date")[0].find(".//w:date", NS)
    assert date.find("w:lid", NS).get(f"{{{W}}}val").startswith(site.settings.language)
    assert "yyyy" in date.find("w:dateFormat", NS).get(f"{{{W}}}val")


def test_writing_lines_are_drawn_one_per_line_8_mm_apart(files):
    """Each line of a writing area is its own rule: a 'between' border (a bottom border alone merges
    the paragraphs into one box with one rule)."""
    _, root, _ = _template(files, "meeting-agenda-and-record")
    for area in _controls(root, "richText"):
        paras = area.findall("w:sdtContent/w:p", NS)
        assert len(paras) >= 2
        for p in paras:
            assert p.find("w:pPr/w:pBdr/w:between", NS) is not None and p.find("w:pPr/w:pBdr/w:bottom", NS) is not None
            spacing = p.find("w:pPr/w:spacing", NS)
            assert int(spacing.get(f"{{{W}}}line")) >= 454 and spacing.get(f"{{{W}}}lineRule") == "exact"


def test_numbered_lists_restart_at_one(files, site):
    for path in ("downloads/curriculum/communication.docx", "downloads/curriculum/course-pack.docx"):
        data, root, z = files[path]
        numbering = etree.fromstring(z.read("word/numbering.xml"))
        doc = Document(io.BytesIO(data))
        lists, current, last = [], None, None
        for p in doc.paragraphs:
            num = p._p.find("w:pPr/w:numPr/w:numId", NS)
            if p.style.name == "List Number":
                assert num is not None, path
                if num.get(f"{{{W}}}val") != last:
                    lists.append(num.get(f"{{{W}}}val"))
                last = num.get(f"{{{W}}}val")
            else:
                last = None
        assert len(lists) >= 2 and len(set(lists)) == len(lists), path  # one numbering per list
        for num_id in lists:
            num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
            assert num.find("w:lvlOverride/w:startOverride", NS).get(f"{{{W}}}val") == "1"
    sessions = sorted(site.curriculum.values(), key=lambda x: x.number)
    numbered_in_pack = sum(1 + len(x.cases) for x in sessions)  # objectives, then each case's prompts
    assert numbered_in_pack == len(lists)


def test_tables_repeat_their_header_and_keep_rows_whole_with_widths_from_the_data(files, site):
    for path, (_, root, _) in files.items():
        for tbl in root.iter(f"{{{W}}}tbl"):
            rows = tbl.findall("w:tr", NS)
            assert rows[0].find("w:trPr/w:tblHeader", NS) is not None, path
            assert all(r.find("w:trPr/w:cantSplit", NS) is not None for r in rows), path
    t = site.templates["meeting-agenda-and-record"]
    actions = next(f for s in t.sections for f in s.fields if isinstance(f, m.Table) and f.label == "Actions")
    _, root, _ = _template(files, t.id)
    grids = [[int(c.get(f"{{{W}}}w")) for c in tbl.findall("w:tblGrid/w:gridCol", NS)] for tbl in root.iter(f"{{{W}}}tbl")]
    want = [round(w / actions.widths[-1], 1) for w in actions.widths]
    assert any([round(w / g[-1], 1) for w in g] == want for g in grids)
    for tbl in root.iter(f"{{{W}}}tbl"):  # rows of writing height
        for row in tbl.findall("w:tr", NS)[1:]:
            assert int(row.find("w:trPr/w:trHeight", NS).get(f"{{{W}}}val")) >= 454


def test_footer_numbers_pages_and_header_names_the_programme(files, site):
    data, _, z = _template(files, "mentoring-agreement")
    footers = [etree.fromstring(z.read(n)) for n in z.namelist() if re.match(r"word/footer\d*\.xml", n)]
    instr = " ".join(f.get(f"{{{W}}}instr") for footer in footers for f in footer.iter(f"{{{W}}}fldSimple"))
    assert "PAGE" in instr.split() and "NUMPAGES" in instr.split()
    doc = Document(io.BytesIO(data))
    assert site.settings.programme_name in doc.sections[0].header.paragraphs[0].text


def test_language_colour_and_properties_are_the_sites(files, site):
    data, root, z = _template(files, "meeting-agenda-and-record")
    t = site.templates["meeting-agenda-and-record"]
    styles = etree.fromstring(z.read("word/styles.xml"))
    lang = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS).get(f"{{{W}}}val")
    assert lang.split("-")[0] == site.settings.language
    for style_id in ("Heading1", "Heading2"):
        colour = styles.find(f"w:style[@w:styleId='{style_id}']/w:rPr/w:color", NS)
        assert colour.get(f"{{{W}}}val").lower() == site.settings.primary_colour.lstrip("#").lower()
        assert colour.get(f"{{{W}}}themeColor") is None  # not Word's theme blue
        assert contrast("#" + colour.get(f"{{{W}}}val"), "#ffffff") >= 4.5
    props = Document(io.BytesIO(data)).core_properties
    assert props.title == plain(t.title) and props.subject and props.language == lang
    assert props.author == site.settings.programme_name and props.comments == ""
    app = z.read("docProps/app.xml").decode("utf-8")
    assert "Macintosh" not in app and "<Pages>" not in app and "<Words>" not in app and "<Template>" not in app
    assert not any(n.startswith(("customXml/", "docProps/thumbnail")) for n in z.namelist())
    rels = z.read("_rels/.rels").decode("utf-8") + z.read("word/_rels/document.xml.rels").decode("utf-8")
    assert "thumbnail" not in rels and "customXml" not in rels
    # the navigation pane lists the title and the sections: built-in headings, with outline levels
    doc = Document(io.BytesIO(data))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == plain(t.title) and [plain(s.title) for s in t.sections] == headings[1:]


def test_paragraph_and_table_properties_are_in_the_order_word_requires(files):
    """Word refuses a file whose w:pPr or w:tblPr children are out of the schema's order."""
    for path, (_, root, z) in files.items():
        for part in [root, etree.fromstring(z.read("word/styles.xml"))]:
            for parent, order in ((f"{{{W}}}pPr", d._PPR_ORDER), (f"{{{W}}}tblPr", d._TBLPR_ORDER)):
                for el in part.iter(parent):
                    names = [c.tag.split("}")[1] for c in el]
                    ranks = [order.index(n) for n in names if n in order]
                    assert ranks == sorted(ranks) and len(set(names)) == len(names), (path, names)


def test_docx_files_are_byte_identical_when_made_twice(site):
    t = site.templates["mentoring-agreement"]
    assert downloads.template_file(site, t, "docx") == downloads.template_file(site, t, "docx")
