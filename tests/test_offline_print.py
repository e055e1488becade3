"""The offline copy works from the file system; the print books hold every chapter in order."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from macros import book

from .conftest import ROOT, nav_pages as _nav_pages


def test_whole_guide_print_page_has_every_chapter_in_navigation_order(built_site: Path):
    html = (built_site / "print/index.html").read_text(encoding="utf-8")
    found = re.findall(r'<section class="ms-chapter" id="(ch-[a-z0-9-]+)"', html)
    expected = ["ch-" + re.sub(r"[^a-z0-9]+", "-", p[:-3].lower()).strip("-")
                for p in book.chapters_for("all", _nav_pages())]
    assert found == expected
    assert len(found) > 60
    assert 'class="ms-book-toc"' in html and html.count("<h1") == 1
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "duplicate ids in the print book"


@pytest.mark.parametrize("name, prefix", [("mentees", "mentees/"), ("mentors", "mentors/"),
                                          ("programme-leads", "programme-leads/")])
def test_section_print_pages(built_site: Path, name: str, prefix: str):
    html = (built_site / f"print/{name}.html").read_text(encoding="utf-8")
    found = re.findall(r'<section class="ms-chapter" id="(ch-[a-z0-9-]+)"', html)
    assert found and all(f.startswith("ch-" + prefix.rstrip("/")) for f in found)
    assert len(found) == len([p for p in _nav_pages() if p.startswith(prefix)])


def test_print_book_links_are_footnoted_and_internal_links_stay_inside(built_site: Path):
    html = (built_site / "print/mentees.html").read_text(encoding="utf-8")
    assert 'class="ms-fn"' in html and 'class="ms-footnotes"' in html
    chapters = html.split('class="ms-book-toc"', 1)[1]
    assert 'href="../mentees/' not in chapters  # links between chapters became in-page anchors
    assert "Programme" in html.split('class="ms-cover"', 1)[1][:400] or "Mentoring in Medical Education" in html


@pytest.mark.browser
def test_print_media_starts_each_chapter_on_a_new_page(page, server):
    page.goto(f"{server}/print/mentors.html", wait_until="load")
    page.emulate_media(media="print")
    assert not page.locator(".md-sidebar--primary").is_visible()
    breaks = page.eval_on_selector_all(".ms-chapter", "els => els.map(e => getComputedStyle(e).breakBefore)")
    assert breaks and set(breaks) == {"page"}


@pytest.mark.browser
def test_offline_zip_works_from_the_file_system(built_site: Path, browser, tmp_path: Path):
    archive = built_site / "downloads/offline/mentoring-site.zip"
    with zipfile.ZipFile(archive) as z:
        z.extractall(tmp_path)
        infos = z.infolist()
    assert not [i.filename for i in infos if i.filename.endswith(".map")]  # debugging aids stay out
    kinds = {i.filename.rsplit(".", 1)[-1]: i.compress_type for i in infos}
    assert kinds["pdf"] == kinds["docx"] == zipfile.ZIP_STORED  # compressed already
    assert kinds["html"] == kinds["js"] == zipfile.ZIP_DEFLATED
    root = tmp_path / "mentoring-site"
    assert (root / "index.html").is_file() and (root / "search/search_index.js").is_file()
    assert (root / "downloads/templates/mentoring-agreement.docx").is_file()

    context = browser.new_context(service_workers="block")
    pg = context.new_page()
    foreign: list[str] = []

    def route(r):
        if r.request.url.startswith(("file://", "data:", "blob:", "about:")):
            return r.continue_()
        foreign.append(r.request.url)
        return r.abort()

    pg.route("**/*", route)
    pg.goto((root / "index.html").as_uri(), wait_until="load")
    pg.locator("article a[href='start/trainee.html']").first.click()
    pg.wait_for_load_state("load")
    assert pg.url.endswith("start/trainee.html")
    assert pg.locator("h1").inner_text().strip()
    pg.keyboard.press("/")
    pg.locator("input.md-search__input").press_sequentially("agreement", delay=20)
    pg.locator(".md-search-result__item").first.wait_for(timeout=20000)
    assert "Mentoring agreement" in pg.locator(".md-search-result").inner_text()
    context.close()
    assert foreign == []



def test_each_audience_book_is_offered_as_a_ready_pdf_and_every_book_shows_its_length(built_site: Path):
    from pypdf import PdfReader

    for name in ("mentees", "mentors", "programme-leads"):
        html = (built_site / f"print/{name}.html").read_text(encoding="utf-8")
        notice = re.search(r'<p class="ms-book-size">(.*?)</p>', html, re.S)
        assert notice and f'href="../downloads/books/{name}.pdf"' in notice.group(1)
        pages = int(re.search(r"about (\d+) pages", notice.group(1)).group(1))
        reader = PdfReader(built_site / f"downloads/books/{name}.pdf")
        assert len(reader.pages) == pages
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root and reader.outline  # tagged, with bookmarks for its chapters
        assert html.index('class="ms-book-size"') < html.index('class="ms-book-toc"')  # shown before the book
    whole = (built_site / "print/index.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="ms-book-size">[^<]*about \d{2,}0 pages', whole)  # estimated, in tens


def test_book_link_footnotes_use_the_public_address_when_there_is_one():
    from macros.book import chapter_html

    article = '<h1>T</h1><p>See <a href="../references.html#ref-x">the library</a> and <a href="https://doi.org/1">a paper</a>.</p>'
    notes: list[str] = []
    _, html = chapter_html("mentees/a.md", article, "print/mentees.html", {"mentees/a.html": "ch-mentees-a"}, notes,
                           public="https://mentoring.example.edu/")
    assert notes == ["https://mentoring.example.edu/references.html#ref-x", "https://doi.org/1"]
    _, html = chapter_html("mentees/a.md", article, "print/mentees.html", {"mentees/a.html": "ch-mentees-a"}, notes)
    assert notes[0] == "/references.html#ref-x"  # without one, a path from the site's root


def test_book_pdf_pages_never_end_with_a_heading(built_site: Path):
    """A rendered-page check on the ready PDF: the last line of text on each page (header and footer
    aside) is never one of the book's headings."""
    import html as htmllib

    from pypdf import PdfReader

    page = (built_site / "print/mentors.html").read_text(encoding="utf-8")
    headings = {" ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", h)).split())
                for h in re.findall(r"<h[2-5][^>]*>(.*?)</h[2-5]>", page, re.S)}
    reader = PdfReader(built_site / "downloads/books/mentors.pdf")
    assert len(reader.pages) > 5
    for i, pg in enumerate(reader.pages[:-1]):
        lines = [ln.strip() for ln in pg.extract_text().splitlines() if ln.strip()]
        body = [ln for ln in lines if not re.search(r"Page \d+ of \d+|· version \d{4}-\d\d-\d\d|^Mentoring in Medical Education ·", ln)]
        assert body and " ".join(body[-1].split()) not in headings, (i + 1, body[-1])
