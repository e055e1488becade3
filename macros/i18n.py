"""The message catalogue: every string the site itself writes, in the site's language.

``docs/messages/en.yml`` is the source and the fallback; ``docs/messages/<language>.yml`` translates
it; a fork changes single strings in ``docs/local/messages.yml``. Dates and numbers are formatted for
the language with Babel. Strings are looked up by key and filled with named placeholders::

    t("session.title", number=3, title="Communication")   # "Session 3: Communication"

For HTML, :meth:`Messages.__call__` returns escaped markup (placeholders escaped unless they are
markup already); :meth:`Messages.text` returns plain text for downloads and plain contexts.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache

from markupsafe import Markup

from .text import escape

SOURCE = "en"
# The house style of the English source is British: 26 November 2026.
_DEFAULT_REGION = {"en": "en_GB", "pt": "pt_PT", "es": "es_ES", "fr": "fr_FR", "de": "de_DE", "ar": "ar"}
_FORMATTER = string.Formatter()


def placeholders(message: str) -> set[str]:
    """Named placeholders of a message: "{n} of {total}" -> {"n", "total"}."""
    try:
        return {name for _, name, _, _ in _FORMATTER.parse(message) if name}
    except ValueError:
        return {"<unbalanced braces>"}


@lru_cache(maxsize=32)
def babel_locale(language: str):
    from babel import Locale, UnknownLocaleError

    code = language.replace("-", "_")
    code = _DEFAULT_REGION.get(code, code)
    try:
        return Locale.parse(code)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


def direction(language: str) -> str:
    """'rtl' for right-to-left languages (Arabic, Hebrew, Persian, Urdu ...), else 'ltr'."""
    return "rtl" if babel_locale(language).character_order == "right-to-left" else "ltr"


@dataclass(frozen=True)
class Messages:
    language: str
    strings: dict[str, str]
    missing: frozenset[str] = field(default_factory=frozenset)  # keys that fell back to English

    def text(self, key: str, **values) -> str:
        """The message as plain text."""
        message = self.strings[key]
        return message.format_map({k: str(v) for k, v in values.items()}) if values else message

    def __call__(self, key: str, **values) -> Markup:
        """The message as HTML: its own text escaped, each value escaped unless it is markup already."""
        message = self.strings[key]
        if not values:
            return escape(message)
        out = []
        for literal, name, spec, conversion in _FORMATTER.parse(message):
            out.append(str(escape(literal)))
            if name is not None:
                out.append(str(escape(values[name])))
        return Markup("".join(out))

    @property
    def dir(self) -> str:
        return direction(self.language)

    def date(self, value: dt.date) -> str:
        """A date written out for the language: 26 November 2026, 26 novembre 2026, 2026年11月26日."""
        from babel.dates import format_date

        return format_date(value, format="long", locale=babel_locale(self.language))

    def number(self, value: float, decimals: int = 0) -> str:
        from babel.numbers import format_decimal

        fmt = "#,##0" + (("." + "0" * decimals) if decimals else "")
        return format_decimal(value, format=fmt, locale=babel_locale(self.language))

    def size(self, n: int) -> str:
        """A file size: 812 bytes, 34 KB, 1.2 MB."""
        if n < 1024:
            return self.text("size.bytes", n=self.number(n))
        if n < 1024 * 1024:
            return self.text("size.kb", n=self.number(n / 1024))
        return self.text("size.mb", n=self.number(n / (1024 * 1024), 1))


_KEY = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_-]+)+$")


def check_strings(strings: dict, source: dict[str, str] | None, rel: str, lines: dict[tuple, int]):
    """Problems with a catalogue's strings against the source: unknown keys, changed placeholders."""
    from .errors import Problem

    problems = []
    for key, value in strings.items():
        line = lines.get(("messages", "strings", key))
        where = f"messages.strings.{key}"
        if not isinstance(key, str) or not _KEY.match(key):
            problems.append(Problem(rel, line, where, "expected a key like 'section.name'"))
        elif source is not None and key not in source:
            problems.append(Problem(rel, line, where, "unknown key (not in docs/messages/en.yml)"))
        elif not isinstance(value, str) or not value.strip():
            problems.append(Problem(rel, line, where, f"expected text (got {value!r})"))
        elif source is not None and placeholders(value) != placeholders(source[key]):
            want = ", ".join("{" + p + "}" for p in sorted(placeholders(source[key]))) or "none"
            problems.append(Problem(rel, line, where, f"placeholders must be the same as in English ({want})"))
    return problems
