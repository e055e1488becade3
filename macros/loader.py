"""Load and validate every data file, the settings, every page and every published file, once.

This is the only module that reads the project's files (through :mod:`macros.safeio`). It returns a
:class:`Site` holding validated models, page texts and the list of files to publish, or a list of
:class:`Problem` describing everything that is wrong. It never raises for bad input.

Forks add files under ``docs/local/`` (a folder upstream never writes to):
``docs/local/settings.yml`` overrides single settings, and ``docs/local/<data set>.yml`` adds records
to a data set or replaces an upstream record with the same id.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from . import models as m
from .errors import Problem, format_loc
from .i18n import SOURCE, Messages, check_strings
from .registry import BY_NAME, DATASETS
from .safeio import MAX_PAGE_BYTES, Refused, parse_yaml, read_text, read_yaml, walk

CITE_IN_TEXT = re.compile(r"\[@([a-z0-9][a-z0-9-]*)\]")
CITE_IN_PAGE = re.compile(r"cite\(([^)]*)\)")
FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)?---[ \t]*(?:\n|\Z)", re.S)
FIELD_TYPES = frozenset({"short_text", "long_text", "date", "checkbox", "rating", "table", "signature", "guidance"})


@dataclass
class Page:
    """One Markdown page: its validated front matter, its raw front matter and its body."""

    src: str                 # path under docs/, e.g. "mentees/first-meeting.md"
    meta: m.FrontMatter
    raw_meta: dict           # every key of the front matter, as parsed
    body: str
    body_line: int           # line of the file on which the body starts (1-based)
    path: Path               # the file the page is read from (a fork's replacement or translation, if any)
    language: str = "en"     # the language its text is written in
    replaces: str | None = None        # the upstream file it stands in for (docs/local/pages/..., translations)
    upstream_hash: str | None = None   # that upstream file's version now


@dataclass
class Site:
    """Everything the renderers need, validated and cross-checked."""

    root: Path
    docs_dir: Path
    settings: m.Settings
    settings_origin: dict[str, str] = field(default_factory=dict)  # setting -> file that set it
    references: dict[str, m.Reference] = field(default_factory=dict)
    competencies: dict[str, m.Competency] = field(default_factory=dict)
    checklists: dict[str, m.Checklist] = field(default_factory=dict)
    templates: dict[str, m.Template] = field(default_factory=dict)
    programme_models: dict[str, m.ProgrammeModel] = field(default_factory=dict)
    case_studies: dict[str, m.CaseStudy] = field(default_factory=dict)
    curriculum: dict[str, m.Session] = field(default_factory=dict)
    self_assessments: dict[str, m.SelfAssessment] = field(default_factory=dict)
    origins: dict[str, dict[str, str]] = field(default_factory=dict)  # data set -> id -> file
    page_files: dict[str, Page] = field(default_factory=dict)
    assets: list[str] = field(default_factory=list)  # other files under docs/ to publish
    overdue: list[str] = field(default_factory=list)
    cited_on: dict[str, list[str]] = field(default_factory=dict)
    local_pages: list[str] = field(default_factory=list)
    messages: Messages | None = None
    redirects: dict[str, str] = field(default_factory=dict)  # old page -> the page that replaced it
    language: str = "en"                                     # the language being built
    warnings: list[str] = field(default_factory=list)        # reported, but the site is built
    drift: list[dict] = field(default_factory=list)          # a fork's replacements whose upstream changed
    replaced: list[str] = field(default_factory=list)        # what a fork replaces: pages and records
    catalogues: dict[str, str | None] = field(default_factory=dict)  # language -> who checked it (None: not yet)

    @property
    def pages(self) -> dict[str, m.FrontMatter]:
        return {src: p.meta for src, p in self.page_files.items()}

    def page_of(self, kind: str, rid: str) -> str:
        """Source path of the page that shows a record: upstream's folder, or the fork's under local/."""
        page = BY_NAME[kind].page_for(rid)
        assert page is not None, kind
        local = f"local/{page}"
        return local if local in self.page_files else page

    def title_of(self, src: str) -> str:
        return self.page_files[src].meta.title if src in self.page_files else src


# --------------------------------------------------------------------------- pydantic errors


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """Field names of the model found by walking ``loc`` (best effort, for 'did you mean')."""
    current: Any = model
    for part in loc:
        if isinstance(current, type) and issubclass(current, BaseModel):
            if isinstance(part, str) and part in current.model_fields:
                current = current.model_fields[part].annotation
                continue
            return []
        for _ in range(4):  # unwrap Optional / list / Annotated / Union
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


_EXPECTED = {"int_type": "expected a whole number", "string_type": "expected text",
             "date_type": "expected a date written as YYYY-MM-DD", "list_type": "expected a list",
             "bool_type": "expected true or false", "dict_type": "expected a mapping of keys and values",
             "model_type": "expected a mapping of keys and values",
             "model_attributes_type": "expected a mapping of keys and values"}


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
    msg = _EXPECTED.get(kind) or err["msg"]
    msg = re.sub(r"^Value error, ", "", msg)
    msg = re.sub(r"^Input should be ", "expected ", msg)
    msg = re.sub(r"^String should match pattern '(.*)'$", r"expected text matching \1", msg)
    msg = re.sub(r"^String should have at most (\d+) characters?$", r"expected at most \1 characters", msg)
    if isinstance(value, (dict, list)):
        shown = type(value).__name__
    else:
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
    if kind.startswith(("too_short", "too_long")) and isinstance(value, list):
        return loc, f"{msg} (has {len(value)})"
    if kind.startswith("string_too_long") and isinstance(value, str):
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
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in FIELD_TYPES))
            where, message = _describe(err, model, tuple(err["loc"]))
            where = tuple(p for p in where if p in loc or isinstance(p, int)) if where else where
            problems.append(Problem(rel, _line_for(lines, loc), format_loc(where), message))
        return None, problems


def _line_for(index: dict[tuple, int], loc: tuple) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in index:
            return index[loc[:end]]
    return None


# --------------------------------------------------------------------------- settings


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def load_settings(docs_dir: Path, root: Path, local: bool = True
                  ) -> tuple[m.Settings | None, dict[str, str], list[Problem]]:
    """Upstream defaults, then a fork's docs/local/settings.yml key by key.

    Returns (settings, the file that set each key, problems); each problem names the file and the line
    of the value it is about.
    """
    base = docs_dir / "data" / "settings.yml"
    local_file = docs_dir / "local" / "settings.yml"
    problems: list[Problem] = []
    merged: dict[str, Any] = {}
    lines: dict[tuple, int] = {}
    origin: dict[str, str] = {}
    texts: dict[str, str] = {}
    for path in (base, local_file) if local else (base,):
        rel = _rel(path, root)
        if not path.exists() and not path.is_symlink():
            if path is base:
                problems.append(Problem(rel, None, "", "file is missing (the default settings live here)"))
            continue
        data, idx, probs = read_yaml(path, rel)
        problems += probs
        if probs:
            continue
        if data is None and path is local_file:
            continue  # an empty local settings file changes nothing
        if not isinstance(data, dict) or not isinstance(data.get("settings"), dict) or len(data) != 1:
            problems.append(Problem(rel, 1, "", "expected a mapping with the single top-level key 'settings'"))
            continue
        texts[rel] = path.read_text(encoding="utf-8-sig")
        for key, value in data["settings"].items():
            merged[key] = value
            origin[str(key)] = rel
        for key, line in idx.items():
            if key[:1] == ("settings",) and len(key) > 1:
                lines[key] = line
    if problems:
        return None, origin, problems
    settings, probs = validate({"settings": merged}, m.SettingsFile, _rel(base, root), lines)
    fixed = []
    for p in probs:
        key = p.field.split(".")[1].split("[")[0] if p.field.count(".") else ""
        rel = origin.get(key, _rel(base, root))
        message = p.message
        if "(got None)" in message:
            raw = texts.get(rel, "").splitlines()
            line = raw[p.line - 1] if p.line and p.line <= len(raw) else ""
            if re.search(r":\s*#", line):
                value = line.split(":", 1)[1].strip()
                message += f'; a value that starts with # is a YAML comment: quote it: {key}: "{value}"'
        fixed.append(Problem(rel, p.line, p.field, message))
    return (settings.settings if settings else None), origin, fixed


# --------------------------------------------------------------------------- message catalogues


def load_messages(docs_dir: Path, root: Path, language: str, local: bool = True
                  ) -> tuple[Messages | None, list[Problem]]:
    """English (the source), the language's catalogue over it, then a fork's single strings."""
    problems: list[Problem] = []
    folder = docs_dir / "messages"
    source_rel = _rel(folder / f"{SOURCE}.yml", root)
    data, lines, probs = read_yaml(folder / f"{SOURCE}.yml", source_rel)
    if not probs:
        parsed, probs = validate(data, m.MessagesFile, source_rel, lines)
    if probs:
        return None, probs
    source = dict(parsed.messages.strings)
    strings = dict(source)
    missing: set[str] = set()
    lang = language.split("-")[0]
    sources = [(folder / f"{lang}.yml", m.MessagesFile), (docs_dir / "local" / "messages.yml", m.LocalMessagesFile)]
    for path, model in sources if local else sources[:1]:
        if lang == SOURCE and model is m.MessagesFile:
            continue
        rel = _rel(path, root)
        if not path.exists() and not path.is_symlink():
            if model is m.MessagesFile:
                missing = set(source)  # no catalogue for this language yet: English throughout
            continue
        data, lines, probs = read_yaml(path, rel)
        if not probs:
            parsed, probs = validate(data, model, rel, lines)
        if not probs:
            found = dict(parsed.messages.strings)
            probs = check_strings(found, source, rel, lines)
            if model is m.MessagesFile:
                missing = set(source) - set(found)
            strings.update(found)
        problems += probs
    return (Messages(language, strings, frozenset(missing)) if not problems else None), problems


# --------------------------------------------------------------------------- data sets


def version_of(value: Any) -> str:
    """A short hash of an upstream page's text or record's data: a fork records the one it adapted."""
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _load_dataset(docs_dir: Path, root: Path, name: str, versions: dict[str, str] | None = None, local: bool = True
                  ) -> tuple[dict[str, Any], dict[str, str], list[Problem]]:
    """Load upstream and local files of one data set; local records replace upstream ones by id.

    ``versions`` receives the version (hash) of every upstream record, for the fork's drift report.
    """
    model = BY_NAME[name].model
    records: dict[str, Any] = {}
    origin: dict[str, str] = {}
    problems: list[Problem] = []
    for path in (docs_dir / "data" / f"{name}.yml", docs_dir / "local" / f"{name}.yml")[:2 if local else 1]:
        rel = _rel(path, root)
        if not path.exists() and not path.is_symlink():
            continue
        data, lines, probs = read_yaml(path, rel)
        if not probs:
            parsed, probs = validate(data, model, rel, lines)
        if probs:
            problems += probs
            continue
        seen: set[str] = set()
        if versions is not None and path.parent.name == "data":
            for raw in data[name]:
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    versions[raw["id"]] = version_of(raw)
        for i, rec in enumerate(getattr(parsed, name)):
            if rec.id in seen:
                problems.append(Problem(rel, _line_for(lines, (name, i, "id")), f"{name}[{i}].id",
                                        f"duplicate id '{rec.id}' (ids must be unique)"))
                continue
            seen.add(rec.id)
            records[rec.id] = rec
            origin[rec.id] = rel
    return records, origin, problems


# --------------------------------------------------------------------------- pages


def split_front_matter(text: str, rel: str) -> tuple[dict | None, str, int, list[Problem]]:
    """(front matter, body, line the body starts on, problems) of a page's text."""
    match = FRONT_MATTER.match(text)
    if not match:
        return None, text, 1, []
    data, _, problems = parse_yaml(match.group(1) or "", rel, line_offset=1)
    body_line = text[:match.end()].count("\n") + 1
    return (data if isinstance(data, dict) else ({} if data is None else data)), text[match.end():], body_line, problems


