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
