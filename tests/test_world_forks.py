"""World-ready forks: a French (and English), a Japanese and an Arabic fork, each with its own pages, a
translated upstream page and a replaced template; and an upstream release merged the way docs/adapt.md
says, with the report that follows it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import FIXTURES, ROOT, build, edit

pytestmark = pytest.mark.slow

FORKS = {
    "geneve": {"lang": "fr", "dir": "ltr", "name": "Programme de mentorat", "query": "mentorat"},
    "japanese": {"lang": "ja", "dir": "ltr", "name": "東京医科大学 メンタリング・プログラム", "query": "メンタリング"},
    "arabic": {"lang": "ar", "dir": "rtl", "name": "برنامج الإرشاد في التعليم الطبي", "query": "الإرشاد"},
}
# Interface strings the pages always show (on templates, checklists, self-assessments and every page's
# foot): none of them may stay in English on a fork in another language.
UI_KEYS = ["ticks.clear", "ticks.privacy", "template.about", "template.howto", "template.form_heading",
           "review.last", "review.next", "review.external", "review.not_yet", "sa.show_summary", "sa.delete",
           "sa.privacy", "nav.home", "nav.evidence", "nav.templates", "nav.training", "nav.trainees", "nav.mentors"]


def make_fork(tmp: Path, name: str) -> Path:
    from .test_fork import copy_project

    project = copy_project(tmp / name)
    shutil.copytree(FIXTURES / f"fork-{name}", project, dirs_exist_ok=True)
    return project


@pytest.fixture(scope="module", params=sorted(FORKS))
def world_fork(request, tmp_path_factory) -> tuple[str, Path, Path]:
    project = make_fork(tmp_path_factory.mktemp("world"), request.param)
    out = project / "site"
    result = build(project, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return request.param, project, out


def _pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if not p.relative_to(site).as_posix().startswith(("en/", "fr/"))]


def test_html_carries_the_language_and_direction(world_fork):
    name, _, site = world_fork
    want = f'lang="{FORKS[name]["lang"]}"'
    for page in _pages(site):
        head = re.search(r"<html\b[^>]*>", page.read_text(encoding="utf-8")).group(0)
        assert want in head and f'dir="{FORKS[name]["dir"]}"' in head, (page, head)


def test_no_english_interface_string_is_left(world_fork):
    name, _, site = world_fork
    en = yaml.safe_load((ROOT / "docs/messages/en.yml").read_text(encoding="utf-8"))["messages"]["strings"]
    own = yaml.safe_load((ROOT / f"docs/messages/{FORKS[name]['lang']}.yml").read_text(encoding="utf-8"))["messages"]["strings"]
    assert set(own) == set(en), "the catalogue is not complete"
    english = {k: en[k] for k in UI_KEYS if own[k] != en[k]}
    left = {}
    for page in _pages(site):
        text = re.sub(r"\s+", " ", page.read_text(encoding="utf-8"))
        # An upstream page not yet translated shows its English body, marked lang="en": that is content,
        # not the interface (the banner above it says so). The interface around it must be translated.
        text = re.sub(r'<article class="md-content__inner md-typeset" lang="en".*?</article>', "", text)
        for key, value in english.items():
            if re.search(r">\s*" + re.escape(value) + r"\s*<", text):
                left.setdefault(key, page.relative_to(site).as_posix())
    assert left == {}


def test_the_search_index_uses_the_language(world_fork):
    name, _, site = world_fork
    index = json.loads((site / "search/search_index.json").read_text(encoding="utf-8"))
    assert index["config"]["lang"][0] == FORKS[name]["lang"]
    assert any(FORKS[name]["query"] in doc["text"] or FORKS[name]["query"] in doc["title"] for doc in index["docs"])


def test_a_translated_upstream_page_keeps_its_place_and_an_untranslated_one_says_so(world_fork):
    name, project, site = world_fork
    translated = (site / "mentees/do-i-need-a-mentor.html").read_text(encoding="utf-8")
    title = yaml.safe_load((project / "docs/local/pages/mentees/do-i-need-a-mentor.md").read_text(
        encoding="utf-8").split("---")[1])["title"]
    assert title in translated and "ms-untranslated" not in translated
    # The translated title is the page's entry in the navigation of other pages.
    other = (site / "mentees/finding-a-mentor.html").read_text(encoding="utf-8")
    assert title in other
    # An upstream page not yet translated shows its English text, marked as English, with a note.
    assert "ms-untranslated" in other and '<article class="md-content__inner md-typeset" lang="en" dir="ltr">' in other


def test_the_forks_own_page_and_template_are_in_its_script(world_fork):
    name, _, site = world_fork
    contacts = (site / "local/contacts.html").read_text(encoding="utf-8")
    assert FORKS[name]["name"] in contacts or FORKS[name]["name"].split()[0] in contacts
    agreement = (site / "templates/mentoring-agreement.html").read_text(encoding="utf-8")
    assert "ms-form" in agreement


def test_the_forks_downloads_name_it_in_its_script_and_language(world_fork):
    """The agreement a fork's faculty download names the programme in its own script, in a PDF whose text
    extracts as that script (not boxes) and which declares the fork's language, and in a Word file."""
    import io

    from pypdf import PdfReader

    from .test_downloads import docx_text, pdf_text

    name, _, site = world_fork
    folder = site / "downloads/templates"
    pdf = (folder / "mentoring-agreement.pdf").read_bytes()
    docx = (folder / "mentoring-agreement.docx").read_bytes()
    want = re.sub(r"\s+", "", FORKS[name]["name"])
    assert want in re.sub(r"\s+", "", pdf_text(pdf)), name
    assert want in re.sub(r"\s+", "", docx_text(docx)), name
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == FORKS[name]["lang"]


