"""The attacker's build: hostile text in every string of every record, setting and page front matter.

A pull request can change any record and a fork any setting. This test puts a payload that tries
every way out (raw HTML, event handlers, script URLs in Markdown links, quotes out of attributes, an
entity-encoded ``</title>``, attr_list braces, Jinja) into every free-text field the models accept,
builds the whole site, and looks at everything the build publishes: every HTML page (print books and
redirects included), the search index, the open data (JSON, BibTeX, CSL-JSON), the Markdown, DOCX
and PDF downloads and the offline copy. Nothing may be live, and the payload's text must still be
shown (escaped), so that a field silently dropped does not pass.
"""

from __future__ import annotations

import copy
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ValidationError

from macros import models as m
from macros.registry import DATASETS

from .conftest import build
from .hostile import find_live, payload

pytestmark = pytest.mark.slow

MARK = "XSSMARK"


def _poison(value: Any, check) -> tuple[Any, int]:
    """Every string leaf replaced by the longest payload its field accepts (``check`` validates)."""
    count = 0

    def walk(node: Any, set_value) -> None:
        nonlocal count
        if isinstance(node, dict):
            for key in list(node):
                walk(node[key], lambda v, k=key: node.__setitem__(k, v))
        elif isinstance(node, list):
            for i in range(len(node)):
                walk(node[i], lambda v, i=i: node.__setitem__(i, v))
        elif isinstance(node, str):
            for candidate in (payload(MARK), payload(MARK, short=True)):
                set_value(candidate)
                if check():
                    count += 1
                    return
            set_value(node)

    walk(value, lambda v: None)
    return value, count


def _keep_material_references(session: dict, original: dict, template_ids: dict[str, str]) -> None:
    """A timed plan names its materials by title, as ids name records: the names stay valid (templates by
    id, since their titles are poisoned), so the build checks the payload rather than a broken reference.
    The materials' other text (points, cards, intros) stays poisoned."""
    for material, was in zip(session.get("materials", []), original.get("materials", [])):
        material["title"] = was["title"]
    for activity, was in zip(session["activities"], original["activities"]):
        items = []
        for item in m.material_items(was["materials"]):
            bare = item.lower().removesuffix(" template")
            items.append(f"{template_ids[bare]} template" if bare in template_ids else item)
        activity["materials"] = "; ".join(items)


