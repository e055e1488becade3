"""A Content-Security-Policy on every built page, as a ``<meta http-equiv>`` at the top of its ``<head>``.

The site is static (GitHub Pages and the offline copy cannot send headers), so the policy travels in the page.
It allows scripts only from the site itself plus the exact inline scripts that page carries (each by its
SHA-256 hash: Material's ``__config`` data block, our ``ms-strings`` data block, the search-index hold-back and
the offline copy's worker-shim loader from ``overrides/main.html``), no inline event handlers, and no requests
to any other host. A ``meta`` policy cannot carry ``frame-ancestors`` (browsers ignore it there); a host that
can send headers should add ``frame-ancestors 'self'`` itself.

* ``style-src 'self'`` plus the hash of each inline ``<style>`` (the settings' colours): Material does not need
  ``'unsafe-inline'`` (its script sets styles through the CSSOM, which a policy does not govern), so a style
  attribute injected into a page is refused too.
* ``frame-src 'self'`` (and ``worker-src 'self' blob:``): the offline copy's search runs Material's search
  worker inside an iframe (the vendored iframe-worker shim), because browsers refuse workers from ``file:``.
* ``connect-src 'self'``: the search index. A fork that opts in to repository stats (``repo_stats: true``)
  also allows the GitHub API.

``make serve`` adds no policy: MkDocs' live-reload server injects its own inline script into every page it
serves, and a policy would block it. Call :func:`apply` once, after the print books and before the zip.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from .cache import write_atomic

META = re.compile(r'<meta http-equiv="Content-Security-Policy"[^>]*>\s*', re.I)
HEAD = re.compile(r"<head\b[^>]*>", re.I)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>(.*?)</script\s*>", re.I | re.S)
INLINE_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.I | re.S)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)


def _hashes(pattern: re.Pattern, html: str) -> list[str]:
    out: list[str] = []
    for match in pattern.finditer(html):
        digest = base64.b64encode(hashlib.sha256(match.group(1).encode("utf-8")).digest()).decode("ascii")
        source = f"'sha256-{digest}'"
        if source not in out:
            out.append(source)
    return out


def script_hashes(html: str) -> list[str]:
    """The CSP source of every inline script in a page (data blocks included), in order, without repeats."""
    return _hashes(INLINE_SCRIPT, html)


def style_hashes(html: str) -> list[str]:
    """The CSP source of every inline <style> element in a page."""
    return _hashes(INLINE_STYLE, html)


def policy(html: str, connect: tuple[str, ...] = ()) -> str:
    """The policy for one page."""
    script = " ".join(["'self'", *script_hashes(html)])
    style = " ".join(["'self'", *style_hashes(html)])
    return "; ".join([
        "default-src 'self'",
        f"script-src {script}",
        f"style-src {style}",
        "img-src 'self' data:",
        "font-src 'self'",
        " ".join(["connect-src 'self'", *connect]),
        "frame-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'none'",
    ])


def with_policy(html: str, connect: tuple[str, ...] = ()) -> str:
    """The page with its policy as the first element of <head> (a policy already there is replaced)."""
    html = META.sub("", html)
    head = HEAD.search(html)
    if head is None:
        return html
    meta = f'<meta http-equiv="Content-Security-Policy" content="{policy(html, connect)}">'
    return html[:head.end()] + meta + html[head.end():]


def inline_handlers(html: str) -> list[str]:
    """Tags with an inline event handler attribute (onclick=, onsubmit=, ...): a policy with hashes blocks them."""
    return [m.group(0)[:80] for m in HANDLER.finditer(html)]


def apply(site_dir: Path, repo_stats: bool = False, serve: bool = False) -> int:
    """Write the policy into every HTML page of the built site. Returns the number of pages written."""
    if serve:
        return 0
    connect = ("https://api.github.com",) if repo_stats else ()
    n = 0
    for page in sorted(site_dir.rglob("*.html")):
        if "downloads" in page.relative_to(site_dir).parts[:1]:
            continue
        text = page.read_text(encoding="utf-8")
        new = with_policy(text, connect)
        if new != text:
            write_atomic(page, new.encode("utf-8"))
            n += 1
    return n
