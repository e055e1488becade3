"""Downloads, generated from the same models as the web pages.

Each template becomes ``downloads/templates/<id>.{docx,pdf,md}``; each curriculum session a
facilitator guide ``downloads/curriculum/<id>.{docx,pdf}``, and the whole course a pack
``downloads/curriculum/course-pack.{docx,pdf}``. The programme's name and contact come from
the settings, so a fork's downloads carry the fork's identity.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path
from typing import Callable, Iterable

from . import documents as d
from . import models as m
from .text import plain

Cite = Callable[[str], str]


def _cite_text(refs: dict[str, m.Reference]) -> Cite:
    return lambda key: f"({refs[key].short})" if key in refs else f"[{key}]"


def _doc(title: str, s: m.Settings, version: dt.date, blocks: Iterable[d.Block]) -> d.Doc:
    return d.Doc(
        title=title,
        header=f"{s.programme_name} · {s.institution}",
        footer=f"{title} · version {version.isoformat()} · {s.licence} · {s.programme_name}",
        date=version,
        author=s.programme_name,
        language=s.language,
        paper=s.paper_size,
        blocks=tuple(blocks),
    )


def _contact(s: m.Settings) -> list[d.Block]:
    return [d.Meta("Programme", f"{s.programme_name}, {s.institution}"),
            d.Meta("Contact", f"{s.contact_name}, {s.contact_email}")]


# --------------------------------------------------------------------------- templates


def template_blocks(t: m.Template, s: m.Settings, cite: Cite) -> list[d.Block]:
    blocks: list[d.Block] = [
        d.Meta("Purpose", plain(t.purpose, cite)),
        d.Meta("For", ", ".join(a.replace("-", " ") for a in t.audience)),
        d.Meta("When to use it", plain(t.when_to_use, cite)),
        d.Meta("Time needed", plain(t.time_needed)),
        *_contact(s),
    ]
    if t.credits:
        blocks.append(d.Meta("Credits", plain(t.credits, cite)))
    for sec in t.sections:
        blocks.append(d.Heading(plain(sec.title, cite)))
        if sec.guidance:
            blocks.append(d.Para(plain(sec.guidance, cite), "italic"))
        for f in sec.fields:
            if isinstance(f, m.Guidance):
                blocks.append(d.Para(plain(f.text, cite), "italic"))
                continue
            label = plain(f.label, cite)
            if isinstance(f, m.ShortText):
                blocks.append(d.Lines(label, 1))
            elif isinstance(f, m.LongText):
                blocks.append(d.Lines(label, f.lines))
            elif isinstance(f, m.DateField):
                blocks.append(d.DateLine(label))
            elif isinstance(f, m.Checkbox):
                blocks.append(d.Tick(label))
            elif isinstance(f, m.Rating):
                blocks.append(d.Scale(label, tuple(plain(x) for x in f.scale)))
            elif isinstance(f, m.Table):
                cols = tuple(plain(c) for c in f.columns)
                blocks.append(d.Grid(label, cols, tuple(("",) * len(cols) for _ in range(f.rows))))
            elif isinstance(f, m.Signature):
                blocks.append(d.SignLine(label))
    return blocks


def template_doc(t: m.Template, s: m.Settings, refs: dict[str, m.Reference]) -> d.Doc:
    return _doc(plain(t.title), s, t.version, template_blocks(t, s, _cite_text(refs)))


def template_markdown(t: m.Template, s: m.Settings, refs: dict[str, m.Reference]) -> bytes:
    return d.to_markdown(template_doc(t, s, refs))


def template_docx(t: m.Template, s: m.Settings, refs: dict[str, m.Reference]) -> bytes:
    return d.to_docx(template_doc(t, s, refs))


def template_pdf(t: m.Template, s: m.Settings, refs: dict[str, m.Reference]) -> bytes:
    return d.to_pdf(template_doc(t, s, refs))


# --------------------------------------------------------------------------- curriculum


def session_blocks(x: m.Session, templates: dict[str, m.Template], refs: dict[str, m.Reference],
                   cite: Cite) -> list[d.Block]:
    blocks: list[d.Block] = [
        d.Meta("Session", f"{x.number} · {TRACK_LABELS[x.track]}"),
        d.Meta("Audience", plain(x.audience)),
        d.Meta("Group size", plain(x.group_size)),
        d.Meta("Duration", f"{x.duration_minutes} minutes"),
        d.Para(plain(x.summary, cite)),
        d.Heading("Learning objectives"),
        d.Para("By the end of the session participants will be able to:"),
        d.Bullets(tuple(plain(o, cite) for o in x.objectives), numbered=True),
        d.Heading("Pre-work"),
        d.Bullets(tuple(plain(p, cite) for p in x.pre_work)),
        d.Heading("Timed plan"),
    ]
    start = 0
    rows = []
    for a in x.activities:
        rows.append((f"{start}–{start + a.minutes}", f"{a.minutes} min", plain(a.title), plain(a.method), plain(a.materials)))
        start += a.minutes
    blocks.append(d.Grid("", ("Time", "Minutes", "Activity", "Method", "Materials"), tuple(rows)))
    for a in x.activities:
        blocks += [d.Heading(f"{plain(a.title)} ({a.minutes} min)", 2), d.Para(plain(a.description, cite))]
    for case in x.cases:
        blocks += [d.Heading(f"Case: {plain(case.title)}")]
        blocks += [d.Para(p) for p in plain(case.scenario, cite).split("\n\n")]
        blocks += [d.Para("Discussion prompts", "bold"), d.Bullets(tuple(plain(q, cite) for q in case.prompts), True)]
    blocks += [
        d.Heading("Facilitator notes"),
        d.Para("What tends to happen", "bold"),
        d.Bullets(tuple(plain(n, cite) for n in x.facilitator_notes.what_tends_to_happen)),
        d.Para("Handling difficult moments", "bold"),
        d.Bullets(tuple(plain(n, cite) for n in x.facilitator_notes.difficult_moments)),
    ]
    if x.take_home_templates:
        blocks += [d.Heading("Take-home tools"),
                   d.Bullets(tuple(f"{templates[t].title} (template '{t}')" for t in x.take_home_templates))]
    if x.references:
        blocks += [d.Heading("References"),
                   d.Bullets(tuple(f"{refs[k].authors}. {refs[k].title}. {refs[k].venue}. {refs[k].link}"
                                   for k in x.references))]
    return blocks


TRACK_LABELS = {"core": "Core course", "mentee": "Mentee track", "programme-lead": "Programme-lead workshop"}


def session_doc(x: m.Session, s: m.Settings, templates, refs, version: dt.date) -> d.Doc:
    return _doc(f"Facilitator guide: {plain(x.title)}", s, version,
                [*_contact(s), *session_blocks(x, templates, refs, _cite_text(refs))])


def course_pack_doc(sessions: list[m.Session], s: m.Settings, templates, refs, version: dt.date) -> d.Doc:
    cite = _cite_text(refs)
    core = sum(x.duration_minutes for x in sessions if x.track == "core")
    blocks: list[d.Block] = [*_contact(s), d.Para(f"The core course runs for {core} minutes ({core / 60:g} hours).")]
    blocks.append(d.Grid("Sessions", ("No.", "Session", "Track", "Minutes"),
                         tuple((str(x.number), plain(x.title), TRACK_LABELS[x.track], str(x.duration_minutes))
                               for x in sessions)))
    for x in sessions:
        blocks += [d.PageBreak(), d.Heading(f"Session {x.number}: {plain(x.title)}"),
                   *[b if not isinstance(b, d.Heading) else d.Heading(b.text, 2)
                     for b in session_blocks(x, templates, refs, cite)]]
    return _doc(f"Mentor-training course pack: {s.programme_name}", s, version, blocks)


# --------------------------------------------------------------------------- all files


def documents(site) -> dict[str, tuple[str, d.Doc]]:
    """Every download as (writer, document), keyed by its path inside the built site."""
    s, refs = site.settings, site.references
    jobs: dict[str, tuple[str, d.Doc]] = {}
    for t in site.templates.values():
        doc = template_doc(t, s, refs)
        for ext in d.WRITERS:
            jobs[f"downloads/templates/{t.id}.{ext}"] = (ext, doc)
    sessions = sorted(site.curriculum.values(), key=lambda x: x.number)
    if sessions:
        for x in sessions:
            doc = session_doc(x, s, site.templates, refs, x.version)
            for ext in ("docx", "pdf"):
                jobs[f"downloads/curriculum/{x.id}.{ext}"] = (ext, doc)
        pack = course_pack_doc(sessions, s, site.templates, refs, max(x.version for x in sessions))
        for ext in ("docx", "pdf"):
            jobs[f"downloads/curriculum/course-pack.{ext}"] = (ext, pack)
    return jobs


def _engine_key() -> str:
    """Changes whenever the writers, the fonts or the document libraries change.

    Versions come from the installed packages' metadata, so a build whose downloads are all
    cached never imports fpdf2 or python-docx (importing them costs about 0.3 s).
    """
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    for path in sorted([Path(d.__file__), *d.FONT_DIR.glob("*.ttf")]):
        h.update(path.read_bytes())
    for package in ("fpdf2", "python-docx", "fonttools"):
        try:
            h.update(f"{package} {version(package)};".encode())
        except PackageNotFoundError:
            h.update(f"{package} missing;".encode())
    return h.hexdigest()


def _render(job: tuple[str, d.Doc]) -> bytes:
    ext, doc = job
    return d.WRITERS[ext](doc)


class Pending:
    """Downloads being generated in worker processes; :meth:`result` waits for them."""

    def __init__(self, jobs: dict, files: dict[str, bytes], todo: list[str], keys: dict[str, str],
                 cache_dir: Path | None, pool=None, futures: dict | None = None):
        self.jobs, self.files, self.todo, self.keys = jobs, files, todo, keys
        self.cache_dir, self.pool, self.futures = cache_dir, pool, futures or {}
        self._done: dict[str, bytes] | None = None

    def result(self) -> dict[str, bytes]:
        """Every download, keyed by its path inside the built site (generated once)."""
        if self._done is None:
            try:
                for path in self.todo:
                    future = self.futures.get(path)
                    self.files[path] = future.result() if future else _render(self.jobs[path])
            finally:
                self.cancel()
            if self.cache_dir:
                self.cache_dir.mkdir(parents=True, exist_ok=True)
                for path in self.todo:
                    (self.cache_dir / f"{self.keys[path]}.{self.jobs[path][0]}").write_bytes(self.files[path])
            self._done = {path: self.files[path] for path in self.jobs}
        return self._done

    def cancel(self) -> None:
        """Stop the worker processes (a failed build or live reload leaves none behind)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