OVERRIDES = "local/pages/"          # docs/local/pages/<path>: a fork's version of docs/<path>
TRANSLATIONS = "local/translations/"  # docs/local/translations/<language>/<path>: another language's version


def _read_page(path: Path, src: str, root: Path, problems: list[Problem]) -> Page | None:
    rel = _rel(path, root)
    try:
        text = read_text(path, rel, MAX_PAGE_BYTES)
    except Refused as exc:
        problems.append(Problem(rel, None, "", str(exc)))
        return None
    meta, body, body_line, probs = split_front_matter(text, rel)
    if probs:
        problems += [Problem(p.file, p.line, "front matter", p.message) for p in probs]
        return None
    if meta is None:
        problems.append(Problem(rel, 1, "front matter",
                                "missing (expected title, description, audience, last_reviewed, next_review_due, reviewed_by)"))
        return None
    if not isinstance(meta, dict):
        problems.append(Problem(rel, 2, "front matter", "expected keys and values (title: ..., description: ...)"))
        return None
    fm, probs = validate(meta, m.FrontMatter, rel, {})
    for p in probs:
        problems.append(Problem(rel, None, f"front matter {p.field}".strip(), p.message))
    if fm is None:
        return None
    page = Page(src, fm, meta, body, body_line, path)
    page.upstream_hash = version_of(text)
    return page


