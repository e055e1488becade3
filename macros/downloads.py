"""Downloads, generated from the same models as the web pages.

Each template becomes ``downloads/templates/<id>.{docx,pdf,md}``; each curriculum session a
facilitator guide ``downloads/curriculum/<id>.{docx,pdf}``, and the whole course a pack
``downloads/curriculum/course-pack.{docx,pdf}``. The programme's name and contact come from
the settings, so a fork's downloads carry the fork's identity.

PDFs are the web pages' own HTML (the partials ``render.template_form`` and
``render.session_page`` fill) in a print document, laid out by WeasyPrint (:mod:`macros.pdf`);
Word and Markdown files are written from a small document model (:mod:`macros.documents`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import os
import re
import signal
import threading
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterable

from markupsafe import Markup

from . import documents as d
from . import models as m
from . import pdf
from .cache import Cache, write_atomic
from .errors import Problem, SiteError, format_loc
from .i18n import Messages
from .registry import DATASETS, GUIDE_FORMATS, TEMPLATE_FORMATS, download_path, papers, variants
from .text import plain

Cite = Callable[[str], str]


def _cite_text(refs: dict[str, m.Reference]) -> Cite:
    return lambda key: f"({refs[key].short})" if key in refs else f"[{key}]"


def _doc(title: str, s: m.Settings, version: dt.date, blocks: Iterable[d.Block], t: Messages,
         subject: str = "", keywords: str = "", paper: str | None = None, blank: bool = False) -> d.Doc:
    return d.Doc(
        title=title,
        header="" if blank else f"{s.programme_name} · {s.institution}",
        footer=(t.text("doc.footer_blank", title=title, version=version.isoformat(), licence=s.licence) if blank else
                t.text("doc.footer", title=title, version=version.isoformat(), licence=s.licence,
                       programme=s.programme_name)),
        date=version,
        author="" if blank else s.programme_name,
        language=s.language,
        paper=paper or papers(s.paper_size)[0],
        blocks=tuple(blocks),
        subject=subject,
        keywords=keywords,
        colour=s.primary_colour,
        direction=t.dir,
        page_label=t.strings["doc.page"],
        signature_label=t.strings["form.signature_of"],
        date_label=t.strings["form.date_signed_by"],
    )


def _contact(s: m.Settings, t: Messages) -> list[d.Block]:
    return [d.Meta(t.text("doc.programme"), f"{s.programme_name}, {s.institution}"),
            d.Meta(t.text("doc.contact"), f"{s.contact_name}, {s.contact_email}")]


# --------------------------------------------------------------------------- templates


def template_blocks(t: m.Template, s: m.Settings, cite: Cite, msg: Messages, blank: bool = False) -> list[d.Block]:
    blocks: list[d.Block] = [
        d.Meta(msg.text("template.purpose"), plain(t.purpose, cite)),
        d.Meta(msg.text("template.for"), ", ".join(msg.text(f"audience.{a}") for a in t.audience)),
        d.Meta(msg.text("template.when"), plain(t.when_to_use, cite)),
        d.Meta(msg.text("template.time"), plain(t.time_needed)),
        *([] if blank else _contact(s, msg)),
    ]
    if t.credits:
        blocks.append(d.Meta(msg.text("template.credits"), plain(t.credits, cite)))
    if blank:  # a neutral copy: the programme is written in by hand
        blocks.append(d.Lines(msg.text("doc.programme"), 1))
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
                blocks.append(d.Grid(label, cols, tuple(("",) * len(cols) for _ in range(f.rows)), tuple(f.widths or ())))
            elif isinstance(f, m.Signature):
                blocks.append(d.SignLine(label))
    return blocks


def template_doc(t: m.Template, s: m.Settings, refs: dict[str, m.Reference], msg: Messages,
                 paper: str | None = None, blank: bool = False) -> d.Doc:
    return _doc(plain(t.title), s, t.version, template_blocks(t, s, _cite_text(refs), msg, blank), msg,
                subject=plain(t.purpose, _cite_text(refs)), keywords=msg.text("template.downloads"), paper=paper,
                blank=blank)


def template_file(site, t: m.Template, ext: str, settings: m.Settings | None = None) -> bytes:
    """One template as one format (``docx``, ``pdf`` or ``md``), with the site's or the given settings."""
    if settings is not None:
        site = dataclasses.replace(site, settings=settings)
    if site.templates.get(t.id) is not t:  # a template that is not (or not so) in the site's data
        site = dataclasses.replace(site, templates={**site.templates, t.id: t})
    if ext == "pdf":
        return pdf.render(template_pdf(site, t, papers(site.settings.paper_size)[0]))
    return d.WRITERS[ext](template_doc(t, site.settings, site.references, site.messages))


