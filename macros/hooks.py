"""MkDocs hook (listed under ``hooks:`` in mkdocs.yml): put the HTML of block macros into pages.

Block macros (templates, checklists, the reference library, ...) return finished HTML. Passing
that HTML through Python-Markdown only to get it back unchanged was most of the Markdown time of
the data pages, so the macros leave a placeholder ``<div data-ms-stash="N"></div>`` and keep the
HTML on the page object; this hook swaps it back in once the page is converted, before the
search index and the theme see the page. The macros module checks at the end of the build that
every placeholder was filled, so a missing hook stops the build instead of losing content.

MkDocs loads this file on its own (for the hook); the macros package imports it for
:func:`stash` and :func:`all_restored`, so the whole placeholder protocol lives here.
"""

from __future__ import annotations

import re
from html import unescape

STASH_ATTR, RESTORED_ATTR = "ms_stash", "ms_stash_restored"
PLACEHOLDER = re.compile(r'(?:<p>)?<div data-ms-stash="(\d+)"></div>(?:</p>)?')
ANCHOR = re.compile(r'<[a-zA-Z][^>]*?\sid="([^"]+)"|<a\s[^>]*?\bname="([^"]+)"')


# A line break after each closing block tag: the browser ignores it, but the search indexer joins
# the text of adjacent elements as it finds it, so "<dt>Purpose</dt><dd>A short" was indexed as
# "PurposeA short" (and search snippets read that way). The same after a <br>.
BLOCK_END = re.compile(r"(</(?:p|li|dt|dd|td|th|tr|thead|tbody|table|ul|ol|dl|div|section|aside|nav|form|"
                       r"fieldset|legend|h[1-6])>(?=<)|<br>(?!\n))")


def stash(page, html: str) -> str:
    """Keep ``html`` on the page and return the placeholder a macro puts in the Markdown instead."""
    store = page.__dict__.setdefault(STASH_ATTR, [])
    store.append(BLOCK_END.sub("\\1\n", html))
    return f'\n\n<div data-ms-stash="{len(store) - 1}"></div>\n\n'


def all_restored(page) -> bool:
    """Whether on_page_content put back every block stashed on the page."""
    return getattr(page, RESTORED_ATTR, 0) == len(page.__dict__.get(STASH_ATTR, ()))


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
