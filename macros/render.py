"""Pure renderers: validated models in, HTML (or Markdown headings with HTML) out.

Nothing here reads data files or knows about an engine. The markup lives in Jinja partials
(``macros/partials/*.html``; a fork overrides one by putting a file of the same name in
``overrides/local/partials/``), rendered with autoescaping: every value from data or settings is
escaped for HTML and made inert to Markdown unless it is already safe markup (inline Markdown from
:func:`macros.text.inline_html`). ``page`` arguments are the source path of the page being rendered
(for example ``mentees/finding-a-mentor.md``) so that links can be made relative; the site uses
``use_directory_urls: false``, so the URL of ``a/b.md`` is ``a/b.html``.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import posixpath
import urllib.parse
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

import jinja2
from markupsafe import Markup

from . import models as m
from .registry import GUIDE_FORMATS, MAIN, TEMPLATE_FORMATS, download_name, download_path, variants
from .text import block_html, escape, inline_html, plain

if TYPE_CHECKING:  # the loader is a layer below; the renderers only read what it made
    from .loader import Site

PARTIALS = Path(__file__).parent / "partials"


class UnknownId(LookupError):
    """A page asked for a record that does not exist."""

    def __init__(self, kind: str, wanted: str, known: Iterable[str]):
        known = sorted(known)
        guess = difflib.get_close_matches(wanted, known, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else f"; known ids: {', '.join(known)}"
        super().__init__(f"{kind} '{wanted}' does not exist{hint}")


# --------------------------------------------------------------------------- the partials


def _finalize(value):
    """Every value a partial prints: markup as it is, anything else escaped (see text.escape)."""
    if value is None:
        return ""
    return value if isinstance(value, Markup) else escape(value)


@lru_cache(maxsize=8)
def environment(root: str) -> jinja2.Environment:
    """The partials' environment: a fork's overrides/local/partials/ first, then upstream's."""
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(Path(root) / "overrides" / "local" / "partials")),
                                  jinja2.FileSystemLoader(str(PARTIALS))])
    return jinja2.Environment(loader=loader, autoescape=True, finalize=_finalize, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=False)


def partial(site: Site, name: str, **context) -> Markup:
    """Render one partial for the site (its catalogue is ``t``)."""
    template = environment(str(site.root)).get_template(f"{name}.html")
    return Markup(template.render(t=site.messages, **context).strip())


# --------------------------------------------------------------------------- links


def url(page: str, target: str, built_file: bool = False) -> Markup:
    """Relative URL (for HTML) from a source page to a target .md page, or to a built file."""
    frag = ""
    if "#" in target:
        target, frag = target.split("#", 1)
        frag = "#" + frag
    if target.endswith(".md") and not built_file:
        target = target[:-3] + ".html"
    return Markup(html.escape(posixpath.relpath(target, posixpath.dirname(page) or ".") + frag))


def _get(kind: str, table: dict, wanted: str):
    if wanted not in table:
        raise UnknownId(kind, wanted, table)
    return table[wanted]


def _page_link(site: Site, page: str, target: str) -> dict:
    return {"href": url(page, target), "title": site.title_of(target)}


def _downloads(site: Site, page: str, folder: str, stem: str, formats: Iterable[str],
               all_variants: bool = False) -> list[dict]:
    """Download links: the main file of each format, or (``all_variants``) every paper size and the blank copy."""
    t = site.messages
    out = []
    for fmt in formats:
        options = variants(fmt, site.settings.paper_size) if all_variants else [(MAIN, "")]
        several_papers = len({paper for _, paper in options}) > 1
        for variant, paper in options:
            path = download_path(folder, stem, fmt, variant)
            name = t(f"format.{fmt}")
            parts = ([t.text("doc.blank")] if variant.blank else []) + (
                [t.text(f"doc.paper_{paper.lower()}")] if several_papers else [])
            if parts:
                name = t("doc.variant", format=name, variant=", ".join(parts))
            out.append({"href": url(page, path, built_file=True), "path": path,
                        "save_as": download_name(stem, fmt, variant), "name": name})
    return out