# --------------------------------------------------------------------------- PDFs (HTML + print CSS)


def public_base(site) -> str:
    """The site's public address, ending in '/', or '' when neither the settings nor mkdocs.yml give one."""
    url = site.settings.public_url or _site_url(str(site.root))
    return (url.rstrip("/") + "/") if url else ""


@lru_cache(maxsize=8)
def _site_url(root: str) -> str:
    from .engines import load_config

    try:
        url = load_config(Path(root)).get("site_url") or ""
    except SiteError:
        return ""
    return url if isinstance(url, str) and url.startswith(("http://", "https://")) else ""


def _page_url(site, src: str) -> str:
    base = public_base(site)
    return base + src[:-3] + ".html" if base else ""


def _stamp(version: dt.date) -> str:
    return f"{version.isoformat()}T00:00:00Z"


def _contact_html(s: m.Settings) -> Markup:
    return Markup('{}, <a href="mailto:{}">{}</a>').format(s.contact_name, s.contact_email, s.contact_email)


def _print_job(site, *, title: str, body: Markup, page_src: str, version: dt.date, paper: str, description: str,
               keywords: str, footer_title: str, extra_css: str = "", name: str = "", blank: bool = False) -> pdf.PdfJob:
    s, msg = site.settings, site.messages
    base = _page_url(site, page_src)
    body = Markup(pdf.absolute_links(str(body), base))
    header = "" if blank else f"{s.programme_name} · {s.institution}"
    footer = (msg.text("doc.footer_blank", title=footer_title, version=version.isoformat(), licence=s.licence) if blank
              else msg.text("doc.footer", title=footer_title, version=version.isoformat(), licence=s.licence,
                            programme=s.programme_name))
    style = pdf.stylesheet(site, paper, header, footer, extra_css)
    html = pdf.document(site, title=title, body=body, style=style, author="" if blank else s.programme_name,
                        description=description, keywords=keywords, stamp=_stamp(version), blank=blank)
    return pdf.PdfJob(html, base, name)


def _form_parts(site, t: m.Template) -> tuple[str, Markup, Markup, Markup | None, str]:
    """What every PDF of a template shares: its page, form, purpose, credits and layout rules."""
    from . import render

    page = site.page_of("templates", t.id)
    md = render._inline(site, page)
    form = Markup(pdf.demote(str(render.template_form(site, t.id, page))))
    return page, form, md(t.purpose), (md(t.credits) if t.credits else None), pdf.form_css(t, render.item_key)


def template_pdf(site, t: m.Template, paper: str, blank: bool = False, parts=None) -> pdf.PdfJob:
    """A template as a PDF to fill in: the web page's form in a print document (``blank``: without the
    programme's name and contacts, with a line to write the programme on)."""
    from . import render

    msg = site.messages
    page, form, purpose, credits, css = parts or _form_parts(site, t)
    about = [(msg("template.purpose"), purpose)]
    if not blank:
        about.append((msg("doc.contact"), _contact_html(site.settings)))
    online = _page_url(site, page)
    if online:
        about.append((msg("doc.online"), Markup('<a href="{}">{}</a>').format(online, online.split("://", 1)[1])))
    title = plain(t.title)
    body = render.partial(site, "print/template", title=title, about=about, compact=True, blank=blank, form=form,
                          credits=credits)
    return _print_job(site, title=title, body=body, page_src=page, version=t.version, paper=paper,
                      description=plain(t.purpose), keywords=msg.text("template.downloads"), footer_title=title,
                      extra_css=css, name=f"templates/{t.id}", blank=blank)


_SESSION_BODIES: dict[str, Markup] = {}


def _session_body(site, x: m.Session) -> Markup:
    """The session's web page, as HTML (its partial holds Markdown headings, as the engine reads them).
    Remembered by its Markdown: the guide and the course pack both print it."""
    import markdown

    from . import render

    page = site.page_of("curriculum", x.id)
    text = str(render.session_page(site, x.id, page))
    if text not in _SESSION_BODIES:
        if len(_SESSION_BODIES) > 64:
            _SESSION_BODIES.clear()
        _SESSION_BODIES[text] = Markup(markdown.markdown(text, extensions=["attr_list"], output_format="html"))
    return _SESSION_BODIES[text]


