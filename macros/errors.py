"""Readable, one-line build errors.

Every problem found in data, settings or pages becomes a :class:`Problem`; the build
collects them and stops with :class:`SiteError`, which MkDocs prints without a
traceback (it is a ``PluginError``).
"""

from __future__ import annotations

from dataclasses import dataclass

from mkdocs.exceptions import PluginError


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" {self.field}:" if self.field else ""
        return f"{where}:{field} {self.message}"


class SiteError(PluginError):
    """Raised with every problem of a build; printed one problem per line."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.field, p.message))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found; the site was not built:"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


def format_loc(loc: tuple) -> str:
    """('templates', 3, 'sections', 0, 'title') -> 'templates[3].sections[0].title'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
