"""Tiny real projects, built and asserted on (the mkdocs-macros-plugin test style).

Each bad-input case stops the build with a non-zero exit and one readable line that names the
file, the field and what was expected, with no Python traceback. Fixture files are changed only
through ``edit``, which fails when the text to replace is not there.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from .conftest import build, edit

pytestmark = pytest.mark.fixture


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
    assert "Mentee</span>" in html and "Mentee and mentor</span>" in html
    assert 'data-ms-store="checklist:first-meeting"' in html


def test_yaml_syntax_error(fixture_site: Path):
    edit(fixture_site / "docs/data/checklists.yml", "title: Before the meeting", "title: [Before")
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml:", "YAML syntax error")


def test_missing_required_field(fixture_site: Path):
    edit(fixture_site / "docs/data/checklists.yml", "            who: mentor\n", "")
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml:", "checklists[0].sections[0].items[1]",
                          "missing required field 'who'")


def test_wrong_type(fixture_site: Path):
    edit(fixture_site / "docs/data/references.yml", "year: 2013", "year: twenty-thirteen")
    _assert_clean_failure(build(fixture_site), "docs/data/references.yml:4: references[0].year:",
                          "expected a whole number", "twenty-thirteen")


def test_a_quoted_number_is_not_a_number(fixture_site: Path):
    """Strict types: "2013" in quotes is text, and the build says so instead of guessing."""
    edit(fixture_site / "docs/data/references.yml", "year: 2013", 'year: "2013"')
    _assert_clean_failure(build(fixture_site), "references[0].year", "expected a whole number", "'2013'")


def test_unknown_key(fixture_site: Path):
    edit(fixture_site / "docs/data/checklists.yml", "    intro:", "    intor:")
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml:4: checklists[0]:",
                          "unknown key 'intor'; did you mean 'intro'?")


def test_duplicate_id(fixture_site: Path):
    f = fixture_site / "docs/data/references.yml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text + text.split("references:\n", 1)[1], encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/references.yml:", "duplicate id 'straus2013'")


def test_duplicate_keys_are_refused_not_silently_merged(fixture_site: Path):
    """YAML keeps the last of two equal keys: a second settings block would silently drop the first."""
    f = fixture_site / "docs/data/settings.yml"
    f.write_text(f.read_text(encoding="utf-8") + "settings:\n  paper_size: Letter\n", encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/settings.yml:", "duplicate key 'settings'")


def test_an_alias_bomb_is_refused_at_once(fixture_site: Path):
    """A few hundred bytes of nested aliases would expand to gigabytes: refused in well under a second."""
    from macros.safeio import parse_yaml

    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    levels += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(9)]
    bomb = "\n".join(levels) + "\n"
    started = time.process_time()
    data, _, problems = parse_yaml(bomb, "docs/data/checklists.yml")
    assert time.process_time() - started < 1.0
    assert data is None and "anchors and aliases are not allowed" in str(problems[0])
    (fixture_site / "docs/data/checklists.yml").write_text(bomb, encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml:1:", "anchors and aliases are not allowed")


def test_aliases_in_front_matter_are_refused(fixture_site: Path):
    edit(fixture_site / "docs/braces.md", "audience: [everyone]", "audience: &x [everyone]\nkeep: *x")
    _assert_clean_failure(build(fixture_site), "docs/braces.md:", "anchors and aliases are not allowed")


def test_control_characters_and_overlong_titles_are_refused_with_the_field(fixture_site: Path):
    f = fixture_site / "docs/data/checklists.yml"
    edit(f, "title: Before the meeting", 'title: "Before\\u0007 the meeting"')
    edit(f, "    title: Before and during", "    title: " + "Very long " * 12 + "title\n    x_title: Before and during")
    output = _assert_clean_failure(build(fixture_site), "checklists[0].sections[0].title", "U+0007")
    assert "checklists[0].title" in output and "at most 100 characters" in output


def test_a_file_that_is_not_utf8_names_the_file_and_line(fixture_site: Path):
    (fixture_site / "docs/extra.md").write_bytes(b"---\ntitle: Caf\xe9\n---\n")
    _assert_clean_failure(build(fixture_site), "docs/extra.md:", "line 2", "not valid UTF-8")


def test_a_folder_named_like_a_data_file_is_a_clear_error(fixture_site: Path):
    (fixture_site / "docs/data/checklists.yml").unlink()
    (fixture_site / "docs/data/checklists.yml").mkdir()
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml", "is a folder, expected a file")


def test_a_byte_order_mark_is_accepted(fixture_site: Path, tmp_path: Path):
    for rel in ("docs/braces.md", "docs/data/settings.yml"):
        f = fixture_site / rel
        f.write_bytes(b"\xef\xbb\xbf" + f.read_bytes())
    result = build(fixture_site, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_link_out_of_the_project_is_not_published(fixture_site: Path, tmp_path: Path):
    secret = tmp_path / "secret.env"
    secret.write_text("TOKEN=do-not-publish\n", encoding="utf-8")
    os.symlink(secret, fixture_site / "docs/leak.txt")
    _assert_clean_failure(build(fixture_site, tmp_path / "out"), "docs/leak.txt", "is a link to a file outside docs/")
    assert not (tmp_path / "out/leak.txt").exists()


def test_a_link_loop_is_a_clear_error(fixture_site: Path):
    os.symlink("loop-b", fixture_site / "docs/loop-a")
    os.symlink("loop-a", fixture_site / "docs/loop-b")
    _assert_clean_failure(build(fixture_site), "docs/loop-a", "loops")


def test_a_snippet_outside_the_project_or_through_a_link_is_refused(fixture_site: Path, tmp_path: Path):
    (tmp_path / "outside.md").write_text("secret\n", encoding="utf-8")
    os.symlink(tmp_path / "outside.md", fixture_site / "inside-link.md")
    page = fixture_site / "docs/braces.md"
    page.write_text(page.read_text(encoding="utf-8") + '\n--8<-- "inside-link.md"\n\n--8<-- "../outside.md"\n',
                    encoding="utf-8")
    output = _assert_clean_failure(build(fixture_site), "docs/braces.md:", "snippet")
    assert "'inside-link.md' must be a plain file inside the project" in output
    assert "'../outside.md' must be a plain file inside the project" in output


@pytest.mark.parametrize("value", ["../../outside.png", "/etc/logo.png", "local/./logo.png"])
def test_a_logo_path_out_of_docs_is_refused(fixture_site: Path, value: str):
    f = fixture_site / "docs/data/settings.yml"
    f.write_text(f.read_text(encoding="utf-8") + f"  logo: {value}\n", encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/settings.yml", "settings.logo")


def test_reserved_and_case_only_names_are_refused(fixture_site: Path):
    (fixture_site / "docs/con.md").write_text("x", encoding="utf-8")
    (fixture_site / "docs/Braces.md").write_text("x", encoding="utf-8")
    output = _assert_clean_failure(build(fixture_site), "'con.md' is a reserved file name on Windows")
    assert "differs from docs/braces.md only in letter case" in output or \
        "differs from docs/Braces.md only in letter case" in output


def test_a_huge_file_is_refused_and_problems_are_capped(fixture_site: Path):
    f = fixture_site / "docs/data/checklists.yml"
    f.write_text("checklists:\n" + "  - {id: a}\n" * 200, encoding="utf-8")
    output = _assert_clean_failure(build(fixture_site), "problems found", "more (only the first 50 are listed)")
    assert output.count("\n  docs/") <= 51
    (fixture_site / "docs/data/checklists.yml").write_bytes(b"checklists:\n" + b"#" * 3_000_000)
    _assert_clean_failure(build(fixture_site), "docs/data/checklists.yml", "the limit for this kind of file")


def test_page_calls_macro_with_unknown_id(fixture_site: Path):
    edit(fixture_site / "docs/checklists/first-meeting.md", 'checklist("first-meeting")', 'checklist("first-meting")')
    _assert_clean_failure(build(fixture_site), "docs/checklists/first-meeting.md:", "checklist 'first-meting' does not exist",
                          "did you mean 'first-meeting'?")


def test_unknown_citation_key_in_page(fixture_site: Path):
    edit(fixture_site / "docs/index.md", 'cite("straus2013")', 'cite("strauss2013")')
    _assert_clean_failure(build(fixture_site), "docs/index.md:", "unknown reference 'strauss2013'")


def test_undefined_variable_is_one_line(fixture_site: Path):
    edit(fixture_site / "docs/index.md", "settings.contact_email", "settings.contact_emial")
    _assert_clean_failure(build(fixture_site), "docs/index.md:", "contact_emial")


def test_all_problems_are_reported_at_once(fixture_site: Path):
    edit(fixture_site / "docs/data/references.yml", "design: qualitative", "design: anecdote")
    edit(fixture_site / "docs/data/checklists.yml", "who: both", "who: everybody")
    out = _assert_clean_failure(build(fixture_site), "2 problems found", "references[0].design", "who")
    assert "'anecdote'" in out and "'everybody'" in out


def test_hostile_text_in_data_is_escaped_on_the_page(fixture_site: Path, tmp_path: Path):
    from .hostile import find_live, payload

    edit(fixture_site / "docs/data/checklists.yml", "Read what the mentee sent.", json.dumps(payload("MARK1")))
    out = tmp_path / "out"
    result = build(fixture_site, out)
    assert result.returncode == 0, result.stdout + result.stderr
    html = (out / "checklists/first-meeting.html").read_text(encoding="utf-8")
    assert find_live(html, "MARK1") == []
    assert "&lt;script&gt;alert(&#34;MARK1&#34;)&lt;/script&gt;" in html or "&lt;script&gt;alert(\"MARK1\")" in html
    assert "&#123;&#123; settings.contact&#95;email &#125;&#125;" in html


@pytest.mark.parametrize("setting, value, needle", [
    ("contact_email", "not-an-email", "settings.contact_email"),
    ("contact_email", '"a@b.org\\" onmouseover=alert(1)"', "settings.contact_email"),
    ("repo_url", '"https://example.org/x\\" onclick=\\"alert(1)"', "settings.repo_url"),
    ("paper_size", "A5", "settings.paper_size"),
    ("colour_scheme", "blue", "unknown key 'colour_scheme'"),
])
def test_bad_settings(fixture_site: Path, setting: str, value: str, needle: str):
    f = fixture_site / "docs/data/settings.yml"
    f.write_text(f.read_text(encoding="utf-8") + f"  {setting}: {value}\n", encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "docs/data/settings.yml", needle)


def test_an_unquoted_colour_says_to_quote_it(fixture_site: Path):
    f = fixture_site / "docs/data/settings.yml"
    f.write_text(f.read_text(encoding="utf-8") + "  primary_colour: #0b3d6e\n", encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "settings.primary_colour", 'quote it: primary_colour: "#0b3d6e"')


def test_overdue_review_is_a_warning_not_a_failure(fixture_site: Path, tmp_path: Path):
    f = fixture_site / "docs/braces.md"
    edit(f, "next_review_due: 2027-11-26", "next_review_due: 2026-01-01")
    edit(f, "last_reviewed: 2026-11-26", "last_reviewed: 2025-01-01")
    result = build(fixture_site, tmp_path / "out")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Review overdue for 1 page(s): braces.md (due 2026-01-01)" in result.stderr


def test_overdue_review_can_be_made_an_error(fixture_site: Path):
    f = fixture_site / "docs/braces.md"
    edit(f, "next_review_due: 2027-11-26", "next_review_due: 2026-01-01")
    edit(f, "last_reviewed: 2026-11-26", "last_reviewed: 2025-01-01")
    s = fixture_site / "docs/data/settings.yml"
    s.write_text(s.read_text(encoding="utf-8") + "  review_overdue: error\n", encoding="utf-8")
    _assert_clean_failure(build(fixture_site), "Review overdue for 1 page(s)")


def test_a_second_build_in_the_same_staging_folder_stops_with_a_clear_message(fixture_site: Path):
    import fcntl

    stage = fixture_site / ".build/stage-mkdocs"
    stage.mkdir(parents=True)
    with open(stage / ".lock", "w") as held:
        held.write("4242")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        _assert_clean_failure(build(fixture_site), "another build is using this staging folder (process 4242)")
    assert build(fixture_site).returncode == 0  # and once the first is done, it builds


def test_each_stage_runs_on_its_own(fixture_site: Path, tmp_path: Path):
    out = tmp_path / "out"
    for stage in ("prepare", "engine", "finish"):
        result = build(fixture_site, out, stage=stage)
        assert result.returncode == 0, (stage, result.stdout + result.stderr)
    assert (tmp_path / "out-stage-mkdocs/docs/index.md").is_file()
    assert (out / "index.html").is_file() and (out / "data/references.json").is_file()
