"""The macros module (``module_name: macros``): a thin adapter over pure functions.

``define_env`` loads and validates everything once per build (``loader.load_site``) and
registers the macros pages call. Any problem stops the build with one line per problem
(``errors.SiteError``); a page asking for an unknown id is recorded, shown on the page
and reported at the end of the build, together with every other such page.
"""

from __future__ import annotations

import logging
from pathlib import Path

from . import book, downloads, hooks, opendata, render
from .errors import Problem, SiteError
from .loader import Site, load_site

# Outside the "mkdocs" logger tree on purpose: an overdue review is reported on every build
# but does not abort a --strict build (set review_overdue: error in the settings for that).
REVIEW_LOG = logging.getLogger("mentoring.review")
if not REVIEW_LOG.handlers:
    _h = logging.StreamHandler()
    _h.setFormatter(logging.Formatter("WARNING -  %(message)s"))
    REVIEW_LOG.addHandler(_h)
    REVIEW_LOG.propagate = False

_PAGE_ERRORS: list[Problem] = []
_STASHED_PAGES: list = []  # pages whose block macros left placeholders for macros/hooks.py
_PENDING: downloads.Pending | None = None  # downloads of the current build


def _install_error_format() -> None:
    """Make macro rendering errors (undefined variables, bad calls) one readable line, no traceback."""
    try:
        from mkdocs_macros.errors import format_error
    except ImportError:  # pragma: no cover
        return

    @format_error.register
    def _one_line(error: Exception, markdown: str, page) -> str:
        lineno = None
        tb = error.__traceback__
        while tb is not None:
            if tb.tb_frame.f_code.co_filename == "<template>":
                lineno = tb.tb_lineno
            tb = tb.tb_next
        where = f"docs/{page.file.src_path}" + (f":{lineno}" if lineno else "")
        message = str(getattr(error, "message", None) or error)
        return f"{where}: macro error: {message} ({type(error).__name__})"


def define_env(env) -> None:
    _install_error_format()
    _PAGE_ERRORS.clear()
    _STASHED_PAGES.clear()
    docs_dir = Path(env.conf["docs_dir"])
    root = Path(env.conf["config_file_path"]).parent if env.conf.get("config_file_path") else docs_dir.parent
    site, problems = load_site(docs_dir, root)
    if problems:
        raise SiteError(problems)
    assert site is not None
    _report_overdue(site)

    s = site.settings
    env.variables["settings"] = s.model_dump()
    env.conf["site_name"] = s.programme_name
    env.conf["copyright"] = (f"{s.programme_name}, {s.institution}. Content {s.licence}; code MIT. "
                             f"Contact: {s.contact_name} ({s.contact_email})")
    env.conf["extra"]["ms_theme"] = {"primary": s.primary_colour, "accent": s.accent_colour}
    _apply_fork_settings(env.conf, site)
    if s.repo_url:
        from urllib.parse import urlsplit

        env.conf["repo_url"] = s.repo_url
        # MkDocs names the repository from repo_url while it validates the config, before this
        # runs; without a name Material would show "None" next to the repository icon.
        parts = urlsplit(s.repo_url)
        env.conf["repo_name"] = parts.path.strip("/").removesuffix(".git") or parts.netloc
        env.conf["edit_uri"] = "edit/main/docs/"
    state: dict = {"site": site, "downloads": None, "titles": _data_page_titles(site)}
    env.variables["_mentoring_state"] = state
    # Generate the downloads in worker processes while the pages are rendered.
    global _PENDING
    if _PENDING is not None:  # an earlier build (live reload) that stopped with an error
        _PENDING.cancel()
    _PENDING = pending = downloads.start(site, root / ".cache" / "downloads")

    def page_src() -> str:
        return env.page.file.src_uri

    def guarded(fn):
        """Record a page's request for an unknown id instead of raising a traceback."""
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except render.UnknownId as exc:
                src = env.page.file.src_path
                _PAGE_ERRORS.append(Problem(f"docs/{src}", _line_of(env, fn.__name__), fn.__name__, str(exc)))
                return f'<p class="ms-error"><strong>Build error:</strong> {render.escape(str(exc))}</p>'
        wrapper.__name__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        return wrapper

    def stashed(fn):
        """Block HTML skips Python-Markdown: the page gets a placeholder, and macros/hooks.py puts
        the HTML back once the page is converted (parsing large HTML blocks was most of the
        Markdown time of data pages)."""
        def wrapper(*args, **kwargs):
            if env.page not in _STASHED_PAGES:
                _STASHED_PAGES.append(env.page)
            return hooks.stash(env.page, fn(*args, **kwargs))
        wrapper.__name__ = fn.__name__
        wrapper.__doc__ = fn.__doc__
        return wrapper

    def sizes() -> dict[str, int]:
        return {k: len(v) for k, v in files().items()}

    def files() -> dict[str, bytes]:
        if state["downloads"] is None:
            state["downloads"] = {**pending.result(), **opendata.data_files(site)}
        return state["downloads"]

    @env.macro
    @guarded
    def cite(*keys: str) -> str:
        """In-text citation with its evidence label: cite("straus2013", "cho2011")."""
        return render.cite_md(site, keys, page_src())

    @env.macro
    @stashed
    @guarded
    def checklist(checklist_id: str) -> str:
        """An interactive checklist from checklists.yml."""
        return render.checklist(site, checklist_id, page_src())

    @env.macro
    @stashed
    @guarded
    def template_page(template_id: str) -> str:
        """A template's page body: purpose, downloads and the on-screen form."""
        return render.template_page(site, template_id, page_src(), sizes())

    @env.macro
    @stashed
    @guarded
    def template_library() -> str:
        """Table of every template with links to each format and its size."""
        return render.template_library(site, page_src(), sizes())

    @env.macro
    @stashed
    @guarded
    def reference_library() -> str:
        """The reference library, generated from references.yml."""
        return render.reference_library(site, page_src(), site.cited_on)

    @env.macro
    @stashed
    @guarded
    def programme_models_table() -> str:
        """Comparison table of every programme model."""
        return render.programme_models_table(site, page_src())

    @env.macro
    @stashed
    @guarded
    def programme_model(model_id: str) -> str:
        """One programme model's page body."""
        return render.programme_model(site, model_id, page_src())

    @env.macro
    @stashed
    @guarded
    def case_studies() -> str:
        """Every case study from case_studies.yml."""
        return render.case_studies(site, page_src())

    @env.macro
    @guarded
    def session_page(session_id: str) -> str:
        """A curriculum session's page body."""
        return render.session_page(site, session_id, page_src())

    @env.macro
    @guarded
    def curriculum_table() -> str:
        """The course sequence with links to each session and its facilitator guide."""
        return render.curriculum_table(site, page_src())

    @env.macro
    @stashed
    @guarded
    def course_pack_links() -> str:
        """Download buttons for the whole course pack."""
        return render.course_pack_links(page_src())

    @env.macro
    @stashed
    @guarded
    def self_assessment(assessment_id: str) -> str:
        """An interactive self-assessment form."""
        return render.self_assessment(site, assessment_id, page_src())

    env.variables["course_minutes"] = render.curriculum_totals(site)
    env.variables["_mentoring_files"] = files


