"""Turn text from data files into safe HTML, Markdown or plain text.

Data text may use inline Markdown (emphasis, code, links) and ``[@key]`` citations.
Raw HTML in it is always escaped, so ``<script>`` shows as text. Links are limited to
http(s), mailto and relative targets.
"""

from __future__ import annotations

import html
import re
from typing import Callable

import markdown as md

_SAFE_URL = re.compile(r"^(https?://|mailto:|#|\.{0,2}/|[A-Za-z0-9_-][A-Za-z0-9_./#-]*$)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_CITE = re.compile(r"\[@([a-z0-9][a-z0-9-]*)\]")
_INLINE = md.Markdown(extensions=[], output_format="html")

CiteFn = Callable[[str], str]


def escape(text: str) -> str:
    """Escape HTML special characters (quotes too) and template braces."""
    return _protect_braces(html.escape(text, quote=True))


def _neutralise_links(text: str) -> str:
    def fix(match: re.Match) -> str:
        label, url = match.group(1), match.group(2)
        if _SAFE_URL.match(url) and not url.lower().startswith(("javascript:", "data:", "vbscript:")):
            return match.group(0)
        return label

    return _LINK.sub(fix, text)


def _protect_braces(text: str) -> str:
    # Literal Jinja markers from data must never be evaluated or look like macros.
    return text.replace("{", "&#123;").replace("}", "&#125;")


# Text without these characters, and not starting like a heading, list or rule, has no inline
# Markdown in it: Python-Markdown would return it unchanged, so it skips the (slow) converter.
_MARKUP = re.compile(r"[*_`\[\]\\!<>&]|^\s*(#|[-+=]|\d+[.)]\s)")


def inline_html(text: str, cite: CiteFn | None = None) -> str:
    """Inline Markdown -> HTML fragment (no surrounding <p>), raw HTML escaped."""
    text = " ".join(text.split())
    if not _MARKUP.search(text):
        return _protect_braces(text)
    placeholders: dict[str, str] = {}
    if cite:
        def keep(match: re.Match) -> str:
            token = f"\ue000{len(placeholders)}\ue001"
            placeholders[token] = cite(match.group(1))
            return token
        text = _CITE.sub(keep, text)
    safe = html.escape(text, quote=False)
    safe = _neutralise_links(safe)
    _INLINE.reset()
    out = _INLINE.convert(safe)
    if out.startswith("<p>") and out.endswith("</p>"):
        out = out[3:-4]
    out = _protect_braces(out)
    for token, value in placeholders.items():
        out = out.replace(token, value)
    return out


def block_html(text: str, cite: CiteFn | None = None) -> str:
    """Several paragraphs of inline Markdown -> <p> elements."""
    paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "\n".join(f"<p>{inline_html(p, cite)}</p>" for p in paras)


def plain(text: str, cite: CiteFn | None = None) -> str:
    """Plain text for documents: Markdown markers removed, links as 'label (url)'."""
    if cite:
        text = _CITE.sub(lambda mt: cite(mt.group(1)), text)
    text = _LINK.sub(lambda mt: f"{mt.group(1)} ({mt.group(2)})" if mt.group(2).startswith(("http", "mailto")) else mt.group(1), text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()))
