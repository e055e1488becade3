"""Tiny real MkDocs projects, built and asserted on (the mkdocs-macros-plugin test style).

Each bad-input case stops `mkdocs build` with a non-zero exit and one readable line that
names the file, the field and what was expected, with no Python traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import build


def _assert_clean_failure(result, *needles: str) -> str:
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Traceback" not in output, output
    assert 'File "' not in output, output
    for needle in needles:
        assert needle in output, f"{needle!r} not in:\n{output}"
    return output


def test_fixture_site_builds_and_renders_opt_in_pages(fixture_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = build(fixture_site, out)
    assert result.returncode == 0, result.stdout + result.stderr
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "office@fixture.example" in home
    assert 'href="references.html#ref-straus2013"' in home
    assert "Qualitative" in home
    assert "Page last reviewed:" in home and "Next review due:" in home


def test_literal_braces_survive_on_pages_that_do_not_opt_in(fixture_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = build(fixture_site, out)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (out / "braces.html").read_text(encoding="utf-8")
    assert "{{ braces }}" in html and "{% raw %}" in html


def test_checklist_page_renders_items_with_who_and_notes(fixture_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert build(fixture_site, out).returncode == 0
    html = (out / "checklists/first-meeting.html").read_text(encoding="utf-8")
    assert html.count("data-ms-key=") == 3
    assert "<em>CV</em>" in html and "A short email is enough." in html
    assert "Mentee</span>" in html and "Both</span>" in html
    assert 'data-ms-store="checklist:first-meeting"' in html


def test_yaml_syntax_error(fixture_site: Path):
    f = fixture_site / "docs/data/checklists.yml"
    f.write_text(f.read_text(encoding="utf-8").replace("title: Before the meeting", "title: [Before"), encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml:", "YAML syntax error")


def test_missing_required_field(fixture_site: Path):
    f = fixture_site / "docs/data/checklists.yml"
    f.write_text(f.read_text(encoding="utf-8").replace("            who: mentor\n", ""), encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml:", "checklists[0].sections[0].items[1]",
                          "missing required field 'who'")


def test_wrong_type(fixture_site: Path):
    f = fixture_site / "docs/data/references.yml"
    f.write_text(f.read_text(encoding="utf-8").replace("year: 2013", "year: twenty-thirteen"), encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/references.yml:4: references[0].year:",
                          "expected a valid integer", "twenty-thirteen")


def test_unknown_key(fixture_site: Path):
    f = fixture_site / "docs/data/checklists.yml"
    f.write_text(f.read_text(encoding="utf-8").replace("    intro:", "    intor:"), encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml:4: checklists[0]:",
                          "unknown key 'intor'; did you mean 'intro'?")


def test_duplicate_id(fixture_site: Path):
    f = fixture_site / "docs/data/references.yml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text + text.split("references:\n", 1)[1], encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/references.yml:", "duplicate id 'straus2013'")


def test_page_calls_macro_with_unknown_id(fixture_site: Path):
    f = fixture_site / "docs/checklists/first-meeting.md"
    f.write_text(f.read_text(encoding="utf-8").replace('checklist("first-meeting")', 'checklist("first-meting")'),
                 encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/checklists/first-meeting.md:", "checklist 'first-meting' does not exist",
                          "did you mean 'first-meeting'?")


def test_unknown_citation_key_in_page(fixture_site: Path):
    f = fixture_site / "docs/index.md"
    f.write_text(f.read_text(encoding="utf-8").replace('cite("straus2013")', 'cite("strauss2013")'), encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/index.md:", "unknown reference 'strauss2013'")


def test_undefined_variable_is_one_line(fixture_site: Path):
    f = fixture_site / "docs/index.md"
    f.write_text(f.read_text(encoding="utf-8").replace("settings.contact_email", "settings.contact_emial"),
                 encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/index.md", "contact_emial")


def test_all_problems_are_reported_at_once(fixture_site: Path):
    refs = fixture_site / "docs/data/references.yml"
    refs.write_text(refs.read_text(encoding="utf-8").replace("design: qualitative", "design: anecdote"), encoding="utf-8")
    cl = fixture_site / "docs/data/checklists.yml"
    cl.write_text(cl.read_text(encoding="utf-8").replace("who: both", "who: everybody"), encoding="utf-8")
    out = _assert_clean_failure(build(fixture_site), "2 problems found", "references[0].design", "who")
    assert "'anecdote'" in out and "'everybody'" in out


def test_hostile_text_in_data_is_escaped_on_the_page(fixture_site: Path, tmp_path: Path):
    f = fixture_site / "docs/data/checklists.yml"
    hostile = "Watch <script>alert(1)</script> and <img src=x onerror=alert(2)> and {{ settings.contact_email }}"
    f.write_text(f.read_text(encoding="utf-8").replace("Read what the mentee sent.", f'"{hostile}"'), encoding="utf-8")
    out = tmp_path / "out"
    result = build(fixture_site, out)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (out / "checklists/first-meeting.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#123;&#123; settings.contact_email &#125;&#125;" in html


@pytest.mark.parametrize("setting, value, needle", [
    ("contact_email", "not-an-email", "settings.contact_email"),
    ("paper_size", "A5", "settings.paper_size"),
    ("colour_scheme", "blue", "unknown key 'colour_scheme'"),
])
def test_bad_settings(fixture_site: Path, setting: str, value: str, needle: str):
    f = fixture_site / "docs/data/settings.yml"
    f.write_text(f.read_text(encoding="utf-8") + f"  {setting}: {value}\n", encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/settings.yml", needle)


def test_overdue_review_is_a_warning_not_a_failure(fixture_site: Path, tmp_path: Path):
    f = fixture_site / "docs/braces.md"
    f.write_text(f.read_text(encoding="utf-8").replace("next_review_due: 2027-11-26", "next_review_due: 2026-01-01")
                 .replace("last_reviewed: 2026-11-26", "last_reviewed: 2025-01-01"), encoding="utf-8")
    result = build(fixture_site, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Review overdue for 1 page(s): braces.md (due 2026-01-01)" in result.stderr


def test_overdue_review_can_be_made_an_error(fixture_site: Path):
    f = fixture_site / "docs/braces.md"
    f.write_text(f.read_text(encoding="utf-8").replace("next_review_due: 2027-11-26", "next_review_due: 2026-01-01")
                 .replace("last_reviewed: 2026-11-26", "last_reviewed: 2025-01-01"), encoding="utf-8")
    s = fixture_site / "docs/data/settings.yml"
    s.write_text(s.read_text(encoding="utf-8") + "  review_overdue: error\n", encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "Review overdue for 1 page(s)")


def test_text_the_pdf_font_cannot_draw_stops_the_build(fixture_site: Path):
    """A blank box in a printed form is a silently wrong download: refuse it and say where."""
    f = fixture_site / "docs/data/settings.yml"
    f.write_text(f.read_text(encoding="utf-8").replace("institution: Fixture Institute", "institution: 北京 Institute"),
                 encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/settings.yml", "settings.institution",
                          "no glyph for '北' (U+5317)", "expected Latin, Greek or Cyrillic")


def test_a_config_without_the_stash_hook_fails_instead_of_losing_content(fixture_site: Path):
    """Block macros leave placeholders that macros/hooks.py fills; without the hook pages would be empty."""
    f = fixture_site / "mkdocs.yml"
    f.write_text(f.read_text(encoding="utf-8").replace("hooks:\n  - macros/hooks.py\n", ""), encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "mkdocs.yml: hooks:", "expected macros/hooks.py")
