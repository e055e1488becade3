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
import signal
import threading
from pathlib import Path
from typing import Callable, Iterable

from . import documents as d
from . import models as m
from .cache import Cache
from .i18n import Messages
from .registry import GUIDE_FORMATS, TEMPLATE_FORMATS, download_path
from .text import plain

Cite = Callable[[str], str]


def _cite_text(refs: dict[str, m.Reference]) -> Cite:
    return lambda key: f"({refs[key].short})" if key in refs else f"[{key}]"


def _doc(title: str, s: m.Settings, version: dt.date, blocks: Iterable[d.Block], t: Messages) -> d.Doc:
    return d.Doc(
        title=title,
        header=f"{s.programme_name} · {s.institution}",
        footer=t.text("doc.footer", title=title, version=version.isoformat(), licence=s.licence,
                      programme=s.programme_name),
        date=version,
        author=s.programme_name,
        language=s.language,
        paper=s.paper_size,
        blocks=tuple(blocks),
    )


def _contact(s: m.Settings, t: Messages) -> list[d.Block]:
    return [d.Meta(t.text("doc.programme"), f"{s.programme_name}, {s.institution}"),
            d.Meta(t.text("doc.contact"), f"{s.contact_name}, {s.contact_email}")]


# --------------------------------------------------------------------------- templates


def template_blocks(t: m.Template, s: m.Settings, cite: Cite, msg: Messages) -> list[d.Block]:
    blocks: list[d.Block] = [
        d.Meta(msg.text("template.purpose"), plain(t.purpose, cite)),
        d.Meta(msg.text("template.for"), ", ".join(msg.text(f"audience.{a}") for a in t.audience)),
        d.Meta(msg.text("template.when"), plain(t.when_to_use, cite)),
        d.Meta(msg.text("template.time"), plain(t.time_needed)),
        *_contact(s, msg),
    ]
    if t.credits:
        blocks.append(d.Meta(msg.text("template.credits"), plain(t.credits, cite)))
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


def template_doc(t: m.Template, s: m.Settings, refs: dict[str, m.Reference], msg: Messages) -> d.Doc:
    return _doc(plain(t.title), s, t.version, template_blocks(t, s, _cite_text(refs), msg), msg)


def template_file(site, t: m.Template, ext: str, settings: m.Settings | None = None) -> bytes:
    """One template as one format (``docx``, ``pdf`` or ``md``), with the site's or the given settings."""
    return d.WRITERS[ext](template_doc(t, settings or site.settings, site.references, site.messages))


# --------------------------------------------------------------------------- curriculum


def session_blocks(x: m.Session, templates: dict[str, m.Template], refs: dict[str, m.Reference],
                   cite: Cite, msg: Messages) -> list[d.Block]:
    t = msg.text
    blocks: list[d.Block] = [
        d.Meta(t("session.session"), f"{x.number} · {t(f'track.{x.track}')}"),
        d.Meta(t("session.audience"), plain(x.audience)),
        d.Meta(t("session.group_size"), plain(x.group_size)),
        d.Meta(t("session.duration"), t("session.minutes", n=x.duration_minutes)),
        d.Para(plain(x.summary, cite)),
        d.Heading(t("session.objectives_heading")),
        d.Para(t("session.objectives_intro")),
        d.Bullets(tuple(plain(o, cite) for o in x.objectives), numbered=True),
    ]
    if x.pre_work:
        blocks += [d.Heading(t("session.pre_work_heading")), d.Bullets(tuple(plain(p, cite) for p in x.pre_work))]
    blocks.append(d.Heading(t("session.plan_heading")))
    start = 0
    rows = []
    for a in x.activities:
        rows.append((f"{start}–{start + a.minutes}", t("session.min", n=a.minutes), plain(a.title), plain(a.method),
                     plain(a.materials)))
        start += a.minutes
    blocks.append(d.Grid("", (t("session.time"), t("course.minutes"), t("session.activity"), t("session.method"),
                              t("session.materials")), tuple(rows)))
    for a in x.activities:
        blocks += [d.Heading(f"{plain(a.title)} ({t('session.min', n=a.minutes)})", 2), d.Para(plain(a.description, cite))]
    for case in x.cases:
        blocks += [d.Heading(t("session.case", title=plain(case.title)))]
        blocks += [d.Para(p) for p in plain(case.scenario, cite).split("\n\n")]
        blocks += [d.Para(t("session.prompts"), "bold"), d.Bullets(tuple(plain(q, cite) for q in case.prompts), True)]
    blocks += [
        d.Heading(t("session.notes_heading")),
        d.Para(t("session.tends_to_happen"), "bold"),
        d.Bullets(tuple(plain(n, cite) for n in x.facilitator_notes.what_tends_to_happen)),
        d.Para(t("session.difficult_moments"), "bold"),
        d.Bullets(tuple(plain(n, cite) for n in x.facilitator_notes.difficult_moments)),
    ]
    if x.take_home_templates:
        blocks += [d.Heading(t("session.take_home_heading")),
                   d.Bullets(tuple(plain(templates[k].title) for k in x.take_home_templates))]
    if x.references:
        blocks += [d.Heading(t("session.references_heading")),
                   d.Bullets(tuple(f"{refs[k].authors}. {refs[k].title}. {refs[k].venue}. {refs[k].link}"
                                   for k in x.references))]
    return blocks


