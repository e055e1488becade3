"""Shared fixtures: fixture sites, one strict build of the real site, a local server, Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(ROOT))


def nav_pages() -> list[str]:
    """Source paths in mkdocs.yml's navigation, in order (tags like !ENV ignored)."""
    import yaml

    from macros.book import flatten_nav

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    return flatten_nav(yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)["nav"])


def build(project: Path, site_dir: Path | None = None, extra_env: dict | None = None) -> subprocess.CompletedProcess:
    """Run `mkdocs build --strict` on a project folder; never raises."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", **(extra_env or {})}
    cmd = [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(project / "mkdocs.yml")]
    if site_dir is not None:
        cmd += ["--site-dir", str(site_dir)]
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=600)


def make_fixture_site(tmp: Path, name: str = "minimal") -> Path:
    """Copy a fixture site next to the real engine (macros/ and overrides/)."""
    dest = tmp / name
    shutil.copytree(FIXTURES / name, dest)
    shutil.copytree(ROOT / "macros", dest / "macros", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "overrides", dest / "overrides")
    return dest


@pytest.fixture
def fixture_site(tmp_path: Path) -> Path:
    return make_fixture_site(tmp_path)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory) -> Path:
    """The real site, built once per test session with --strict."""
    out = tmp_path_factory.mktemp("site")
    result = build(ROOT, out)
    assert result.returncode == 0, f"strict build failed:\n{result.stdout}\n{result.stderr}"
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:  # pragma: no cover - silence
        pass


@pytest.fixture(scope="session")
def server(built_site: Path):
    """Serve the built site on 127.0.0.1 (a random free port); yields the base URL."""
    handler = functools.partial(_Quiet, directory=str(built_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


def chromium_path() -> str | None:
    """CHROMIUM_PATH, then /usr/bin/chromium, then Playwright's own browser."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            path = p.chromium.executable_path
            if path and Path(path).exists():
                return path
    except Exception:  # noqa: BLE001 - any failure means "no browser"
        return None
    return None


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("CI is set but no Chromium was found (CHROMIUM_PATH, /usr/bin/chromium, Playwright's own)")
        pytest.skip("no Chromium found: set CHROMIUM_PATH or install Debian's chromium to run browser tests")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


class PageWatch:
    """Collects console errors and requests to hosts other than the local server."""

    def __init__(self, page, base: str):
        self.page = page
        self.base = base
        self.errors: list[str] = []
        self.foreign: list[str] = []
        self.requests: list[str] = []  # every URL the page asked for, in order
        page.on("console", lambda msg: self.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))

        def route(r):
            url = r.request.url
            self.requests.append(url)
            if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
                return r.continue_()
            self.foreign.append(url)
            return r.abort()

        page.route("**/*", route)


@pytest.fixture
def page(browser, server):
    context = browser.new_context(service_workers="block")
    pg = context.new_page()
    watch = PageWatch(pg, server)
    pg.watch = watch  # type: ignore[attr-defined]
    yield pg
    context.close()
