"""Downloads: every template as DOCX, PDF and Markdown, readable, branded, Unicode-safe, reproducible."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from macros import downloads
from macros import models as m
from macros.loader import load_site
from macros.registry import TEMPLATE_FORMATS, download_path
from macros.text import plain

from .conftest import ROOT, build


def _norm(text: str) -> str:
    return " ".join(text.replace("\u00ad", "").split())


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return _norm("\n".join(parts))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return _norm(re.sub(r"(?<=\w-)\n", "", text))  # a line that breaks after a hyphen reads as one word




def _expected_strings(t: m.Template, cite) -> list[str]:
    out = [plain(t.title)]
    for sec in t.sections:
        out.append(plain(sec.title, cite))
        for f in sec.fields:
            if not isinstance(f, m.Guidance):
                out.append(plain(f.label, cite))
    return [_norm(s) for s in out]


def test_every_template_produces_three_files_in_the_built_site(built_site: Path, site):
    assert len(site.templates) >= 14
    for tid in site.templates:
        for ext in TEMPLATE_FORMATS:
            f = built_site / download_path("templates", tid, ext)
            assert f.is_file() and f.stat().st_size > 200, f


def test_documents_contain_title_sections_labels_and_programme(built_site: Path, site):
    cite = lambda key: f"({site.references[key].short})"  # noqa: E731
    name = site.settings.programme_name
    for tid, t in site.templates.items():
        def read(fmt: str) -> bytes:
            return (built_site / download_path("templates", tid, fmt)).read_bytes()

        texts = {
            "docx": docx_text(read("docx")),
            "pdf": pdf_text(read("pdf")),
            "md": _norm(re.sub(r"\\(.)", r"\1", read("md").decode("utf-8"))),  # backslash escapes read as text
        }
        for fmt, text in texts.items():
            assert name in text, (tid, fmt)
            assert site.settings.contact_email in text, (tid, fmt)
            for expected in _expected_strings(t, cite):
                assert expected in text, (tid, fmt, expected)


def test_pdf_paper_size_follows_the_settings(site):
    t = next(iter(site.templates.values()))
    a4 = PdfReader(io.BytesIO(downloads.template_file(site, t, "pdf"))).pages[0].mediabox
    letter_settings = site.settings.model_copy(update={"paper_size": "Letter"})
    letter = PdfReader(io.BytesIO(downloads.template_file(site, t, "pdf", letter_settings))).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)


UNICODE = {
    "programme_name": "Programme de mentorat – Hôpital Universitaire de Genève",
    "institution": "Łódź “Zürich” — Genève",
}


def test_text_outside_latin1_survives_in_every_format(site):
    s = site.settings.model_copy(update=UNICODE)
    t = site.templates["mentoring-agreement"]
    t = t.model_copy(update={"title": "Accord de mentorat – “Genève” Łódź"})
    for fmt, data in (("md", downloads.template_file(site, t, "md", s).decode("utf-8")),
                      ("docx", docx_text(downloads.template_file(site, t, "docx", s))),
                      ("pdf", pdf_text(downloads.template_file(site, t, "pdf", s)))):
        text = _norm(data)
        for expected in (*UNICODE.values(), "Accord de mentorat – “Genève” Łódź"):
            assert expected in text, (fmt, expected)


def test_hostile_strings_stay_literal_in_documents(site):
    hostile = "<script>alert(1)</script> {{ settings.contact_email }} " + "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    t = m.Template.model_validate({
        "id": "hostile", "title": "Hostile <b>title</b>", "purpose": hostile, "audience": ["mentees"],
        "when_to_use": "Now", "time_needed": "1 minute", "version": "2026-11-26",
        "sections": [{"title": "S <i>x</i>", "fields": [
            {"type": "short_text", "label": hostile}, {"type": "long_text", "label": "Empty"},
            {"type": "table", "label": "T", "columns": ["<a>"], "rows": 1}]}],
    }, strict=False)
    md = downloads.template_file(site, t, "md").decode("utf-8")
    assert "<script>" not in md and "\\<script\\>" in md and "{{ settings.contact_email }}" in md
    # In a right-to-left site (a fork in Arabic) the PDF's text comes out in visual order, where the
    # bidi algorithm mirrors '<' and '>' at the edges of an English run: compare with the two made one.
    rtl = site.messages.dir == "rtl"
    same = (lambda x: x.replace(">", "<")) if rtl else (lambda x: x)
    for text in (docx_text(downloads.template_file(site, t, "docx")),
                 pdf_text(downloads.template_file(site, t, "pdf"))):
        text = same(text)
        tag = "script>alert(1)</script>" if rtl else "<script>alert(1)</script>"  # (the first '<' moves in RTL)
        assert same(tag) in text.replace(" ", "") or same(tag) in text
        assert same("Hostile <b>title") in text


def test_two_builds_give_identical_downloads(built_site: Path, tmp_path: Path, site):
    """Reproducible: a second full build, and fresh in-process generation (sequential, no cache),
    give byte-identical files."""
    second = tmp_path / "second"
    result = build(ROOT, second)
    assert result.returncode == 0, result.stderr

    def digests(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted((root / "downloads").rglob("*")) if p.is_file()}

    first, again = digests(built_site), digests(second)
    assert first and first == again
    assert "downloads/offline/mentoring-site.zip" in first  # the offline copy too
    fresh = {k: hashlib.sha256(v).hexdigest() for k, v in downloads.build_all(site, None, workers=1).items()}
    assert fresh == {k: v for k, v in first.items() if k in fresh}
    assert len(fresh) == len([k for k in first if k.startswith(("downloads/templates/", "downloads/curriculum/"))])


@pytest.mark.slow
def test_download_cache_is_used_and_keyed_by_content(site, tmp_path: Path):
    cache = tmp_path / "cache"
    one = downloads.build_all(site, cache, workers=1)
    assert len(list(cache.iterdir())) == len(one)
    changed = site.settings.model_copy(update={"programme_name": "Another programme"})
    other = downloads.build_all(type(site)(**{**site.__dict__, "settings": changed}), cache, workers=1)
    assert other != one  # new content gets new keys...
    changed = [k for k in one if one[k] != other[k]]
    assert len(list(cache.iterdir())) == len(one) + len(changed)
    assert changed and all("-blank" not in k for k in changed)  # (blank copies do not name the programme)
    assert downloads.build_all(site, cache, workers=1) == one  # ...and the old entries still serve


@pytest.mark.slow
def test_a_damaged_cache_entry_is_detected_reported_and_replaced(site, tmp_path: Path, caplog):
    cache = tmp_path / "cache"
    good = downloads.build_all(site, cache, workers=1)
    entries = sorted(cache.iterdir())
    cut, changed = entries[0], entries[1]
    cut.write_bytes(cut.read_bytes()[: len(cut.read_bytes()) // 2])  # a disk full or a killed writer
    data = bytearray(changed.read_bytes())
    data[-1] ^= 0xFF  # one flipped byte
    changed.write_bytes(bytes(data))
    with caplog.at_level("WARNING", logger="mentoring.build"):
        again = downloads.start(site, cache, workers=1)
    assert sorted(again.todo) == sorted(p for p, k in again.keys.items() if cache / k in (cut, changed))
    assert len(again.todo) == 2 and again.result() == good
    assert sum("was damaged" in r.getMessage() for r in caplog.records) == 2
    assert downloads.start(site, cache, workers=1).todo == []  # replaced by whole entries


@pytest.mark.slow
def test_an_unwritable_cache_is_a_warning_not_a_failure(site, tmp_path: Path, caplog):
    cache = tmp_path / "cache"
    cache.write_text("a file where the cache folder should be")  # fails for root too, unlike chmod
    with caplog.at_level("WARNING", logger="mentoring.build"):
        files = downloads.build_all(site, cache, workers=1)
    assert files and any("continuing without the download cache" in r.getMessage() for r in caplog.records)


def test_docx_has_header_footer_and_fixed_timestamps(site):
    import zipfile

    t = site.templates["meeting-agenda-and-record"]
    data = downloads.template_file(site, t, "docx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    doc = Document(io.BytesIO(data))
    assert site.settings.programme_name in doc.sections[0].header.paragraphs[0].text
    footer = doc.sections[0].footer.paragraphs[0].text
    assert t.title in footer and t.version.isoformat() in footer and site.settings.licence in footer
    assert b"w14:checkbox" in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")  # ticks are controls


@pytest.mark.slow
def test_background_generation_gives_the_same_files_and_leaves_no_worker_behind(site):
    import multiprocessing

    sequential = downloads.build_all(site, None, workers=1)
    pending = downloads.start(site, None, workers=2)
    assert pending.pool is not None and len(pending.futures) == len(sequential)
    assert pending.result() == sequential
    assert pending.result() is pending.result()  # generated once
    assert multiprocessing.active_children() == []
    stopped = downloads.start(site, None, workers=2)
    stopped.cancel()  # what a build that fails half-way does
    assert stopped.pool is None and multiprocessing.active_children() == []


@pytest.mark.slow
def test_workers_end_when_the_build_that_started_them_is_killed(tmp_path: Path):
    """Killing the main build process (a closed terminal, a cancelled CI job) leaves no worker behind."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from .test_fork import copy_project

    project = copy_project(tmp_path / "project")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "macros", "build", "--project", str(project)], cwd=project,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def children(pid: int) -> set[int]:
        found = set()
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = open(f"/proc/{entry}/stat", encoding="utf-8").read()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                    found.add(int(entry))
        return found

    workers: set[int] = set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(workers) < 2:  # wait for the download workers to start
        workers |= children(proc.pid)
        time.sleep(0.05)
    assert workers, "no worker process started (is the download cache warm?)"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    alive = workers
    while alive and time.monotonic() < deadline:
        alive = {pid for pid in alive if os.path.exists(f"/proc/{pid}") and
                 open(f"/proc/{pid}/stat", encoding="utf-8").read().rsplit(")", 1)[1].split()[0] != "Z"}
        time.sleep(0.2)
    assert alive == set(), f"worker processes left running after the build was killed: {sorted(alive)}"


