"""Pure renderers, called directly: escaping, links and structure, without MkDocs."""

from __future__ import annotations

import pytest

from macros import models as m
from macros import render
from macros.loader import load_site

from .conftest import ROOT

HOSTILE = '<script>alert(1)</script> <img src=x onerror="alert(2)"> {{ settings.contact_email }} ' + "Supercalifragilistic" * 6


@pytest.fixture(scope="module")
def site():
    s, problems = load_site(ROOT / "docs", ROOT)
    assert problems == []
    return s


def _hostile_template() -> m.Template:
    return m.Template.model_validate({
        "id": "hostile", "title": HOSTILE, "purpose": HOSTILE, "audience": ["mentees"], "when_to_use": HOSTILE,
        "time_needed": "1 minute", "version": "2026-11-26", "credits": None,
        "sections": [{"title": HOSTILE, "guidance": HOSTILE, "fields": [
            {"type": "short_text", "label": HOSTILE}, {"type": "long_text", "label": HOSTILE},
            {"type": "checkbox", "label": HOSTILE}, {"type": "rating", "label": HOSTILE, "scale": [HOSTILE, "b"]},
            {"type": "table", "label": HOSTILE, "columns": [HOSTILE], "rows": 1},
            {"type": "signature", "label": HOSTILE}, {"type": "guidance", "text": HOSTILE}]}],
    })


def test_hostile_template_is_escaped_on_the_page(site):
    t = _hostile_template()
    patched = type(site)(**{**site.__dict__, "templates": {**site.templates, "hostile": t}})
    html = render.template_page(patched, "hostile", "templates/hostile.md", {})
    assert "<script>" not in html and "<img" not in html and "{{" not in html
    assert html.count("&lt;script&gt;") >= 8
    assert 'aria-label="&lt;script&gt;' in html  # attribute values escaped too


def test_empty_optional_fields_render_nothing_odd(site):
    t = m.Template.model_validate({
        "id": "plain", "title": "Plain", "purpose": "P", "audience": ["mentors"], "when_to_use": "W",
        "time_needed": "2 minutes", "version": "2026-11-26",
        "sections": [{"title": "S", "fields": [{"type": "short_text", "label": "Name"}]}]})
    patched = type(site)(**{**site.__dict__, "templates": {"plain": t}})
    html = render.template_page(patched, "plain", "templates/plain.md", {})
    assert "None" not in html and "Credits" not in html and "Related guidance" not in html


def test_cite_links_to_the_library_with_the_design_label(site):
    md = render.cite_md(site, ["pfund2014", "straus2013"], "mentors/first-meeting.md")
    assert "](../references.md#ref-pfund2014)" in md and "](../references.md#ref-straus2013)" in md
    assert "evidence--trial" in md and "evidence--qualitative" in md


def test_unknown_ids_suggest_the_nearest(site):
    with pytest.raises(render.UnknownId, match="did you mean 'mentoring-agreement'"):
        render.template_page(site, "mentoring-agrement", "templates/x.md", {})
    with pytest.raises(render.UnknownId, match="reference 'nobody1999' does not exist"):
        render.cite_md(site, ["nobody1999"], "index.md")


def test_urls_are_relative_to_the_page():
    assert render.url("mentees/a.md", "templates/b.md") == "../templates/b.html"
    assert render.url("index.md", "references.md#ref-x") == "references.html#ref-x"
    assert render.url("a/b/c.md", "downloads/x.md", built_file=True) == "../../downloads/x.md"


def test_checklist_items_have_labels_and_stable_keys(site):
    html = render.checklist(site, "first-meeting", "checklists/first-meeting.md")
    items = [i for s in site.checklists["first-meeting"].sections for i in s.items]
    assert html.count("<label for=") == len(items)
    assert render.item_key(items[0].text) in html