# --------------------------------------------------------------------------- citations


def design(site: Site, key: str) -> dict:
    t = site.messages
    return {"css": key.replace("_", "-"), "label": t(f"design.{key}"), "explanation": t(f"design_explained.{key}")}


def cite(site: Site, keys: Iterable[str], page: str) -> Markup:
    """In-text citation: author-year links to the reference library, with the evidence label."""
    cites = []
    for key in keys:
        ref = _get("reference", site.references, key)
        cites.append({"href": url(page, f"references.md#ref-{ref.id}"), "short": ref.short,
                      "design": design(site, ref.design)})
    return partial(site, "cite", cites=cites)


def _citer(site: Site, page: str):
    return lambda *keys: cite(site, keys, page)


def _inline(site: Site, page: str):
    c = _citer(site, page)
    return lambda text: inline_html(text, c)


# --------------------------------------------------------------------------- checklists


def item_key(text: str) -> str:
    """Stable id for a checklist item, so ticks survive reordering."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def checklist(site: Site, checklist_id: str, page: str) -> Markup:
    cl: m.Checklist = _get("checklist", site.checklists, checklist_id)
    md = _inline(site, page)
    t = site.messages
    sections = [{"anchor": f"{cl.id}-{i + 1}", "title": md(s.title), "entries": [
        {"key": f"{cl.id}-{item_key(item.text)}", "who": item.who, "who_label": t(f"who.{item.who}"),
         "text": md(item.text), "note": md(item.note) if item.note else None} for item in s.items]}
        for i, s in enumerate(cl.sections)]
    return partial(site, "checklist", cl=cl, intro=md(cl.intro) if cl.intro else None, sections=sections,
                   store=f"checklist:{cl.id}")


# --------------------------------------------------------------------------- templates


def _field(t: m.Template, si: int, fi: int, f, md) -> dict:
    fid = f"{t.id}-s{si + 1}-f{fi + 1}"
    kind = f.type
    if isinstance(f, m.Guidance):
        return {"kind": kind, "text": md(f.text)}
    out = {"kind": kind, "id": fid, "label": md(f.label), "text": plain(f.label)}
    if isinstance(f, m.LongText):
        out["lines"] = f.lines
    elif isinstance(f, m.Checkbox):
        out["key"] = f"{t.id}-{item_key(f.label)}"
    elif isinstance(f, m.Rating):
        out["scale"] = [md(s) for s in f.scale]
    elif isinstance(f, m.Table):
        out["columns"] = [{"html": md(c), "text": plain(c)} for c in f.columns]
        out["rows"] = f.rows
    return out


def template_form(site: Site, template_id: str, page: str) -> Markup:
    t: m.Template = _get("template", site.templates, template_id)
    md = _inline(site, page)
    sections = [{"anchor": f"{t.id}-section-{si + 1}", "title": md(s.title),
                 "guidance": md(s.guidance) if s.guidance else None,
                 "fields": [_field(t, si, fi, f, md) for fi, f in enumerate(s.fields)]}
                for si, s in enumerate(t.sections)]
    return partial(site, "template-form", tpl=t, sections=sections, store=f"template:{t.id}")


def template_page(site: Site, template_id: str, page: str) -> Markup:
    t: m.Template = _get("template", site.templates, template_id)
    md = _inline(site, page)
    msg = site.messages
    audience = ", ".join(msg.text(f"audience.{a}") for a in t.audience)
    summary = msg("template.summary", audience=audience, time=md(t.time_needed), version=msg.date(t.version))
    meta = [(msg("template.for"), audience),
            (msg("template.when"), md(t.when_to_use)),
            (msg("template.time"), md(t.time_needed)),
            (msg("template.version"), msg.date(t.version))]
    if t.related_pages:
        meta.append((msg("template.related"), Markup(", ").join(
            Markup('<a href="{}">{}</a>').format(url(page, p), site.title_of(p)) for p in t.related_pages)))
    if t.credits:
        meta.append((msg("template.credits"), md(t.credits)))
    return partial(site, "template-page", purpose=md(t.purpose), meta=meta, summary=summary,
                   downloads=_downloads(site, page, "templates", t.id, TEMPLATE_FORMATS, all_variants=True),
                   form=template_form(site, template_id, page))


def template_library(site: Site, page: str) -> Markup:
    """Every template, in two groups (as the navigation has them), in the data file's order."""
    msg = site.messages
    groups = []
    for group in ("pairs", "programmes"):
        rows = [{"href": url(page, site.page_of("templates", t.id)), "title": t.title,
                 "when": inline_html(t.when_to_use), "time": t.time_needed,
                 "downloads": _downloads(site, page, "templates", t.id, TEMPLATE_FORMATS)}
                for t in site.templates.values() if t.group == group]
        if rows:
            groups.append({"anchor": f"for-{group}", "title": msg(f"library.for_{group}"), "rows": rows})
    return partial(site, "template-library", groups=groups)


