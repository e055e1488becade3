"""The engines that turn the staged Markdown into a site, and the configuration written for them.

``mkdocs.yml`` is the engine configuration as maintainers write it. The *prepare* stage writes the
configuration the engine actually reads (``<stage>/mkdocs.yml``) from it and the settings: site name,
language, search language, colours, logo, copyright, repository, hidden pages and a fork's navigation.
Nothing changes an engine's configuration while it runs.

Each engine runs in its own locked environment: MkDocs in ``.venv`` (with the build itself);
ProperDocs and Zensical in ``.venv-<engine>``, created on first use from ``requirements-<engine>.lock``.
"""

from __future__ import annotations

import copy
import hashlib
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem, SiteError
from .loader import Site
from .safeio import Refused, parse_yaml, read_text


@dataclass(frozen=True)
class Engine:
    name: str
    command: str            # the program in its environment's bin/
    lock: str | None        # requirements file of its own environment (None: the build's own .venv)
    # Text the engine's templates print without escaping must be escaped before it reaches them.
    escapes_text: bool = False

    def venv(self, root: Path) -> Path | None:
        return root / f".venv-{self.name}" if self.lock else None


ENGINES: dict[str, Engine] = {
    "mkdocs": Engine("mkdocs", "mkdocs", None),
    "properdocs": Engine("properdocs", "properdocs", "requirements-properdocs.lock"),
    "zensical": Engine("zensical", "zensical", "requirements-zensical.lock"),
}


# --------------------------------------------------------------------------- the source configuration


class Tagged:
    """A YAML value with an application tag (``!ENV``, ``!!python/name:``), kept as it was written."""

    def __init__(self, tag: str, value: Any):
        self.tag, self.value = tag, value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Tagged) and (self.tag, self.value) == (other.tag, other.value)


class _ConfigLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    pass


