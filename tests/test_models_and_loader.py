"""Models and the loader: validation, cross-references and readable problems."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from macros import models as m
from macros.loader import load_site, validate
from macros.safeio import read_yaml

from .conftest import edit, make_fixture_site

pytestmark = pytest.mark.unit


def _template(**sections):
    return {
        "id": "t", "title": "T", "purpose": "P", "audience": ["mentees"], "when_to_use": "W",
        "time_needed": "5 minutes", "version": dt.date(2026, 11, 26), "sections": [sections or {
            "title": "S", "fields": [{"type": "short_text", "label": "Name"}]}],
    }


def test_template_model_accepts_every_field_type():
    t = m.Template.model_validate(_template(title="S", fields=[
        {"type": "short_text", "label": "a"}, {"type": "long_text", "label": "b", "lines": 4},
        {"type": "date", "label": "c"}, {"type": "checkbox", "label": "d"},
        {"type": "rating", "label": "e", "scale": ["low", "high"]},
        {"type": "table", "label": "f", "columns": ["x"], "rows": 2},
        {"type": "signature", "label": "g"}, {"type": "guidance", "text": "h"},
    ]))
    kinds = [type(f).__name__ for f in t.sections[0].fields]
    assert kinds == ["ShortText", "LongText", "DateField", "Checkbox", "Rating", "Table", "Signature", "Guidance"]


@pytest.mark.parametrize("field, needle", [
    ({"type": "rating", "label": "e"}, "scale"),
    ({"type": "rating", "label": "e", "scale": []}, "scale"),
    ({"type": "table", "label": "f", "columns": [], "rows": 2}, "columns"),
    ({"type": "table", "label": "f", "rows": 2}, "columns"),
    ({"type": "bogus", "label": "x"}, "bogus"),
])
def test_template_model_rejects_bad_fields(field, needle):
    with pytest.raises(ValidationError) as exc:
        m.Template.model_validate(_template(title="S", fields=[field]))
    assert needle in str(exc.value)


def test_reference_needs_an_identifier_and_web_pages_an_access_date():
    base = {"id": "x", "authors": "A B", "year": 2020, "title": "T", "venue": "V", "design": "trial", "study_design": "randomised controlled trial",
            "design_note": "n", "finding": "f"}
    with pytest.raises(ValidationError, match="doi, pmid or url"):
        m.Reference.model_validate(base)
    with pytest.raises(ValidationError, match="accessed"):
        m.Reference.model_validate({**base, "url": "https://example.org"})
    ok = m.Reference.model_validate({**base, "doi": "10.1000/xyz"})
    assert ok.link == "https://doi.org/10.1000/xyz"


@pytest.mark.parametrize("authors, year, expected", [
    ("Straus SE, Johnson MO, Marquez C, Feldman MD", 2013, "Straus et al. 2013"),
    ("Gottlieb AS, Travis EL", 2018, "Gottlieb & Travis 2018"),
    ("National Academies of Sciences, Engineering, and Medicine", 2019,
     "National Academies of Sciences, Engineering, and Medicine 2019"),
    ("Akinla O", 2018, "Akinla 2018"),
])
def test_reference_short_label(authors, year, expected):
    ref = m.Reference(id="x", authors=authors, year=year, title="T", venue="V", doi="10.1000/x",
                      design="trial", study_design="randomised controlled trial", design_note="n", finding="f")
    assert ref.short == expected


def test_yaml_syntax_error_gives_file_and_line(tmp_path: Path):
    f = tmp_path / "bad.yml"
    f.write_text("checklists:\n  - id: a\n    title: [unclosed\n", encoding="utf-8")
    data, _, problems = read_yaml(f, "docs/data/bad.yml")
    assert data is None and len(problems) == 1
    assert str(problems[0]).startswith("docs/data/bad.yml:")
    assert "YAML syntax error" in str(problems[0])


def test_validation_problem_names_field_line_and_expectation(tmp_path: Path):
    f = tmp_path / "checklists.yml"
    f.write_text("checklists:\n  - id: a\n    title: A\n    sections:\n      - title: S\n        items:\n"
                 "          - text: x\n            who: nobody\n", encoding="utf-8")
    data, lines, _ = read_yaml(f, "docs/data/checklists.yml")
    _, problems = validate(data, m.ChecklistsFile, "docs/data/checklists.yml", lines)
    assert len(problems) == 1
    text = str(problems[0])
    assert text.startswith("docs/data/checklists.yml:8: checklists[0].sections[0].items[0].who:")
    assert "'mentee'" in text and "'nobody'" in text


def test_unknown_key_suggests_the_right_one(tmp_path: Path):
    f = tmp_path / "checklists.yml"
    f.write_text("checklists:\n  - id: a\n    titel: A\n    sections: []\n", encoding="utf-8")
    data, lines, _ = read_yaml(f, "x.yml")
    _, problems = validate(data, m.ChecklistsFile, "x.yml", lines)
    messages = [str(p) for p in problems]
    assert any("unknown key 'titel'; did you mean 'title'?" in s for s in messages), messages
    assert any("missing required field 'title'" in s for s in messages), messages


def test_loader_reports_duplicate_ids_and_unknown_citations(tmp_path: Path):
    site_dir = make_fixture_site(tmp_path)
    cl = site_dir / "docs/data/checklists.yml"
    text = cl.read_text(encoding="utf-8")
    body = text.split("checklists:\n", 1)[1].replace("[@straus2013]", "[@nobody2020]")
    cl.write_text("checklists:\n" + body + body, encoding="utf-8")
    site, problems = load_site(site_dir / "docs", site_dir)
    assert site is None
    messages = [str(p) for p in problems]
    assert any("duplicate id 'first-meeting'" in s for s in messages), messages
    assert any("unknown reference 'nobody2020'" in s for s in messages), messages


def test_loader_collects_overdue_reviews(tmp_path: Path):
    site_dir = make_fixture_site(tmp_path)
    site, problems = load_site(site_dir / "docs", site_dir, today=dt.date(2030, 1, 1))
    assert problems == []
    assert site is not None and len(site.overdue) == len(site.pages) == 4


def test_front_matter_is_required(tmp_path: Path):
    site_dir = make_fixture_site(tmp_path)
    (site_dir / "docs/extra.md").write_text("---\ntitle: X\n---\nbody\n", encoding="utf-8")
    _, problems = load_site(site_dir / "docs", site_dir)
    messages = [str(p) for p in problems]
    for key in ("description", "audience", "last_reviewed", "next_review_due", "reviewed_by"):
        assert any(f"docs/extra.md: front matter: missing required field '{key}'" in s for s in messages), messages


def test_local_settings_override_upstream(tmp_path: Path):
    site_dir = make_fixture_site(tmp_path)
    (site_dir / "docs/local").mkdir()
    (site_dir / "docs/local/settings.yml").write_text(
        "settings:\n  programme_name: Programme de mentorat\n  paper_size: Letter\n", encoding="utf-8")
    site, problems = load_site(site_dir / "docs", site_dir)
    assert problems == []
    assert site.settings.programme_name == "Programme de mentorat"
    assert site.settings.paper_size == "Letter"
    assert site.settings.institution == "Fixture Institute"


def test_bad_local_setting_names_the_local_file(tmp_path: Path):
    site_dir = make_fixture_site(tmp_path)
    (site_dir / "docs/local").mkdir()
    (site_dir / "docs/local/settings.yml").write_text("settings:\n  paper_size: A5\n", encoding="utf-8")
    _, problems = load_site(site_dir / "docs", site_dir)
    assert len(problems) == 1
    assert str(problems[0]).startswith("docs/local/settings.yml:2: settings.paper_size: expected 'A4' or 'Letter'")
