"""Readable, one-line build errors.

Every problem found in data, settings, files or pages becomes a :class:`Problem`; the build
collects them and stops with :class:`SiteError`, which the command line prints one problem per
line, without a traceback. Nothing here imports an engine: the same errors serve every stage.
"""

from __future__ import annotations

from dataclasses import dataclass

# A broken or hostile file can produce a very large number of problems; nobody reads past the first
# screenful, and printing a million lines is itself a failure. The rest is counted, not printed.
MAX_PROBLEMS = 50


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


class SiteError(Exception):
    """Raised with every problem of a build; printed one problem per line (at most MAX_PROBLEMS)."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.file, p.line or 0, p.field, p.message))
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found; the site was not built:"
        shown = [f"  {p}" for p in self.problems[:MAX_PROBLEMS]]
        if count > MAX_PROBLEMS:
            shown.append(f"  ... and {count - MAX_PROBLEMS} more (only the first {MAX_PROBLEMS} are listed)")
        super().__init__("\n".join([head, *shown]))


def format_loc(loc: tuple) -> str:
    """('templates', 3, 'sections', 0, 'title') -> 'templates[3].sections[0].title'."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