def session_pdf(site, x: m.Session, paper: str) -> pdf.PdfJob:
    from . import render

    msg = site.messages
    title = msg.text("doc.guide_title", title=plain(x.title))
    s = site.settings
    about = [(msg("doc.programme"), f"{s.programme_name}, {s.institution}"), (msg("doc.contact"), _contact_html(s))]
    page = str(_session_body(site, x))
    if x.references:  # on paper, each reference in full with its link (the page links to the library)
        refs = render.partial(site, "print/references", anchor="references", references=_references(site, x.references))
        page = re.sub(r'<h2 id="references">.*?</ul>', lambda _: str(refs), page, count=1, flags=re.S)
    body = render.partial(site, "print/guide", title=title, about=about, page=Markup(page))
    return _print_job(site, title=title, body=body, page_src=site.page_of("curriculum", x.id), version=x.version,
                      paper=paper, description=plain(x.summary), keywords=msg.text("course.guide"),
                      footer_title=title, name=f"curriculum/{x.id}")


def _references(site, keys: Iterable[str], note: Callable[[str], str] | None = None) -> list[dict]:
    """References in full, sorted by author and year."""
    refs = sorted((site.references[k] for k in dict.fromkeys(keys)), key=lambda r: (r.short.lower(), r.year, r.id))
    return [{"authors": r.authors, "title": r.title, "venue": r.venue, "link": r.link,
             "sessions": note(r.id) if note else ""} for r in refs]


def _session_templates(site, x: m.Session) -> list[m.Template]:
    """Templates a session's timed plan names, in order."""
    from .loader import material_target

    out: dict[str, m.Template] = {}
    for a in x.activities:
        for item in m.material_items(a.materials):
            target = material_target(item, x, site.templates)
            if target and target[0] == "template":
                out.setdefault(target[1], site.templates[target[1]])
    return list(out.values())


def materials_pdf(site, x: m.Session, paper: str) -> pdf.PdfJob:
    """A session's participant materials: its printed cases, handouts, worksheets (fillable) and cards."""
    from . import render
    from .text import block_html, inline_html

    msg = site.messages
    page = site.page_of("curriculum", x.id)
    c = render._citer(site, page)
    title = msg.text("doc.materials_title", title=plain(x.title))
    cases = [{"heading": msg("session.case", title=plain(cs.title)), "scenario": block_html(cs.scenario, c),
              "prompts": [inline_html(q, c) for q in cs.prompts]} for cs in x.cases]
    materials = [{"id": mt.id, "title": mt.title, "kind": mt.kind, "intro": inline_html(mt.intro, c) if mt.intro else None,
                  "points": [inline_html(pt, c) for pt in mt.points], "lines": mt.lines,
                  "cards": [{"title": cd.title, "text": inline_html(cd.text, c)} for cd in mt.cards]}
                 for mt in x.materials]
    templates = [{"title": t.title, "href": _page_url(site, site.page_of("templates", t.id))}
                 for t in _session_templates(site, x)]
    body = render.partial(site, "print/materials", title=title, intro=msg.text("doc.materials_intro", number=x.number),
                          cases=cases, materials=materials, templates=templates)
    return _print_job(site, title=title, body=body, page_src=page, version=x.version, paper=paper,
                      description=plain(x.summary), keywords=msg.text("course.guide"), footer_title=title,
                      name=f"curriculum/{x.id}-materials")


def materials_doc(x: m.Session, s: m.Settings, site, msg: Messages) -> d.Doc:
    """The same materials as a Word file, to adapt before printing."""
    refs = site.references
    cite = _cite_text(refs)
    t = msg.text
    blocks: list[d.Block] = [d.Para(t("doc.materials_intro", number=x.number))]
    for cs in x.cases:
        blocks += [d.Heading(t("session.case", title=plain(cs.title)))]
        blocks += [d.Para(p) for p in plain(cs.scenario, cite).split("\n\n")]
        blocks += [d.Para(t("session.prompts"), "bold"), d.Bullets(tuple(plain(q, cite) for q in cs.prompts), True)]
    for mt in x.materials:
        blocks += [d.PageBreak(), d.Heading(mt.title)]
        if mt.intro:
            blocks.append(d.Para(plain(mt.intro, cite), "italic"))
        if mt.kind == "handout":
            blocks.append(d.Bullets(tuple(plain(pt, cite) for pt in mt.points)))
        elif mt.kind == "worksheet":
            blocks += [d.Lines(plain(pt, cite), max(mt.lines, 2)) for pt in mt.points]
        else:
            for cd in mt.cards:
                blocks += [d.Heading(cd.title, 2), d.Para(plain(cd.text, cite))]
    used = _session_templates(site, x)
    if used:
        blocks += [d.Heading(t("doc.templates_used")),
                   d.Bullets(tuple(f"{tp.title} ({_page_url(site, site.page_of('templates', tp.id))})"
                                   if public_base(site) else tp.title for tp in used))]
    return _doc(t("doc.materials_title", title=plain(x.title)), s, x.version, blocks, msg,
                subject=plain(x.summary, cite), keywords=t("course.guide"))


