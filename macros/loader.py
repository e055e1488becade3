"""Load and validate every data file, the settings and every page's front matter, once.

This is the only module that reads YAML. It returns a :class:`Site` holding validated
models, or a list of :class:`Problem` describing everything that is wrong.

Forks add files under ``docs/local/`` (a folder upstream never writes to):
``docs/local/settings.yml`` overrides single settings, and ``docs/local/<dataset>.yml``
adds records to a data set or replaces an upstream record with the same id.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from . import models as m
from .documents import missing_glyphs
from .errors import Problem, format_loc

# dataset name -> (file stem, file model, record attribute)
DATASETS: dict[str, tuple[str, type[BaseModel]]] = {
    "references": ("references", m.ReferencesFile),
    "competencies": ("competencies", m.CompetenciesFile),
    "checklists": ("checklists", m.ChecklistsFile),
    "templates": ("templates", m.TemplatesFile),
    "programme_models": ("programme_models", m.ProgrammeModelsFile),
    "case_studies": ("case_studies", m.CaseStudiesFile),
    "curriculum": ("curriculum", m.CurriculumFile),
    "self_assessments": ("self_assessments", m.SelfAssessmentsFile),
}

CITE_IN_TEXT = re.compile(r"\[@([a-z0-9][a-z0-9-]*)\]")
CITE_IN_PAGE = re.compile(r"cite\(([^)]*)\)")
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?\n)---\s*(\n|\Z)", re.S)


@dataclass
class Site:
    """Everything the renderers need, validated and cross-checked."""

    docs_dir: Path
    settings: m.Settings
    references: dict[str, m.Reference] = field(default_factory=dict)
    competencies: dict[str, m.Competency] = field(default_factory=dict)
    checklists: dict[str, m.Checklist] = field(default_factory=dict)
    templates: dict[str, m.Template] = field(default_factory=dict)
    programme_models: dict[str, m.ProgrammeModel] = field(default_factory=dict)
    case_studies: dict[str, m.CaseStudy] = field(default_factory=dict)
    curriculum: dict[str, m.Session] = field(default_factory=dict)
    self_assessments: dict[str, m.SelfAssessment] = field(default_factory=dict)
    pages: dict[str, m.FrontMatter] = field(default_factory=dict)
    overdue: list[str] = field(default_factory=list)
    cited_on: dict[str, list[str]] = field(default_factory=dict)
    local_pages: list[str] = field(default_factory=list)

    def page_of(self, kind: str, rid: str) -> str:
        """Source path of the page that shows a record: upstream's folder, or the fork's under local/."""
        folder = PAGE_FOLDERS[kind]
        local = f"local/{folder}/{rid}.md"
        return local if local in self.pages else f"{folder}/{rid}.md"


# Data sets that have one page per record, and the folder those pages live in.
PAGE_FOLDERS = {"templates": "templates", "programme_models": "models", "curriculum": "curriculum",
                "self_assessments": "self-assessment"}


# --------------------------------------------------------------------------- YAML with lines


_Safe = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: much faster


class _LineLoader(_Safe):  # type: ignore[misc, valid-type]
    """The safe loader (libyaml's when available); a subclass so project-wide tweaks stay in one place."""


def _line_index(node: yaml.Node, path: tuple = (), index: dict | None = None) -> dict[tuple, int]:
    index = {} if index is None else index
    index.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            sub = path + (key.value,)
            index[sub] = key.start_mark.line + 1
            _line_index(value, sub, index)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_index(item, path + (i,), index)
    return index


def _line_for(index: dict[tuple, int], loc: tuple) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in index:
            return index[loc[:end]]
    return None


def read_yaml(path: Path, rel: str) -> tuple[Any, dict[tuple, int], list[Problem]]:
    """Parse one YAML file. Returns (data, line index, problems)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return None, {}, [Problem(rel, None, "", f"is not valid UTF-8 text ({exc.reason})")]
    loader = _LineLoader(text)
    try:  # parse once: the node tree gives the line numbers, then the same tree gives the data
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        what = (exc.problem or "invalid YAML").strip()
        ctx = f" ({exc.context.strip()})" if exc.context else ""
        return None, {}, [Problem(rel, line, "", f"YAML syntax error: {what}{ctx}")]
    except yaml.YAMLError as exc:  # pragma: no cover - defensive
        return None, {}, [Problem(rel, None, "", f"YAML error: {exc}")]
    finally:
        loader.dispose()
    return data, (_line_index(node) if node is not None else {}), []


# --------------------------------------------------------------------------- pydantic errors


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model found by walking ``loc`` (best effort, for 'did you mean')."""
    import typing

    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            if isinstance(part, str) and part in current.model_fields:
                current = current.model_fields[part].annotation
                continue
            return []
        # unwrap Optional / list / Annotated / Union
        for _ in range(4):
            origin = typing.get_origin(current)
            args = [a for a in typing.get_args(current) if a is not type(None)]
            if origin is typing.Annotated:
                current = args[0]
            elif origin in (list, tuple) and isinstance(part, int):
                current = args[0]
                break
            elif origin is typing.Union or str(origin) == "types.UnionType":
                match = [a for a in args if isinstance(a, type) and issubclass(a, BaseModel)
                         and "type" in a.model_fields and part in str(a.model_fields["type"].annotation)]
                if match:
                    current = match[0]
                    break
                if len(args) == 1:
                    current = args[0]
                else:
                    return []
            else:
                break
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return []


def _describe(err: dict, model: type[BaseModel], loc: tuple) -> tuple[tuple, str]:
    kind = err["type"]
    value = err.get("input")
    if kind == "missing":
        return loc[:-1], f"missing required field '{loc[-1]}'"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
        hint = f"; did you mean '{guess[0]}'?" if guess else (
            f"; expected one of: {', '.join(allowed)}" if allowed else "")
        return loc[:-1], f"unknown key '{loc[-1]}'{hint}"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return loc, f"unknown field type {ctx.get('tag')!r}; expected one of: {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return loc, "missing 'type' (expected short_text, long_text, date, checkbox, rating, table, signature or guidance)"
    msg = err["msg"]
    msg = re.sub(r"^Value error, ", "", msg)
    msg = re.sub(r"^Input should be ", "expected ", msg)
    msg = re.sub(r"^String should match pattern '(.*)'$", r"expected text matching \1", msg)
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 60:
        shown = shown[:57] + "..."
    if kind.startswith(("too_short", "too_long")) and isinstance(value, list):
        return loc, f"{msg} (has {len(value)})"
    return loc, f"{msg} (got {shown})"


def validate(data: Any, model: type[BaseModel], rel: str, lines: dict[tuple, int]) -> tuple[Any, list[Problem]]:
    """Validate parsed YAML against ``model``; return (instance or None, problems)."""
    top = next(iter(model.model_fields))
    if not isinstance(data, dict):
        return None, [Problem(rel, 1, "", f"expected a mapping with the single top-level key '{top}'")]
    try:
        return model.model_validate(data), []
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in {
                "short_text", "long_text", "date", "checkbox", "rating", "table", "signature", "guidance"}))
            where, message = _describe(err, model, tuple(err["loc"]))
            where = tuple(p for p in where if p in loc or isinstance(p, int)) if where else where
            problems.append(Problem(rel, _line_for(lines, loc), format_loc(where), message))
        return None, problems


