"""Print books and the offline copy, assembled from the built site after the build.

A print page (for example ``print/index.md``) holds a marker
``<div class="ms-book" data-book="all"></div>``. After the build, the marker is replaced by
a table of contents and every chapter (the article of each page, in navigation order), with
headings demoted one level, ids made unique, links between chapters turned into in-page
links, and every other link shown as a numbered footnote with its URL (pages of this site as an
absolute address when the site's public address is known, else as a path from the site's root).
:func:`collect` builds the books; :func:`write` fills each page's marker, with a notice of the
book's length and its ready PDF (made by the pipeline from the same HTML, :mod:`macros.pdf`).
"""

from __future__ import annotations

import html as htmllib
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

MARKER = re.compile(r'<div class="ms-book" data-book="([a-z-]+)"></div>')
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)

# Which chapters each book holds: a prefix of the page's source path ("" = every page).
BOOKS = {"all": "", "mentees": "mentees/", "mentors": "mentors/", "programme-leads": "programme-leads/"}
SKIP = ("print/", "about/changelog.md")


def chapters_for(book: str, nav_pages: list[str]) -> list[str]:
    prefix = BOOKS[book]
    return [p for p in nav_pages if p.endswith(".md") and p.startswith(prefix) and not p.startswith(SKIP)]


def _slug(src: str) -> str:
    return "ch-" + re.sub(r"[^a-z0-9]+", "-", src[:-3].lower()).strip("-")


def _html_path(src: str) -> str:
    return src[:-3] + ".html"


LABELS = {"contents": "Contents", "links_in": "Links in the chapter {title}"}