_ATTR_ID = re.compile(r'\b(id|for|aria-labelledby|aria-describedby)="([^"]+)"')


def _prefix_ids(markup: str, prefix: str) -> str:
    """Ids made unique inside a book (``objectives`` -> ``s3-objectives``), and links to them."""
    markup = _ATTR_ID.sub(lambda mt: f'{mt.group(1)}="{prefix}{mt.group(2)}"', markup)
    return re.sub(r'href="#([^"]+)"', lambda mt: f'href="#{prefix}{mt.group(1)}"', markup)


def course_pack_pdf(site, sessions: list[m.Session], paper: str, version: dt.date) -> pdf.PdfJob:
    from . import render

    msg = site.messages
    s = site.settings
    title = msg.text("doc.pack_title", programme=s.programme_name)
    core = sum(x.duration_minutes for x in sessions if x.track == "core")
    cited: dict[str, list[int]] = {}
    chapters = []
    for x in sessions:
        body = str(_session_body(site, x))
        body = re.sub(r'<h2 id="references">.*?</ul>', "", body, flags=re.S)  # one list for the whole pack
        body = _prefix_ids(pdf.demote(body, by=1, lowest=3), f"s{x.number}-")
        page = site.page_of("curriculum", x.id)
        chapters.append({"anchor": f"session-{x.number}", "body": Markup(pdf.absolute_links(body, _page_url(site, page))),
                         "title": msg.text("session.title", number=x.number, title=plain(x.title)),
                         "meta": f"{msg.text(f'track.{x.track}')}, {msg.text('session.minutes', n=x.duration_minutes)}"})
        for key in x.references:
            cited.setdefault(key, []).append(x.number)
    references = _references(site, cited, lambda key: msg.text("doc.cited_in",
                                                               sessions=", ".join(str(n) for n in cited[key])))
    about = [(msg("doc.programme"), f"{s.programme_name}, {s.institution}"), (msg("doc.contact"), _contact_html(s))]
    intro = msg.text("doc.core_length", minutes=core, hours=msg.number(core / 60, 1 if core % 60 else 0))
    body = Markup('<div class="ms-pack">{}</div>').format(
        render.partial(site, "print/course-pack", title=title, about=about, intro=intro, sessions=chapters,
                       references=references))
    # Links inside the pack were made absolute per session above; what is left is the pack's own.
    return _print_job(site, title=title, body=body, page_src="curriculum/index.md", version=version, paper=paper,
                      description=intro, keywords=msg.text("course.guide"), footer_title=title,
                      name="curriculum/course-pack")


# --------------------------------------------------------------------------- curriculum


def session_blocks(x: m.Session, templates: dict[str, m.Template], refs: dict[str, m.Reference],
                   cite: Cite, msg: Messages, with_references: bool = True,
                   template_url: Callable[[str], str] = lambda tid: "") -> list[d.Block]:
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
    if x.take_home_templates:  # by title, with the address of its page when the site's address is known
        blocks += [d.Heading(t("session.take_home_heading")),
                   d.Bullets(tuple(plain(templates[k].title) + (f" ({template_url(k)})" if template_url(k) else "")
                                   for k in x.take_home_templates))]
    if x.references and with_references:
        blocks += [d.Heading(t("session.references_heading")),
                   d.Bullets(tuple(f"{refs[k].authors}. {refs[k].title}. {refs[k].venue}. {refs[k].link}"
                                   for k in x.references))]
    return blocks


