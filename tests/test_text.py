"""Escaping and inline Markdown for text that comes from data files."""

import pytest

from macros.text import block_html, inline_html, plain

pytestmark = pytest.mark.unit


def test_raw_html_is_escaped():
    out = inline_html('Hello <script>alert(1)</script> and <img src=x onerror="alert(2)">')
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;" in out and "&lt;img" in out


def test_inline_markdown_is_rendered():
    out = inline_html("A *kind* word and a [link](https://example.org/x)")
    assert "<em>kind</em>" in out
    assert '<a href="https://example.org/x">link</a>' in out


def test_javascript_links_are_dropped():
    out = inline_html("[click](javascript:alert(1)) and [data](data:text/html,hi)")
    assert "javascript:" not in out and "data:text" not in out
    assert "click" in out


def test_jinja_braces_cannot_survive_as_markers():
    out = inline_html("literal {{ settings.contact_email }} and {% raw %}")
    assert "{{" not in out and "{%" not in out
    assert "&#123;&#123; settings.contact&#95;email &#125;&#125;" in out


def test_markdown_cannot_read_data_html_a_second_time():
    """Data HTML lands inside Markdown pages: escaped link syntax and attr_list braces stay text."""
    out = inline_html(r"\[x\](javascript:alert(1)) and a {: onclick=alert(2)} and `code`")
    for char in "[]{}`":
        assert char not in out.replace("<code>", "").replace("</code>", ""), char


@pytest.mark.parametrize("link", [
    "[x]( javascript:alert(1))", "[x](JaVaScRiPt:alert(1))", "[x](javascript%3Aalert(1) \"t\")",
    "[x](java&#x09;script:alert(1))", "[x](jav&#x0A;ascript:alert(1))", "[x](data:text/html,hi)",
    "[x](vbscript:msgbox(1))", "[x](%6A%61%76%61%73%63%72%69%70%74:alert(1))",
])
def test_unsafe_links_lose_their_target(link):
    out = inline_html(link)
    assert "href" not in out and "x" in out


@pytest.mark.parametrize("image, kept", [
    ("![i](https://tracker.example/p.png)", False), ("![i](//tracker.example/p.png)", False),
    ("![i](/abs.png)", False), ("![i](data:image/png;base64,AAAA)", False), ("![i](img/local.png)", True),
])
def test_images_only_from_the_site_itself(image, kept):
    assert ("src=" in inline_html(image)) is kept


def test_safe_links_are_kept():
    out = inline_html("[a](https://example.org/x?y=1&z=2) [b](mailto:a@b.org) [c](../page.html#part)")
    assert out.count("href=") == 3


def test_citations_use_the_given_function():
    out = inline_html("As shown [@straus2013].", cite=lambda key: f"<CITE {key}>")
    assert "<CITE straus2013>" in out


def test_block_html_splits_paragraphs():
    out = block_html("One.\n\nTwo <b>bold</b>.")
    assert out.count("<p>") == 2 and "&lt;b&gt;" in out


def test_plain_strips_markdown_keeps_urls_and_unicode():
    out = plain("**Hôpital** *Łódź* [site](https://example.org) `code` “quotes” – dash")
    assert out == "Hôpital Łódź site (https://example.org) code “quotes” – dash"


def test_plain_text_shortcut_gives_what_markdown_gives(monkeypatch):
    """inline_html skips Python-Markdown for text without markup; the output must not change.
    Checked on every string in the site's data and on edge cases."""
    import re

    from pydantic import BaseModel

    from macros import text as t
    from macros.loader import load_site

    from .conftest import ROOT

    site, problems = load_site(ROOT / "docs", ROOT)
    assert problems == []
    strings: list[str] = ["", "  spaced   out ", "Dr O'Neill's \"quoted\" 5 % & co", "# not a heading",
                          "- not a list", "1. not a list", "2) nor this", "===", "x --- y", "a_b c", "5 < 6",
                          "{{ settings.x }} {% raw %}", "Über café – naïve ☐", "tab\there"]

    def walk(obj):
        if isinstance(obj, str):
            strings.append(obj)
        elif isinstance(obj, BaseModel):
            for name in type(obj).model_fields:
                walk(getattr(obj, name))
        elif isinstance(obj, (list, tuple)):
            for item in obj:
                walk(item)
        elif isinstance(obj, dict):
            for item in obj.values():
                walk(item)

    for records in (site.templates, site.checklists, site.curriculum, site.self_assessments,
                    site.programme_models, site.case_studies, site.competencies):
        walk(records)
    shortcut = [t.inline_html(s) for s in strings]
    monkeypatch.setattr(t, "_MARKUP", re.compile(r""))  # matches everything: always convert
    converted = [t.inline_html(s) for s in strings]
    assert len(strings) > 1000
    assert sum(1 for s in strings if not re.search(r"[*_`\[\]\\!<>&]", s)) > 500  # the shortcut is used
    for s, a, b in zip(strings, shortcut, converted):
        assert a == b, s


def test_citations_side_by_side_become_one():
    out = inline_html("Shown together [@a] [@b]; [@c], then alone [@d].", cite=lambda *keys: f"<C {'+'.join(keys)}>")
    assert "<C a+b+c>" in out and "<C d>" in out and out.count("<C") == 2
