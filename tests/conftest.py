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


def nav_pages(root: Path = ROOT) -> list[str]:
    """Source paths in a project's mkdocs.yml navigation, in order."""
    from macros.engines import load_config, nav_pages as pages

    return pages(load_config(root)["nav"])


def build(project: Path, site_dir: Path | None = None, extra_env: dict | None = None,
          engine: str = "mkdocs", stage: str = "build") -> subprocess.CompletedProcess:
    """Run the build (`python -m macros build`, what `make build` runs) on a project folder; never raises."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONPATH": str(ROOT), **(extra_env or {})}
    cmd = [sys.executable, "-m", "macros", stage, "--project", str(project), "--engine", engine]
    if site_dir is not None:
        # A staging folder of its own: tests never wait for, or clash with, a build the developer runs.
        cmd += ["--site-dir", str(site_dir), "--stage-dir", str(site_dir.parent / f"{site_dir.name}-stage-{engine}")]
    return subprocess.run(cmd, cwd=project, env=env, capture_output=True, text=True, timeout=900)


def make_fixture_site(tmp: Path, name: str = "minimal") -> Path:
    """Copy a fixture site, with upstream's theme overrides and message catalogues."""
    dest = tmp / name
    shutil.copytree(FIXTURES / name, dest)
    shutil.copytree(ROOT / "overrides", dest / "overrides", dirs_exist_ok=True)
    shutil.copytree(ROOT / "docs" / "messages", dest / "docs" / "messages", dirs_exist_ok=True)
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


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a fixture file, failing when the text is not there as often as expected: a
    fixture whose text moved must not silently turn a test into another test."""
    text = path.read_text(encoding="utf-8")
    found = text.count(old)
    assert found == count, f"{path.name}: expected {count} occurrence(s) of {old!r}, found {found}"
    path.write_text(text.replace(old, new), encoding="utf-8")


_SLOW_FIXTURES = {"built_site", "server", "fork_site", "properdocs_site", "engine_site", "hostile_site"}
_BROWSER_FIXTURES = {"browser", "page"}


def pytest_collection_modifyitems(items):
    """Layers: a test that uses the whole built site is slow; one that uses Chromium is a browser test."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        if names & _BROWSER_FIXTURES:
            item.add_marker(pytest.mark.browser)
        if names & _SLOW_FIXTURES:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def site():
    """The site as this checkout builds it (a fork's settings and records included)."""
    from macros.loader import load_site

    s, problems = load_site(ROOT / "docs", ROOT)
    assert problems == [], "\n".join(map(str, problems))
    return s


@pytest.fixture(scope="session")
def upstream_site():
    """Upstream's own files only, as if there were no fork: what upstream's content rules are about,
    so a fork keeps these tests passing whatever it replaces."""
    from macros.loader import load_site

    s, problems = load_site(ROOT / "docs", ROOT, local=False)
    assert problems == [], "\n".join(map(str, problems))
    return s