def load_pages(docs_dir: Path, root: Path, files: list[Path], today: dt.date, primary: str = "en",
               language: str | None = None, redirects: dict[str, str] | None = None
               ) -> tuple[dict[str, Page], list[str], list[Problem], list[str]]:
    """Every page's front matter, validated, and its body (each file read once per build).

    Upstream pages are written in English; a fork's own pages and its replacements of upstream pages
    (``docs/local/pages/<path>``) in the site's language (``primary``); translations into one of the
    site's other languages in ``docs/local/translations/<language>/<path>``. ``language`` is the one
    being built. Returns (pages, overdue, problems, warnings).
    """
    language = language or primary
    redirects = redirects or {}
    pages: dict[str, Page] = {}
    problems: list[Problem] = []
    warnings: list[str] = []
    replacements: dict[str, Path] = {}
    translations: dict[str, Path] = {}
    for path in files:
        if path.suffix != ".md":
            continue
        src = path.relative_to(docs_dir).as_posix()
        if src.startswith(OVERRIDES):
            replacements[src[len(OVERRIDES):]] = path
            continue
        if src.startswith(TRANSLATIONS):
            lang, _, target = src[len(TRANSLATIONS):].partition("/")
            if lang == language and target:
                translations[target] = path
            continue
        page = _read_page(path, src, root, problems)
        if page is not None:
            page.language = primary if src.startswith("local/") else "en"
            pages[src] = page
    for kind, found in (("replaces", replacements), ("translates", translations)):
        for target, path in sorted(found.items()):
            rel = _rel(path, root)
            if target not in pages:
                moved = redirects.get(target)
                where = (f"upstream moved it to docs/{moved}: move your file to "
                         f"docs/{OVERRIDES if kind == 'replaces' else TRANSLATIONS + language + '/'}{moved}"
                         if moved else "no such upstream page any more (upstream may have removed it)")
                warnings.append(f"{rel} {kind} docs/{target}, but there is {where}; it is not published")
                continue
            if kind == "replaces" and language != primary:
                continue  # a page in the site's own language; other languages use their translations
            original = pages[target]
            page = _read_page(path, target, root, problems)
            if page is None:
                continue
            page.language = primary if kind == "replaces" else language
            page.replaces = f"docs/{target}"
            page.upstream_hash = original.upstream_hash
            pages[target] = page
    overdue = [f"{src} (due {p.meta.next_review_due.isoformat()})" for src, p in sorted(pages.items())
               if p.meta.next_review_due < today]
    return pages, overdue, problems, warnings


