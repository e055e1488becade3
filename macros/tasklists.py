"""Task lists written in a page's Markdown (``- [ ] ...``) get checkboxes with no accessible name: the box sits
in an empty label and the item's text follows it. After the engine has built the pages, each box is named by
its item's text (``aria-label``), so it has a name without JavaScript too (site.js only keeps the ticks)."""

from __future__ import annotations

import html as htmllib
import re
from pathlib import Path

from .cache import write_atomic

ITEM = re.compile(r'(<li class="task-list-item"><label class="task-list-control"><input\b)([^>]*?)(\s*/?>)'
                  r'(<span class="task-list-indicator"></span></label>)(.*?)(?=</li>|<ul\b|<ol\b|<p\b|<div\b)', re.S)


def name_boxes(page: str) -> str:
    """The page with every task-list checkbox named by the text of its item."""
    def named(mt: re.Match) -> str:
        attrs = mt.group(2)
        text = " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", mt.group(5))).split())
        if not text or "aria-label" in attrs:
            return mt.group(0)
        label = htmllib.escape(text[:200], quote=True)
        return f'{mt.group(1)}{attrs} aria-label="{label}"{mt.group(3)}{mt.group(4)}{mt.group(5)}'
    return ITEM.sub(named, page)


def apply(site_dir: Path) -> int:
    n = 0
    for path in sorted(site_dir.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        if "task-list-item" not in text:
            continue
        new = name_boxes(text)
        if new != text:
            write_atomic(path, new.encode("utf-8"))
            n += 1
    return n