# --------------------------------------------------------------------------- references


def reference_library(site: Site, page: str) -> Markup:
    msg = site.messages
    refs = sorted(site.references.values(), key=lambda r: (r.short.lower(), r.year, r.id))
    legend = [{**design(site, d), "count": sum(1 for r in refs if r.design == d)} for d in m.DESIGN_LABELS]
    out = []
    for r in refs:
        ids = []
        if r.doi:
            ids.append({"label": "DOI", "href": f"https://doi.org/{r.doi}", "text": r.doi})
        if r.pmid:
            ids.append({"label": "PMID", "href": f"https://pubmed.ncbi.nlm.nih.gov/{r.pmid}/", "text": r.pmid})
        if r.pmcid:
            ids.append({"label": "", "href": f"https://www.ncbi.nlm.nih.gov/pmc/articles/{r.pmcid}/", "text": r.pmcid})
        if r.url:
            ids.append({"label": "", "href": r.url, "text": r.url})
        if r.accessed:
            ids.append({"label": "", "href": None, "text": msg.text("refs.accessed", date=msg.date(r.accessed))})
        out.append({"id": r.id, "short": r.short, "design": design(site, r.design), "authors": r.authors,
                    "title": r.title, "venue": r.venue, "ids": ids, "design_note": inline_html(r.design_note),
                    "finding": inline_html(r.finding),
                    "cited_on": [_page_link(site, page, p) for p in site.cited_on.get(r.id, [])]})
    letters = []
    for r in out:
        letter = (r["short"][:1] or "#").upper()
        if not letters or letters[-1]["letter"] != letter:
            letters.append({"letter": letter, "anchor": f"ref-{r['id']}"})
    return partial(site, "reference-library", legend=legend, refs=out, letters=letters)


# --------------------------------------------------------------------------- programme models


def programme_models_table(site: Site, page: str) -> Markup:
    md = _inline(site, page)
    msg = site.messages
    rows = [{"href": url(page, site.page_of("programme_models", pm.id)), "name": pm.name, "summary": md(pm.summary),
             "who_mentors": md(pm.who_mentors), "cadence": md(pm.typical_cadence), "best_for": md(pm.best_for),
             "strength": msg(f"strength.{pm.evidence_strength}")} for pm in site.programme_models.values()]
    return partial(site, "models-table", rows=rows)


def programme_model(site: Site, model_id: str, page: str) -> Markup:
    pm: m.ProgrammeModel = _get("programme model", site.programme_models, model_id)
    md = _inline(site, page)
    c = _citer(site, page)
    return partial(site, "model-page", pm={
        "summary": md(pm.summary), "strength": site.messages(f"strength.{pm.evidence_strength}"),
        "structure": block_html(pm.structure, c), "who_mentors": md(pm.who_mentors), "cadence": md(pm.typical_cadence),
        "strengths": [md(x) for x in pm.strengths], "risks": [md(x) for x in pm.risks],
        "resources": [md(x) for x in pm.resources_needed], "evidence": block_html(pm.evidence, c),
        "examples": [{"name": inline_html(ex.name), "description": md(ex.description), "cite": cite(site, [ex.source], page)}
                     for ex in pm.examples],
        "best_for": md(pm.best_for), "related": [_page_link(site, page, p) for p in pm.related_pages]})