# --------------------------------------------------------------------------- cross-checks


def walk_strings(obj: Any, loc: tuple = ()):
    """(location, text) of every string in a model, depth first."""
    if isinstance(obj, str):
        yield loc, obj
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from walk_strings(getattr(obj, name), loc + (name,))
    elif isinstance(obj, (list, tuple)):
        for i, item in enumerate(obj):
            yield from walk_strings(item, loc + (i,))


def material_target(item: str, session: m.Session, templates: dict) -> tuple[str, str] | None:
    """What a material named in a timed plan is: ('template', id), ('case', ''), ('material', id),
    ('supply', ''), or None when it is none of these (then it is neither printed nor brought)."""
    name = " ".join(item.lower().split())
    if name.startswith(m.PARTICIPANTS_OWN) or name in m.SUPPLIES or any(
            name.startswith(s + " ") for s in m.SUPPLIES if s != "none"):
        return ("supply", "")
    if name in ("printed case", "printed cases") and session.cases:
        return ("case", "")
    for x in session.materials:
        if name == x.title.lower():
            return ("material", x.id)
    bare = name[:-len(" template")] if name.endswith(" template") else name
    slug = re.sub(r"[^a-z0-9]+", "-", bare).strip("-")
    if slug in templates:  # by id, so that a fork's own version of the template (another title) still counts
        return ("template", slug)
    for tid, t in templates.items():
        if bare == t.title.lower():
            return ("template", tid)
    return None