def _apply_fork_settings(conf, site: Site) -> None:
    """Carry the settings into the engine: theme language, logo, search language, navigation."""
    s = site.settings
    theme = conf["theme"]
    theme["language"] = s.language
    if s.logo:
        theme["logo"] = s.logo
    if s.favicon:
        theme["favicon"] = s.favicon
    plugins = conf["plugins"]
    search = next((plugins[k] for k in ("material/search", "search") if k in plugins), None)
    if search is not None and "lang" in search.config:
        lang = s.language.split("-")[0]
        search.config["lang"] = [lang] if lang == "en" else [lang, "en"]
    nav = conf.get("nav")
    if nav is None:
        return
    hidden = set(s.hidden_pages)
    nav = _without(nav, hidden)
    local = [p for p in site.local_pages if p not in hidden]
    # A fork's own templates are listed with the others, in a section of the Templates tab.
    templates = sorted(p for p in local if p.startswith("local/templates/") and p.count("/") == 2)
    if templates and _add_to_section(nav, "templates/index.md", {s.local_section_title: templates}):
        local = [p for p in local if p not in templates]
    if local:
        nav.append({s.local_section_title: _local_nav(local, site)})
    conf["nav"] = nav
    if hidden:
        import pathspec

        extra = pathspec.gitignore.GitIgnoreSpec.from_lines(["/" + p for p in sorted(hidden)])
        conf["not_in_nav"] = conf["not_in_nav"] + extra if conf.get("not_in_nav") else extra


def _add_to_section(nav: list, member: str, entry: dict) -> bool:
    """Append ``entry`` to the top-level section that lists ``member``; False if there is none."""
    for item in nav:
        if isinstance(item, dict):
            for value in item.values():
                if isinstance(value, list) and member in value:
                    value.append(entry)
                    return True
    return False