# --------------------------------------------------------------------------- the site


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_settings(docs_dir: Path, root: Path) -> tuple[m.Settings | None, list[Problem]]:
    base = docs_dir / "data" / "settings.yml"
    local = docs_dir / "local" / "settings.yml"
    problems: list[Problem] = []
    merged: dict[str, Any] = {}
    lines: dict[tuple, int] = {}
    local_keys: set[str] = set()
    rel = _rel(base, root)
    for path in (base, local):
        if not path.exists():
            if path is base:
                problems.append(Problem(rel, None, "", "file is missing (the default settings live here)"))
            continue
        data, idx, probs = read_yaml(path, _rel(path, root))
        problems += probs
        if probs:
            continue
        if not isinstance(data, dict) or not isinstance(data.get("settings"), dict) or len(data) != 1:
            problems.append(Problem(_rel(path, root), 1, "", "expected a mapping with the single top-level key 'settings'"))
            continue
        merged.update(data["settings"])
        if path is local:
            local_keys = set(data["settings"])
        for key, line in idx.items():
            if key[:1] == ("settings",):
                lines[key] = line
        rel = _rel(path, root) if path is local else rel
    if problems:
        return None, problems
    # Report against the file that set the value last.
    settings, probs = validate({"settings": merged}, m.SettingsFile, _rel(base, root), lines)
    fixed = []
    for p in probs:
        key = p.field.split(".")[1] if p.field.count(".") else ""
        f = _rel(local, root) if key in local_keys else _rel(base, root)
        fixed.append(Problem(f, p.line, p.field, p.message))
    return (settings.settings if settings else None), fixed