def _valid(model: type[BaseModel], data: Any) -> bool:
    try:
        model.model_validate(data)
        return True
    except ValidationError:
        return False


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    from .test_fork import copy_project

    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    docs = project / "docs"
    poisoned = 0
    template_ids = {t["title"].lower(): t["id"] for t in
                    yaml.safe_load((docs / "data/templates.yml").read_text(encoding="utf-8"))["templates"]}
    for ds in DATASETS:
        path = docs / "data" / f"{ds.name}.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for record in data[ds.name]:
            def check(record=record, ds=ds) -> bool:
                return _valid(ds.model.model_fields[ds.name].annotation.__args__[0], record)
            original = copy.deepcopy(record)
            _, n = _poison(record, check)
            poisoned += n
            if ds.name == "curriculum":
                _keep_material_references(record, original, template_ids)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    settings_path = docs / "data" / "settings.yml"
    settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
    settings["settings"].pop("hidden_pages", None)
    _, n = _poison(settings["settings"], lambda: _valid(m.Settings, settings["settings"]))
    assert n >= 10, "the settings lost their free-text fields; keep this test meaningful"
    settings_path.write_text(yaml.safe_dump(settings, allow_unicode=True, sort_keys=False), encoding="utf-8")
    pages = 0
    for page in sorted(docs.rglob("*.md")):
        text = page.read_text(encoding="utf-8")
        head, body = text.split("\n---", 1) if text.startswith("---") else (None, text)
        if head is None:
            continue
        meta = yaml.safe_load(head[3:])
        short = payload(MARK, short=True).replace("\n", " ")
        meta.update(title=short, description=short + " describes", reviewed_by=short)
        page.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---" + body,
                        encoding="utf-8")
        pages += 1
    assert poisoned > 500 and pages > 100
    out = project / "site"
    result = build(project, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_no_page_runs_the_payload_and_every_page_shows_it(hostile_site: Path):
    pages = sorted(hostile_site.rglob("*.html"))
    live = {p.relative_to(hostile_site).as_posix(): find_live(p.read_text(encoding="utf-8"), MARK) for p in pages}
    assert {k: v for k, v in live.items() if v} == {}
    shown = [p for p in pages if MARK in p.read_text(encoding="utf-8")]
    assert len(shown) >= len(pages) - 2, "pages where the payload's text was dropped instead of shown"
    agreement = (hostile_site / "templates/mentoring-agreement.html").read_text(encoding="utf-8")
    assert agreement.count("&lt;script&gt;") >= 10  # still there, as text


def test_the_title_and_head_hold_no_breakout(hostile_site: Path):
    """The payload stays inside <title> and inside the description's attribute, as text."""
    from html.parser import HTMLParser

    class Head(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.description, self.title, self.in_title = None, "", False

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            if tag == "meta" and attrs.get("name") == "description":
                self.description = attrs.get("content")
            self.in_title = tag == "title"

        def handle_endtag(self, tag):
            self.in_title = False if tag == "title" else self.in_title

        def handle_data(self, data):
            if self.in_title:
                self.title += data

    for page in sorted(hostile_site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if "http-equiv=\"refresh\"" in text or page.name == "404.html":
            continue  # a moved page's redirect, and the 404 page (no page of its own): checked for live content above
        head = text.split("</head>", 1)[0]
        assert len(re.findall(r"<title>", head)) == 1, page
        parser = Head()
        parser.feed(head)
        assert f'{MARK}"><ms-pwned' in parser.title, page  # the whole payload is the title's text
        assert parser.description and f'{MARK}"><ms-pwned' in parser.description, page


def test_the_search_index_shows_text_not_markup(hostile_site: Path):
    index = json.loads((hostile_site / "search/search_index.json").read_text(encoding="utf-8"))
    hits = 0
    for doc in index["docs"]:
        for key in ("title", "text"):
            assert find_live(doc.get(key, ""), MARK) == [], (doc["location"], key)
            hits += MARK in doc.get(key, "")
    assert hits > 100


def test_open_data_is_inert_and_complete(hostile_site: Path):
    for path in sorted((hostile_site / "data").glob("*.json")):
        raw = path.read_text(encoding="utf-8")
        json.loads(raw)
        assert "<" not in raw and ">" not in raw, f"{path.name}: raw angle brackets (a JSON file must never sniff as HTML)"
    assert MARK in (hostile_site / "data/templates.json").read_text(encoding="utf-8")
    bib = (hostile_site / "data/references.bib").read_text(encoding="utf-8")
    assert MARK in bib
    allowed = {"author", "title", "year", "journal", "volume", "number", "pages", "howpublished", "doi", "pmid",
               "url", "urldate"}
    for entry in re.split(r"\n(?=@)", bib.strip()):
        assert entry.count("{") == entry.count("}"), entry[:80]
        fields = set(re.findall(r"^  ([a-z]+) = \{", entry, re.M))
        assert fields <= allowed, fields - allowed
        assert re.search(r"\\input|\\write|\\def", entry.replace("\\textbackslash{}", "")) is None
    csl = json.loads((hostile_site / "data/references.csl.json").read_text(encoding="utf-8"))
    for item in csl:
        for key in ("URL", "DOI"):
            value = item.get(key, "")
            assert not value or value.startswith(("https://", "http://", "10.")), value


def test_markdown_downloads_carry_no_live_html(hostile_site: Path):
    files = sorted((hostile_site / "downloads").rglob("*.md.txt"))
    assert files
    for f in files:
        text = f.read_text(encoding="utf-8")
        assert MARK in text, f
        assert re.search(r"(?<!\\)<(?:[A-Za-z/!?]|$)", text) is None, f"{f.name}: raw HTML"
        assert re.search(r"\]\(\s*(?:javascript|data|vbscript):", text, re.I) is None, f.name


def test_docx_and_pdf_downloads_hold_the_text_and_only_safe_links(hostile_site: Path):
    from pypdf import PdfReader

    for f in sorted((hostile_site / "downloads/templates").glob("*.docx"))[:4]:
        with zipfile.ZipFile(f) as z:
            assert MARK in z.read("word/document.xml").decode("utf-8")
            rels = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".rels"))
            assert re.search(r'Target="\s*(javascript|data|vbscript):', rels, re.I) is None
    for f in sorted((hostile_site / "downloads/templates").glob("*.pdf"))[:4]:
        reader = PdfReader(io.BytesIO(f.read_bytes()))
        assert any(MARK in (page.extract_text() or "") for page in reader.pages), f.name
        for page in reader.pages:
            for annot in page.get("/Annots") or []:
                action = annot.get_object().get("/A") or {}
                uri = str(action.get("/URI", ""))
                assert not uri or uri.startswith(("http://", "https://", "mailto:")), (f.name, uri)
                assert "/JS" not in action and action.get("/S") != "/JavaScript", f.name


def test_the_offline_copy_is_the_same_escaped_site(hostile_site: Path):
    with zipfile.ZipFile(hostile_site / "downloads/offline/mentoring-site.zip") as z:
        for name in z.namelist():
            if name.endswith(".html"):
                assert find_live(z.read(name).decode("utf-8"), MARK) == [], name