def _check_materials(rel: str, rid: str, session: m.Session, templates: dict) -> list[Problem]:
    """Every material a timed plan names is a download (a template, the session's printed case or one of
    its handouts, worksheets or cards) or something the room or the participants bring."""
    problems = []
    named: set[str] = set()
    for i, activity in enumerate(session.activities):
        for item in m.material_items(activity.materials):
            target = material_target(item, session, templates)
            if target is None:
                problems.append(Problem(rel, None, f"curriculum[{rid}].activities[{i}].materials",
                                        f"names '{item}', which is not a download: use a template's title or id "
                                        "('... template'), 'Printed case', the title of one of the session's "
                                        f"materials, or a supply ({', '.join(m.SUPPLIES[:-1])}, or \"participants' ...\")"))
            elif target[0] == "material":
                named.add(target[1])
    for j, x in enumerate(session.materials):
        if x.id not in named:
            problems.append(Problem(rel, None, f"curriculum[{rid}].materials[{j}]",
                                    f"'{x.title}' is not named in any activity's materials"))
    return problems


class _AnyKey(dict):
    """Stands in for a data set that failed to load, so its ids are not reported again."""

    def __contains__(self, key: object) -> bool:
        return True


# Files under docs/ that are read by the build, not published as they are.
SOURCE_ONLY = re.compile(r"^(data|local|messages)/[^/]+\.ya?ml$|^redirects\.ya?ml$")


def _load_redirects(docs: Path, base: Path, existing_pages: set[str], problems: list[Problem], local: bool = True
                    ) -> dict[str, str]:
    redirects: dict[str, str] = {}
    for path in (docs / "redirects.yml", docs / "local" / "redirects.yml")[:2 if local else 1]:
        if not path.exists() and not path.is_symlink():
            continue
        rel = _rel(path, base)
        data, lines, probs = read_yaml(path, rel)
        if not probs:
            parsed, probs = validate(data, m.RedirectsFile, rel, lines)
        problems += probs
        if probs:
            continue
        for i, r in enumerate(parsed.redirects):
            if r.from_ in existing_pages:
                problems.append(Problem(rel, _line_for(lines, ("redirects", i, "from")), f"redirects[{i}].from",
                                        f"'{r.from_}' is still a page: a redirect is for a page that moved away"))
            elif r.to not in existing_pages:
                problems.append(Problem(rel, _line_for(lines, ("redirects", i, "to")), f"redirects[{i}].to",
                                        f"page '{r.to}' does not exist under docs/"))
            else:
                redirects[r.from_] = r.to
    return redirects