def _load_dataset(docs_dir: Path, root: Path, name: str) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """Load upstream and local files of one dataset; local records replace upstream by id."""
    stem, model = DATASETS[name]
    records: dict[str, Any] = {}
    origin: dict[str, str] = {}
    problems: list[Problem] = []
    for path in (docs_dir / "data" / f"{stem}.yml", docs_dir / "local" / f"{stem}.yml"):
        rel = _rel(path, root)
        if not path.exists():
            continue
        data, lines, probs = read_yaml(path, rel)
        if probs:
            problems += probs
            continue
        parsed, probs = validate(data, model, rel, lines)
        if probs:
            problems += probs
            continue
        seen: set[str] = set()
        for i, rec in enumerate(getattr(parsed, name)):
            if rec.id in seen:
                problems.append(Problem(rel, _line_for(lines, (name, i, "id")), f"{name}[{i}].id",
                                        f"duplicate id '{rec.id}' (ids must be unique)"))
                continue
            seen.add(rec.id)
            records[rec.id] = rec
            origin[rec.id] = rel
    return records, origin, problems


def parse_front_matter(text: str) -> dict[str, Any] | None:
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    return yaml.load(match.group(1), Loader=_LineLoader) or {}  # noqa: S506


def load_pages(docs_dir: Path, root: Path, today: dt.date
               ) -> tuple[dict[str, m.FrontMatter], dict[str, str], list[str], list[Problem]]:
    """Every page's front matter, validated; also each page's text, so it is read once per build."""
    pages: dict[str, m.FrontMatter] = {}
    texts: dict[str, str] = {}
    overdue: list[str] = []
    problems: list[Problem] = []
    for path in sorted(docs_dir.rglob("*.md")):
        src = path.relative_to(docs_dir).as_posix()
        rel = _rel(path, root)
        text = texts[src] = path.read_text(encoding="utf-8")
        try:
            meta = parse_front_matter(text)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            problems.append(Problem(rel, (mark.line + 2) if mark else None, "front matter",
                                    f"YAML syntax error: {(exc.problem or '').strip()}"))
            continue
        if meta is None:
            problems.append(Problem(rel, 1, "front matter",
                                    "missing (expected title, description, audience, last_reviewed, next_review_due, reviewed_by)"))
            continue
        fm, probs = validate(meta, m.FrontMatter, rel, {})
        for p in probs:
            problems.append(Problem(rel, None, f"front matter {p.field}".strip(), p.message))
        if fm:
            pages[src] = fm
            if fm.next_review_due < today:
                overdue.append(f"{src} (due {fm.next_review_due.isoformat()})")
    return pages, texts, overdue, problems


def _check_cites(text: str, where: tuple[str, int | None, str], refs: dict[str, Any]) -> list[Problem]:
    out = []
    for key in CITE_IN_TEXT.findall(text):
        if key not in refs:
            out.append(Problem(where[0], where[1], where[2], f"cites unknown reference '{key}' (not in references.yml)"))
    return out


