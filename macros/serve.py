"""``make serve``: build, serve on 127.0.0.1:8000 and rebuild on every change, with live reload.

With MkDocs (the default engine) the engine runs in this process, as ``mkdocs serve`` does, on
MkDocs' own live-reload server: a change to a page, a data file, the settings, the message
catalogues, ``mkdocs.yml`` or ``overrides/`` re-runs *prepare* (only what changed is written again)
and the engine; downloads come from the content cache, so a prose edit never regenerates them. Print
books and the offline zip are assembled after each rebuild without holding the reload up. A change
under ``macros/`` (the build's own code) restarts the server process.

With ProperDocs or Zensical the engine's own ``serve`` watches the staging tree that *prepare* keeps
up to date.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
from pathlib import Path

from . import engines
from .errors import SiteError
from .pipeline import Build

LOG = logging.getLogger("mentoring.build")


def _restart_on_code_change(root: Path) -> None:
    """The build's own code changed: start again in a fresh process (the port is released first)."""
    import watchdog.events
    import watchdog.observers.polling

    def restart(event) -> None:
        if event.is_directory or not str(event.src_path).endswith((".py", ".html")):
            return
        LOG.info("The build's code changed (%s): restarting", Path(event.src_path).name)
        os.execv(sys.executable, [sys.executable, "-m", "macros", *sys.argv[1:]])

    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = restart  # type: ignore[method-assign]
    observer = watchdog.observers.polling.PollingObserver(timeout=0.5)
    observer.schedule(handler, str(root / "macros"), recursive=True)
    observer.daemon = True
    observer.start()


def serve(root: Path, engine: str, addr: str) -> int:
    host, _, port = addr.rpartition(":")
    b = Build(root, root / ".build" / f"serve-site-{engine}", engine, serve=True)
    _restart_on_code_change(root)
    if engine != "mkdocs":
        return _serve_with_engine(b, host, int(port))

    mkdocs_log = logging.getLogger("mkdocs")
    if not mkdocs_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        mkdocs_log.addHandler(handler)
        mkdocs_log.setLevel(logging.INFO)
    from mkdocs.commands.build import build as engine_build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    url = f"http://{host}:{port}/"
    background: list[threading.Thread] = []

    def after_build() -> None:  # books and the offline copy, while the reader already sees the change
        try:
            b.finish(books=True, offline=True, downloads=False)
        except Exception as exc:  # noqa: BLE001 - reported, the server keeps running
            LOG.warning("print books or offline copy not updated: %s", exc)

    def builder() -> None:
        for thread in background:
            thread.join()
        background.clear()
        try:
            b.prepare()
            config = load_config(str(b.stage / "mkdocs.yml"), site_dir=str(b.site_dir))
            config.site_url = url
            engine_build(config, serve_url=url)
            b.finish(books=False, offline=False)
        except SiteError as exc:  # reported; the last good site stays served until the next save
            LOG.error("%s", exc)
            LOG.error("Fix the problems above; the site rebuilds when you save.")
            return
        thread = threading.Thread(target=after_build, daemon=True)
        thread.start()
        background.append(thread)

    builder()
    server = LiveReloadServer(builder=builder, host=host, port=int(port), root=str(b.site_dir), mount_path="/")
    for path in ("docs", "overrides", "mkdocs.yml"):
        server.watch(str(root / path))
    try:
        server.serve()
    except KeyboardInterrupt:
        LOG.info("Shutting down...")
    finally:
        server.shutdown()
        b.unlock()
    return 0


def _serve_with_engine(b: Build, host: str, port: int) -> int:
    """ProperDocs or Zensical: the engine serves the staging tree, which prepare keeps current."""
    import watchdog.events
    import watchdog.observers.polling

    def prepare() -> None:
        try:
            b.prepare()
            b.stage_downloads()
        except SiteError as exc:
            LOG.error("%s", exc)

    prepare()
    handler = watchdog.events.FileSystemEventHandler()
    handler.on_any_event = lambda event: None if event.is_directory else prepare()  # type: ignore[method-assign]
    observer = watchdog.observers.polling.PollingObserver(timeout=0.5)
    for path in ("docs", "overrides", "mkdocs.yml"):
        observer.schedule(handler, str(b.root / path), recursive=True)
    observer.daemon = True
    observer.start()
    program = engines.ensure_environment(b.root, b.engine)
    cmd = [str(program), "serve", "--config-file", str(b.stage / "mkdocs.yml"), "--dev-addr", f"{host}:{port}"]
    try:
        return subprocess.run(cmd, cwd=b.stage).returncode
    except KeyboardInterrupt:
        return 0
    finally:
        b.unlock()
