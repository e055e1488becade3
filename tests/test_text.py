"""Escaping and inline Markdown for text that comes from data files."""

from macros.text import block_html, inline_html, plain


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
    assert "&#123;&#123; settings.contact_email &#125;&#125;" in out


def test_citations_use_the_given_function():
    out = inline_html("As shown [@straus2013].", cite=lambda key: f"<CITE {key}>")
    assert "<CITE straus2013>" in out


def test_block_html_splits_paragraphs():
    out = block_html("One.\n\nTwo <b>bold</b>.")
    assert out.count("<p>") == 2 and "&lt;b&gt;" in out


def test_plain_strips_markdown_keeps_urls_and_unicode():
    out = plain("**Hôpital** *Łódź* [site](https://example.org) `code` “quotes” – dash")
    assert out == "Hôpital Łódź site (https://example.org) code “quotes” – dash"