def _walk_strings(obj: Any, loc: tuple = ()):
    if isinstance(obj, str):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _walk_strings(getattr(obj, name), loc + (name,))
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from _walk_strings(item, loc + (i,))


def _check_glyphs(text: str, rel: str, field_name: str) -> list[Problem]:
    missing = missing_glyphs(text)
    if not missing:
        return []
    shown = ", ".join(f"'{c}' (U+{ord(c):04X})" for c in missing[:5])
    return [Problem(rel, None, field_name,
                    f"the PDF font has no glyph for {shown}; expected Latin, Greek or Cyrillic text "
                    "(to add a script, see macros/fonts/subset.py)")]


def _check_session(x: m.Session, rel: str, loaded: dict, refs: dict, broken: set[str]) -> list[Problem]:
    out = []
    for i, tid in enumerate(x.take_home_templates):
        if "templates" not in broken and tid not in loaded["templates"]:
            out.append(Problem(rel, None, f"curriculum[{x.id}].take_home_templates[{i}]",
                               f"unknown template '{tid}' (not in templates.yml)"))
    for i, key in enumerate(x.references):
        if key not in refs:
            out.append(Problem(rel, None, f"curriculum[{x.id}].references[{i}]",
                               f"unknown reference '{key}' (not in references.yml)"))
    return out


class _AnyKey(dict):
    """Stands in for a data set that failed to load, so its ids are not reported again."""

    def __contains__(self, key: object) -> bool:
        return True


