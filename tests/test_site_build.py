"""The real site: a strict build, then assertions on its pages and its content rules."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from macros.loader import load_site

from .conftest import ROOT, nav_pages

DOCS = ROOT / "docs"

# The source article's invented statistics and claims. None may appear anywhere, even quoted.
FORBIDDEN = [
    r"136 studies", r"50,000", r"2\.3\s*(x|×|times)", r"12\s*% higher", r"37\s*%", r"1\.8\s*(x|×|times)",
    r"68\s*%", r"42\s*%", r"\bMRI\b", r"\bfMRI\b", r"neural pathways", r"Mayo Clinic model",
    r"monthly structured meetings",
]




def test_every_page_is_in_the_navigation_exactly_once():
    nav = nav_pages()
    pages = sorted(p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md") if not p.relative_to(DOCS).as_posix().startswith("local/"))
    assert sorted(set(nav)) == pages
    assert len(nav) == len(set(nav))


def test_at_least_thirty_content_pages(site):
    generated = {"templates/", "models/", "references.md", "case-studies.md", "about/changelog.md", "checklists/"}
    content = [p for p in site.pages if not any(p.startswith(g) for g in generated)]
    assert len(content) >= 30, content


def test_every_reference_is_cited_and_has_an_identifier(site):
    uncited = sorted(set(site.references) - set(site.cited_on))
    assert uncited == [], f"references never cited: {uncited}"
    for ref in site.references.values():
        assert ref.doi or ref.pmid or ref.url
    assert len(site.references) >= 25


# The real imaging study that the claims page cites has "fMRI" in its title; only that exact title is exempt.
REAL_TITLES = ["Visioning in the brain: an fMRI study of inspirational coaching and mentoring"]


def _without_real_titles(text: str) -> str:
    for title in REAL_TITLES:
        text = text.replace(title, "")
    return text


def test_no_invented_figures_anywhere_in_the_sources():
    hits = []
    for path in sorted(list(DOCS.rglob("*.md")) + list(DOCS.rglob("*.yml"))):
        text = _without_real_titles(path.read_text(encoding="utf-8"))
        for pattern in FORBIDDEN:
            for match in re.finditer(pattern, text, flags=re.I):
                hits.append(f"{path.relative_to(ROOT)}: {match.group(0)!r}")
    assert hits == []


class _Text(HTMLParser):
    """Collects text of block elements inside the article, with whether each contains a citation badge."""

    BLOCKS = {"p", "li", "td"}

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, bool]] = []
        self._stack: list[list] = []
        self._in_article = 0
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "article":
            self._in_article += 1
        if tag == "aside" or (tag == "span" and "evidence" in (a.get("class") or "").split()):
            if tag == "span":
                for block in self._stack:
                    block[1] = True
            else:
                self._skip += 1
        if self._in_article and not self._skip and tag in self.BLOCKS:
            self._stack.append(["", False])

    def handle_endtag(self, tag):
        if tag == "aside" and self._skip:
            self._skip -= 1
        if tag == "article":
            self._in_article -= 1
        if tag in self.BLOCKS and self._stack and self._in_article and not self._skip:
            text, cited = self._stack.pop()
            if self._stack:
                self._stack[-1][0] += text
                self._stack[-1][1] = self._stack[-1][1] or cited
            else:
                self.blocks.append((" ".join(text.split()), cited))

    def handle_data(self, data):
        if self._stack:
            self._stack[-1][0] += data


def test_checklist_page_renders_from_yaml(built_site: Path, site):
    html = (built_site / "checklists/first-meeting.html").read_text(encoding="utf-8")
    checklist = site.checklists["first-meeting"]
    items = [i for s in checklist.sections for i in s.items]
    assert html.count("data-ms-key=") == len(items)
    for section in checklist.sections:
        assert section.title in html
    assert 'data-ms-store="checklist:first-meeting"' in html
    assert "Clear my ticks" in html
    assert "<h1" in html and "Before and during a first mentoring meeting" in html


def test_block_macro_html_is_in_every_page_and_in_the_search_index(built_site: Path, site):
    """Block macros' HTML reaches the page as it is (no Markdown leftovers) and the search index."""
    import json

    pages = sorted(built_site.rglob("*.html"))
    assert [p for p in pages if 'markdown="0"' in p.read_text(encoding="utf-8")] == []
    index = json.loads((built_site / "search/search_index.json").read_text(encoding="utf-8"))
    text = {d["location"].split("#")[0]: "" for d in index["docs"]}
    for d in index["docs"]:
        text[d["location"].split("#")[0]] += d["text"]
    ref = next(iter(site.references.values()))
    assert ref.title[:40] in text["references.html"]  # the reference library is searchable
    assert "Mentee name" in text["templates/mentoring-agreement.html"]  # and the template forms
    # Adjacent block elements stay separate words in the index ("Time needed 30", not "needed30").
    time = site.templates["mentoring-agreement"].time_needed.split()[0]
    assert f"Time needed {time}" in text["templates/mentoring-agreement.html"]
    assert f"Time needed{time}" not in text["templates/mentoring-agreement.html"]


