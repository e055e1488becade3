"""The mentor-training curriculum and the self-assessments: validation, pages and downloads."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError

from macros import models as m
from macros.loader import load_site
from macros.text import plain

from .conftest import ROOT
from .test_downloads import docx_text, pdf_text, _norm




@pytest.fixture(scope="module")
def raw_session() -> dict:
    data = yaml.safe_load((ROOT / "docs/data/curriculum.yml").read_text(encoding="utf-8"))
    return data["curriculum"][0]


def test_minutes_must_add_up(raw_session):
    bad = copy.deepcopy(raw_session)
    bad["activities"][0]["minutes"] += 5
    with pytest.raises(ValidationError, match=r"activity minutes add up to \d+, but duration_minutes is \d+"):
        m.Session.model_validate(bad)


def test_objectives_are_required_and_measurable(raw_session):
    empty = {**copy.deepcopy(raw_session), "objectives": []}
    with pytest.raises(ValidationError, match="objectives"):
        m.Session.model_validate(empty)
    vague = {**copy.deepcopy(raw_session), "objectives": ["Understand mentoring better."]}
    with pytest.raises(ValidationError, match="measurable verb"):
        m.Session.model_validate(vague)


def test_unknown_template_and_reference_are_reported(tmp_path: Path):
    import shutil

    docs = tmp_path / "docs"
    shutil.copytree(ROOT / "docs", docs)
    f = docs / "data/curriculum.yml"
    text = f.read_text(encoding="utf-8")
    text = text.replace("take_home_templates: [mentor-self-assessment]", "take_home_templates: [mentor-self-assesment]", 1)
    text = text.replace("references: [pfund2014, pfund2013, cimer, nasem2019, straus2013]",
                        "references: [pfund2014, pfund2031]", 1)
    f.write_text(text, encoding="utf-8")
    _, problems = load_site(docs, tmp_path)
    messages = [str(p) for p in problems]
    assert any("take_home_templates[0]: unknown template 'mentor-self-assesment'" in s for s in messages), messages
    assert any("references[1]: unknown reference 'pfund2031'" in s for s in messages), messages


def test_the_course_matches_the_brief(site):
    sessions = sorted(site.curriculum.values(), key=lambda x: x.number)
    assert len(sessions) >= 8
    assert sum(x.duration_minutes for x in sessions if x.track == "core") == 480  # the trial-tested dose
    assert {x.track for x in sessions} == {"core", "mentee", "programme-lead"}
    for x in sessions:
        assert x.cases and x.objectives and x.facilitator_notes.difficult_moments
        assert sum(a.minutes for a in x.activities) == x.duration_minutes


def test_session_page_renders_objectives_plan_and_case(built_site: Path, site):
    x = site.curriculum["communication"]
    html = (built_site / "curriculum/communication.html").read_text(encoding="utf-8")
    for objective in x.objectives:
        assert plain(objective)[:40] in html.replace("&#39;", "'").replace("&rsquo;", "’")
    start = 0
    for a in x.activities:
        assert f"{start}–{start + a.minutes} ({a.minutes} min)" in html
        start += a.minutes
    assert x.cases[0].title in html
    assert 'id="timed-plan"' in html and 'href="#timed-plan"' in html  # in the page's table of contents
    assert "downloads/curriculum/communication.pdf" in html


def test_self_assessment_page_is_a_complete_form_without_javascript(built_site: Path, site):
    sa = site.self_assessments["mentor-competencies"]
    html = (built_site / "self-assessment/mentor-competencies.html").read_text(encoding="utf-8")
    items = sum(len(dm.items) for dm in sa.domains)
    assert html.count(f'type="radio" name="{sa.id}--') == items * len(sa.scale)
    assert html.count("<fieldset") == items and html.count("<legend>") == items
    for label in sa.scale:
        assert f"<span>{label}</span>" in html
    assert "Delete my answers" in html


def test_facilitator_downloads_contain_objectives_and_timed_plan(built_site: Path, site):
    for x in site.curriculum.values():
        for ext, reader in (("docx", docx_text), ("pdf", pdf_text)):
            text = reader((built_site / "downloads/curriculum" / f"{x.id}.{ext}").read_bytes())
            assert site.settings.programme_name in text, (x.id, ext)
            for objective in x.objectives:
                assert _norm(plain(objective, lambda k: f"({site.references[k].short})")) in text, (x.id, ext, objective)
            for a in x.activities:
                assert _norm(plain(a.title)) in text, (x.id, ext, a.title)
            assert site.messages.text("session.plan_heading") in text
    pack = pdf_text((built_site / "downloads/curriculum/course-pack.pdf").read_bytes())
    for x in site.curriculum.values():
        assert _norm(plain(x.title)) in pack


@pytest.mark.browser
def test_answer_a_self_assessment_then_reload_and_delete(page, server, site):
    sa = site.self_assessments["mentor-competencies"]
    page.goto(f"{server}/self-assessment/mentor-competencies.html", wait_until="networkidle")
    # Rate every statement in the first domain 1 and every other statement 4.
    for dm_index, dm in enumerate(sa.domains):
        for i in range(len(dm.items)):
            value = "1" if dm_index == 0 else "4"
            page.locator(f'input[name="{sa.id}--{dm.id}--{i + 1}"][value="{value}"]').check()
    page.locator(f'textarea[data-notes="{sa.domains[1].id}"]').fill("Ask my mentee about feedback")
    page.get_by_role("button", name="Show my summary").click()
    summary = page.locator(".ms-sa__summary")
    assert summary.is_visible()
    assert page.locator(".ms-sa__bar").count() == len(sa.domains)
    first = page.locator(".ms-sa__next li").first
    assert sa.domains[0].name in first.inner_text()
    href = first.locator("a").first.get_attribute("href")
    assert href and href.endswith(".html")

    page.reload(wait_until="networkidle")
    assert page.locator(f'input[name="{sa.id}--{sa.domains[0].id}--1"][value="1"]').is_checked()
    assert page.locator(f'textarea[data-notes="{sa.domains[1].id}"]').input_value() == "Ask my mentee about feedback"
    assert page.locator(".ms-sa__summary").is_visible()

    page.get_by_role("button", name="Delete my answers").click()
    assert page.evaluate(f"localStorage.getItem('ms:sa:{sa.id}')") is None
    page.reload(wait_until="networkidle")
    assert page.locator("input[type=radio]:checked").count() == 0
    assert page.watch.foreign == [] and page.watch.errors == []


# --------------------------------------------------------------------------- participant materials


def test_every_material_a_plan_names_is_a_download_or_a_supply(site):
    """The loader's check, on every activity of the real course: templates by title, the printed case,
    the session's own handouts, worksheets and cards, or a supply."""
    from macros.loader import _check_materials, material_target

    kinds = set()
    for sid, x in site.curriculum.items():
        assert _check_materials("docs/data/curriculum.yml", sid, x, site.templates) == []
        for a in x.activities:
            for item in m.material_items(a.materials):
                kinds.add(material_target(item, x, site.templates)[0])
    assert kinds == {"template", "case", "material", "supply"}


