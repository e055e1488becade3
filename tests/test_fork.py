"""Forking: a worked example fork builds with its own identity, and upstream updates merge cleanly."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT, build, edit
from .test_downloads import docx_text, pdf_text

FORK = FIXTURES / "fork-geneve"
NAME = "Programme de mentorat"
INSTITUTION = "Hôpital Universitaire de Genève"


SKIP = (".git/", ".venv", ".build/", "site/", "tests/", ".pytest_cache/", "bench/results/")


def project_files() -> list[str]:
    """The project's files (git's list when this is a checkout; otherwise every file but the built ones)."""
    git = subprocess.run(["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True)
    if git.returncode == 0:
        out = git.stdout.split("\n")
    else:
        out = [p.relative_to(ROOT).as_posix() for p in ROOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [f for f in out if f and (ROOT / f).is_file() and not f.startswith(SKIP)]


def copy_project(dest: Path) -> Path:
    for rel in project_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    return dest


def apply_fork(dest: Path) -> None:
    """What the adaptation guide tells a fork to do: add files under docs/local/ and overrides/local/."""
    shutil.copytree(FORK, dest, dirs_exist_ok=True)


@pytest.fixture(scope="module")
def fork_site(tmp_path_factory) -> Path:
    project = copy_project(tmp_path_factory.mktemp("fork") / "project")
    apply_fork(project)
    out = project / "site"
    result = build(project, out)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_fork_name_is_on_every_page(fork_site: Path):
    pages = [p for p in fork_site.rglob("*.html") if p.name != "404.html"]
    assert len(pages) > 60
    for page in pages:
        html = page.read_text(encoding="utf-8")
        if 'http-equiv="refresh"' in html:  # a moved page's redirect: it only sends the reader on
            continue
        assert NAME in html, page
        english = page.relative_to(fork_site).parts[0] == "en"  # the fork's second language (other_languages)
        assert (f'<html lang="{"en" if english else "fr"}"') in html, page


def test_fork_name_is_in_every_download(fork_site: Path):
    downloads = sorted(p for p in (fork_site / "downloads").rglob("*.*") if p.suffix != ".zip")
    assert len(downloads) > 40
    for f in downloads:
        if "-blank" in f.name:  # the neutral copies name no programme (tests/test_downloads.py)
            continue
        data = f.read_bytes()
        text = {"docx": docx_text, "pdf": pdf_text}.get(f.suffix[1:], lambda b: b.decode("utf-8"))(data)
        assert NAME in text and INSTITUTION in text, f


def test_fork_offline_copy_carries_the_fork(fork_site: Path):
    import zipfile

    with zipfile.ZipFile(fork_site / "downloads/offline/mentoring-site.zip") as z:
        assert NAME in z.read("mentoring-site/index.html").decode("utf-8")
        assert "mentoring-site/local/contacts.html" in z.namelist()


def test_fork_colours_logo_and_banner(fork_site: Path):
    html = (fork_site / "index.html").read_text(encoding="utf-8")
    assert "--md-primary-fg-color: #7a1f2b" in html
    assert 'src="local/logo.svg"' in html or "local/logo.svg" in html
    assert "Version genevoise du curriculum" in html
    assert "https://git.example.org/hug/mentorat" in html


def test_local_page_and_local_template_appear_in_navigation(fork_site: Path):
    html = (fork_site / "index.html").read_text(encoding="utf-8")
    assert "Informations locales" in html
    assert 'href="local/contacts.html"' in html
    contacts = (fork_site / "local/contacts.html").read_text(encoding="utf-8")
    assert "mentorat@hug.example" in contacts and "toutes les six semaines" in contacts
    assert (fork_site / "local/templates/carnet-de-bord.html").is_file()
    assert (fork_site / "downloads/templates/carnet-de-bord.pdf").is_file()
    library = (fork_site / "templates/index.html").read_text(encoding="utf-8")
    assert "../local/templates/carnet-de-bord.html" in library


def test_replaced_template_is_the_forks_version_everywhere(fork_site: Path):
    page = (fork_site / "templates/mentoring-agreement.html").read_text(encoding="utf-8")
    assert "Accord de mentorat (Genève)" in page and "Qui sommes-nous" in page
    docx = docx_text((fork_site / "downloads/templates/mentoring-agreement.docx").read_bytes())
    assert "Accord de mentorat (Genève)" in docx
    assert "Who we are" not in docx


def test_hidden_page_is_out_of_navigation_and_search_but_links_still_work(fork_site: Path):
    index = (fork_site / "index.html").read_text(encoding="utf-8")
    assert 'href="future.html"' not in index.split('class="md-content"')[0]
    assert (fork_site / "future.html").is_file()
    search = (fork_site / "search/search_index.json").read_text(encoding="utf-8")
    assert '"location":"future.html"' not in search.replace(" ", "")


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "GIT_CONFIG_GLOBAL": "/dev/null"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, env=env)


@pytest.mark.slow
def test_upstream_update_merges_into_the_fork_without_conflict(tmp_path: Path):
    upstream = copy_project(tmp_path / "upstream")
    assert _git(upstream, "init", "-q", "-b", "main").returncode == 0
    _git(upstream, "add", "-A")
    assert _git(upstream, "commit", "-qm", "upstream v1").returncode == 0

    fork = tmp_path / "fork"
    assert _git(tmp_path, "clone", "-q", str(upstream), str(fork)).returncode == 0
    apply_fork(fork)
    _git(fork, "add", "-A")
    assert _git(fork, "commit", "-qm", "Geneva fork: settings, logo, local page, replaced template, hidden page").returncode == 0

    # Upstream improves content, data, config and the theme.
    page = upstream / "docs/mentees/finding-a-mentor.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUpstream added this sentence in release two.\n", encoding="utf-8")
    data = upstream / "docs/data/templates.yml"
    edit(data, 'label: "Who attended"', 'label: "Mentee full name"')
    cfg = upstream / "mkdocs.yml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace("site_description: An open,", "site_description: A free, open,"),
                   encoding="utf-8")
    css = upstream / "docs/assets/css/site.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n.md-typeset .ms-lead { font-weight: 400; }\n", encoding="utf-8")
    main = upstream / "overrides/main.html"
    main.write_text(main.read_text(encoding="utf-8").replace("{% block extrahead %}", "{% block extrahead %}\n  {#- v2 #}"),
                    encoding="utf-8")
    _git(upstream, "add", "-A")
    assert _git(upstream, "commit", "-qm", "upstream v2").returncode == 0

    merge = _git(fork, "pull", "--no-rebase", "--no-edit", "origin", "main")
    assert merge.returncode == 0, merge.stdout + merge.stderr
    assert "CONFLICT" not in merge.stdout + merge.stderr
    assert _git(fork, "diff", "--name-only", "--diff-filter=U").stdout.strip() == ""
    assert "Upstream added this sentence" in (fork / "docs/mentees/finding-a-mentor.md").read_text(encoding="utf-8")

    out = tmp_path / "fork-site"
    result = build(fork, out)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (out / "mentees/finding-a-mentor.html").read_text(encoding="utf-8")
    assert NAME in html and "Upstream added this sentence" in html and '<html lang="fr"' in html
    assert (out / "local/contacts.html").is_file()
    assert "Accord de mentorat (Genève)" in (out / "templates/mentoring-agreement.html").read_text(encoding="utf-8")
    assert "Mentee full name" in (out / "templates/meeting-agenda-and-record.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("colour", ["#ffcc00", "#9ec5ff"])
def test_low_contrast_fork_colour_stops_the_build(tmp_path: Path, colour: str):
    project = copy_project(tmp_path / "p")
    apply_fork(project)
    settings = project / "docs/local/settings.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace('primary_colour: "#7a1f2b"', f'primary_colour: "{colour}"'),
                        encoding="utf-8")
    result = build(project)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    assert "docs/local/settings.yml" in output and "settings.primary_colour" in output and "4.5:1" in output


def test_local_pages_nest_by_folder_at_every_depth():
    """Each folder is a section listing its pages, its sub-folders folded (Material collapses them
    and navigation.prune leaves them out of other pages): each page's navigation stays small."""
    from types import SimpleNamespace

    from macros.engines import _local_nav

    titles = {"local/policies/index.md": "Nos règles"}
    site = SimpleNamespace(settings=SimpleNamespace(local_section_title="Genève"), page_files=titles,
                           title_of=titles.__getitem__)
    pages = ["local/contacts.md", "local/policies/leave.md", "local/policies/index.md",
             "local/policies/research/ethics.md", "local/about.md"]
    assert _local_nav(pages, site, str) == [
        "local/about.md", "local/contacts.md",
        {"Nos règles": ["local/policies/index.md", "local/policies/leave.md",
                        {"Research": ["local/policies/research/ethics.md"]}]},
    ]


def test_a_forks_own_template_is_listed_in_the_templates_tab(fork_site: Path):
    import re

    html = (fork_site / "local/templates/carnet-de-bord.html").read_text(encoding="utf-8")
    active_tab = re.search(r'md-tabs__item--active">\s*<a[^>]*>\s*(.*?)\s*</a>', html, re.S)
    import yaml

    french = yaml.safe_load((ROOT / "docs/messages/fr.yml").read_text(encoding="utf-8"))["messages"]["strings"]
    assert active_tab and active_tab.group(1).strip() == french["nav.templates"]  # the fork's language
    assert 'href="../../templates/mentoring-agreement.html"' in html  # with the upstream templates
    contacts = (fork_site / "local/contacts.html").read_text(encoding="utf-8")
    assert "carnet-de-bord.html" not in contacts.split('class="md-content"')[0]  # not in the local tab


def test_the_forks_repository_is_named_in_the_header(fork_site: Path):
    html = (fork_site / "local/contacts.html").read_text(encoding="utf-8")
    source = html.split('class="md-source"', 1)[1].split("</a>", 1)[0]
    assert "hug/mentorat" in source and "None" not in source