def test_publish_workflow_restores_the_download_cache_before_building():
    import yaml

    steps = yaml.safe_load((ROOT / ".github/workflows/publish.yml").read_text(encoding="utf-8"))["jobs"]["build"]["steps"]
    cache = [i for i, s in enumerate(steps) if str(s.get("uses", "")).startswith("actions/cache@")]
    build_step = [i for i, s in enumerate(steps) if s.get("run") == "make build"]
    assert cache and build_step and cache[0] < build_step[0]
    from macros.pipeline import Build

    cached = (ROOT / steps[cache[0]]["with"]["path"]).resolve()
    assert Build(ROOT).cache_dir.resolve().is_relative_to(cached)  # the folder where the build keeps them
    fonts = [i for i, s in enumerate(steps) if "fonts-noto-cjk" in str(s.get("run", ""))]
    assert fonts and fonts[0] < build_step[0]  # the PDFs' fallback fonts, as in .ci/run
    assert "macros/**" in steps[cache[0]]["with"]["key"]  # a new writer version means new files


def test_markdown_pastes_cleanly_into_a_wiki(site):
    """Task lists for ticks and scale points, quoted lines to write on, one colon after a label, no HTML
    entities and no runs of underscores (Markdown turns a line of them into a rule)."""
    import markdown

    for t in site.templates.values():
        text = downloads.template_file(site, t, "md").decode("utf-8")
        assert not re.search(r"&[#\w]+;", text), t.id
        assert not re.search(r"_{3,}", text), t.id
        assert not re.search(r"[?!.:]:", text), (t.id, re.search(r".{20}[?!.:]:", text))
        html = markdown.markdown(text, extensions=["tables"])
        assert "<hr" not in html.split("<hr")[0] or html.count("<hr") == 1, t.id  # only the footer's rule
        for sec in t.sections:
            for f in sec.fields:
                if isinstance(f, m.Checkbox):
                    assert f"- [ ] {plain(f.label)}" in text.replace("\\", ""), (t.id, f.label)
                elif isinstance(f, m.Rating):
                    for option in f.scale:
                        assert f"- [ ] {plain(option)}" in text, (t.id, option)
                elif isinstance(f, m.LongText):
                    label = re.escape(plain(f.label))
                    assert re.search(label + r"[?:!.]?\*\*\n\n" + r"(> …\n){" + str(f.lines) + "}", text), (t.id, f.label)