def start(site, cache_dir: Path | None = None, workers: int | None = None) -> Pending:
    """Start generating every download and return at once.

    Output is deterministic, so files are cached by the hash of their document and of the writers
    (``cache_dir``, git-ignored): an unchanged template is not generated again on the next build or
    live reload. Missing files are generated by a pool of worker processes (one per core) while the
    build goes on rendering pages; ``workers=1`` generates them in this process, on demand.
    """
    jobs = documents(site)
    engine = _engine_key() if cache_dir else ""
    keys = {path: hashlib.sha256(f"{engine}|{ext}|{doc!r}".encode()).hexdigest()
            for path, (ext, doc) in jobs.items()} if cache_dir else {}
    files: dict[str, bytes] = {}
    todo = []
    for path, job in jobs.items():
        cached = cache_dir / f"{keys[path]}.{job[0]}" if cache_dir else None
        if cached is not None and cached.is_file():
            files[path] = cached.read_bytes()
        else:
            todo.append(path)
    workers = workers if workers is not None else min(len(todo), os.cpu_count() or 1)
    if workers <= 1 or len(todo) <= 4:
        return Pending(jobs, files, todo, keys, cache_dir)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    # Slowest first (PDFs, then DOCX), so that the last worker is not left with a long job.
    order = sorted(todo, key=lambda p: {"pdf": 0, "docx": 1}.get(jobs[p][0], 2))
    futures = {path: pool.submit(_render, jobs[path]) for path in order}
    return Pending(jobs, files, todo, keys, cache_dir, pool, futures)


def build_all(site, cache_dir: Path | None = None, workers: int | None = None) -> dict[str, bytes]:
    """Every download, keyed by its path inside the built site (see :func:`start`)."""
    return start(site, cache_dir, workers).result()