def test_a_search_in_the_forks_script_finds_its_pages_in_chromium(world_fork, browser):
    """Typed into the search box in Chromium, a word in the fork's script returns results (the search
    worker segments Japanese and stems Arabic with the language's own lunr support, served locally)."""
    import functools
    import http.server
    import threading

    from .conftest import PageWatch, _Quiet

    name, _, site = world_fork
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    context = browser.new_context(service_workers="block")
    try:
        page = context.new_page()
        watch = PageWatch(page, base)
        page.goto(f"{base}/index.html", wait_until="networkidle")
        page.keyboard.press("/")
        page.locator("input.md-search__input").press_sequentially(FORKS[name]["query"], delay=30)
        page.locator(".md-search-result__item").first.wait_for(timeout=20000)
        assert page.locator(".md-search-result__item").count() >= 1
        assert watch.errors == [] and watch.foreign == []
    finally:
        context.close()
        httpd.shutdown()


def test_the_bilingual_fork_has_a_switcher_and_a_site_per_language(tmp_path: Path):
    project = make_fork(tmp_path, "geneve")
    out = project / "site"
    result = build(project, out)
    assert result.returncode == 0, result.stdout + result.stderr
    fr, en = (out / "mentees/finding-a-mentor.html").read_text("utf-8"), (out / "en/mentees/finding-a-mentor.html").read_text("utf-8")
    assert '<html lang="fr"' in fr and '<html lang="en"' in en
    assert 'href="../en/mentees/finding-a-mentor.html" hreflang="en"' in fr
    assert 'href="../../mentees/finding-a-mentor.html" hreflang="fr"' in en
    assert "ms-untranslated" in fr and "ms-untranslated" not in en  # upstream English needs no note in English
    assert "ms-untranslated" in (out / "en/local/contacts.html").read_text("utf-8")  # the fork's French page does
    for lang, index in (("fr", out / "search/search_index.json"), ("en", out / "en/search/search_index.json")):
        assert json.loads(index.read_text("utf-8"))["config"]["lang"][0] == lang


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)