# --------------------------------------------------------------------------- case studies


def case_studies(site: Site, page: str) -> Markup:
    md = _inline(site, page)
    c = _citer(site, page)
    msg = site.messages
    cases = []
    for cs in site.case_studies.values():
        comps = [{"href": url(page, site.competencies[k].page), "name": site.competencies[k].name}
                 if k in site.competencies else {"href": None, "name": k} for k in cs.competencies]
        cases.append({"id": cs.id, "title": inline_html(cs.title), "stage": msg(f"stage.{cs.stage}"),
                      "competencies": comps, "scenario": block_html(cs.scenario, c),
                      "questions": [md(q) for q in cs.questions],
                      "related": [_page_link(site, page, p) for p in cs.related_pages]})
    return partial(site, "case-studies", cases=cases)


# --------------------------------------------------------------------------- curriculum


def sessions(site: Site) -> list[m.Session]:
    return sorted(site.curriculum.values(), key=lambda x: x.number)


def curriculum_table(site: Site, page: str) -> Markup:
    msg = site.messages
    rows = [{"number": x.number, "href": url(page, site.page_of("curriculum", x.id)), "title": inline_html(x.title),
             "track": msg(f"track.{x.track}"), "minutes": x.duration_minutes,
             "downloads": _downloads(site, page, "curriculum", x.id, GUIDE_FORMATS)}
            for x in sessions(site)]
    return partial(site, "curriculum-table", sessions=rows)


def curriculum_totals(site: Site) -> dict[str, int]:
    totals: dict[str, int] = {}
    for x in site.curriculum.values():
        totals[x.track] = totals.get(x.track, 0) + x.duration_minutes
    return totals


def course_pack_links(site: Site, page: str) -> Markup:
    return partial(site, "course-pack-links",
                   downloads=_downloads(site, page, "curriculum", "course-pack", GUIDE_FORMATS))


def session_page(site: Site, session_id: str, page: str) -> Markup:
    x: m.Session = _get("curriculum session", site.curriculum, session_id)
    md = _inline(site, page)
    c = _citer(site, page)
    msg = site.messages
    start, activities = 0, []
    for a in x.activities:
        activities.append({"start": start, "end": start + a.minutes, "minutes": a.minutes, "title": inline_html(a.title),
                           "method": inline_html(a.method), "materials": inline_html(a.materials),
                           "description": md(a.description)})
        start += a.minutes
    comps = [{"href": url(page, site.competencies[k].page), "name": site.competencies[k].name}
             for k in x.competencies if k in site.competencies]
    return partial(site, "session-page", x={
        "summary": md(x.summary), "position": msg("session.position", number=x.number, track=msg.text(f"track.{x.track}")),
        "audience": md(x.audience), "group_size": md(x.group_size), "minutes": x.duration_minutes,
        "competencies": comps, "downloads": _downloads(site, page, "curriculum", x.id, GUIDE_FORMATS),
        "materials": _downloads(site, page, "curriculum", f"{x.id}-materials", GUIDE_FORMATS),
        "objectives": [md(o) for o in x.objectives], "pre_work": [md(p) for p in x.pre_work],
        "activities": activities,
        "cases": [{"title": inline_html(cs.title), "scenario": block_html(cs.scenario, c),
                   "prompts": [md(q) for q in cs.prompts]} for cs in x.cases],
        "tends": [md(n) for n in x.facilitator_notes.what_tends_to_happen],
        "difficult": [md(n) for n in x.facilitator_notes.difficult_moments],
        "templates": [_page_link(site, page, site.page_of("templates", t)) for t in x.take_home_templates],
        "references": [{"cite": cite(site, [k], page), "title": site.references[k].title} for k in x.references]})