def test_numbers_on_evidence_and_benefits_pages_carry_a_citation(built_site: Path):
    """A claim with a figure on the evidence or benefits pages sits next to a labelled citation."""
    missing = []
    for section in ("evidence", "benefits"):
        for page in sorted((built_site / section).glob("*.html")):
            parser = _Text()
            parser.feed(page.read_text(encoding="utf-8"))
            for text, cited in parser.blocks:
                if re.search(r"\d+(\.\d+)?\s*(%|per cent|percent|times|-fold)|\bOR\b \d", text) and not cited:
                    missing.append(f"{page.relative_to(built_site)}: {text[:120]}")
    assert missing == []


def test_every_page_shows_review_dates(built_site: Path, site):
    for src, fm in site.pages.items():
        html = (built_site / src.replace(".md", ".html")).read_text(encoding="utf-8")
        assert "Page last reviewed:" in html and "Next review due:" in html, src
        assert fm.last_reviewed.strftime("%-d %B %Y") in html, src


def test_no_invented_figures_in_the_built_site(built_site: Path):
    hits = []
    for page in built_site.rglob("*.html"):
        text = _without_real_titles(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8")))
        for pattern in FORBIDDEN:
            if re.search(pattern, text, flags=re.I):
                hits.append(f"{page.relative_to(built_site)}: {pattern}")
    assert hits == []


def test_pages_have_title_description_and_one_h1(built_site: Path, site):
    for src, fm in site.pages.items():
        html = (built_site / src.replace(".md", ".html")).read_text(encoding="utf-8")
        assert len(re.findall(r"<h1[ >]", html)) == 1, src
        assert re.search(r'<meta name="description" content="[^"]{20,}"', html), src
        assert f"<title>{fm.title}" in html.replace("&#39;", "'").replace("&amp;", "&"), src


def test_programme_models_and_case_studies_cover_the_brief(site):
    assert len(site.programme_models) >= 10
    for required in ("assigned-dyad", "longitudinal-advising", "longitudinal-preceptorship", "peer-mentoring",
                     "distance-mentoring", "mentoring-committee", "group-mentoring", "near-peer",
                     "speed-mentoring", "reverse-mentoring", "sponsorship-programme"):
        assert required in site.programme_models
    assert len(site.case_studies) >= 8
    covered = {c for cs in site.case_studies.values() for c in cs.competencies}
    assert covered == set(site.competencies)


def test_page_scripts_do_not_hold_up_the_first_paint(built_site: Path):
    """Only stylesheets may block the first paint: the search index waits for a search, the offline
    shim loads on file:// pages only, and Material's scripts are deferred (overrides/main.html)."""
    import re

    for page in ("index.html", "templates/mentoring-agreement.html"):
        html = (built_site / page).read_text(encoding="utf-8")
        tags = re.findall(r"<script\b[^>]*\bsrc=[^>]*>", html.replace("document.write(", "document.write(\n"))
        external = [t for t in tags if "iframe-worker-shim" not in t]
        assert any("bundle." in t for t in external) and any("site.js" in t for t in external)
        assert all(" defer" in t for t in external), external
        head = html.split("</head>")[0]
        assert "iframe-worker-shim.js" in head and 'location.protocol === "file:"' in head
        assert "search_index" in head and "prototype.send" in head  # the on-demand loader is in place
