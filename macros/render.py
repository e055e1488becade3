"""Pure renderers: validated models in, Markdown/HTML strings out.

Nothing here reads files or knows about MkDocs. ``page`` arguments are the source
path of the page being rendered (for example ``mentees/finding-a-mentor.md``) so that
links can be made relative; the site uses ``use_directory_urls: false``, so the URL of
``a/b.md`` is ``a/b.html``.
"""

from __future__ import annotations

import hashlib
import posixpath
from typing import Iterable

from . import models as m
from .loader import Site
from .text import block_html, escape, inline_html

WHO_LABELS = {"mentee": "Mentee", "mentor": "Mentor", "both": "Both", "programme-lead": "Programme lead"}
AUDIENCE_LABELS = {"mentees": "Mentees", "mentors": "Mentors", "programme-leads": "Programme leads",
                   "facilitators": "Facilitators"}
STAGE_LABELS = {"student": "Medical student", "resident": "Resident / doctor in training",
                "early-career": "Early-career doctor", "faculty": "Faculty", "programme": "Programme lead"}


class UnknownId(LookupError):
    """A page asked for a record that does not exist."""

    def __init__(self, kind: str, wanted: str, known: Iterable[str]):
        import difflib

        known = sorted(known)
        guess = difflib.get_close_matches(wanted, known, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else f"; known ids: {', '.join(known)}"
        super().__init__(f"{kind} '{wanted}' does not exist{hint}")


# --------------------------------------------------------------------------- links


def md_link(page: str, target: str) -> str:
    """Relative link from one source page to another source file (.md kept for MkDocs to resolve)."""
    return posixpath.relpath(target, posixpath.dirname(page) or ".")


def url(page: str, target: str, built_file: bool = False) -> str:
    """Relative URL (for raw HTML) from a source page to a target .md page, or to a built file."""
    frag = ""
    if "#" in target:
        target, frag = target.split("#", 1)
        frag = "#" + frag
    if target.endswith(".md") and not built_file:
        target = target[:-3] + ".html"
    return posixpath.relpath(target, posixpath.dirname(page) or ".") + frag


def _get(kind: str, table: dict, wanted: str):
    if wanted not in table:
        raise UnknownId(kind, wanted, table)
    return table[wanted]


# --------------------------------------------------------------------------- citations


def evidence_badge(design: str) -> str:
    label = m.DESIGN_LABELS[design]
    title = m.DESIGN_EXPLANATIONS[design]
    return f'<span class="evidence evidence--{design.replace("_", "-")}" title="{escape(title)}">{label}</span>'


def cite_html(site: Site, keys: Iterable[str], page: str) -> str:
    """Citation as raw HTML (for use inside HTML blocks rendered from data)."""
    parts = []
    for key in keys:
        ref = _get("reference", site.references, key)
        href = url(page, f"references.md#ref-{ref.id}")
        parts.append(f'<a href="{href}">{escape(ref.short)}</a> {evidence_badge(ref.design)}')
    return f'<span class="cite">({"; ".join(parts)})</span>'


def cite_md(site: Site, keys: Iterable[str], page: str) -> str:
    """Citation as Markdown, so MkDocs validates the link and its anchor."""
    parts = []
    for key in keys:
        ref = _get("reference", site.references, key)
        target = md_link(page, "references.md") + f"#ref-{ref.id}"
        label = ref.short.replace("[", "(").replace("]", ")")
        parts.append(f"[{label}]({target}) {evidence_badge(ref.design)}")
    return f'<span class="cite">({"; ".join(parts)})</span>'


def _citer(site: Site, page: str):
    return lambda key: cite_html(site, [key], page)


# --------------------------------------------------------------------------- checklists


def item_key(text: str) -> str:
    """Stable id for a checklist item, so ticks survive reordering."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def storage_toolbar(kind: str, ident: str) -> str:
    return (
        f'<div class="ms-toolbar" data-ms-store="{kind}:{escape(ident)}">'
        '<button type="button" class="md-button ms-clear">Clear my ticks</button>'
        '<span class="ms-status" role="status" aria-live="polite"></span>'
        '<span class="ms-privacy">Ticks are saved in this browser only; nothing is sent anywhere.</span>'
        "</div>"
    )


def checklist(site: Site, checklist_id: str, page: str) -> str:
    cl: m.Checklist = _get("checklist", site.checklists, checklist_id)
    cite = _citer(site, page)
    out = []
    if cl.intro:
        out.append(f'<p class="ms-intro">{inline_html(cl.intro, cite)}</p>')
    out.append(f'<div class="ms-checklist" data-ms-id="checklist:{escape(cl.id)}" markdown="0">')
    out.append(storage_toolbar("checklist", cl.id))
    for si, section in enumerate(cl.sections):
        heading_id = f"{cl.id}-{si + 1}"
        out.append(f'<h2 id="{heading_id}">{inline_html(section.title, cite)}</h2>')
        out.append('<ul class="ms-items">')
        for item in section.items:
            key = f"{cl.id}-{item_key(item.text)}"
            note = f'<span class="ms-note">{inline_html(item.note, cite)}</span>' if item.note else ""
            out.append(
                f'<li class="ms-item"><input type="checkbox" id="{key}" data-ms-key="{key}">'
                f'<label for="{key}"><span class="ms-who ms-who--{item.who}">{WHO_LABELS[item.who]}</span> '
                f"{inline_html(item.text, cite)}</label>{note}</li>"
            )
        out.append("</ul>")
    out.append("</div>")
    return "\n".join(out)


# --------------------------------------------------------------------------- templates


def _field_html(t: m.Template, si: int, fi: int, f, cite) -> str:
    fid = f"{t.id}-s{si + 1}-f{fi + 1}"
    if isinstance(f, m.Guidance):
        return f'<p class="ms-guidance">{inline_html(f.text, cite)}</p>'
    label = inline_html(f.label, cite)
    if isinstance(f, m.ShortText):
        return (f'<div class="ms-field"><label for="{fid}">{label}</label>'
                f'<input type="text" id="{fid}" class="ms-input"></div>')
    if isinstance(f, m.LongText):
        return (f'<div class="ms-field"><label for="{fid}">{label}</label>'
                f'<textarea id="{fid}" rows="{f.lines}" class="ms-input"></textarea></div>')
    if isinstance(f, m.DateField):
        return (f'<div class="ms-field ms-field--date"><label for="{fid}">{label}</label>'
                f'<input type="date" id="{fid}" class="ms-input"></div>')
    if isinstance(f, m.Checkbox):
        key = f"{t.id}-{item_key(f.label)}"
        return (f'<div class="ms-field ms-item"><input type="checkbox" id="{key}" data-ms-key="{key}">'
                f'<label for="{key}">{label}</label></div>')
    if isinstance(f, m.Rating):
        opts = "".join(
            f'<label class="ms-rating__opt"><input type="radio" name="{fid}" value="{i + 1}">'
            f"<span>{inline_html(s, cite)}</span></label>"
            for i, s in enumerate(f.scale)
        )
        return (f'<fieldset class="ms-field ms-rating"><legend>{label}</legend>'
                f'<div class="ms-rating__opts">{opts}</div></fieldset>')
    if isinstance(f, m.Table):
        head = "".join(f'<th scope="col">{inline_html(c, cite)}</th>' for c in f.columns)
        rows = []
        for r in range(f.rows):
            cells = "".join(
                f'<td><input type="text" class="ms-input" aria-label="{escape(c)}, row {r + 1}"></td>' for c in f.columns
            )
            rows.append(f"<tr>{cells}</tr>")
        return (f'<div class="ms-field ms-table"><p class="ms-table__label" id="{fid}">{label}</p>'
                f'<div class="ms-table__scroll"><table aria-labelledby="{fid}"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(rows)}</tbody></table></div></div>')
    if isinstance(f, m.Signature):
        return (f'<div class="ms-field ms-signature"><span class="ms-signature__who">{label}</span>'
                f'<label for="{fid}-sig">Signature</label><input type="text" id="{fid}-sig" class="ms-input">'
                f'<label for="{fid}-date">Date</label><input type="date" id="{fid}-date" class="ms-input"></div>')
    raise TypeError(f"unknown field {f!r}")  # pragma: no cover - models forbid it


def template_form(site: Site, template_id: str, page: str) -> str:
    t: m.Template = _get("template", site.templates, template_id)
    cite = _citer(site, page)
    out = [f'<form class="ms-form" data-ms-id="template:{escape(t.id)}" onsubmit="return false" markdown="0">']
    out.append(storage_toolbar("template", t.id))
    for si, section in enumerate(t.sections):
        out.append(f'<section class="ms-section"><h3 id="{t.id}-section-{si + 1}">{inline_html(section.title, cite)}</h3>')
        if section.guidance:
            out.append(f'<p class="ms-guidance">{inline_html(section.guidance, cite)}</p>')
        for fi, f in enumerate(section.fields):
            out.append(_field_html(t, si, fi, f, cite))
        out.append("</section>")
    out.append("</form>")
    return "\n".join(out)


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def download_links(t: m.Template, page: str, sizes: dict[str, int]) -> str:
    links = []
    for ext, name in (("docx", "Word (DOCX)"), ("pdf", "PDF"), ("md", "Markdown")):
        path = f"downloads/templates/{t.id}.{ext}"
        size = sizes.get(path)
        size_txt = f" <span class=\"ms-size\">{human_size(size)}</span>" if size is not None else ""
        links.append(f'<a class="md-button" href="{url(page, path, built_file=True)}" download>{name}{size_txt}</a>')
    return f'<p class="ms-downloads">{" ".join(links)}</p>'


def template_page(site: Site, template_id: str, page: str, sizes: dict[str, int]) -> str:
    t: m.Template = _get("template", site.templates, template_id)
    cite = _citer(site, page)
    aud = ", ".join(AUDIENCE_LABELS[a] for a in t.audience)
    related = ", ".join(f'<a href="{url(page, p)}">{escape(site.pages[p].title if p in site.pages else p)}</a>'
                        for p in t.related_pages)
    meta = [
        f"<dt>Purpose</dt>\n<dd>{inline_html(t.purpose, cite)}</dd>",
        f"<dt>For</dt>\n<dd>{aud}</dd>",
        f"<dt>When to use it</dt>\n<dd>{inline_html(t.when_to_use, cite)}</dd>",
        f"<dt>Time needed</dt>\n<dd>{inline_html(t.time_needed)}</dd>",
        f"<dt>Version</dt>\n<dd>{t.version.isoformat()}</dd>",
    ]
    if related:
        meta.append(f"<dt>Related guidance</dt>\n<dd>{related}</dd>")
    if t.credits:
        meta.append(f"<dt>Credits</dt>\n<dd>{inline_html(t.credits, cite)}</dd>")
    return "\n".join([
        '<dl class="ms-meta">' + "\n".join(meta) + "</dl>",  # line breaks keep words apart in search
        "<h2 id=\"download\">Download</h2>",
        download_links(t, page, sizes),
        "<p class=\"ms-howto\">Fill it in on screen and print it, or download an editable copy. "
        "Nothing you type here leaves your browser; only ticks are remembered, on this device.</p>",
        "<h2 id=\"the-template\">The template</h2>",
        template_form(site, template_id, page),
    ])


def template_library(site: Site, page: str, sizes: dict[str, int]) -> str:
    rows = []
    for t in sorted(site.templates.values(), key=lambda t: t.title.lower()):
        fmts = " · ".join(
            f'<a href="{url(page, f"downloads/templates/{t.id}.{ext}", built_file=True)}" download>{ext.upper()}'
            f' <span class="ms-size">({human_size(sizes[f"downloads/templates/{t.id}.{ext}"])})</span></a>'
            if f"downloads/templates/{t.id}.{ext}" in sizes else ext.upper()
            for ext in ("docx", "pdf", "md")
        )
        rows.append(
            f'<tr><td><a href="{url(page, site.page_of("templates", t.id))}">{escape(t.title)}</a></td>'
            f"<td>{', '.join(AUDIENCE_LABELS[a] for a in t.audience)}</td>"
            f"<td>{inline_html(t.when_to_use)}</td><td>{escape(t.time_needed)}</td><td>{fmts}</td></tr>"
        )
    return (
        '<div class="ms-table__scroll"><table class="ms-library"><thead><tr><th scope="col">Template</th>'
        '<th scope="col">For</th><th scope="col">When</th><th scope="col">Time</th><th scope="col">Downloads</th>'
        f'</tr></thead><tbody>{"".join(rows)}</tbody></table></div>'
    )


# --------------------------------------------------------------------------- references


def reference_entry(ref: m.Reference, page: str, cited_on: list[str], site: Site) -> str:
    ids = []
    if ref.doi:
        ids.append(f'DOI: <a href="https://doi.org/{escape(ref.doi)}">{escape(ref.doi)}</a>')
    if ref.pmid:
        ids.append(f'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/{ref.pmid}/">{ref.pmid}</a>')
    if ref.pmcid:
        ids.append(f'<a href="https://www.ncbi.nlm.nih.gov/pmc/articles/{ref.pmcid}/">{ref.pmcid}</a>')
    if ref.url:
        ids.append(f'<a href="{escape(ref.url)}">{escape(ref.url)}</a>')
    if ref.accessed:
        ids.append(f"accessed {ref.accessed.isoformat()}")
    where = ", ".join(
        f'<a href="{url(page, p)}">{escape(site.pages[p].title if p in site.pages else p)}</a>' for p in cited_on
    )
    return "\n".join([
        f'<div class="ms-ref" id="ref-{ref.id}">',
        f'<p class="ms-ref__cite"><strong>{escape(ref.short)}</strong> {evidence_badge(ref.design)}<br>'
        f"{escape(ref.authors)}. {escape(ref.title)}. <em>{escape(ref.venue)}</em>.</p>",
        f'<p class="ms-ref__ids">{" · ".join(ids)}</p>',
        f'<p class="ms-ref__design"><span class="ms-ref__k">Design:</span> {inline_html(ref.design_note)}</p>',
        f'<p class="ms-ref__finding"><span class="ms-ref__k">What we rely on:</span> {inline_html(ref.finding)}</p>',
        f'<p class="ms-ref__where"><span class="ms-ref__k">Cited on:</span> {where}</p>' if where else "",
        "</div>",
    ])


def reference_library(site: Site, page: str, cited_on: dict[str, list[str]]) -> str:
    refs = sorted(site.references.values(), key=lambda r: (r.short.lower(), r.year, r.id))
    counts = {d: sum(1 for r in refs if r.design == d) for d in m.DESIGN_LABELS}
    legend = "".join(
        f"<li>{evidence_badge(d)} {escape(m.DESIGN_EXPLANATIONS[d])} ({counts[d]})</li>" for d in m.DESIGN_LABELS
    )
    body = "\n".join(reference_entry(r, page, cited_on.get(r.id, []), site) for r in refs)
    return f'<ul class="ms-legend">{legend}</ul>\n<div class="ms-refs" markdown="0">\n{body}\n</div>'


# --------------------------------------------------------------------------- programme models


def programme_models_table(site: Site, page: str) -> str:
    rows = []
    for pm in site.programme_models.values():
        rows.append(
            f'<tr><th scope="row"><a href="{url(page, site.page_of("programme_models", pm.id))}">{escape(pm.name)}</a></th>'
            f"<td>{inline_html(pm.summary)}</td><td>{inline_html(pm.who_mentors)}</td>"
            f"<td>{inline_html(pm.typical_cadence)}</td><td>{inline_html(pm.best_for)}</td>"
            f'<td>{escape(m.STRENGTH_LABELS[pm.evidence_strength])}</td></tr>'
        )
    return (
        '<div class="ms-table__scroll"><table class="ms-models"><thead><tr><th scope="col">Model</th>'
        '<th scope="col">In one sentence</th><th scope="col">Who mentors</th><th scope="col">Typical cadence</th>'
        '<th scope="col">Best for</th><th scope="col">Strength of evidence</th></tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>'
    )


def _ul(items: list[str], cite) -> str:
    return "<ul>" + "".join(f"<li>{inline_html(i, cite)}</li>" for i in items) + "</ul>"


def programme_model(site: Site, model_id: str, page: str) -> str:
    pm: m.ProgrammeModel = _get("programme model", site.programme_models, model_id)
    cite = _citer(site, page)
    parts = [
        f'<p class="ms-lead">{inline_html(pm.summary, cite)}</p>',
        f'<p class="ms-strength"><strong>Strength of evidence:</strong> {escape(m.STRENGTH_LABELS[pm.evidence_strength])}</p>',
        '<h2 id="how-it-works">How does it work?</h2>', block_html(pm.structure, cite),
        f"<p><strong>Who mentors:</strong> {inline_html(pm.who_mentors, cite)}</p>",
        f"<p><strong>Typical cadence:</strong> {inline_html(pm.typical_cadence, cite)}</p>",
        '<h2 id="strengths">What does it do well?</h2>', _ul(pm.strengths, cite),
        '<h2 id="risks">What can go wrong?</h2>', _ul(pm.risks, cite),
        '<h2 id="resources">What does it need?</h2>', _ul(pm.resources_needed, cite),
        '<h2 id="evidence">What is the evidence?</h2>', block_html(pm.evidence, cite),
    ]
    if pm.examples:
        parts.append('<h2 id="examples">Where is it used?</h2><ul>' + "".join(
            f"<li><strong>{inline_html(ex.name)}</strong>: {inline_html(ex.description, cite)} "
            f"{cite_html(site, [ex.source], page)}</li>" for ex in pm.examples) + "</ul>")
    parts.append(f'<h2 id="best-for">Who is it best for?</h2><p>{inline_html(pm.best_for, cite)}</p>')
    if pm.related_pages:
        parts.append('<h2 id="related">Related</h2><ul>' + "".join(
            f'<li><a href="{url(page, p)}">{escape(site.pages[p].title if p in site.pages else p)}</a></li>'
            for p in pm.related_pages) + "</ul>")
    return '<div class="ms-model" markdown="0">\n' + "\n".join(parts) + "\n</div>"


# --------------------------------------------------------------------------- case studies


def case_studies(site: Site, page: str) -> str:
    cite = _citer(site, page)
    out = ['<div class="ms-cases" markdown="0">']
    for cs in site.case_studies.values():
        comps = ", ".join(
            f'<a href="{url(page, site.competencies[c].page)}">{escape(site.competencies[c].name)}</a>'
            if c in site.competencies else escape(c) for c in cs.competencies
        )
        related = ", ".join(
            f'<a href="{url(page, p)}">{escape(site.pages[p].title if p in site.pages else p)}</a>'
            for p in cs.related_pages
        )
        questions = "".join(f"<li>{inline_html(q, cite)}</li>" for q in cs.questions)
        out.append(
            f'<section class="ms-case" aria-labelledby="case-{cs.id}"><h2 id="case-{cs.id}">{inline_html(cs.title)}</h2>'
            f'<p class="ms-case__meta"><strong>Stage:</strong> {STAGE_LABELS[cs.stage]} · <strong>Competencies:</strong> {comps}</p>'
            f"{block_html(cs.scenario, cite)}"
            f'<h3 id="case-{cs.id}-questions">Questions for discussion</h3><ol>{questions}</ol>'
            + (f'<p class="ms-case__related"><strong>Read next:</strong> {related}</p>' if related else "")
            + "</section>"
        )
    out.append("</div>")
    return "\n".join(out)



# --------------------------------------------------------------------------- curriculum

TRACK_LABELS = {"core": "Core course", "mentee": "Mentee track", "programme-lead": "Programme-lead workshop"}


def _sessions(site: Site) -> list[m.Session]:
    return sorted(site.curriculum.values(), key=lambda x: x.number)


def _md_inline(text: str, cite=None) -> str:
    """Inline HTML for use inside Markdown lines (tables, lists), with pipes protected."""
    return inline_html(text, cite).replace("|", "&#124;")


def curriculum_table(site: Site, page: str) -> str:
    rows = ["| No. | Session | Track | Minutes | Facilitator guide |", "|---|---|---|---|---|"]
    for x in _sessions(site):
        guide = " · ".join(
            f'<a href="{url(page, f"downloads/curriculum/{x.id}.{ext}", built_file=True)}" download>{ext.upper()}</a>'
            for ext in ("docx", "pdf"))
        rows.append(f"| {x.number} | [{_md_inline(x.title)}]({md_link(page, site.page_of('curriculum', x.id))}) | "
                    f"{TRACK_LABELS[x.track]} | {x.duration_minutes} | {guide} |")
    return "\n".join(rows)


def curriculum_totals(site: Site) -> dict[str, int]:
    totals: dict[str, int] = {}
    for x in site.curriculum.values():
        totals[x.track] = totals.get(x.track, 0) + x.duration_minutes
    return totals


def course_pack_links(page: str) -> str:
    return '<p class="ms-downloads">' + " ".join(
        f'<a class="md-button" href="{url(page, f"downloads/curriculum/course-pack.{ext}", built_file=True)}" download>'
        f"Whole course pack ({name})</a>" for ext, name in (("docx", "Word"), ("pdf", "PDF"))) + "</p>"


def session_page(site: Site, session_id: str, page: str) -> str:
    x: m.Session = _get("curriculum session", site.curriculum, session_id)
    cite = _citer(site, page)
    comps = ", ".join(
        f"[{escape(site.competencies[c].name)}]({md_link(page, site.competencies[c].page)})"
        if c in site.competencies else escape(c) for c in x.competencies)
    out = [
        f'<p class="ms-lead">{inline_html(x.summary, cite)}</p>',
        "",
        "| | |", "|---|---|",
        f"| **Session** | {x.number} of the {TRACK_LABELS[x.track].lower()} |",
        f"| **Audience** | {_md_inline(x.audience)} |",
        f"| **Group size** | {_md_inline(x.group_size)} |",
        f"| **Duration** | {x.duration_minutes} minutes |",
    ]
    if comps:
        out.append(f"| **Competencies** | {comps} |")
    out += ["", '<p class="ms-downloads">' + " ".join(
        f'<a class="md-button" href="{url(page, f"downloads/curriculum/{x.id}.{ext}", built_file=True)}" download>'
        f"Facilitator guide ({name})</a>" for ext, name in (("docx", "Word"), ("pdf", "PDF"))) + "</p>", ""]
    out += ["## What will participants be able to do?", "", "By the end of the session participants will be able to:", ""]
    out += [f"{i + 1}. {_md_inline(o, cite)}" for i, o in enumerate(x.objectives)] + [""]
    if x.pre_work:
        out += ["## What should participants do beforehand?", ""] + [f"- {_md_inline(p, cite)}" for p in x.pre_work] + [""]
    out += ["## How is the time used?", "", "| Time | Minutes | Activity | Method | Materials |", "|---|---|---|---|---|"]
    start = 0
    for a in x.activities:
        out.append(f"| {start}–{start + a.minutes} | {a.minutes} | {_md_inline(a.title)} | {_md_inline(a.method)} | "
                   f"{_md_inline(a.materials)} |")
        start += a.minutes
    out.append("")
    for a in x.activities:
        out += [f"**{_md_inline(a.title)}** ({a.minutes} min). {_md_inline(a.description, cite)}", ""]
    for case in x.cases:
        out += [f"## Case: {_md_inline(case.title)}", "", block_html(case.scenario, cite), "",
                "**Discussion prompts**", ""]
        out += [f"{i + 1}. {_md_inline(q, cite)}" for i, q in enumerate(case.prompts)] + [""]
    out += ["## Facilitator notes", "", "**What tends to happen**", ""]
    out += [f"- {_md_inline(n, cite)}" for n in x.facilitator_notes.what_tends_to_happen] + [""]
    out += ["**Handling difficult moments**", ""]
    out += [f"- {_md_inline(n, cite)}" for n in x.facilitator_notes.difficult_moments] + [""]
    if x.take_home_templates:
        out += ["## Which tools do participants take away?", ""]
        out += [f"- [{escape(site.templates[t].title)}]({md_link(page, site.page_of('templates', t))})" for t in x.take_home_templates]
        out.append("")
    if x.references:
        out += ["## References", ""]
        out += [f"- {cite_md(site, [k], page)} {escape(site.references[k].title)}" for k in x.references]
    return "\n".join(out)


# --------------------------------------------------------------------------- self-assessments


def self_assessment(site: Site, assessment_id: str, page: str) -> str:
    sa: m.SelfAssessment = _get("self-assessment", site.self_assessments, assessment_id)
    cite = _citer(site, page)
    out = [f'<form class="ms-sa" data-ms-sa="{escape(sa.id)}" onsubmit="return false" markdown="0">',
           f'<p class="ms-lead">{inline_html(sa.intro, cite)}</p>',
           '<p class="ms-privacy">Your answers are saved in this browser only and never sent anywhere. '
           "Use “Delete my answers” to remove them.</p>"]
    for dm in sa.domains:
        out.append(f'<section class="ms-section ms-sa__domain" data-domain="{escape(dm.id)}" '
                   f'aria-labelledby="sa-{sa.id}-{dm.id}"><h2 id="sa-{sa.id}-{dm.id}">{inline_html(dm.name)}</h2>')
        for i, item in enumerate(dm.items):
            name = f"{sa.id}--{dm.id}--{i + 1}"
            opts = "".join(
                f'<label class="ms-rating__opt"><input type="radio" name="{name}" value="{v + 1}">'
                f"<span>{inline_html(label)}</span></label>" for v, label in enumerate(sa.scale))
            out.append(f'<fieldset class="ms-field ms-rating"><legend>{inline_html(item, cite)}</legend>'
                       f'<div class="ms-rating__opts">{opts}</div></fieldset>')
        out.append(f'<div class="ms-field"><label for="{sa.id}--{dm.id}--notes">Notes (optional)</label>'
                   f'<textarea id="{sa.id}--{dm.id}--notes" class="ms-input" rows="2" data-notes="{escape(dm.id)}"></textarea></div>')
        helps = [f'<a href="{url(page, p)}">{escape(site.pages[p].title if p in site.pages else p)}</a>'
                 for p in dm.help_pages]
        helps += [f'<a href="{url(page, site.page_of("curriculum", s))}">Training session: {escape(site.curriculum[s].title)}</a>'
                  for s in dm.help_sessions if s in site.curriculum]
        out.append(f'<p class="ms-sa__help">Where to read more: {" · ".join(helps)}</p></section>')
    out.append('<div class="ms-toolbar ms-sa__tools">'
               '<button type="button" class="md-button md-button--primary ms-sa-summary-btn">Show my summary</button>'
               '<button type="button" class="md-button ms-sa-delete">Delete my answers</button>'
               '<button type="button" class="md-button ms-sa-print">Print</button>'
               '<span class="ms-status" role="status" aria-live="polite"></span></div>')
    out.append('<section class="ms-sa__summary" aria-labelledby="sa-summary-heading" hidden>'
               '<h2 id="sa-summary-heading">Your summary</h2>'
               '<p>Average rating for each area you answered, from 1 (' + escape(sa.scale[0]) + ') to '
               f'{len(sa.scale)} (' + escape(sa.scale[-1]) + ').</p>'
               '<div class="ms-sa__bars"></div>'
               '<h3 id="sa-summary-next">Where to start</h3><div class="ms-sa__next"></div></section>')
    out.append("</form>")
    return "\n".join(out)