def load_site(docs_dir: str | Path, root: str | Path | None = None, today: dt.date | None = None,
              language: str | None = None, local: bool = True) -> tuple[Site | None, list[Problem]]:
    """Read, validate and cross-check everything. Never raises for bad input.

    ``language`` is the language being built: the site's own (``settings.language``, the default) or one
    of its ``other_languages``. ``local=False`` reads upstream's files only, as if there were no fork
    (what upstream's own content checks look at, in a fork too).
    """
    docs = Path(docs_dir)
    base = Path(root) if root else docs.parent
    today = today or dt.date.today()
    files, problems = walk(docs, base)
    if not local:
        files = [f for f in files if not f.relative_to(docs).as_posix().startswith("local/")]
    settings, settings_origin, probs = load_settings(docs, base, local)
    problems += probs
    messages = None
    primary = settings.language if settings is not None else "en"
    language = language or primary
    if settings is not None:
        if language != primary and language not in settings.other_languages:
            problems.append(Problem("LANGUAGE", None, "", f"'{language}' is not one of the site's languages "
                                                          f"({', '.join([primary, *settings.other_languages])})"))
        messages, probs = load_messages(docs, base, language, local)
        problems += probs
    loaded: dict[str, dict[str, Any]] = {}
    origins: dict[str, dict[str, str]] = {}
    versions: dict[str, dict[str, str]] = {}
    broken: set[str] = set()
    for ds in DATASETS:
        versions[ds.name] = {}
        records, origin, probs = _load_dataset(docs, base, ds.name, versions[ds.name], local)
        loaded[ds.name], origins[ds.name] = records, origin
        problems += probs
        if probs:
            broken.add(ds.name)
    existing_pages = {src for p in files if p.suffix == ".md"
                      for src in [p.relative_to(docs).as_posix()] if not src.startswith((OVERRIDES, TRANSLATIONS))}
    redirects = _load_redirects(docs, base, existing_pages, problems, local)
    pages, overdue, probs, warnings = load_pages(docs, base, files, today, primary, language, redirects)
    problems += probs

    refs: dict[str, Any] = loaded["references"]
    if "references" in broken:  # do not report every citation of a file that failed to load
        refs = _AnyKey(refs)
    cited_on: dict[str, list[str]] = {}

    def used(key: str, page: str | None) -> None:
        if page and key in refs and page not in cited_on.setdefault(key, []):
            cited_on[key].append(page)

    def page_missing(rel: str, where: str, page: str) -> None:
        if page not in existing_pages:
            problems.append(Problem(rel, None, where, f"page '{page}' does not exist under docs/"))

    for ds in DATASETS:
        for rid, rec in loaded[ds.name].items():
            rel = origins[ds.name][rid]
            shown_on = ds.page_for(rid)
            for loc, text in walk_strings(rec):
                for key in CITE_IN_TEXT.findall(text):
                    if key not in refs:
                        problems.append(Problem(rel, None, f"{ds.name}[{rid}].{format_loc(loc)}",
                                                f"cites unknown reference '{key}' (not in references.yml)"))
                    used(key, shown_on)
            for i, page in enumerate(getattr(rec, "related_pages", None) or []):
                page_missing(rel, f"{ds.name}[{rid}].related_pages[{i}]", page)
            if isinstance(getattr(rec, "page", None), str):
                page_missing(rel, f"{ds.name}[{rid}].page", rec.page)
            for i, ex in enumerate(getattr(rec, "examples", None) or []):
                used(ex.source, shown_on)
                if ex.source not in refs:
                    problems.append(Problem(rel, None, f"{ds.name}[{rid}].examples[{i}].source",
                                            f"unknown reference '{ex.source}' (not in references.yml)"))
            if ds.name == "curriculum" and "templates" not in broken:
                problems += _check_materials(rel, rid, rec, loaded["templates"])
            if ds.name == "curriculum":
                for i, tid in enumerate(rec.take_home_templates):
                    if "templates" not in broken and tid not in loaded["templates"]:
                        problems.append(Problem(rel, None, f"curriculum[{rid}].take_home_templates[{i}]",
                                                f"unknown template '{tid}' (not in templates.yml)"))
                for i, key in enumerate(rec.references):
                    used(key, shown_on)
                    if key not in refs:
                        problems.append(Problem(rel, None, f"curriculum[{rid}].references[{i}]",
                                                f"unknown reference '{key}' (not in references.yml)"))
            if ds.name == "self_assessments":
                for dm in rec.domains:
                    for i, page in enumerate(dm.help_pages):
                        page_missing(rel, f"self_assessments[{rid}].domains[{dm.id}].help_pages[{i}]", page)
                    for i, sid in enumerate(dm.help_sessions):
                        if "curriculum" not in broken and sid not in loaded["curriculum"]:
                            problems.append(Problem(rel, None, f"self_assessments[{rid}].domains[{dm.id}].help_sessions[{i}]",
                                                    f"unknown curriculum session '{sid}'"))
        # Every record with a page of its own needs that page (upstream's, or the fork's under local/).
        if ds.title is not None:
            for rid in loaded[ds.name]:
                page = ds.page_for(rid)
                if page not in existing_pages and f"local/{page}" not in existing_pages:
                    rel = origins[ds.name][rid]
                    suggest = f"docs/local/{page}" if rel.startswith("docs/local/") else f"docs/{page}"
                    problems.append(Problem(rel, None, f"{ds.name}[{rid}]", f"has no page: create {suggest}"))
    numbers: dict[int, str] = {}
    for rid, x in loaded["curriculum"].items():
        if x.number in numbers:
            problems.append(Problem(origins["curriculum"][rid], None, f"curriculum[{rid}].number",
                                    f"session number {x.number} is already used by '{numbers[x.number]}'"))
        numbers[x.number] = rid

    # Settings that name files or pages.
    if settings is not None:
        def srel(key: str) -> str:
            return settings_origin.get(key, "docs/data/settings.yml")

        for key in ("logo", "favicon"):
            value = getattr(settings, key)
            if value and (docs / value) not in files:
                problems.append(Problem(srel(key), None, f"settings.{key}",
                                        f"file '{value}' does not exist under docs/ (or is not a plain file)"))
        for i, page in enumerate(settings.hidden_pages):
            if page not in existing_pages:  # upstream moved or removed it: say where, but build the site
                moved = redirects.get(page)
                warnings.append(f"{srel('hidden_pages')}: settings.hidden_pages[{i}]: '{page}' is not a page any more"
                                + (f"; upstream moved it to '{moved}': hide that instead" if moved else ""))

    # Citations in pages (only pages that run macros: elsewhere cite("...") is just text).
    for src, page in sorted(pages.items()):
        if page.raw_meta.get("render_macros") is not True:
            continue
        for lineno, line in enumerate(page.body.splitlines(), page.body_line):
            for args in CITE_IN_PAGE.findall(line):
                for key in re.findall(r"[\"']([^\"']+)[\"']", args):
                    used(key, src)
                    if key not in refs:
                        problems.append(Problem(_rel(docs / src, base), lineno, "cite",
                                                f"unknown reference '{key}' (not in references.yml)"))

    if settings is None or messages is None or problems:
        return None, problems
    assets = [p.relative_to(docs).as_posix() for p in files if p.suffix != ".md"]
    assets = [a for a in assets if not SOURCE_ONLY.match(a)]
    settings = settings.model_copy(update={"hidden_pages": [p for p in settings.hidden_pages if p in existing_pages]})
    site = Site(root=base, docs_dir=docs, settings=settings, settings_origin=settings_origin, origins=origins,
                page_files=pages, assets=assets, overdue=overdue, cited_on=cited_on,
                local_pages=sorted(p for p in existing_pages if p.startswith("local/")), messages=messages,
                redirects=redirects, language=language, warnings=warnings, **loaded)
    _fork_report(site, versions, docs, base)
    for path in sorted((docs / "messages").glob("*.yml")):
        data, _, probs = read_yaml(path, _rel(path, base))
        info = (data or {}).get("messages") if isinstance(data, dict) and not probs else None
        if isinstance(info, dict) and isinstance(info.get("language"), str):
            site.catalogues[info["language"]] = info.get("checked_by") if isinstance(info.get("checked_by"), str) else None
    return site, []



