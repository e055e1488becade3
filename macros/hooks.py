"""MkDocs hook (listed under ``hooks:`` in mkdocs.yml): put the HTML of block macros into pages.

Block macros (templates, checklists, the reference library, ...) return finished HTML. Passing
that HTML through Python-Markdown only to get it back unchanged was most of the Markdown time of
the data pages, so the macros leave a placeholder ``<div data-ms-stash="N"></div>`` and keep the
HTML on the page object; this hook swaps it back in once the page is converted, before the
search index and the theme see the page. The macros module checks at the end of the build that
every placeholder was filled, so a missing hook stops the build instead of losing content.

This file is loaded by MkDocs on its own, not as part of the ``macros`` package.
"""

from __future__ import annotations

import re
from html import unescape

STASH_ATTR, RESTORED_ATTR = "ms_stash", "ms_stash_restored"  # the same names as in macros/__init__.py
PLACEHOLDER = re.compile(r'(?:<p>)?<div data-ms-stash="(\d+)"></div>(?:</p>)?')
ANCHOR = re.compile(r'<[a-zA-Z][^>]*?\sid="([^"]+)"|<a\s[^>]*?\bname="([^"]+)"')


def on_page_content(html: str, page, config, files) -> str:
    store = page.__dict__.get(STASH_ATTR)
    if not store:
        return html
    restored: set[int] = set()

    def put(match: re.Match) -> str:
        index = int(match.group(1))
        restored.add(index)
        return store[index]

    html = PLACEHOLDER.sub(put, html)
    setattr(page, RESTORED_ATTR, len(restored))
    # MkDocs validates links to anchors against the ids it saw while converting the page; the
    # stashed HTML was not there then, so register its ids (as MkDocs does for raw HTML).
    if page.present_anchor_ids is not None:
        for index in restored:
            page.present_anchor_ids.update(unescape(a or b) for a, b in ANCHOR.findall(store[index]))
    return html