def session_doc(x: m.Session, s: m.Settings, templates, refs, version: dt.date, msg: Messages) -> d.Doc:
    return _doc(msg.text("doc.guide_title", title=plain(x.title)), s, version,
                [*_contact(s, msg), *session_blocks(x, templates, refs, _cite_text(refs), msg)], msg,
                subject=plain(x.summary, _cite_text(refs)), keywords=msg.text("course.guide"))


def course_pack_doc(sessions: list[m.Session], s: m.Settings, templates, refs, version: dt.date,
                    msg: Messages, template_url: Callable[[str], str] = lambda tid: "") -> d.Doc:
    t = msg.text
    cite = _cite_text(refs)
    core = sum(x.duration_minutes for x in sessions if x.track == "core")
    blocks: list[d.Block] = [*_contact(s, msg), d.Para(t("doc.core_length", minutes=core,
                                                          hours=msg.number(core / 60, 1 if core % 60 else 0)))]
    blocks.append(d.Grid(t("doc.sessions"), (t("course.number"), t("course.session"), t("course.track"), t("course.minutes")),
                         tuple((str(x.number), plain(x.title), t(f"track.{x.track}"), str(x.duration_minutes))
                               for x in sessions)))
    for x in sessions:  # the references once, at the end, rather than after every session
        blocks += [d.PageBreak(), d.Heading(t("session.title", number=x.number, title=plain(x.title))),
                   *[b if not isinstance(b, d.Heading) else d.Heading(b.text, 2)
                     for b in session_blocks(x, templates, refs, cite, msg, with_references=False,
                                             template_url=template_url)]]
    cited: dict[str, list[int]] = {}
    for x in sessions:
        for key in x.references:
            cited.setdefault(key, []).append(x.number)
    if cited:
        ordered = sorted((refs[k] for k in cited), key=lambda r: (r.short.lower(), r.year, r.id))
        blocks += [d.PageBreak(), d.Heading(t("session.references_heading")),
                   d.Bullets(tuple(f"{r.authors}. {r.title}. {r.venue}. {r.link} "
                                   f"({t('doc.cited_in', sessions=', '.join(map(str, cited[r.id])))})" for r in ordered))]
    return _doc(t("doc.pack_title", programme=s.programme_name), s, version, blocks, msg,
                subject=t("doc.core_length", minutes=core, hours=msg.number(core / 60, 1 if core % 60 else 0)),
                keywords=t("course.guide"))


# --------------------------------------------------------------------------- print books


def book_pdf(site, b, paper: str) -> pdf.PdfJob:
    """A print book (:class:`macros.book.Book`) as a ready PDF: its page's contents and chapters."""
    from . import render

    s = site.settings
    body = render.partial(site, "print/book", title=b.title, programme=f"{s.programme_name} · {s.institution}",
                          content=Markup(b.content))
    version = max((p.meta.last_reviewed for p in site.page_files.values()), default=dt.date(2026, 1, 1))
    return _print_job(site, title=b.title, body=body, page_src=b.page[:-5] + ".md", version=version, paper=paper,
                      description=b.title, keywords=b.name, footer_title=b.title, name=f"books/{b.name}")


def books(site, collected: list, cache_dir: Path | None) -> dict[str, tuple[str, bytes, int]]:
    """A ready PDF of every audience book (not the whole guide): {book: (path in the site, bytes, pages)},
    cached by content like the other downloads (with its page count beside it)."""
    cache = Cache(cache_dir)
    engine = _engine_key() if cache_dir else ""
    paper = papers(site.settings.paper_size)[0]
    out, todo = {}, {}
    for b in collected:
        if b.name == "all":
            continue
        job = book_pdf(site, b, paper)
        key = hashlib.sha256(f"{engine}|book|{job!r}".encode()).hexdigest()
        data, count = cache.get(key + ".pdf"), cache.get(key + ".pages")
        if data is None or count is None:
            todo[b.name] = (key, job)
        else:
            out[b.name] = (f"downloads/books/{b.name}.pdf", data, int(count))
    made: dict[str, tuple[bytes, int]] = {}
    if len(todo) > 1 and (os.cpu_count() or 1) > 1:  # books are long: lay them out side by side
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
        with ProcessPoolExecutor(max_workers=min(len(todo), os.cpu_count() or 1), mp_context=context,
                                 initializer=_worker_start, initargs=(os.getpid(),)) as pool:
            futures = {name: pool.submit(pdf.render_counted, job) for name, (_, job) in todo.items()}
            made = {name: f.result() for name, f in futures.items()}
    else:
        made = {name: pdf.render_counted(job) for name, (_, job) in todo.items()}
    for name, (data, pages) in made.items():
        key = todo[name][0]
        cache.put(key + ".pdf", data)
        cache.put(key + ".pages", str(pages).encode())
        out[name] = (f"downloads/books/{name}.pdf", data, pages)
    return {b.name: out[b.name] for b in collected if b.name in out}


