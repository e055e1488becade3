"""Engine parity: MkDocs, ProperDocs and Zensical build the same site from the same staging tree.

Material for MkDocs reaches end of life on 5 May 2027 and MkDocs 1.x is unmaintained; ProperDocs 1.6.7
(a maintained fork of MkDocs 1.x) and Zensical 0.0.73 (Material's successor) must build this site
today. Each engine runs in its own locked environment (.venv-properdocs, .venv-zensical), created on
first use from requirements-<engine>.lock. For each engine: the same pages, each page's visible text
within 3% of the MkDocs build, identical downloads and open data, a search that finds things, and the
worked fork builds too.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
import subprocess
from pathlib import Path

import pytest

from .conftest import ROOT, build

pytestmark = pytest.mark.slow

ENGINES = ["properdocs", "zensical"]
ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)


def visible_text(page: Path) -> str:
    match = ARTICLE.search(page.read_text(encoding="utf-8"))
    if not match:  # a moved page's redirect: its whole text
        return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))).split())
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", match.group(1), flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def similarity(a: str, b: str) -> float:
    """Share of words in common, in order (1.0 = the same text)."""
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


@pytest.fixture(scope="module", params=ENGINES)
def engine_site(request, tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp(f"site-{request.param}")
    result = build(ROOT, out, engine=request.param)
    assert result.returncode == 0, f"{request.param} build failed:\n{result.stdout}\n{result.stderr}"
    return request.param, out


def _files(site: Path, pattern: str, under: str = "") -> set[str]:
    return {p.relative_to(site).as_posix() for p in (site / under).rglob(pattern) if p.is_file()}


def test_the_engine_really_built_it(engine_site, built_site: Path):
    """The generator tag names the engine: a guard against a comparison that runs MkDocs twice."""
    engine, site = engine_site
    generator = re.compile(r'<meta name="generator" content="([^"]*)"')
    found = generator.search((site / "index.html").read_text("utf-8"))[1]
    assert {"properdocs": "ProperDocs 1.6.7", "zensical": "zensical-0.0.73"}[engine] in found, found
    assert "mkdocs-1.6" in generator.search((built_site / "index.html").read_text("utf-8"))[1]


def test_the_same_pages_with_the_same_text(engine_site, built_site: Path):
    engine, site = engine_site
    pages = _files(built_site, "*.html")
    assert len(pages) > 100
    assert _files(site, "*.html") == pages
    off = {}
    for rel in sorted(pages):
        if rel == "404.html":
            continue
        if not ARTICLE.search((built_site / rel).read_text(encoding="utf-8")):  # a moved page's redirect, which
            assert (site / rel).read_bytes() == (built_site / rel).read_bytes(), rel  # the finish stage writes alike
            continue
        ratio = similarity(visible_text(built_site / rel), visible_text(site / rel))
        if ratio < 0.97:
            off[rel] = round(ratio, 3)
    assert off == {}, f"{engine}: pages whose text differs by more than 3% from MkDocs: {off}"


def test_identical_downloads_and_open_data(engine_site, built_site: Path):
    engine, site = engine_site

    def digests(root: Path) -> dict[str, str]:
        out = {}
        for under in ("downloads", "data"):
            for p in sorted((root / under).rglob("*")):
                rel = p.relative_to(root).as_posix()
                if p.is_file() and rel != "downloads/offline/mentoring-site.zip":
                    out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
        return out

    mine = digests(built_site)
    assert any(k.endswith(".pdf") for k in mine) and any(k.endswith(".json") for k in mine)
    assert digests(site) == mine


def test_the_search_index_holds_the_pages(engine_site):
    engine, site = engine_site
    index = site / ("search.json" if engine == "zensical" else "search/search_index.json")
    data = json.loads(index.read_text(encoding="utf-8"))
    entries = data.get("docs") or data.get("items")
    assert entries and any("mentor" in e["text"].lower() for e in entries)
    assert data["config"]["lang"][0] == "en"


def test_properdocs_runs_no_mkdocs_code():
    """Inside ProperDocs' own process, `mkdocs` is ProperDocs, and no file of the MkDocs package runs."""
    python = ROOT / ".venv-properdocs/bin/python"
    if not python.exists():
        pytest.skip("the ProperDocs environment is made by the first ProperDocs build")
    script = """
import importlib.metadata, json, sys
from pathlib import Path
import properdocs.__main__
import material.templates, material.plugins.search.plugin, mkdocs.plugins
try:
    mkdocs_dir = str(Path(importlib.metadata.distribution("mkdocs").locate_file("mkdocs")).resolve())
except importlib.metadata.PackageNotFoundError:
    mkdocs_dir = None
loaded = [str(Path(m.__file__).resolve()) for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
print(json.dumps({"same": sys.modules["mkdocs"] is sys.modules["properdocs"],
                  "from_mkdocs": [f for f in loaded if mkdocs_dir and f.startswith(mkdocs_dir + "/")]}))
"""
    result = subprocess.run([str(python), "-c", script], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"same": True, "from_mkdocs": []}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_worked_fork_builds_on_every_engine(engine, tmp_path: Path):
    from .test_fork import INSTITUTION, NAME, apply_fork, copy_project

    project = copy_project(tmp_path / "fork")
    apply_fork(project)
    out = tmp_path / "site"
    result = build(project, out, engine=engine)
    assert result.returncode == 0, result.stdout + result.stderr
    home = (out / "index.html").read_text(encoding="utf-8")
    assert NAME in home and '<html lang="fr"' in home
    assert (out / "local/contacts.html").is_file()
    assert INSTITUTION in (out / "downloads/templates/mentoring-agreement.md.txt").read_text(encoding="utf-8")


@pytest.mark.browser
def test_search_finds_results_on_every_engine(engine_site, browser):
    """A reader's search, typed into each engine's own search box, returns results."""
    import functools
    import http.server
    import threading

    engine, site = engine_site
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None  # type: ignore[method-assign]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(f"http://127.0.0.1:{httpd.server_address[1]}/index.html", wait_until="networkidle")
        if engine == "zensical":  # its own search dialog, in a shadow root
            page.locator(".md-search__button").first.click()
            page.keyboard.type("sponsorship", delay=20)
            found = page.wait_for_function(
                """() => { for (const el of document.querySelectorAll('*')) {
                     const m = el.shadowRoot && el.shadowRoot.textContent.match(/(\\d+) results?/);
                     if (m && Number(m[1]) > 0) return Number(m[1]); } return 0; }""", timeout=20000).json_value()
        else:
            page.locator("input.md-search__input").first.click()
            page.keyboard.type("sponsorship", delay=20)
            page.locator(".md-search-result__item").first.wait_for(timeout=20000)
            found = page.locator(".md-search-result__item").count()
        assert found > 0
        page.close()
    finally:
        httpd.shutdown()
