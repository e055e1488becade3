"""Turn untrusted text from data files and settings into safe HTML, plain text or Markdown.

One rule, applied at the boundary: data text may use inline Markdown (emphasis, code, links) and
``[@key]`` citations, and nothing else.

- Raw HTML in data is escaped, so ``<script>`` shows as text.
- Links are checked after Markdown has run, on the HTML it produced (by the nh3 sanitiser):
  only ``http(s):``, ``mailto:`` and relative URLs survive, judged after entities and
  percent-escapes are decoded and white space and control characters removed; images only from
  the site itself.
- Characters that Markdown or a Markdown extension would read again (``[ ] * _ ` { } | \\``)
  are written as character references, so HTML from data can sit inside a Markdown page without
  being turned into links, attributes (``{: onclick=...}``) or table cells a second time.
"""

from __future__ import annotations

import html
import re
from typing import Callable
from urllib.parse import unquote

import markdown as md
import nh3
from markupsafe import Markup

CiteFn = Callable[..., str]  # one or more reference keys -> the citation

_LINK = re.compile(r"\[([^\]]+)\]\(\s*([^)\s]+)(?:\s+\"[^\"]*\")?\s*\)")
_CITE = re.compile(r"\[@([a-z0-9][a-z0-9-]*)\]")
# Citations side by side ("[@a] [@b]", "[@a]; [@b]") become one citation with several works.
_CITE_RUN = re.compile(r"\[@[a-z0-9][a-z0-9-]*\](?:\s*[;,]?\s*\[@[a-z0-9][a-z0-9-]*\])*")
_INLINE = md.Markdown(extensions=[], output_format="html")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# What Markdown (and its extensions: tables, attr_list, footnotes, abbr) could read a second time.
_MD_SPECIAL = {ord(c): f"&#{ord(c)};" for c in "[]*_`{}|\\"}


def safe_url(url: str, image: bool = False) -> bool:
    """Whether a link (or, with ``image``, an image source) may be published.

    Judged on the URL as a browser would read it: entities and percent-escapes decoded, white space
    and invisible characters removed. Links: http, https, mailto or relative. Images: relative to this
    site only (no scheme, no ``//host``, no root-relative path), so data cannot load a third-party host.
    """
    seen = url
    for _ in range(3):
        decoded = unquote(html.unescape(seen))
        if decoded == seen:
            break
        seen = decoded
    seen = _INVISIBLE.sub("", seen).replace("\\", "/")
    scheme = _SCHEME.match(seen)
    if image:
        return not scheme and not seen.startswith("/")
    if scheme:
        return scheme.group(1).lower() in LINK_SCHEMES
    return True


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    if attr == "href":
        return value if safe_url(value) else None
    if attr == "src":
        return value if safe_url(value, image=True) else None
    return value


def sanitise(fragment: str) -> str:
    """Inline HTML as inline Markdown produces it, with anything else (and unsafe links) removed."""
    return nh3.clean(fragment, tags={"a", "em", "strong", "code", "br", "img"},
                     attributes={"a": {"href", "title"}, "img": {"src", "alt", "title"}},
                     attribute_filter=_attribute_filter, url_schemes=set(LINK_SCHEMES), link_rel=None,
                     strip_comments=True)


def md_neutral(fragment: str) -> str:
    """Characters Markdown would act on, as character references (valid in text and attributes)."""
    return fragment.translate(_MD_SPECIAL)


def escape(text: object) -> Markup:
    """Plain text for HTML text or a double-quoted attribute: escaped, and inert to Markdown."""
    if isinstance(text, Markup):
        return text
    return Markup(md_neutral(html.escape(str(text), quote=True)))


# Text without these characters, and not starting like a heading, list or rule, has no inline
# Markdown in it: Python-Markdown would return it unchanged, so it skips the (slow) converter.
_MARKUP = re.compile(r"[*_`\[\]\\!<>&]|^\s*(#|[-+=]|\d+[.)]\s)")


def inline_html(text: str, cite: CiteFn | None = None) -> Markup:
    """Inline Markdown -> sanitised HTML fragment (no surrounding <p>), raw HTML escaped."""
    text = " ".join(text.split())
    if not _MARKUP.search(text):  # what the converter and the sanitiser would give: text, '&<>' escaped
        return Markup(md_neutral(html.escape(text, quote=False)))
    placeholders: dict[str, str] = {}
    if cite:
        def keep(match: re.Match) -> str:
            token = f"\ue000{len(placeholders)}\ue001"
            placeholders[token] = cite(*_CITE.findall(match.group(0)))
            return token
        text = _CITE_RUN.sub(keep, text)
    _INLINE.reset()
    out = _INLINE.convert(html.escape(text, quote=False))
    if out.startswith("<p>") and out.endswith("</p>"):
        out = out[3:-4]
    out = md_neutral(sanitise(out))
    for token, value in placeholders.items():
        out = out.replace(token, value)
    return Markup(out)


def block_html(text: str, cite: CiteFn | None = None) -> Markup:
    """Several paragraphs of inline Markdown -> <p> elements."""
    paras = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return Markup("\n".join(f"<p>{inline_html(p, cite)}</p>" for p in paras))


def plain(text: str, cite: CiteFn | None = None) -> str:
    """Plain text for documents: Markdown markers removed, safe links as 'label (url)'."""
    if cite:
        text = _CITE.sub(lambda mt: cite(mt.group(1)), text)

    def link(mt: re.Match) -> str:
        label, url = mt.group(1), mt.group(2)
        return f"{label} ({url})" if url.startswith(("http", "mailto")) and safe_url(url) else label

    text = _LINK.sub(link, text)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])", r"\1", text)
    text = re.sub(r"`([^`]+)`", r"\1", text)
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()))