def _macros(project: Path, *args: str) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run([sys.executable, "-m", "macros", *args, "--project", str(project)], cwd=project,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _upstream_release(upstream: Path) -> None:
    """Upstream v2: moves a page the fork hides, changes a template the fork replaced, adds a setting."""
    assert _git(upstream, "mv", "docs/future.md", "docs/outlook.md").returncode == 0
    edit(upstream / "mkdocs.yml", "      - future.md\n", "      - outlook.md\n")
    redirects = upstream / "docs/redirects.yml"
    redirects.write_text(redirects.read_text("utf-8") + "  - from: future.md\n    to: outlook.md\n", "utf-8")
    for page in upstream.joinpath("docs").rglob("*.md"):
        text = page.read_text("utf-8")
        if "future.md" in text:
            page.write_text(re.sub(r"\]\(((?:\.\./)*)future\.md", r"](\1outlook.md", text), "utf-8")
    edit(upstream / "docs/data/templates.yml", "    title: Mentoring agreement\n",
         "    title: Mentoring agreement (revised)\n")
    edit(upstream / "macros/models.py", '    review_overdue: Literal["warn", "error"] = "warn"\n',
         '    review_overdue: Literal["warn", "error"] = "warn"\n    welcome_note: Label = "Welcome to the programme."\n')
    settings = upstream / "docs/data/settings.yml"
    settings.write_text(settings.read_text("utf-8") + "  welcome_note: Welcome to the programme.\n", "utf-8")


@pytest.mark.parametrize("how", ["fork", "template"])
def test_an_upstream_release_merges_as_the_guide_says_and_the_report_names_what_changed(tmp_path: Path, how: str):
    from .test_fork import copy_project

    upstream = copy_project(tmp_path / "upstream")
    (upstream / "mkdocs.yml").write_text((upstream / "mkdocs.yml").read_text("utf-8"), "utf-8")
    assert _git(upstream, "init", "-q", "-b", "main").returncode == 0
    _git(upstream, "add", "-A")
    assert _git(upstream, "commit", "-qm", "upstream v1").returncode == 0

    fork = tmp_path / "fork"
    if how == "fork":  # GitHub's Fork: the same history
        assert _git(tmp_path, "clone", "-q", str(upstream), str(fork)).returncode == 0
        _git(fork, "remote", "rename", "origin", "upstream")
    else:  # "Use this template": the same files, a history of its own
        shutil.copytree(upstream, fork, ignore=shutil.ignore_patterns(".git"))
        assert _git(fork, "init", "-q", "-b", "main").returncode == 0
        _git(fork, "add", "-A")
        assert _git(fork, "commit", "-qm", "Initial commit from the template").returncode == 0
        _git(fork, "remote", "add", "upstream", str(upstream))
    shutil.copytree(FIXTURES / "fork-geneve", fork, dirs_exist_ok=True)
    # What the guide says to do after making your versions: record what they were made from.
    for what in ("mentees/do-i-need-a-mentor.md", "templates/mentoring-agreement", "settings"):
        result = _macros(fork, "accept", what)
        assert result.returncode == 0, result.stdout + result.stderr
    _git(fork, "add", "-A")
    assert _git(fork, "commit", "-qm", "Geneva fork").returncode == 0

    _upstream_release(upstream)
    _git(upstream, "add", "-A")
    assert _git(upstream, "commit", "-qm", "upstream v2").returncode == 0

    # The guide's commands, as written.
    if how == "fork":
        merge = _git(fork, "pull", "--no-rebase", "upstream", "main")
    else:
        joined = _macros(fork, "join-upstream", "upstream")
        assert joined.returncode == 0 and "Joined upstream's history" in joined.stdout, joined.stdout + joined.stderr
        merge = _git(fork, "pull", "--no-rebase", "upstream", "main")
    output = merge.stdout + merge.stderr
    assert merge.returncode == 0 and "CONFLICT" not in output, output
    assert _git(fork, "diff", "--name-only", "--diff-filter=U").stdout.strip() == ""

    out = tmp_path / "site"
    result = build(fork, out)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report
    assert "Mentoring agreement" not in (out / "templates/mentoring-agreement.html").read_text("utf-8")  # still the fork's
    drift = [line for line in report.splitlines() if line.startswith("WARNING")]
    assert any("templates/mentoring-agreement" in line and "Upstream changed" in line for line in drift), drift
    assert any("welcome_note" in line for line in drift), drift
    assert any("'future.md' is not a page any more" in line and "'outlook.md'" in line for line in drift), drift
    assert not any("do-i-need-a-mentor" in line for line in drift), drift  # unchanged upstream: not reported
    assert len([line for line in drift if "Review overdue" not in line]) == 3, drift


@pytest.mark.parametrize("name", sorted(FORKS))
def test_the_fast_tests_pass_inside_each_fork(name: str, tmp_path: Path):
    """Tests a fork can keep: the fast tier (make check) run in the fork itself, on its settings,
    language and replacements, passes."""
    import sys

    project = make_fork(tmp_path, name)
    shutil.copytree(ROOT / "tests", project / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x",
                             "-m", "not slow and not browser"], cwd=project, capture_output=True, text=True,
                            timeout=1200, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " passed" in result.stdout