# --------------------------------------------------------------------------- all files


def documents(site) -> dict[str, tuple[str, d.Doc | pdf.PdfJob]]:
    """Every download as (writer, document or print job), keyed by its path inside the built site."""
    s, refs, msg = site.settings, site.references, site.messages
    paper = papers(s.paper_size)[0]
    jobs: dict[str, tuple[str, d.Doc | pdf.PdfJob]] = {}
    for t in site.templates.values():  # every paper size, branded and blank
        parts = _form_parts(site, t)
        docs = {blank: template_doc(t, s, refs, msg, None, blank) for blank in (False, True)}
        for ext in TEMPLATE_FORMATS:
            for variant, size in variants(ext, s.paper_size):
                job = (template_pdf(site, t, size, variant.blank, parts) if ext == "pdf"
                       else dataclasses.replace(docs[variant.blank], paper=size))
                jobs[download_path("templates", t.id, ext, variant)] = (ext, job)
    sessions = sorted(site.curriculum.values(), key=lambda x: x.number)
    if sessions:
        for x in sessions:
            doc = session_doc(x, s, site.templates, refs, x.version, msg)
            handouts = materials_doc(x, s, site, msg)
            for ext in GUIDE_FORMATS:
                jobs[download_path("curriculum", x.id, ext)] = (ext, session_pdf(site, x, paper) if ext == "pdf" else doc)
                jobs[download_path("curriculum", f"{x.id}-materials", ext)] = (
                    ext, materials_pdf(site, x, paper) if ext == "pdf" else handouts)
        version = max(x.version for x in sessions)
        pack = course_pack_doc(sessions, s, site.templates, refs, version, msg,
                               lambda tid: _page_url(site, site.page_of("templates", tid)))
        for ext in GUIDE_FORMATS:
            jobs[download_path("curriculum", "course-pack", ext)] = (
                ext, course_pack_pdf(site, sessions, paper, version) if ext == "pdf" else pack)
    return jobs


def check_fonts(site) -> list[Problem]:
    """Text that no font can draw in a PDF (neither the bundled fonts nor any installed one): one
    problem per field, naming its file. Settings, every data set and the catalogue are checked."""
    problems: list[Problem] = []

    def check(rel: str, where: str, text: str) -> None:
        bad = pdf.undrawable(text)
        if bad:
            chars = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in bad[:5]) + (" ..." if len(bad) > 5 else "")
            problems.append(Problem(rel, None, where, f"no installed font can draw {chars} in the PDF downloads; "
                                                      "install a font that covers it (README: Fonts)"))

    s = site.settings
    for name in type(s).model_fields:
        value = getattr(s, name)
        if isinstance(value, str):
            check(site.settings_origin.get(name, "docs/data/settings.yml"), f"settings.{name}", value)
    from .loader import walk_strings

    for ds in DATASETS:
        for rid, rec in getattr(site, ds.name).items():
            rel = site.origins.get(ds.name, {}).get(rid, f"docs/data/{ds.name}.yml")
            for loc, text in walk_strings(rec):
                check(rel, f"{ds.name}[{rid}].{format_loc(loc)}", text)
    msg = site.messages
    for key, text in msg.strings.items():
        check(f"docs/messages/{msg.language}.yml or docs/local/messages.yml", f"messages.strings.{key}", text)
    for src, page in site.page_files.items():  # pages are printed in the books' PDFs
        check(f"docs/{src}", "page text", page.meta.title + "\n" + page.body)
    return problems


@lru_cache(maxsize=1)
def _engine_key() -> str:
    """Changes whenever the writers, the fonts or the document libraries change.

    Versions come from the installed packages' metadata, so a build whose downloads are all
    cached never imports the document libraries (importing them costs about 0.3 s).
    """
    from importlib.metadata import PackageNotFoundError, version

    h = hashlib.sha256()
    prints = Path(__file__).parent / "partials" / "print"
    for path in sorted([Path(d.__file__), Path(pdf.__file__), *pdf.FONT_DIR.glob("*.ttf"), *prints.glob("*")]):
        h.update(path.read_bytes())
    h.update(pdf.fonts_fingerprint().encode())  # the fallback fonts (CJK, Arabic ...) installed here
    for package in ("weasyprint", "pydyf", "tinycss2", "cssselect2", "tinyhtml5", "python-docx", "fonttools"):
        try:
            h.update(f"{package} {version(package)};".encode())
        except PackageNotFoundError:
            h.update(f"{package} missing;".encode())
    return h.hexdigest()