def test_a_plan_that_names_a_material_nobody_wrote_is_one_problem_per_activity(site):
    from macros.loader import _check_materials

    x = site.curriculum["communication"]
    activities = [a.model_copy(update={"materials": "Observer prompt card; laminated bingo board"}) if i == 1 else a
                  for i, a in enumerate(x.activities)]
    problems = _check_materials("docs/data/curriculum.yml", x.id, x.model_copy(update={"activities": activities}),
                                site.templates)
    assert [str(p) for p in problems] == [
        "docs/data/curriculum.yml: curriculum[communication].activities[1].materials: names 'laminated bingo board', "
        "which is not a download: use a template's title or id ('... template'), 'Printed case', the title of one of the "
        "session's materials, or a supply (flip chart, name cards, sticky notes, refreshments, pens, blank paper, "
        "tape, or \"participants' ...\")"]
    unused = x.model_copy(update={"materials": [*x.materials, x.materials[0].model_copy(update={"id": "spare", "title": "Spare"})]})
    assert any("'Spare' is not named in any activity's materials" in str(p)
               for p in _check_materials("docs/data/curriculum.yml", x.id, unused, site.templates))


def test_a_template_is_named_by_its_id_too_so_a_forks_own_version_still_counts(site):
    from macros.loader import material_target

    x = site.curriculum["aligning-expectations"]
    renamed = {**site.templates, "mentoring-agreement": site.templates["mentoring-agreement"].model_copy(
        update={"title": "Accord de mentorat (Genève)"})}
    assert material_target("Mentoring agreement template", x, renamed) == ("template", "mentoring-agreement")
    assert material_target("Accord de mentorat (Genève) template", x, renamed) == ("template", "mentoring-agreement")
    assert material_target("Accord template", x, renamed) is None


def test_a_material_needs_its_content():
    with pytest.raises(ValidationError, match="a set of cards needs at least one card"):
        m.Material.model_validate({"id": "c", "title": "Cards", "kind": "cards"})
    with pytest.raises(ValidationError, match="a worksheet needs writing lines"):
        m.Material.model_validate({"id": "w", "title": "W", "kind": "worksheet", "points": ["Why?"]})
    assert m.material_items("Printed case; role cards, flip chart (A1, lined)") == ["Printed case", "role cards",
                                                                                   "flip chart (A1, lined)"]


def test_each_session_offers_its_participant_materials(built_site: Path, site):
    from macros.registry import download_path

    for x in site.curriculum.values():
        pdf_path = built_site / download_path("curriculum", f"{x.id}-materials", "pdf")
        text = pdf_text(pdf_path.read_bytes())
        docx = docx_text((built_site / download_path("curriculum", f"{x.id}-materials", "docx")).read_bytes())
        for case in x.cases:
            assert _norm(plain(case.title)) in text and _norm(plain(case.title)) in docx, x.id
        for mt in x.materials:
            assert _norm(mt.title) in text and _norm(mt.title) in docx, (x.id, mt.title)
            for card in mt.cards:
                assert _norm(card.title) in text, (x.id, card.title)
        page = (built_site / site.page_of("curriculum", x.id).replace(".md", ".html")).read_text(encoding="utf-8")
        assert f'{x.id}-materials.pdf"' in page and f'{x.id}-materials.docx"' in page