def chapter_html(src: str, article: str, book_page: str, in_book: dict[str, str], notes: list[str],
                 labels: dict[str, str] | None = None, public: str = "") -> tuple[str, str]:
    """One page's article rewritten for the book. Returns (title, html)."""
    slug = in_book[_html_path(src)]
    here = posixpath.dirname(_html_path(src))
    title_match = re.search(r"<h1[^>]*>(.*?)</h1>", article, re.S)
    title = re.sub(r"<[^>]+>", "", title_match.group(1)).strip() if title_match else src
    body = article[title_match.end():] if title_match else article
    body = re.sub(r'<a [^>]*class="md-content__button[^"]*"[^>]*>.*?</a>', "", body, flags=re.S)
    body = re.sub(r'<a class="headerlink"[^>]*>.*?</a>', "", body, flags=re.S)
    # The review line of each page is not a landmark in the book (one "Review dates" region per chapter would
    # give a screen-reader user a hundred landmarks of the same name); the report link is for the web page.
    body = re.sub(r'<aside class="ms-review" aria-label="[^"]*">(.*?)</aside>',
                  lambda mt: '<div class="ms-review">' + re.sub(r'<p class="ms-report">.*?</p>', "", mt.group(1),
                                                                flags=re.S) + "</div>", body, flags=re.S)
    # Material's script names each code block after its closest ancestor with an id ("__code_" + that id): give
    # every block its own id so that two blocks of one chapter do not end up with the same one.
    counter = iter(range(1, 10_000))
    body = re.sub(r'<div class="(language-[^"]*\bhighlight|highlight)"',
                  lambda mt: f'<div id="code-{next(counter)}" class="{mt.group(1)}"', body)
    body = re.sub(r"<(/?)h([2-5])\b", lambda mt: f"<{mt.group(1)}h{int(mt.group(2)) + 1}", body)
    # A wide table scrolls on its own instead of widening the page (the theme's script, which wraps the
    # tables of a page, does not run on a book's chapters).
    body = re.sub(r"<table>(.*?)</table>", r'<div class="ms-table__scroll" tabindex="0"><table>\1</table></div>', body, flags=re.S)
    body = re.sub(r'\bid="([^"]+)"', lambda mt: f'id="{slug}--{mt.group(1)}"', body)
    body = re.sub(r'\bfor="([^"]+)"', lambda mt: f'for="{slug}--{mt.group(1)}"', body)
    body = re.sub(r'\baria-(labelledby|describedby)="([^"]+)"',
                  lambda mt: f'aria-{mt.group(1)}="' + " ".join(f"{slug}--{i}" for i in mt.group(2).split()) + '"', body)
    book_dir = posixpath.dirname(book_page)

    def link(mt: re.Match) -> str:
        attr, url = mt.group(1), htmllib.unescape(mt.group(2))
        if url.startswith(("http://", "https://", "mailto:")):
            return mt.group(0)
        if url.startswith("#"):
            return f'{attr}="#{slug}--{url[1:]}"'
        path, _, frag = url.partition("#")
        target = posixpath.normpath(posixpath.join(here, path)) if path else _html_path(src)
        if target in in_book:
            anchor = f"{in_book[target]}--{frag}" if frag else in_book[target]
            return f'{attr}="#{anchor}"'
        rel = posixpath.relpath(target, book_dir or ".") + (f"#{frag}" if frag else "")
        return f'{attr}="{htmllib.escape(rel)}"'

    body = re.sub(r'\b(href|src)="([^"]*)"', link, body)

    def footnote(mt: re.Match) -> str:
        url = htmllib.unescape(mt.group(2))
        if not url.startswith(("http://", "https://", "mailto:")):  # a page of this site outside the book
            path = posixpath.normpath(posixpath.join(book_dir, url))
            url = (public.rstrip("/") + "/" + path) if public else "/" + path
        if url not in notes:
            notes.append(url)
        n = notes.index(url) + 1
        return f'{mt.group(0)}<sup class="ms-fn">[{n}]</sup>'

    notes.clear()
    body = re.sub(r'<a ([^>]*?)href="([^"#][^"]*)"[^>]*>.*?</a>', footnote, body, flags=re.S)
    if notes:
        items = "".join(f'<li id="{slug}-fn-{i + 1}">{htmllib.escape(u)}</li>' for i, u in enumerate(notes))
        label = htmllib.escape((labels or LABELS)["links_in"].replace("{title}", title), quote=True)
        body += (f'<aside class="ms-footnotes" aria-labelledby="{slug}-links"><h3 id="{slug}-links">{label}</h3>'
                 f'<ol>{items}</ol></aside>')
    return title, f'<section class="ms-chapter" id="{slug}" aria-labelledby="{slug}-title">' \
                  f'<h2 class="ms-chapter__title" id="{slug}-title">{htmllib.escape(title)}</h2>{body}</section>'


@dataclass
class Book:
    name: str          # "all", "mentees", ...
    page: str          # the print page in the built site: "print/mentees.html"
    title: str         # the print page's title
    content: str       # contents list and chapters
    text_chars: int    # length of its text (to estimate the printed length of a book without a PDF)


def collect(site_dir: Path, nav_pages: list[str], public: str = "", labels: dict[str, str] | None = None
            ) -> list[Book]:
    """Every print page's book, built from the built site's pages (nothing is written)."""
    out = []
    for page_path in sorted(site_dir.glob("print/*.html")):
        text = page_path.read_text(encoding="utf-8")
        match = MARKER.search(text)
        if not match:
            continue
        name = match.group(1)
        book_page = page_path.relative_to(site_dir).as_posix()
        sources = [s for s in chapters_for(name, nav_pages) if (site_dir / _html_path(s)).is_file()]
        in_book = {_html_path(s): _slug(s) for s in sources}
        chapters, toc, notes = [], [], []
        for src in sources:
            article = ARTICLE.search((site_dir / _html_path(src)).read_text(encoding="utf-8"))
            if not article:
                continue
            title, chapter = chapter_html(src, article.group(1), book_page, in_book, notes, labels, public)
            chapters.append(chapter)
            anchor = in_book[_html_path(src)]
            toc.append(f'<li data-target="#{anchor}"><a href="#{anchor}">{htmllib.escape(title)}</a></li>')
        contents = htmllib.escape((labels or LABELS)["contents"])
        content = (f'<nav class="ms-book-toc" aria-labelledby="ms-toc-title"><h2 id="ms-toc-title">{contents}</h2>'
                   f'<ol>{"".join(toc)}</ol></nav>' + "".join(chapters))
        heading = re.search(r"<h1[^>]*>(.*?)</h1>", text, re.S)
        title = re.sub(r"<[^>]+>", "", heading.group(1)).strip() if heading else name
        plain_text = re.sub(r"<[^>]+>", " ", content)
        out.append(Book(name, book_page, htmllib.unescape(title), content, len(" ".join(plain_text.split()))))
    return out


