"""Fast checks of the pieces behind the browser work: the report link, the CSP, task-list names, offline links."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import urllib.parse

import pytest

from macros import book, csp, render, tasklists
from macros.loader import load_site

from .conftest import ROOT
from .hostile import payload

pytestmark = pytest.mark.unit


def test_report_link_is_an_email_with_the_page_named_when_there_is_no_repository(site):
    href = render.report_link(site, "Mentoring agreement", "templates/mentoring-agreement.md")
    parts = urllib.parse.urlsplit(href)
    assert parts.scheme == "mailto" and urllib.parse.unquote(parts.path) == site.settings.contact_email
    query = urllib.parse.parse_qs(parts.query)
    assert "Mentoring agreement" in query["subject"][0]
    assert "templates/mentoring-agreement.html" in query["body"][0]
    assert " " not in href and "\n" not in href  # encoded, spaces as %20 (not +, which mail programs show)


def test_report_link_opens_a_prefilled_issue_when_a_repository_is_set(site):
    forked = dataclasses.replace(site, settings=site.settings.model_copy(update={"repo_url": "https://github.com/org/site"}))
    title = 'A & B "quoted" <em>' + payload("rep")
    href = render.report_link(forked, title, "a/b.md", "https://org.github.io/site/")
    assert href.startswith("https://github.com/org/site/issues/new?")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(href).query)
    assert title in query["title"][0]
    assert "https://org.github.io/site/a/b.html" in query["body"][0]
    assert not set(href) & set(' "<>\n')
    html = str(render.partial(forked, "review", last="x", last_iso="2026-01-01", next="y", next_iso="2027-01-01",
                              by="team", external=None, report=href))
    import html as htmllib
    import re
    written = re.search(r'class="ms-report"><a href="([^"]*)"', html).group(1)
    assert htmllib.unescape(written) == href and "<em>" not in html


def test_csp_hashes_every_inline_script_and_style_and_goes_first_in_head():
    page = ('<html><head><meta charset="utf-8"><script>var a=1;</script><script type="application/json" id="x">{"b":2}'
            '</script><script src="s.js"></script><style>p{color:red}</style></head><body></body></html>')
    out = csp.with_policy(page)
    head = out.split("<head>", 1)[1]
    assert head.startswith('<meta http-equiv="Content-Security-Policy"')
    policy = head.split('content="', 1)[1].split('"', 1)[0]
    for text in ("var a=1;", '{"b":2}', "p{color:red}"):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    for directive in ("object-src 'none'", "base-uri 'self'", "form-action 'none'", "img-src 'self' data:",
                      "connect-src 'self'", "font-src 'self'"):
        assert directive in policy
    assert "frame-ancestors" not in policy  # ignored in a meta policy
    assert csp.with_policy(out) == out  # idempotent: one policy, not two
    assert "api.github.com" in csp.policy(page, ("https://api.github.com",))


def test_task_list_boxes_are_named_by_their_text():
    page = ('<li class="task-list-item"><label class="task-list-control"><input type="checkbox"/>'
            '<span class="task-list-indicator"></span></label> I have <em>agreed</em> &amp; written it down</li>')
    out = tasklists.name_boxes(page)
    assert 'aria-label="I have agreed &amp; written it down"' in out


def test_offline_pages_link_to_index_files_and_explain_the_missing_zip():
    page = ('<a href="." class="md-logo">x</a><a href="../">up</a><a href="#top">t</a>'
            '<a href="../downloads/offline/mentoring-site.zip" download>zip</a>')
    out = book.offline_page(page, "downloads/offline/mentoring-site.zip", "Offline copy")
    assert 'href="index.html"' in out and 'href="../index.html"' in out and 'href="#top"' in out
    assert "mentoring-site.zip" not in out and "Offline copy" in out