def _local_nav(pages: list[str], site: Site) -> list:
    """A fork's pages, nested by folder at every depth (docs/local/<folder>/<sub>/...).

    Each folder is a section of the local tab, listing its pages and, folded, its sub-folders:
    navigation.prune leaves a folded folder's pages out of every page outside it, so a page's
    navigation stays small however many pages the fork adds. A folder's index.md gives its title.
    """
    def tree(members: list[str], depth: int) -> list:
        here: list = []
        folders: dict[str, list[str]] = {}
        for page in members:
            parts = page.split("/")
            if len(parts) == depth + 1:
                here.append(page)
            else:
                folders.setdefault(parts[depth], []).append(page)
        here.sort(key=lambda p: (not p.endswith("/index.md"), p))
        for folder, inside in sorted(folders.items()):
            index = "/".join(inside[0].split("/")[:depth + 1]) + "/index.md"
            title = site.pages[index].title if index in site.pages else folder.replace("-", " ").capitalize()
            here.append({title: tree(inside, depth + 1)})
        return here

    return tree(pages, 1)


def _without(nav, hidden: set[str]):
    """The navigation without the hidden pages (and without sections left empty)."""
    out = []
    for item in nav:
        if isinstance(item, str):
            if item not in hidden:
                out.append(item)
        elif isinstance(item, dict):
            kept = {}
            for title, value in item.items():
                if isinstance(value, list):
                    value = _without(value, hidden)
                    if value:
                        kept[title] = value
                elif value not in hidden:
                    kept[title] = value
            if kept:
                out.append(kept)
    return out


def _data_page_titles(site: Site) -> dict[str, tuple[str, str | None]]:
    """Pages that show one record get their title (and description) from the data, so a fork that
    replaces a record by id changes its page too."""
    from .text import plain

    out: dict[str, tuple[str, str | None]] = {}
    for t in site.templates.values():
        out[site.page_of("templates", t.id)] = (plain(t.title), plain(t.purpose)[:200])
    for pm in site.programme_models.values():
        out[site.page_of("programme_models", pm.id)] = (plain(pm.name), None)
    for x in site.curriculum.values():
        out[site.page_of("curriculum", x.id)] = (f"Session {x.number}: {plain(x.title)}", None)
    for sa in site.self_assessments.values():
        out[site.page_of("self_assessments", sa.id)] = (plain(sa.title), None)
    return out


def on_pre_page_macros(env) -> None:
    """Every page (rendered or not): titles of data pages from the data; hidden pages out of search."""
    state = env.variables.get("_mentoring_state")
    if not state:
        return
    src = env.page.file.src_uri
    if src in state["titles"]:
        title, description = state["titles"][src]
        env.page.title = title
        env.page.meta["title"] = title
        if description and len(description) >= 20:
            env.page.meta["description"] = description
    if src in state["site"].settings.hidden_pages:
        env.page.meta["search"] = {"exclude": True}


def _line_of(env, name: str) -> int | None:
    try:
        for i, line in enumerate(env.raw_markdown.splitlines(), 1):
            if f"{name}(" in line:
                return i + _front_matter_lines(env)
    except AttributeError:
        pass
    return None


def _front_matter_lines(env) -> int:
    try:
        text = Path(env.page.file.abs_src_path).read_text(encoding="utf-8")
        raw = env.raw_markdown
        return text[: len(text) - len(raw)].count("\n") if text.endswith(raw) else 0
    except (AttributeError, OSError, TypeError):
        return 0


def _report_overdue(site: Site) -> None:
    if not site.overdue:
        return
    msg = f"Review overdue for {len(site.overdue)} page(s): " + "; ".join(site.overdue)
    if site.settings.review_overdue == "error":
        raise SiteError([Problem("docs/data/settings.yml", None, "review_overdue", msg)])
    REVIEW_LOG.warning(msg)


def on_post_build(env) -> None:
    """Write every download into the built site, then fail if any page asked for an unknown id."""
    if _PAGE_ERRORS:
        problems = list(_PAGE_ERRORS)
        _PAGE_ERRORS.clear()
        if _PENDING is not None:
            _PENDING.cancel()
        raise SiteError(problems)
    lost = [p.file.src_uri for p in _STASHED_PAGES if not hooks.all_restored(p)]
    _STASHED_PAGES.clear()
    if lost:
        if _PENDING is not None:
            _PENDING.cancel()
        raise SiteError([Problem("mkdocs.yml", None, "hooks",
                                 f"expected macros/hooks.py in the hooks list: without it {len(lost)} page(s) "
                                 f"lose the HTML their macros made ({', '.join(lost[:3])})")])
    files = env.variables["_mentoring_files"]()
    site_dir = Path(env.conf["site_dir"])
    for rel, data in files.items():
        _write_if_changed(site_dir / rel, data)
    book.assemble(site_dir, book.flatten_nav(env.conf["nav"]))
    _write_if_changed(site_dir / OFFLINE_ZIP, book.offline_zip(site_dir, "mentoring-site", OFFLINE_ZIP))


OFFLINE_ZIP = "downloads/offline/mentoring-site.zip"


def _write_if_changed(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