def write(site_dir: Path, book: Book, notice: str = "") -> None:
    """Fill a print page's marker with the notice (length, ready PDF) and the book."""
    path = site_dir / book.page
    text = path.read_text(encoding="utf-8")
    match = MARKER.search(text)
    if match:
        path.write_text(text[:match.start()] + notice + book.content + text[match.end():], encoding="utf-8")


def assemble(site_dir: Path, nav_pages: list[str], labels: dict[str, str] | None = None, public: str = "") -> list[str]:
    """Fill every print page's marker (without notices). Returns the print pages written."""
    books = collect(site_dir, nav_pages, public, labels)
    for b in books:
        write(site_dir, b)
    return [b.page for b in books]


# Stored as they are: these formats are compressed already, so deflating them again only costs time.
STORED = frozenset({".pdf", ".docx", ".zip", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".gz"})


# A link to a folder ("." for the home page, "../" from a page one level down): a web server answers with the
# folder's index.html, the file system with a listing. The offline copy links to the index.html itself.
FOLDER_LINK = re.compile(r'\bhref="((?:\.\./)*(?:\.\.|\.)?/?)(#[^"]*)?"')


def offline_page(html: str, zip_path: str, note: str) -> str:
    """One page as the offline copy has it: folder links go to index.html, and the link to the zip itself
    (which is not inside the zip) becomes a note saying that this is the offline copy."""
    def folder(mt: re.Match) -> str:
        path = mt.group(1)
        if path in ("", "/") and mt.group(2):
            return mt.group(0)  # "#anchor" on the same page
        if path in ("", "/"):
            return mt.group(0)
        base = path if path.endswith("/") else path + "/"
        base = "" if base == "./" else base
        return f'href="{base}index.html{mt.group(2) or ""}"'

    html = FOLDER_LINK.sub(folder, html)
    own = re.compile(r'<a\b[^>]*\bhref="(?:\.\./)*' + re.escape(zip_path) + r'"[^>]*>.*?</a>', re.S)
    return own.sub(f'<span class="ms-offline-note">{htmllib.escape(note)}</span>', html)


def offline_zip(site_dir: Path, name: str, exclude: str, note: str = "This is the offline copy.") -> bytes:
    """The whole built site as a zip that works from the file system (fixed timestamps, sorted).

    Source maps are left out (they only serve debugging), and already-compressed files are stored. Pages link
    to index.html rather than to folders (see :func:`offline_page`).
    """
    index = site_dir / "search" / "search_index.json"
    if index.is_file():  # Material loads this script instead of fetching JSON on file: URLs
        (site_dir / "search" / "search_index.js").write_text(
            "var __index = " + index.read_text(encoding="utf-8"), encoding="utf-8")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
            rel = path.relative_to(site_dir).as_posix()
            if rel == exclude or rel.startswith("downloads/offline/") or rel.endswith(".map") or rel == "404.html":
                # 404.html serves a web server's missing addresses (its links start at the server's root)
                continue
            info = zipfile.ZipInfo(f"{name}/{rel}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if path.suffix.lower() in STORED else zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            data = path.read_bytes()
            if path.suffix == ".html":
                data = offline_page(data.decode("utf-8"), exclude, note).encode("utf-8")
            z.writestr(info, data)
    return buf.getvalue()