def load_site(docs_dir: str | Path, root: str | Path | None = None, today: dt.date | None = None) -> tuple[Site | None, list[Problem]]:
    """Read, validate and cross-check everything. Never raises for bad input."""
    docs = Path(docs_dir)
    base = Path(root) if root else docs.parent
    today = today or dt.date.today()
    settings, problems = load_settings(docs, base)
    loaded: dict[str, dict[str, Any]] = {}
    origins: dict[str, dict[str, str]] = {}
    broken: set[str] = set()
    for name in DATASETS:
        records, origin, probs = _load_dataset(docs, base, name)
        loaded[name], origins[name] = records, origin
        problems += probs
        if probs:
            broken.add(name)
    pages, texts, overdue, probs = load_pages(docs, base, today)
    problems += probs

    refs = loaded["references"]
    existing_pages = set(texts)

    cited_on: dict[str, list[str]] = {}

    if "references" in broken:  # do not report every citation of a file that failed to load
        refs = _AnyKey(refs)

    def used(key: str, page: str) -> None:
        if key in refs and page not in cited_on.setdefault(key, []):
            cited_on[key].append(page)

    data_pages = {"templates": "templates/{}.md", "programme_models": "models/{}.md",
                  "case_studies": "case-studies.md", "checklists": "checklists/{}.md",
                  "curriculum": "curriculum/{}.md", "self_assessments": "self-assessment/{}.md"}
    # Cross-references inside data; text that goes into the PDF downloads (templates and sessions
    # in full, references by their short citation) must have glyphs in the PDF font.
    in_pdfs = {"templates", "curriculum"}
    for name, records in loaded.items():
        for rid, rec in records.items():
            rel = origins[name][rid]
            if name == "references":
                problems += _check_glyphs(rec.short, rel, f"references[{rid}].short")
            for loc, text in _walk_strings(rec):
                field_name = f"{name}[{rid}].{format_loc(loc)}"
                problems += _check_cites(text, (rel, None, field_name), refs)
                if name in in_pdfs:
                    problems += _check_glyphs(text, rel, field_name)
                if name in data_pages:
                    for key in CITE_IN_TEXT.findall(text):
                        used(key, data_pages[name].format(rid))
            if name == "programme_models":
                for ex in rec.examples:
                    used(ex.source, data_pages[name].format(rid))
            if name == "curriculum":
                problems += _check_session(rec, rel, loaded, refs, broken)
                for key in rec.references:
                    used(key, data_pages[name].format(rid))
            if name == "self_assessments":
                for dm in rec.domains:
                    for i, page in enumerate(dm.help_pages):
                        if page not in existing_pages:
                            problems.append(Problem(rel, None, f"self_assessments[{rid}].domains[{dm.id}].help_pages[{i}]",
                                                    f"page '{page}' does not exist under docs/"))
                    for i, sid in enumerate(dm.help_sessions):
                        if "curriculum" not in broken and sid not in loaded["curriculum"]:
                            problems.append(Problem(rel, None, f"self_assessments[{rid}].domains[{dm.id}].help_sessions[{i}]",
                                                    f"unknown curriculum session '{sid}'"))
            for attr in ("related_pages",):
                for i, page in enumerate(getattr(rec, attr, []) or []):
                    if page not in existing_pages:
                        problems.append(Problem(rel, None, f"{name}[{rid}].{attr}[{i}]",
                                                f"page '{page}' does not exist under docs/"))
            page = getattr(rec, "page", None)
            if isinstance(page, str) and page not in existing_pages:
                problems.append(Problem(rel, None, f"{name}[{rid}].page", f"page '{page}' does not exist under docs/"))
            for i, ex in enumerate(getattr(rec, "examples", []) or []):
                if ex.source not in refs:
                    problems.append(Problem(rel, None, f"{name}[{rid}].examples[{i}].source",
                                            f"unknown reference '{ex.source}' (not in references.yml)"))

    # Every template, programme model, session and self-assessment needs its page (upstream or local).
    for name, folder in PAGE_FOLDERS.items():
        for rid in loaded[name]:
            if f"{folder}/{rid}.md" not in existing_pages and f"local/{folder}/{rid}.md" not in existing_pages:
                problems.append(Problem(origins[name][rid], None, f"{name}[{rid}]",
                                        f"has no page: create docs/{folder}/{rid}.md (or docs/local/{folder}/{rid}.md)"))
    numbers: dict[int, str] = {}
    for rid, x in loaded["curriculum"].items():
        if x.number in numbers:
            problems.append(Problem(origins["curriculum"][rid], None, f"curriculum[{rid}].number",
                                    f"session number {x.number} is already used by '{numbers[x.number]}'"))
        numbers[x.number] = rid

    # Settings that name files or pages.
    if settings is not None:
        srel = "docs/local/settings.yml" if (docs / "local" / "settings.yml").exists() else "docs/data/settings.yml"
        for key in ("logo", "favicon"):
            value = getattr(settings, key)
            if value and not (docs / value).is_file():
                problems.append(Problem(srel, None, f"settings.{key}", f"file '{value}' does not exist under docs/"))
        for i, page in enumerate(settings.hidden_pages):
            if page not in existing_pages:
                problems.append(Problem(srel, None, f"settings.hidden_pages[{i}]", f"page '{page}' does not exist under docs/"))
        for key in ("programme_name", "institution", "contact_name", "contact_email", "licence"):  # in every PDF
            problems += _check_glyphs(getattr(settings, key), srel, f"settings.{key}")

    # Citations in pages.
    for src, text in sorted(texts.items()):
        for lineno, line in enumerate(text.splitlines(), 1):
            for args in CITE_IN_PAGE.findall(line):
                for key in re.findall(r"[\"']([^\"']+)[\"']", args):
                    used(key, src)
                    if key not in refs:
                        problems.append(Problem(_rel(docs / src, base), lineno, "cite",
                                                f"unknown reference '{key}' (not in references.yml)"))

    if settings is None or problems:
        return None, problems
    local_pages = sorted(p for p in existing_pages if p.startswith("local/"))
    site = Site(docs_dir=docs, settings=settings, pages=pages, overdue=overdue, cited_on=cited_on,
                local_pages=local_pages, **loaded)
    return site, []