# --------------------------------------------------------------------------- self-assessments


def self_assessment(site: Site, assessment_id: str, page: str) -> Markup:
    sa: m.SelfAssessment = _get("self-assessment", site.self_assessments, assessment_id)
    md = _inline(site, page)
    msg = site.messages
    domains = []
    for dm in sa.domains:
        helps = [_page_link(site, page, p) for p in dm.help_pages]
        helps += [{"href": url(page, site.page_of("curriculum", s)),
                   "title": msg("sa.training_session", title=site.curriculum[s].title)}
                  for s in dm.help_sessions if s in site.curriculum]
        domains.append({"id": dm.id, "name": inline_html(dm.name), "statements": [md(i) for i in dm.items], "help": helps})
    return partial(site, "self-assessment", sa={
        "id": sa.id, "intro": md(sa.intro), "scale": [inline_html(s) for s in sa.scale],
        "scale_low": plain(sa.scale[0]), "scale_high": plain(sa.scale[-1]), "domains": domains})


# --------------------------------------------------------------------------- review status


def review_status(site: Site, page: str) -> Markup:
    """Every page's editorial and external review, in the order of the source tree."""
    msg = site.messages
    rows = []
    for src in sorted(site.page_files):
        meta = site.page_files[src].meta
        xr = meta.external_review
        rows.append({"href": url(page, src), "title": meta.title, "by": meta.reviewed_by,
                     "last": msg.date(meta.last_reviewed), "last_iso": meta.last_reviewed.isoformat(),
                     "next": msg.date(meta.next_review_due), "next_iso": meta.next_review_due.isoformat(),
                     "external": {"reviewer": xr.reviewer, "role": xr.role, "date": msg.date(xr.date)} if xr else None})
    return partial(site, "review-status", rows=rows, external=sum(1 for r in rows if r["external"]))


def languages(site: Site, page: str) -> Markup:
    """The interface languages upstream ships, and whether a native speaker has checked each."""
    from .engines import language_name

    rows = [{"code": code, "name": language_name(code), "in_site_language": language_name(code, site.language),
             "checked_by": checked} for code, checked in sorted(site.catalogues.items())]
    return partial(site, "languages", rows=rows)

# --------------------------------------------------------------------------- report a problem


def page_address(page: str, site_url: str = "") -> str:
    """The address of a page to quote in a report: absolute when the site's URL is known, else its path."""
    path = page[:-3] + ".html" if page.endswith(".md") else page
    return urllib.parse.urljoin(site_url.rstrip("/") + "/", path) if site_url else path


def report_link(site: Site, title: str, page: str, site_url: str = "") -> str:
    """"Report a problem with this page": a pre-filled issue in the site's repository (GitHub or GitLab), or an
    email to the contact with the same subject. The URL is percent-encoded here; the partial escapes it for HTML."""
    msg = site.messages
    subject = msg.text("report.subject", title=title)
    body = msg.text("report.body", title=title, url=page_address(page, site_url))
    repo = site.settings.repo_url
    if repo:
        parts = urllib.parse.urlsplit(repo)
        base = repo.rstrip("/").removesuffix(".git")
        host = (parts.hostname or "").lower()
        if host == "github.com" or host.endswith(".github.com"):
            return base + "/issues/new?" + urllib.parse.urlencode({"title": subject, "body": body},
                                                                  quote_via=urllib.parse.quote)
        if host == "gitlab.com" or host.startswith("gitlab."):
            return base + "/-/issues/new?" + urllib.parse.urlencode(
                {"issue[title]": subject, "issue[description]": body}, quote_via=urllib.parse.quote)
    email = urllib.parse.quote(site.settings.contact_email, safe="@")
    return f"mailto:{email}?" + urllib.parse.urlencode({"subject": subject, "body": body}, quote_via=urllib.parse.quote)