def session_doc(x: m.Session, s: m.Settings, templates, refs, version: dt.date, msg: Messages) -> d.Doc:
    return _doc(msg.text("doc.guide_title", title=plain(x.title)), s, version,
                [*_contact(s, msg), *session_blocks(x, templates, refs, _cite_text(refs), msg)], msg)


def course_pack_doc(sessions: list[m.Session], s: m.Settings, templates, refs, version: dt.date,
                    msg: Messages) -> d.Doc:
    t = msg.text
    cite = _cite_text(refs)
    core = sum(x.duration_minutes for x in sessions if x.track == "core")
    blocks: list[d.Block] = [*_contact(s, msg), d.Para(t("doc.core_length", minutes=core,
                                                          hours=msg.number(core / 60, 1 if core % 60 else 0)))]
    blocks.append(d.Grid(t("doc.sessions"), (t("course.number"), t("course.session"), t("course.track"), t("course.minutes")),
                         tuple((str(x.number), plain(x.title), t(f"track.{x.track}"), str(x.duration_minutes))
                               for x in sessions)))
    for x in sessions:
        blocks += [d.PageBreak(), d.Heading(t("session.title", number=x.number, title=plain(x.title))),
                   *[b if not isinstance(b, d.Heading) else d.Heading(b.text, 2)
                     for b in session_blocks(x, templates, refs, cite, msg)]]
    return _doc(t("doc.pack_title", programme=s.programme_name), s, version, blocks, msg)


# --------------------------------------------------------------------------- all files


def documents(site) -> dict[str, tuple[str, d.Doc]]:
    """Every download as (writer, document), keyed by its path inside the built site."""
    s, refs, msg = site.settings, site.references, site.messages
    jobs: dict[str, tuple[str, d.Doc]] = {}
    for t in site.templates.values():
        doc = template_doc(t, s, refs, msg)
        for ext in TEMPLATE_FORMATS:
            jobs[download_path("templates", t.id, ext)] = (ext, doc)
    sessions = sorted(site.curriculum.values(), key=lambda x: x.number)
    if sessions:
        for x in sessions:
            doc = session_doc(x, s, site.templates, refs, x.version, msg)
            for ext in GUIDE_FORMATS:
                jobs[download_path("curriculum", x.id, ext)] = (ext, doc)
        pack = course_pack_doc(sessions, s, site.templates, refs, max(x.version for x in sessions), msg)
        for ext in GUIDE_FORMATS:
            jobs[download_path("curriculum", "course-pack", ext)] = (ext, pack)
    return jobs


def _engine_key() -> str:
    """Changes whenever the writers, the fonts or the document libraries change.

    Versions come from the installed packages' metadata, so a build whose downloads are all
    cached never imports the document libraries (importing them costs about 0.3 s).
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


def _worker_start(parent: int) -> None:
    """Each worker ends when the build that started it ends, even when that build is killed."""
    try:  # Linux: the kernel sends SIGTERM when the parent dies
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass

    def watch() -> None:  # elsewhere (and as a second line): notice that the parent has gone
        while True:
            if os.getppid() != parent:
                os._exit(1)
            threading.Event().wait(0.5)

    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


class Pending:
    """Downloads being generated in worker processes; :meth:`result` waits for them."""

    def __init__(self, jobs: dict, files: dict[str, bytes], todo: list[str], keys: dict[str, str],
                 cache: Cache, pool=None, futures: dict | None = None):
        self.jobs, self.files, self.todo, self.keys = jobs, files, todo, keys
        self.cache, self.pool, self.futures = cache, pool, futures or {}
        self._done: dict[str, bytes] | None = None

    @property
    def generated(self) -> list[str]:
        """Paths made in this build (not served from the cache)."""
        return list(self.todo)

    def result(self) -> dict[str, bytes]:
        """Every download, keyed by its path inside the built site (generated once)."""
        if self._done is None:
            try:
                for path in self.todo:
                    future = self.futures.get(path)
                    self.files[path] = future.result() if future else _render(self.jobs[path])
            finally:
                self.cancel()
            for path in self.todo:
                self.cache.put(self.keys[path], self.files[path])
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
    live reload. A damaged entry is noticed, reported and made again. Missing files are generated by
    a pool of worker processes (one per core) while the build goes on; ``workers=1`` generates them in
    this process, on demand.
    """
    jobs = documents(site)
    cache = Cache(cache_dir)
    engine = _engine_key() if cache_dir else ""
    keys = {path: hashlib.sha256(f"{engine}|{ext}|{doc!r}".encode()).hexdigest() + f".{ext}"
            for path, (ext, doc) in jobs.items()}
    files: dict[str, bytes] = {}
    todo = []
    for path in jobs:
        cached = cache.get(keys[path])
        if cached is not None:
            files[path] = cached
        else:
            todo.append(path)
    workers = workers if workers is not None else min(len(todo), os.cpu_count() or 1)
    if workers <= 1 or len(todo) <= 4:
        return Pending(jobs, files, todo, keys, cache)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                               initargs=(os.getpid(),))
    # Slowest first (PDFs, then DOCX), so that the last worker is not left with a long job.
    order = sorted(todo, key=lambda p: {"pdf": 0, "docx": 1}.get(jobs[p][0], 2))
    futures = {path: pool.submit(_render, jobs[path]) for path in order}
    return Pending(jobs, files, todo, keys, cache, pool, futures)


def build_all(site, cache_dir: Path | None = None, workers: int | None = None) -> dict[str, bytes]:
    """Every download, keyed by its path inside the built site (see :func:`start`)."""
    return start(site, cache_dir, workers).result()