def _fork_report(site: Site, versions: dict[str, dict[str, str]], docs: Path, base: Path) -> None:
    """What a fork replaces, and what upstream has changed since the fork adapted it."""
    for src, page in sorted(site.page_files.items()):
        if page.replaces:
            site.replaced.append(f"page {src}")
            recorded = page.raw_meta.get("upstream_version")
            if recorded != page.upstream_hash:
                site.drift.append({"what": src, "kind": "page", "file": _rel(page.path, base),
                                   "recorded": recorded, "now": page.upstream_hash})
    for ds in DATASETS:
        for rid, rec in getattr(site, ds.name).items():
            if rid in versions[ds.name] and site.origins[ds.name][rid].startswith("docs/local/"):
                site.replaced.append(f"record {ds.name}/{rid}")
                if rec.upstream_version != versions[ds.name][rid]:
                    site.drift.append({"what": f"{ds.name}/{rid}", "kind": "record", "file": site.origins[ds.name][rid],
                                       "recorded": rec.upstream_version, "now": versions[ds.name][rid]})
    local_settings = docs / "local" / "settings.yml"
    if not local_settings.exists() or not any(o.startswith("docs/local/") for o in site.settings_origin.values()):
        return
    seen: set[str] = set()
    manifest = docs / "local" / "upstream.yml"
    if manifest.exists():
        data, lines, probs = read_yaml(manifest, _rel(manifest, base))
        if not probs:
            parsed, probs = validate(data, m.UpstreamFile, _rel(manifest, base), lines)
        if probs:
            site.warnings += [str(p) for p in probs]
        else:
            seen = set(parsed.upstream.settings_seen)
    upstream_keys = [k for k, origin in site.settings_origin.items() if origin.endswith("docs/data/settings.yml")]
    for key in sorted(set(upstream_keys) - seen):
        site.drift.append({"what": f"settings.{key}", "kind": "setting", "file": _rel(local_settings, base),
                           "recorded": None, "now": str(getattr(site.settings, key, ""))})