def _render(job: tuple[str, d.Doc | pdf.PdfJob]) -> bytes:
    ext, doc = job
    if isinstance(doc, pdf.PdfJob):
        return pdf.render(doc)
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


def _inputs_key(site, engine: str) -> str:
    """A hash of everything the downloads are made from: the code, the partials (upstream's and a
    fork's), the fonts and libraries (``engine``), the settings, the catalogue, every data set and the
    pages' titles and places. When it is unchanged and every file is in the cache, a build takes the
    files from the cache without making their documents again (see :func:`start`)."""
    h = hashlib.sha256(engine.encode())
    here = Path(__file__).parent
    roots = [here, site.root / "overrides" / "local" / "partials"]
    for root in roots:
        if root.is_dir():
            for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix in (".py", ".html", ".css")):
                h.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    msg = site.messages
    h.update(repr((site.settings, msg.language, sorted(msg.strings.items()), public_base(site))).encode())
    for ds in DATASETS:
        h.update(repr(getattr(site, ds.name)).encode())
    h.update(repr(sorted((src, p.meta.title, p.meta.last_reviewed) for src, p in site.page_files.items())).encode())
    return h.hexdigest()


def _manifest_path(cache_dir: Path, inputs: str) -> Path:
    return cache_dir.parent / "download-manifests" / f"{inputs}.json"


def _read_manifest(cache_dir: Path, inputs: str) -> dict[str, str] | None:
    import json

    try:
        data = json.loads(_manifest_path(cache_dir, inputs).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()) else None


class Pending:
    """Downloads being generated in worker processes; :meth:`result` waits for them."""

    def __init__(self, jobs, files: dict[str, bytes], todo: list[str], keys: dict[str, str],
                 cache: Cache, pool=None, futures: dict | None = None, manifest: Path | None = None):
        # ``jobs`` is the dict of documents, or a function that makes it (when every file came from the cache)
        self._jobs = jobs
        self.files, self.todo, self.keys = files, todo, keys
        self.cache, self.pool, self.futures = cache, pool, futures or {}
        self.manifest = manifest
        self._done: dict[str, bytes] | None = None

    @property
    def jobs(self) -> dict:
        if callable(self._jobs):
            self._jobs = self._jobs()
        return self._jobs

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
            self._done = {path: self.files[path] for path in self.keys}
            if self.manifest is not None:
                import json

                try:
                    write_atomic(self.manifest, json.dumps(self.keys, indent=0).encode("utf-8"))
                except OSError:
                    pass  # the manifest only saves time
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
    problems = check_fonts(site)
    if problems:
        raise SiteError(problems)
    cache = Cache(cache_dir)
    engine = _engine_key() if cache_dir else ""
    manifest = None
    if cache_dir is not None:
        inputs = _inputs_key(site, engine)
        manifest = _manifest_path(cache_dir, inputs)
        known = _read_manifest(cache_dir, inputs)
        if known:  # nothing the downloads are made from has changed: take them from the cache
            files: dict[str, bytes] = {}
            for path, key in known.items():
                data = cache.get(key)
                if data is None:
                    break
                files[path] = data
            else:
                return Pending(lambda: documents(site), files, [], known, cache)
    jobs = documents(site)
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
        return Pending(jobs, files, todo, keys, cache, manifest=manifest)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_worker_start,
                               initargs=(os.getpid(),))
    # Slowest first (PDFs, then DOCX), so that the last worker is not left with a long job.
    order = sorted(todo, key=lambda p: {"pdf": 0, "docx": 1}.get(jobs[p][0], 2))
    futures = {path: pool.submit(_render, jobs[path]) for path in order}
    return Pending(jobs, files, todo, keys, cache, pool, futures, manifest=manifest)


def build_all(site, cache_dir: Path | None = None, workers: int | None = None) -> dict[str, bytes]:
    """Every download, keyed by its path inside the built site (see :func:`start`)."""
    return start(site, cache_dir, workers).result()
