"""The build, owned by one object in three stages.

``Build`` holds all the state of one build. Each stage can run on its own (``python -m macros
prepare|engine|finish``) and ``python -m macros build`` (``make build``) runs all three:

1. **prepare**: load and validate everything once (:mod:`macros.loader`); render every page to
   Markdown in a staging tree (``.build/stage-<engine>/docs``: macros run, settings escaped, front
   matter kept); copy the other files and the theme overrides; write the engine's configuration
   (``.build/stage-<engine>/mkdocs.yml``) from ``mkdocs.yml`` and the settings; start generating the
   downloads in worker processes.
2. **engine**: MkDocs (default), ProperDocs or Zensical builds the staging tree into ``site/``
   (``make build ENGINE=...``); it sees plain Markdown and a plain configuration, no plugins of ours.
3. **finish**: downloads, open data, file sizes on the pages, print books and the offline zip,
   written into the built site from the same models, whatever the engine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import fcntl
import logging
import os
import re
import shutil
import sys
import time
from pathlib import Path

from . import book, csp, downloads, engines, opendata, render, tasklists
from .cache import write_atomic
from .i18n import direction as text_direction
from .errors import Problem, SiteError
from .loader import Site, load_site
from .pages import PageRenderer
from .safeio import MAX_FILE_BYTES, Refused, read_bytes, walk
from .text import plain

LOG = logging.getLogger("mentoring.build")
OFFLINE_ZIP = "downloads/offline/mentoring-site.zip"
SIZE = re.compile(r'(<span class="ms-size" data-ms-size="([^"]+)">)(</span>)')
HTML_TAG = re.compile(r"<html\b([^>]*)>")
DIR_ATTR = re.compile(r'\sdir="[^"]*"')
ARTICLE_OPEN = '<article class="md-content__inner md-typeset">'


class Build:
    """One build of one project: its options, what each stage found, and the files it wrote."""

    def __init__(self, root: Path, site_dir: Path | None = None, engine: str = "mkdocs", stage: Path | None = None,
                 serve: bool = False, workers: int | None = None, language: str | None = None,
                 languages: list[str] | None = None, with_downloads: bool = True):
        if engine not in engines.ENGINES:
            raise SiteError([Problem("ENGINE", None, "", f"unknown engine '{engine}'; expected one of: "
                                                         + ", ".join(engines.ENGINES))])
        self.root = root.resolve()
        self.engine = engines.ENGINES[engine]
        self.language = language            # None: the site's own language
        self.languages = languages or []    # every language published, the site's own first
        self.site_dir = (site_dir or self.root / "site").resolve()
        suffix = f"-{language}" if language else ""
        self.stage = (stage or self.root / ".build" / f"{'serve' if serve else 'stage'}-{engine}{suffix}").resolve()
        self.cache_dir = self.root / ".build" / "cache" / "downloads"
        self.serve = serve
        self.workers = workers
        self.with_downloads = with_downloads  # False only for benchmarks ("the build without downloads")
        self.site: Site | None = None
        self.config: dict | None = None          # the configuration written for the engine
        self.pending: downloads.Pending | None = None
        self.staged: dict[str, bytes] = {}       # staged page -> its Markdown, as last written
        self.timings: dict[str, float] = {}
        self._lock = None

    # ----------------------------------------------------------------- helpers

    def _timed(self, name: str, start: float) -> None:
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - start

    def lock(self) -> None:
        """One build at a time per staging tree; a second one stops with a clear message."""
        if self._lock is not None:
            return
        self.stage.mkdir(parents=True, exist_ok=True)
        handle = open(self.stage / ".lock", "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise SiteError([Problem(self.stage.relative_to(self.root).as_posix() if self.stage.is_relative_to(self.root)
                                     else str(self.stage), None, "",
                                     f"another build is using this staging folder (process {holder}); "
                                     "wait for it to finish, or stop it")]) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    def unlock(self) -> None:
        if self._lock is not None:
            self._lock.close()
            self._lock = None

    def load(self) -> Site:
        start = time.perf_counter()
        site, problems = load_site(self.root / "docs", self.root, language=self.language)
        self._timed("load", start)
        if problems:
            raise SiteError(problems)
        assert site is not None
        self.site = site
        return site

    # ----------------------------------------------------------------- prepare

    def prepare(self) -> None:
        """Validate everything, stage every page and file, write the engine configuration."""
        self.lock()
        site = self.load()
        self._report_overdue(site)
        self._report_fork(site)
        if self.with_downloads and (self.pending is None or self._downloads_changed(site)):
            if self.pending is not None:  # a live reload whose data changed: the old workers are not wanted
                self.pending.cancel()
            start = time.perf_counter()
            self.pending = downloads.start(site, self.cache_dir, self.workers)
            self._timed("downloads (start)", start)
        start = time.perf_counter()
        pages = self._render_pages(site)
        self._timed("pages", start)
        start = time.perf_counter()
        docs = self.stage / "docs"
        keep = set(pages)
        for src, text in pages.items():
            data = text.encode("utf-8")
            if self.staged.get(src) != data:
                write_atomic(docs / src, data)
                self.staged[src] = data
        for rel in site.assets:
            self._copy(site.docs_dir / rel, docs / rel, f"docs/{rel}")
            keep.add(rel)
        self._copy_overrides()
        self._remove_stale(docs, keep)
        source = engines.load_config(self.root)
        self.config = engines.engine_config(source, site, self.engine, self.site_dir, self.languages)
        write_atomic(self.stage / "mkdocs.yml", engines.dump_config(self.config).encode("utf-8"))
        self._timed("stage", start)

    def _downloads_changed(self, site: Site) -> bool:
        assert self.pending is not None
        return downloads.documents(site) != self.pending.jobs

    def _report_fork(self, site: Site) -> None:
        """What upstream changed since a fork adapted it (and what moved), on every build (once: with
        the site's own language)."""
        if self.language:
            return
        for warning in site.warnings:
            LOG.warning("%s", warning)
        if site.replaced and site.language == site.settings.language:
            LOG.info("This copy replaces %d upstream page(s) and record(s): %s", len(site.replaced),
                     ", ".join(site.replaced))
        unseen = [d for d in site.drift if d["kind"] == "setting"]
        if unseen:
            LOG.warning("Upstream settings this copy has not set or seen (they show upstream's defaults, in English): "
                        "%s. Set them in %s, or keep the defaults with: make accept WHAT=settings",
                        ", ".join(d["what"].removeprefix("settings.") for d in unseen), unseen[0]["file"])
        for d in site.drift:
            if d["kind"] == "setting":
                continue
            if d["recorded"] is None:
                LOG.warning("%s replaces the upstream %s %s but does not say which version it was made from; "
                            "after checking it: make accept WHAT=%s", d["file"], d["kind"], d["what"], d["what"])
            else:
                LOG.warning("Upstream changed the %s %s since %s was made from it (%s -> %s): compare them, update "
                            "your copy, then: make accept WHAT=%s", d["kind"], d["what"], d["file"], d["recorded"],
                            d["now"], d["what"])

    def _report_overdue(self, site: Site) -> None:
        if not site.overdue:
            return
        msg = f"Review overdue for {len(site.overdue)} page(s): " + "; ".join(site.overdue)
        if site.settings.review_overdue == "error":
            raise SiteError([Problem(site.settings_origin.get("review_overdue", "docs/data/settings.yml"), None,
                                     "review_overdue", msg)])
        LOG.warning(msg)

    def _render_pages(self, site: Site) -> dict[str, str]:
        """Every page's staged Markdown: front matter for the engine, body with macros run, review dates."""
        renderer = PageRenderer(site)
        text = (lambda v: v) if self.engine.escapes_text else engines.theme_text
        msg = site.messages
        record_pages = self._record_pages(site)
        hidden = set(site.settings.hidden_pages)
        site_url = str(engines.load_config(self.root).get("site_url") or "")
        out = {}
        for src, page in site.page_files.items():
            title, description = record_pages.get(src, (page.meta.title, page.meta.description))
            meta = renderer.front_matter(page, title, description, text, src in hidden)
            body = renderer.body(page)
            if page.language.split("-")[0] != site.language.split("-")[0]:
                body = str(render.partial(site, "untranslated", lang=site.language,
                                          language=engines.language_name(site.language, capital=False),
                                          original=engines.language_name(page.language, site.language, False))
                           ) + "\n\n" + str(body)
            review = render.partial(site, "review", last=msg.date(page.meta.last_reviewed),
                                    last_iso=page.meta.last_reviewed.isoformat(),
                                    next=msg.date(page.meta.next_review_due),
                                    next_iso=page.meta.next_review_due.isoformat(), by=page.meta.reviewed_by,
                                    external=self._external(page.meta.external_review, msg),
                                    report=render.report_link(site, plain(title), src, site_url))
            out[src] = "---\n" + engines.dump_config(meta) + "---\n\n" + str(body).rstrip("\n") + "\n\n" + str(review) + "\n"
        if renderer.problems:
            raise SiteError(renderer.problems)
        return out

    @staticmethod
    def _external(review, msg) -> dict | None:
        if review is None:
            return None
        return {"reviewer": review.reviewer, "role": review.role, "date": msg.date(review.date),
                "iso": review.date.isoformat()}

    @staticmethod
    def _record_pages(site: Site) -> dict[str, tuple[str, str]]:
        """Pages that show one record take their title (and a template its description) from the data,
        so a fork that replaces a record by id changes its page too."""
        msg = site.messages
        out: dict[str, tuple[str, str]] = {}

        def own(src: str) -> str:
            return site.page_files[src].meta.description if src in site.page_files else ""

        for t in site.templates.values():
            src = site.page_of("templates", t.id)
            purpose = plain(t.purpose)
            out[src] = (plain(t.title), purpose if len(purpose) <= 300 else purpose[:297] + "...")
        for pm in site.programme_models.values():
            src = site.page_of("programme_models", pm.id)
            out[src] = (plain(pm.name), own(src))
        for x in site.curriculum.values():
            src = site.page_of("curriculum", x.id)
            out[src] = (msg.text("session.title", number=x.number, title=plain(x.title)), own(src))
        for sa in site.self_assessments.values():
            src = site.page_of("self_assessments", sa.id)
            out[src] = (plain(sa.title), own(src))
        return out

    def _copy(self, source: Path, target: Path, rel: str) -> None:
        """Copy one file into the staging tree when it changed (by size and modification time)."""
        try:
            st = source.stat()
            if st.st_size > MAX_FILE_BYTES:
                raise Refused(f"is {st.st_size:,} bytes; the limit for a published file is {MAX_FILE_BYTES:,}")
            try:
                tt = target.stat()
                if tt.st_size == st.st_size and tt.st_mtime_ns == st.st_mtime_ns:
                    return
            except FileNotFoundError:
                pass
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target, follow_symlinks=True)
        except Refused as exc:
            raise SiteError([Problem(rel, None, "", str(exc))]) from None
        except OSError as exc:
            raise SiteError([Problem(rel, None, "", f"cannot be copied ({exc.strerror or exc})")]) from None

    def _copy_overrides(self) -> None:
        """The theme overrides (upstream's and a fork's overrides/local/), but not our renderers' partials."""
        source = self.root / "overrides"
        files, problems = walk(source, self.root)
        if problems:
            raise SiteError(problems)
        keep = set()
        for path in files:
            rel = path.relative_to(source).as_posix()
            if rel.startswith("local/partials/"):
                continue
            if rel == "partials/search.html" and self.engine.name == "zensical":
                continue  # Material's search form; Zensical's search needs its own (which has the label)
            self._copy(path, self.stage / "overrides" / rel, f"overrides/{rel}")
            keep.add(rel)
        self._remove_stale(self.stage / "overrides", keep)

    @staticmethod
    def _remove_stale(folder: Path, keep: set[str]) -> None:
        if not folder.is_dir():
            return
        for path in sorted(folder.rglob("*"), reverse=True):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and rel not in keep and not rel.startswith("."):
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()

    # ----------------------------------------------------------------- engine

    def run_engine(self) -> None:
        start = time.perf_counter()
        config = self.stage / "mkdocs.yml"
        if not config.is_file():
            raise SiteError([Problem(str(config), None, "", "is missing: run the prepare stage first")])
        engines.run(self.engine, self.root, config, self.site_dir)
        self._timed("engine", start)

    # ----------------------------------------------------------------- finish

    def files(self) -> dict[str, bytes]:
        """Every generated file (downloads and open data), keyed by its path in the site."""
        site = self.site or self.load()
        if self.pending is None and self.with_downloads:
            self.pending = downloads.start(site, self.cache_dir, self.workers)
        start = time.perf_counter()
        files = {**(self.pending.result() if self.pending else {}), **opendata.data_files(site)}
        self._timed("downloads", start)
        return files

    def stage_downloads(self) -> None:
        """For an engine's own live server: the generated files go into the staging tree it serves."""
        for rel, data in self.files().items():
            write_atomic(self.stage / "docs" / rel, data)

    def finish(self, books: bool = True, offline: bool = True, downloads: bool = True) -> None:
        """Downloads, open data, file sizes, print books and the offline zip, into the built site."""
        site = self.site or self.load()
        if self.config is None:
            self.config = engines.load_config(self.stage) if (self.stage / "mkdocs.yml").is_file() else None
        if downloads:
            files = self.files()
            start = time.perf_counter()
            for rel, data in files.items():
                write_atomic(self.site_dir / rel, data)
            self._finish_pages(site, {rel: len(data) for rel, data in files.items()})
            self._timed("write", start)
        self._write_redirects(site)
        tasklists.apply(self.site_dir)
        if books:
            start = time.perf_counter()
            self._write_books(site, pdfs=downloads and self.with_downloads)
            self._timed("books", start)
        csp.apply(self.site_dir, repo_stats=bool(site.settings.repo_url and site.settings.repo_stats), serve=self.serve)
        if offline:
            start = time.perf_counter()
            write_atomic(self.site_dir / OFFLINE_ZIP, book.offline_zip(self.site_dir, "mentoring-site", OFFLINE_ZIP,
                                                                         site.messages.text("offline.this_copy")))
            self._timed("offline zip", start)

    def _write_books(self, site: Site, pdfs: bool = True) -> None:
        """The print books, each with its length on paper before it, and a ready PDF of each audience book
        (the whole guide's length is estimated from theirs: it is too long to lay out on every build)."""
        msg = site.messages
        collected = book.collect(self.site_dir, engines.nav_pages((self.config or {}).get("nav")),
                                 downloads.public_base(site),
                                 {"contents": msg.text("book.contents"), "links_in": msg.strings["book.links_in"]})
        pdfs = downloads.books(site, collected, self.cache_dir) if pdfs else {}
        paper = downloads.papers(site.settings.paper_size)[0]
        laid_out = [(pdfs[b.name][2], b.text_chars) for b in collected if b.name in pdfs]
        per_char = sum(p for p, _ in laid_out) / max(1, sum(c for _, c in laid_out)) if laid_out else 1 / 2500
        for b in collected:
            ready = pdfs.get(b.name)
            if ready:
                path, data, pages = ready
                write_atomic(self.site_dir / path, data)
                link = {"href": render.url(b.page, path, built_file=True), "save_as": path.rsplit("/", 1)[1],
                        "size": msg.size(len(data))}
            else:
                pages, link = max(10, int(round(b.text_chars * per_char, -1))), None
            notice = render.partial(site, "print/book-notice", pages=pages, paper=msg.text(f"doc.paper_{paper.lower()}"),
                                    pdf=link)
            book.write(self.site_dir, b, str(notice))

    def _write_redirects(self, site: Site) -> None:
        """A page at each old address that sends readers on to the page that replaced it."""
        for old, new in site.redirects.items():
            href = render.url(old, new)
            page = render.partial(site, "redirect", lang=site.settings.language, dir=site.messages.dir, href=href,
                                  title=site.title_of(new), programme=site.settings.programme_name)
            write_atomic(self.site_dir / (old[:-3] + ".html"), (str(page) + "\n").encode("utf-8"))

    def html_pages(self):
        """The built pages of this language (not those of the site's other languages, in their folders)."""
        others = tuple(f"{code}/" for code in self.languages[1:]) if not self.language else ()
        for page in sorted(self.site_dir.rglob("*.html")):
            if not page.relative_to(self.site_dir).as_posix().startswith(others):
                yield page

    def _finish_pages(self, site: Site, sizes: dict[str, int]) -> None:
        """One pass over the built pages: each download's size next to its link (the downloads exist only
        now), the language's direction on <html> (engines put it on <body> only), and the language of an
        untranslated page's text on its article."""
        msg = site.messages
        direction = msg.dir
        foreign = {src[:-3] + ".html": page.language for src, page in site.page_files.items()
                   if page.language.split("-")[0] != site.language.split("-")[0]}

        def fill(match: re.Match) -> str:
            n = sizes.get(match.group(2))
            return match.group(1) + (f"({msg.size(n)})" if n is not None else "") + match.group(3)

        for page in self.html_pages():
            text = page.read_text(encoding="utf-8")
            new = SIZE.sub(fill, text) if "data-ms-size=" in text else text
            new = HTML_TAG.sub(lambda mt: f'<html{DIR_ATTR.sub("", mt.group(1))} dir="{direction}">', new, count=1)
            rel = page.relative_to(self.site_dir).as_posix()
            if rel in foreign:  # its own language and direction: English in an Arabic site reads left to right
                new = new.replace(ARTICLE_OPEN, f'{ARTICLE_OPEN[:-1]} lang="{foreign[rel]}" '
                                                f'dir="{text_direction(foreign[rel])}">', 1)
            if new != text:
                write_atomic(page, new.encode("utf-8"))

    # ----------------------------------------------------------------- all

    def build(self) -> None:
        try:
            self.prepare()
            self.run_engine()
            self.finish()
        except BaseException:
            if self.pending is not None:
                self.pending.cancel()
            raise
        finally:
            self.unlock()