def test_every_template_has_a_blank_copy_without_the_programme_beside_the_branded_file(built_site: Path, site):
    from macros.registry import Variant

    s = site.settings
    readers = {"pdf": pdf_text, "docx": docx_text, "md": lambda b: _norm(re.sub(r"\\(.)", r"\1", b.decode("utf-8")))}
    for tid in site.templates:
        for fmt, read in readers.items():
            branded = read((built_site / download_path("templates", tid, fmt)).read_bytes())
            blank = read((built_site / download_path("templates", tid, fmt, Variant(blank=True))).read_bytes())
            assert s.programme_name in branded and s.contact_email in branded, (tid, fmt)
            assert s.programme_name not in blank and s.institution not in blank and s.contact_email not in blank, (tid, fmt)
            assert site.messages.text("doc.programme") in blank, (tid, fmt)  # the programme is written in by hand
            assert plain(site.templates[tid].title) in blank, (tid, fmt)


def test_the_template_page_offers_every_variant_and_the_library_the_main_files(built_site: Path, site):
    from macros.registry import variants

    tid = "mentoring-agreement"
    page = (built_site / "templates" / f"{tid}.html").read_text(encoding="utf-8")
    library = (built_site / "templates" / "index.html").read_text(encoding="utf-8")
    for fmt in TEMPLATE_FORMATS:
        for variant, _ in variants(fmt, site.settings.paper_size):
            name = download_path("templates", tid, fmt, variant).split("/")[-1]
            assert f'href="../downloads/templates/{name}"' in page, name
            assert (f'downloads/templates/{name}"' in library) == (variant.suffix == ""), name
    assert 'download="mentoring-agreement-blank-letter.pdf"' in page


def test_an_unchanged_site_takes_its_downloads_from_the_cache_without_making_documents(site, tmp_path: Path,
                                                                                        monkeypatch):
    cache = tmp_path / "cache"
    first = downloads.build_all(site, cache, workers=1)

    def fail(_site):
        raise AssertionError("documents were made again")

    monkeypatch.setattr(downloads, "documents", fail)
    again = downloads.start(site, cache, workers=1)
    assert again.todo == [] and again.result() == first
    monkeypatch.undo()
    t = site.templates["meeting-agenda-and-record"]
    edited = t.model_copy(update={"title": "Meeting record"})
    changed = type(site)(**{**site.__dict__, "templates": {**site.templates, t.id: edited}})
    pending = downloads.start(changed, cache, workers=1)
    agenda = [p for p in first if p.startswith("downloads/templates/meeting-agenda-and-record")]
    assert set(agenda) <= set(pending.todo)  # made again (and the guides that name the template)
    assert not [p for p in pending.todo if p.startswith("downloads/templates/") and p not in agenda]
    pending.cancel()
