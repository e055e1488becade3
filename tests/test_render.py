"""Pure renderers, called directly: escaping, links and structure, without an engine."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from macros import models as m
from macros import render
from macros.loader import load_site

from .conftest import ROOT
from .hostile import find_live

pytestmark = pytest.mark.unit

HOSTILE = ('<script>alert(1)</script> <img src=x onerror="alert(2)"> {{ settings.contact_email }} '
           '[x](javascript:alert(3)) {: onclick=alert(4)} "quoted" ' + "Supercalifragilistic" * 3)




def _with(site, **data):
    return type(site)(**{**site.__dict__, **data})


def _hostile_template() -> m.Template:
    title = HOSTILE[:100]
    return m.Template.model_validate({
        "id": "hostile", "title": title, "purpose": HOSTILE, "audience": ["mentees"], "when_to_use": HOSTILE,
        "time_needed": "1 minute", "version": dt.date(2026, 11, 26), "credits": None,
        "sections": [{"title": title, "guidance": HOSTILE, "fields": [
            {"type": "short_text", "label": HOSTILE}, {"type": "long_text", "label": HOSTILE},
            {"type": "checkbox", "label": HOSTILE}, {"type": "rating", "label": HOSTILE, "scale": [HOSTILE, "b"]},
            {"type": "table", "label": HOSTILE, "columns": [HOSTILE], "rows": 1},
            {"type": "signature", "label": HOSTILE}, {"type": "guidance", "text": HOSTILE}]}],
    })


def _live(html: str) -> list[str]:
    return find_live(html)


def test_hostile_template_is_escaped_on_the_page(site):
    html = render.template_page(_with(site, templates={**site.templates, "hostile": _hostile_template()}),
                                "hostile", "templates/hostile.md")
    assert _live(html) == []
    assert "{{" not in html and "{:" not in html  # neither Jinja nor attr_list can read it again
    assert html.count("&lt;script&gt;") >= 8  # the text is still shown, escaped
    assert 'aria-label="&lt;script&gt;' in html  # attribute values escaped too
    assert "&#34;quoted&#34;" in html or "&quot;quoted&quot;" in html or '"quoted"' in html


def test_empty_optional_fields_render_nothing_odd(site):
    t = m.Template.model_validate({
        "id": "plain", "title": "Plain", "purpose": "P", "audience": ["mentors"], "when_to_use": "W",
        "time_needed": "2 minutes", "version": dt.date(2026, 11, 26),
        "sections": [{"title": "S", "fields": [{"type": "short_text", "label": "Name"}]}]})
    html = render.template_page(_with(site, templates={"plain": t}), "plain", "templates/plain.md")
    assert "None" not in html and "Credits" not in html and "Related guidance" not in html


def test_cite_links_to_the_library_with_the_design_label(site):
    html = render.cite(site, ["pfund2014", "straus2013"], "mentors/first-meeting.md")
    assert 'href="../references.html#ref-pfund2014"' in html and 'href="../references.html#ref-straus2013"' in html
    assert "evidence--trial" in html and "evidence--qualitative" in html


def test_a_reference_with_html_in_its_authors_is_shown_as_text(site):
    ref = site.references["straus2013"].model_copy(update={"authors": "<img src=x onerror=alert(1)> Evil A"})
    html = render.cite(_with(site, references={**site.references, "straus2013": ref}), ["straus2013"], "index.md")
    assert _live(html) == [] and "&lt;img" in html


def test_unknown_ids_suggest_the_nearest(site):
    with pytest.raises(render.UnknownId, match="did you mean 'mentoring-agreement'"):
        render.template_page(site, "mentoring-agrement", "templates/x.md")
    with pytest.raises(render.UnknownId, match="reference 'nobody1999' does not exist"):
        render.cite(site, ["nobody1999"], "index.md")


def test_urls_are_relative_to_the_page():
    assert render.url("mentees/a.md", "templates/b.md") == "../templates/b.html"
    assert render.url("index.md", "references.md#ref-x") == "references.html#ref-x"
    assert render.url("a/b/c.md", "downloads/x.md", built_file=True) == "../../downloads/x.md"


def test_checklist_items_have_labels_and_stable_keys(site):
    html = render.checklist(site, "first-meeting", "checklists/first-meeting.md")
    items = [i for s in site.checklists["first-meeting"].sections for i in s.items]
    assert html.count("<label for=") == len(items)
    assert render.item_key(items[0].text) in html


def test_citations_in_the_models_table_render_as_links(site):
    """[@key] in a table cell is a citation like everywhere else, never raw text."""
    html = render.programme_models_table(site, "models/index.md")
    assert "[@" not in html
    cited = [pm for pm in site.programme_models.values()
             if "[@" in pm.summary + pm.who_mentors + pm.typical_cadence + pm.best_for]
    assert cited, "the data has no citation in the table's columns any more; keep this test meaningful"
    assert html.count('class="cite"') >= len(cited)


def test_the_template_library_follows_the_navigation_groups(upstream_site):
    from .conftest import nav_pages

    site = upstream_site
    html = render.template_library(site, "templates/index.md")
    pairs, programmes = html.split('id="for-programmes"')
    for t in site.templates.values():
        link = f'href="{render.url("templates/index.md", site.page_of("templates", t.id))}"'
        assert link in (pairs if t.group == "pairs" else programmes), t.id
    nav = nav_pages()
    order = [p for p in nav if p.startswith("templates/") and p != "templates/index.md"]
    assert [f"templates/{t.id}.md" for t in site.templates.values() if t.group == "pairs"] == \
        [p for p in order if site.templates[p[10:-3]].group == "pairs"]


def test_signature_fields_name_whose_signature_and_date(site):
    html = render.template_form(site, "mentoring-agreement", "templates/mentoring-agreement.md")
    labels = re.findall(r"<label for=\"[^\"]+-(?:sig|date)\">([^<]+)</label>", html)
    assert labels and all(label not in ("Signature", "Date") for label in labels), labels
    assert len(set(labels)) == len(labels)  # each names its signer
