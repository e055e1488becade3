"""Render each page's Markdown for the engine: macros run, settings escaped, front matter kept.

A page that sets ``render_macros: true`` is a Jinja template over its Markdown (the syntax
mkdocs-macros uses): ``{{ cite("key") }}``, ``{{ checklist("id") }}``, ``{{ settings.programme_name }}``.
Other pages are left as they are, so literal double braces in prose are safe there.

Settings are untrusted (a fork sets them), pages are not (they are reviewed like code). A setting
printed with ``{{ settings.x }}`` is written for the context it lands in: escaped for HTML and made
inert to Markdown in prose, as it is inside a code block or code span (where escapes would show).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import jinja2
from markupsafe import Markup

from . import render
from .errors import Problem
from .loader import Page, Site
from .safeio import MAX_PAGE_BYTES, Refused, inside, read_text
from .text import escape

SNIPPET = re.compile(r'^--8<--\s+"([^"]+)"\s*$', re.M)
_TOKEN = re.compile("\ue010(\\d+)\ue011")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# Front matter the engine may see (everything else is ours, or could steer the theme: template, author ...).
ENGINE_KEYS = ("title", "description", "search", "hide")
HIDE = frozenset({"navigation", "toc", "footer", "path", "tags", "feedback"})


class SettingText(str):
    """A text setting: compares and tests as its text, prints as a token resolved for its context."""

    registry: list[str]

    def __str__(self) -> str:  # what Jinja writes for {{ settings.x }}
        self.registry.append(str.__str__(self))
        return f"\ue010{len(self.registry) - 1}\ue011"


# Text that reads the same as plain text, HTML and Markdown: printed as it is.
SAFE_PLAIN = re.compile(r"^(?:[^\W_]|[ .,:;'/@%+?=~-])*$")


class SafeSettings:
    """The settings as pages see them: text with characters HTML or Markdown would act on is a
    :class:`SettingText`, resolved for its context after the page is rendered; lists, numbers and
    plain text are as they are."""

    def __init__(self, settings, registry: list[str]):
        self._settings = settings
        self._registry = registry

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_") or name not in type(self._settings).model_fields:
            raise AttributeError(f"'settings' has no attribute '{name}'")
        value = getattr(self._settings, name)
        if isinstance(value, str) and not SAFE_PLAIN.match(value):
            text = SettingText(value)
            text.registry = self._registry
            return text
        return value


def resolve_tokens(markdown: str, values: list[str]) -> str:
    """Put each setting back: raw inside code (fenced blocks and code spans), escaped elsewhere."""
    if not values:
        return markdown

    def escaped(match: re.Match) -> str:
        return str(escape(values[int(match.group(1))]))

    def raw(match: re.Match) -> str:
        value = values[int(match.group(1))]
        return value if "`" not in value and "~" not in value else str(escape(value))

    out, fence = [], None
    for line in markdown.split("\n"):
        opening = _FENCE.match(line)
        if fence is None and opening:
            fence = opening.group(1)[0] * len(opening.group(1))
            out.append(_TOKEN.sub(raw, line))
        elif fence is not None:
            if line.strip().startswith(fence) and not line.strip().strip(fence[0]):
                fence = None
            out.append(_TOKEN.sub(raw, line))
        else:
            parts, last = [], 0
            for span in _CODE_SPAN.finditer(line):
                parts.append(_TOKEN.sub(escaped, line[last:span.start()]))
                parts.append(_TOKEN.sub(raw, span.group(0)))
                last = span.end()
            parts.append(_TOKEN.sub(escaped, line[last:]))
            out.append("".join(parts))
    return "\n".join(out)


@dataclass
class PageRenderer:
    """Renders the pages of one site; collects problems instead of raising at the first."""

    site: Site
    problems: list[Problem] = field(default_factory=list)
    extra_macros: dict[str, Callable] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False, keep_trailing_newline=True)
        self.totals = render.curriculum_totals(self.site)

    # ----------------------------------------------------------------- macros

    def _macros(self, page: Page) -> dict[str, Callable]:
        site, src = self.site, page.src

        def guarded(name: str, fn: Callable, block: bool) -> Callable:
            def call(*args, **kwargs):
                try:
                    out = fn(site, *args, src, **kwargs) if name != "cite" else fn(site, args, src)
                except render.UnknownId as exc:
                    self.problems.append(Problem(f"docs/{src}", self._line_of(page, f"{name}("), name, str(exc)))
                    return Markup('<p class="ms-error"><strong>{}</strong> {}</p>').format(
                        site.messages("build.unknown_id"), str(exc))
                except TypeError as exc:
                    self.problems.append(Problem(f"docs/{src}", self._line_of(page, f"{name}("), name,
                                                 f"macro called wrongly: {exc}"))
                    return ""
                # A block of HTML must stand alone between blank lines, so Markdown leaves it as it is.
                return Markup(f"\n\n{out}\n\n") if block else out
            call.__name__ = name
            return call

        inline = {"cite": render.cite}
        blocks = {"checklist": render.checklist, "template_page": render.template_page,
                  "template_library": render.template_library, "reference_library": render.reference_library,
                  "programme_models_table": render.programme_models_table, "programme_model": render.programme_model,
                  "case_studies": render.case_studies, "session_page": render.session_page,
                  "curriculum_table": render.curriculum_table, "course_pack_links": render.course_pack_links,
                  "self_assessment": render.self_assessment, "review_status": render.review_status,
                  "languages": render.languages,
                  **self.extra_macros}
        out = {name: guarded(name, fn, False) for name, fn in inline.items()}
        out.update({name: guarded(name, fn, True) for name, fn in blocks.items()})
        return out

    @staticmethod
    def _line_of(page: Page, needle: str) -> int | None:
        for i, line in enumerate(page.body.splitlines(), page.body_line):
            if needle in line:
                return i
        return None

    # ----------------------------------------------------------------- one page

    def body(self, page: Page) -> str:
        """The page's Markdown with its macros run (when it opts in) and snippets included."""
        text = self._snippets(page, page.body)
        if page.raw_meta.get("render_macros") is not True:
            return text
        registry: list[str] = []
        context = {"settings": SafeSettings(self.site.settings, registry), "course_minutes": self.totals,
                   **self._macros(page)}
        rel = f"docs/{page.src}"
        try:
            out = self.env.from_string(text).render(context)
        except jinja2.TemplateSyntaxError as exc:
            self.problems.append(Problem(rel, (exc.lineno or 1) + page.body_line - 1, "macro syntax", exc.message or str(exc)))
            return text
        except jinja2.UndefinedError as exc:
            self.problems.append(Problem(rel, self._template_line(exc, page), "macro error", f"{exc.message} (undefined)"))
            return text
        except Exception as exc:  # noqa: BLE001 - any other error in a page's template: one line, the page named
            self.problems.append(Problem(rel, self._template_line(exc, page), "macro error",
                                         f"{exc} ({type(exc).__name__})"))
            return text
        return resolve_tokens(out, registry)

    @staticmethod
    def _template_line(exc: BaseException, page: Page) -> int | None:
        line, tb = None, exc.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<template>":
                line = tb.tb_lineno
            tb = tb.tb_next
        return line + page.body_line - 1 if line else None

    def _snippets(self, page: Page, text: str) -> str:
        """``--8<-- "CHANGELOG.md"``: a file of the project, included as it is (no links, no way out)."""
        def include(match: re.Match) -> str:
            name = match.group(1)
            root = self.site.root.resolve()
            path = (self.site.root / name)
            rel = f"docs/{page.src}"
            if path.is_symlink() or not inside(path.resolve(), root) or ".." in Path(name).parts or name.startswith("/"):
                self.problems.append(Problem(rel, self._line_of(page, name), "snippet",
                                             f"'{name}' must be a plain file inside the project"))
                return ""
            try:
                return read_text(path, name, MAX_PAGE_BYTES)
            except Refused as exc:
                self.problems.append(Problem(rel, self._line_of(page, name), "snippet", f"'{name}' {exc}"))
                return ""
        return SNIPPET.sub(include, text)

    def front_matter(self, page: Page, title: str, description: str, engine_text: Callable[[str], str],
                     hidden: bool) -> dict:
        """The front matter the engine sees: only keys it needs, text written for its templates."""
        meta = page.raw_meta
        out: dict[str, Any] = {"title": engine_text(title), "description": engine_text(description)}
        search = meta.get("search")
        if hidden or (isinstance(search, dict) and search.get("exclude") is True):
            out["search"] = {"exclude": True}
        hide = meta.get("hide")
        if isinstance(hide, list) and all(h in HIDE for h in hide):
            out["hide"] = list(hide)
        return out
