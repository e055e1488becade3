"""Hostile payloads and a checker that finds anything live in HTML: the attacker's view of the site.

A payload tries every way out of every context: raw HTML, an event handler, a script URL in Markdown
link syntax, a quote out of an attribute, an entity-encoded ``</title>``, attr_list braces and Jinja.
Each payload carries a marker, so the checker can tell the site's own scripts from injected ones and
can also check that the payload's text is still shown (a field silently dropped must not pass).
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import unquote

PWNED = "ms-pwned"


def payload(marker: str, short: bool = False) -> str:
    """Text that would run script, add an attribute or leave its context if it were not escaped."""
    core = (f'{marker}"><{PWNED} {PWNED}="1"><script>alert("{marker}")</script>'
            f'<img src=x onerror=alert("{marker}")>')
    if short:  # for fields with a length limit (titles: 100 characters)
        return core[:100]
    return (core + f"&lt;/title&gt;</title><{PWNED}>[l]( javascript:alert(\"{marker}\")) "
            f"[m](data:text/html,{marker}) {{: onclick=alert(1)}} {{{{ settings.contact_email }}}} "
            f"' {PWNED}='1")


_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "poster", "data", "srcset"}
_BAD_TAGS = {"iframe", "object", "embed", "base", "frame", "frameset", PWNED}


def _scheme(value: str) -> str:
    seen = value
    for _ in range(3):
        decoded = unquote(html.unescape(seen))
        if decoded == seen:
            break
        seen = decoded
    seen = re.sub(r"[\x00-\x20\x7f-\x9f]", "", seen).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", seen)
    return match.group(1) if match else ""


class _Finder(HTMLParser):
    def __init__(self, marker: str | None):
        super().__init__(convert_charrefs=True)
        self.marker = marker
        self.found: list[str] = []
        self._script = False
        self._script_text = ""

    def handle_starttag(self, tag, attrs):
        if tag in _BAD_TAGS:
            self.found.append(f"<{tag}> element")
        if tag == "script":
            self._script, self._script_text = True, ""
            if self.marker is None:
                self.found.append("<script> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}=...> event handler")
            if name == PWNED:
                self.found.append(f"<{tag} {PWNED}> attribute breakout")
            if name in _URL_ATTRS and value and _scheme(value) in ("javascript", "vbscript", "data"):
                self.found.append(f"<{tag} {name}={value[:40]!r}> script or data URL")

    def handle_endtag(self, tag):
        if tag == "script" and self._script:
            self._script = False
            if self.marker and self.marker in self._script_text:
                self.found.append("<script> element with the payload")

    def handle_data(self, data):
        if self._script:
            self._script_text += data


def find_live(document: str, marker: str | None = None) -> list[str]:
    """Everything in an HTML document or fragment that runs, loads, or broke out of its context.

    With ``marker``, scripts count only when they carry it (a page has scripts of its own).
    """
    finder = _Finder(marker)
    finder.feed(document)
    finder.close()
    found = finder.found
    # An entity-encoded </title> that became a real one ends the title early: only one <title> allowed.
    if document.count("<title>") > 1 or re.search(r"<title>[^<]*<(?!/title>)", document):
        found.append("<title> broken out of")
    return found