def _tagged(loader, suffix, node):
    tag = node.tag
    if isinstance(node, yaml.ScalarNode):
        return Tagged(tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return Tagged(tag, loader.construct_sequence(node, deep=True))
    return Tagged(tag, loader.construct_mapping(node, deep=True))


_ConfigLoader.add_multi_constructor("!", _tagged)
_ConfigLoader.add_multi_constructor("tag:yaml.org,2002:python/", _tagged)


class _ConfigDumper(yaml.SafeDumper):
    pass


_ConfigDumper.add_representer(Tagged, lambda dumper, v: (
    dumper.represent_scalar(v.tag, v.value) if isinstance(v.value, str) else
    dumper.represent_sequence(v.tag, v.value) if isinstance(v.value, list) else
    dumper.represent_mapping(v.tag, v.value)))


def load_config(root: Path) -> dict:
    """The maintainers' ``mkdocs.yml``, parsed safely (tags kept, aliases and duplicate keys refused)."""
    rel = "mkdocs.yml"
    try:
        text = read_text(root / rel, rel, 1_000_000)
    except Refused as exc:
        raise SiteError([Problem(rel, None, "", str(exc))]) from None
    data, _, problems = parse_yaml(text, rel, loader_class=_ConfigLoader)
    if problems:
        raise SiteError(problems)
    if not isinstance(data, dict):
        raise SiteError([Problem(rel, 1, "", "expected the engine configuration as keys and values")])
    return data


def dump_config(config: dict) -> str:
    return yaml.dump(config, Dumper=_ConfigDumper, sort_keys=False, allow_unicode=True, width=120)


# --------------------------------------------------------------------------- text for templates

_AMBIGUOUS_AMP = re.compile(r"&(?=[A-Za-z0-9#])")


def theme_text(text: str) -> str:
    """Text for an engine template that prints it without escaping (Material prints page titles,
    the site name and the copyright as they are, in HTML text and in double-quoted attributes).

    ``<``, ``>`` and ``"`` become references; ``&`` only where it could start one, so an ordinary
    "A & B" is printed as it is where the template escapes and where it does not.
    """
    text = _AMBIGUOUS_AMP.sub("&amp;", text)
    return text.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


# --------------------------------------------------------------------------- the generated configuration


def _plugin_names(plugins) -> list[str]:
    return [next(iter(p)) if isinstance(p, dict) else p for p in plugins or []]


def nav_key(title: str) -> str:
    """The catalogue key of a navigation title in mkdocs.yml: "Programme leads" -> "nav.programme_leads"."""
    return "nav." + re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")


def engine_config(source: dict, site: Site, engine: Engine, site_dir: Path, languages: list[str] | None = None
                  ) -> dict:
    """The configuration the engine reads, from the maintainers' file and the settings.

    ``languages``: every language the site is published in (the site's own first); the one being built
    is ``site.language``. Each gets a language switcher entry.
    """
    s = site.settings
    msg = site.messages
    text = (lambda v: v) if engine.escapes_text else theme_text
    cfg = copy.deepcopy(source)
    cfg.pop("hooks", None)
    cfg["docs_dir"] = "docs"
    # Zensical accepts only a site folder inside the configuration's folder: it builds into the
    # staging tree and the build moves the result into place.
    cfg["site_dir"] = "site" if engine.name == "zensical" else str(site_dir)
    if not cfg.get("site_url"):
        cfg.pop("site_url", None)  # "" would give Zensical root-relative canonical links
    cfg["site_name"] = text(s.programme_name)
    # Upstream's footer is neutral; a copy that names its institution says who runs it and how to reach them.
    own = site.settings_origin.get("institution", "").startswith("docs/local/")
    cfg["copyright"] = text(msg.text("site.copyright_local" if own else "site.copyright",
                                     programme=s.programme_name, institution=s.institution,
                                     licence=s.licence, contact=s.contact_name, email=s.contact_email))
    if s.repo_url:
        cfg["repo_url"] = s.repo_url
        path = s.repo_url.split("://", 1)[1].split("/", 1)
        cfg["repo_name"] = text((path[1].strip("/").removesuffix(".git") if len(path) > 1 else "") or path[0])
        cfg["edit_uri"] = "edit/main/docs/"
    # Plugins: only the engine's own search; the build has already run everything else.
    plugins = []
    for p in cfg.get("plugins") or []:
        name = next(iter(p)) if isinstance(p, dict) else p
        if name in ("search", "material/search"):
            options = dict(p[name] or {}) if isinstance(p, dict) else {}
            lang = site.language.split("-")[0]
            options["lang"] = [lang] if lang == "en" else [lang, "en"]
            plugins.append({name: options})
        elif name != "macros":
            plugins.append(p)
    if engine.name == "zensical":
        plugins.append("offline")  # writes search.js, which the offline copy's search loads from file://
    cfg["plugins"] = plugins
    exts = []
    for ext in cfg.get("markdown_extensions") or []:
        name = next(iter(ext)) if isinstance(ext, dict) else ext
        if name != "pymdownx.snippets":  # the build has already included every snippet
            exts.append(ext)
    cfg["markdown_extensions"] = exts
    theme = cfg.setdefault("theme", {})
    theme["custom_dir"] = "overrides"
    theme["language"] = site.language
    if s.logo:
        theme["logo"] = s.logo
    if s.favicon:
        theme["favicon"] = s.favicon
    extra = cfg.setdefault("extra", {}) or {}
    cfg["extra"] = extra
    extra["ms_theme"] = {"primary": s.primary_colour, "accent": s.accent_colour}
    if languages and len(languages) > 1:
        extra["alternate"] = [{"name": text(language_name(code)), "lang": code,
                               "link": alternate_root(site.language, code, languages[0])} for code in languages]

    # The strings site.js shows and the theme overrides print (catalogue keys js.*, notfound.*), and whether
    # the header may fetch repository stats (overrides/partials/source.html).
    extra["ms_strings"] = {k: v for k, v in msg.strings.items() if k.startswith(("js.", "notfound."))}
    extra["ms_repo_stats"] = bool(s.repo_url and s.repo_stats)
    if engine.name == "zensical":
        theme.setdefault("variant", "classic")
    nav = cfg.get("nav")
    if nav is not None:
        cfg["nav"] = navigation(nav, site, text)
    if s.hidden_pages:
        cfg["not_in_nav"] = "\n".join([*(cfg.get("not_in_nav") or "").splitlines(), *("/" + p for p in sorted(s.hidden_pages))])
    return cfg


def navigation(nav: list, site: Site, text) -> list:
    """The navigation without hidden pages, with a fork's own pages (nested by folder) and templates."""
    s = site.settings
    hidden = set(s.hidden_pages)
    nav = _translated(_without(nav, hidden), site.messages, text)
    local = [p for p in site.local_pages if p not in hidden]
    section = text(s.local_section_title or site.messages.text("nav.local"))
    # A fork's own templates are listed with the others, in a section of the Templates tab.
    templates = sorted(p for p in local if p.startswith("local/templates/") and p.count("/") == 2)
    if templates and _add_to_section(nav, "templates/index.md", {section: templates}):
        local = [p for p in local if p not in templates]
    if local:
        nav.append({section: _local_nav(local, site, text)})
    return nav


def _translated(nav: list, messages, text) -> list:
    """Section titles (and titled entries) of mkdocs.yml in the language being built, from the catalogue."""
    out = []
    for item in nav:
        if isinstance(item, dict):
            out.append({text(messages.text(nav_key(k)) if nav_key(k) in messages.strings else k):
                        _translated(v, messages, text) if isinstance(v, list) else v for k, v in item.items()})
        else:
            out.append(item)
    return out


def language_name(code: str, in_language: str | None = None, capital: bool = True) -> str:
    """A language's name, in that language ("Français", "English", "日本語") or in another ("anglais")."""
    from babel import Locale, UnknownLocaleError

    try:
        name = Locale.parse(code.split("-")[0]).get_language_name(Locale.parse((in_language or code).split("-")[0]))
    except (UnknownLocaleError, ValueError):
        name = None
    name = name or code
    return name[:1].upper() + name[1:] if capital else name


def alternate_root(building: str, target: str, primary: str) -> str:
    """Path from the root of the site being built to the root of another language's site (the site's
    own language at the top, each other language in /<code>/); "" for the site being built."""
    if target == building:
        return ""
    return ("" if building == primary else "../") + ("" if target == primary else f"{target}/")


def _add_to_section(nav: list, member: str, entry: dict) -> bool:
    """Append ``entry`` to the top-level section that lists ``member``; False if there is none."""
    for item in nav:
        if isinstance(item, dict):
            for value in item.values():
                if isinstance(value, list) and member in value:
                    value.append(entry)
                    return True
    return False


def _local_nav(pages: list[str], site: Site, text) -> list:
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
            title = site.title_of(index) if index in site.page_files else folder.replace("-", " ").capitalize()
            here.append({text(title): tree(inside, depth + 1)})
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


def nav_pages(nav) -> list[str]:
    """Source paths in a navigation, in order."""
    out: list[str] = []
    for item in nav or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                out += nav_pages(value) if isinstance(value, list) else [value]
    return out


# --------------------------------------------------------------------------- environments and runs


def _lock_key(root: Path, engine: Engine) -> str:
    h = hashlib.sha256((root / engine.lock).read_bytes())  # type: ignore[operator]
    h.update(sys.version.encode())
    return h.hexdigest()


def ensure_environment(root: Path, engine: Engine) -> Path:
    """The engine's program, creating its environment from its hashed lock file on first use."""
    venv = engine.venv(root)
    if venv is None:
        return Path(sys.executable).parent / engine.command
    stamp = venv / ".installed"
    key = _lock_key(root, engine)
    program = venv / "bin" / engine.command
    if stamp.is_file() and stamp.read_text(encoding="utf-8") == key and program.exists():
        return program
    print(f"Creating {venv.name} for {engine.name} from {engine.lock} (first use only)...", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
    result = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                             "--require-hashes", "--no-deps", "-r", str(root / engine.lock)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        tail = "\n".join(line for line in (result.stdout + result.stderr).splitlines() if "is ignored" not in line)[-2000:]
        raise SiteError([Problem(engine.lock, None, "", f"could not install the {engine.name} environment:\n{tail}")])
    stamp.write_text(key, encoding="utf-8")
    return program


def run(engine: Engine, root: Path, config_file: Path, site_dir: Path, strict: bool = True) -> None:
    """Build the staged site with the engine; its messages go to this process's output."""
    program = ensure_environment(root, engine)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    if engine.name == "zensical":
        # Its --strict ends in a traceback; its "N issues found" line is read instead.
        cmd = [str(program), "build", "--config-file", str(config_file)]
    else:
        cmd = [str(program), "build", "--config-file", str(config_file), "--site-dir", str(site_dir)]
        if strict:
            cmd.append("--strict")
    result = subprocess.run(cmd, cwd=config_file.parent, env=env, capture_output=True, text=True)
    output = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr).strip()
    if output:
        print(output, file=sys.stderr)
    if result.returncode != 0:
        raise SiteError([Problem(engine.name, None, "", f"the {engine.name} build failed (exit code {result.returncode}); "
                                                        "its messages are above")])
    issues = re.search(r"^(\d+) issues? found", output, re.M)
    if engine.name == "zensical":
        if strict and issues and int(issues.group(1)):
            raise SiteError([Problem(engine.name, None, "", f"the zensical build found {issues.group(1)} problem(s) "
                                                            "(above)")])
        _move_site(config_file.parent / "site", site_dir)


def _move_site(built: Path, site_dir: Path) -> None:
    """Put a site built inside the staging tree where the build was asked to put it."""
    import shutil

    if site_dir.exists():
        shutil.rmtree(site_dir)
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(built, site_dir)
    except OSError:  # another file system
        shutil.copytree(built, site_dir)
        shutil.rmtree(built)