# --------------------------------------------------------------------------- command line


def builds(root: Path, site_dir: Path | None, engine: str, stage: Path | None, with_downloads: bool = True
           ) -> list[Build]:
    """One build per language the site is published in: its own at the top of the site, each of its
    other languages in a folder of its own (site/en/, site/fr/ ...), each with its own search index."""
    from .loader import load_settings

    settings, _, problems = load_settings(root / "docs", root)
    if problems:
        raise SiteError(problems)
    languages = [settings.language, *settings.other_languages]
    site_dir = (site_dir or root / "site").resolve()
    out = [Build(root, site_dir, engine, stage, languages=languages, with_downloads=with_downloads)]
    for code in languages[1:]:
        out.append(Build(root, site_dir / code, engine, stage.with_name(f"{stage.name}-{code}") if stage else None,
                         language=code, languages=languages, with_downloads=with_downloads))
    return out


def _setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
    root = logging.getLogger("mentoring")
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO)
    root.propagate = False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m macros", description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=["build", "prepare", "engine", "finish", "serve", "schemas", "adopt", "accept",
                                          "join-upstream"])
    parser.add_argument("what", nargs="?", default="",
                        help="adopt/accept: a page (foundations/definitions.md), a record (templates/<id>) or 'settings'")
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    parser.add_argument("--site-dir", type=Path, default=None, help="where the site goes (default: site/)")
    parser.add_argument("--stage-dir", type=Path, default=None, help="the staging folder (default: .build/stage-ENGINE)")
    parser.add_argument("--engine", default=os.environ.get("ENGINE") or "mkdocs", choices=sorted(engines.ENGINES))
    parser.add_argument("--addr", default="127.0.0.1:8000", help="serve: address and port")
    parser.add_argument("--timings", action="store_true", help="print the time each step took")
    parser.add_argument("--no-downloads", action="store_true", help=argparse.SUPPRESS)  # benchmarks only
    args = parser.parse_args(argv)
    _setup_logging()
    root = args.project.resolve()
    try:
        if args.stage == "schemas":
            changed = opendata.write_schemas(root / "docs")
            print(f"{len(changed)} schema file(s) updated under {root / 'docs' / 'schemas'}")
            return 0
        if args.stage == "serve":
            from .serve import serve

            return serve(root, args.engine, args.addr)
        if args.stage in ("adopt", "accept", "join-upstream"):
            from .fork import accept, adopt, join_upstream

            action = {"adopt": adopt, "accept": accept}.get(args.stage)
            for line in (action(root, args.what) if action else join_upstream(root, args.what or "upstream")):
                print(line)
            return 0
        started = time.perf_counter()
        every = builds(root, args.site_dir, args.engine, args.stage_dir, not args.no_downloads)
        for b in every:
            if args.stage == "build":
                b.build()
            else:
                try:
                    if args.stage == "prepare":
                        b.prepare()
                        if b.pending is not None:
                            b.pending.cancel()
                    elif args.stage == "engine":
                        b.run_engine()
                    else:
                        b.lock()
                        b.finish()
                finally:
                    b.unlock()
            if args.timings:
                for name, seconds in b.timings.items():
                    print(f"  {name:<20} {seconds:6.2f} s", file=sys.stderr)
        total = time.perf_counter() - started
        LOG.info("%s done in %.1f s (engine: %s) -> %s", args.stage.capitalize(), total, every[0].engine.name,
                 every[0].site_dir if args.stage != "prepare" else every[0].stage)
        return 0
    except SiteError as exc:
        print(f"ERROR   -  {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
