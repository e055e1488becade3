"""Engine portability: ProperDocs, the maintained fork of MkDocs 1.x, builds this site unchanged.

ProperDocs is installed from PyPI as `properdocs` and run as the `properdocs` command. It is its own
import package (`properdocs`), not a replacement of the `mkdocs` one: inside its own process it
redirects every `mkdocs.*` import to `properdocs.*`, so Material and mkdocs-macros run on it
unchanged. Material declares `mkdocs>=1.6,<2`, so pip still installs MkDocs next to it; the two do
not conflict (different packages and commands), and these tests check that no MkDocs code runs.

The tests build a separate virtual environment with the locked versions of every package plus
properdocs==1.6.7, build the repository as it is with `properdocs build --strict`, and compare the
result with the strict MkDocs build (`built_site`). The environment is kept in
.venv/properdocs-venv (git-ignored) and rebuilt whenever requirements.lock changes, so only the
first run needs PyPI. Without the network and without that environment, they skip on a laptop and
fail when CI is set.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

PROPERDOCS = "properdocs==1.6.7"
# The site's own runtime stack, at the versions pinned in requirements.lock (passed as constraints).
STACK = [
    "mkdocs-material", "mkdocs-macros-plugin", "pymdown-extensions", "pydantic", "PyYAML", "Markdown",
    "python-docx", "fpdf2",
]
LOCK = ROOT / "requirements.lock"
VENV = ROOT / ".venv" / "properdocs-venv"
STAMP = VENV / ".properdocs-key"  # written last: its presence means the environment is complete

# pip output that means "could not reach the package index", as opposed to a real resolution failure.
NETWORK_ERRORS = (
    "NewConnectionError", "Failed to establish a new connection", "Temporary failure in name resolution",
    "Name or service not known", "Network is unreachable", "No route to host", "ConnectTimeoutError",
    "Read timed out", "ProxyError", "Connection refused", "(from versions: none)",
)

pytestmark = pytest.mark.slow


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[_normalise(name)] = version.strip()
    return pins


def _key() -> str:
    """Changes when the lock, the requested packages, the interpreter or the folder change."""
    h = hashlib.sha256(LOCK.read_bytes())
    h.update(json.dumps([PROPERDOCS, STACK, sys.version, str(VENV)]).encode())
    return h.hexdigest()


def _bin(name: str) -> Path:
    return VENV / "bin" / name


def _unavailable(message: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but the ProperDocs environment could not be created: {message}")
    pytest.skip(f"ProperDocs environment not available (needs PyPI on first run): {message}")


def _pip(*args: str, timeout: int) -> subprocess.CompletedProcess:
    cmd = [str(_bin("python")), "-m", "pip", "--disable-pip-version-check", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)


def _stop_unless_ok(result: subprocess.CompletedProcess, offline: str, failed: str) -> None:
    """A failed pip step: skip (or fail under CI) when the index was unreachable, fail otherwise."""
    if result.returncode == 0:
        return
    output = result.stdout + result.stderr
    shutil.rmtree(VENV, ignore_errors=True)
    if any(marker in output for marker in NETWORK_ERRORS):
        _unavailable(f"{offline}:\n{output[-2000:]}")
    pytest.fail(f"{failed}:\n{output[-4000:]}")


def _create_venv() -> None:
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, capture_output=True, timeout=300)
    # A quick, bounded look-up first, so an offline machine answers in seconds, not after pip's retries.
    probe_dir = VENV / ".probe"
    probe = _pip("download", "--no-deps", "--timeout", "20", "--retries", "1", "-d", str(probe_dir), PROPERDOCS,
                 timeout=180)
    shutil.rmtree(probe_dir, ignore_errors=True)
    _stop_unless_ok(probe, f"could not download {PROPERDOCS}", f"pip could not download {PROPERDOCS}")
    install = _pip("install", "--quiet", "-c", str(LOCK), PROPERDOCS, *STACK, timeout=1200)
    _stop_unless_ok(install, "pip install failed for lack of the network",
                    "ProperDocs and the locked stack do not install together")
    STAMP.write_text(_key(), encoding="utf-8")


@pytest.fixture(scope="module")
def properdocs_venv() -> Path:
    """The cached environment, created (under a file lock) when missing or when the lock changed."""
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / "properdocs-venv.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test session may be creating it right now
        ready = STAMP.is_file() and STAMP.read_text(encoding="utf-8") == _key() and _bin("properdocs").exists()
        if not ready:
            _create_venv()
    return VENV


@pytest.fixture(scope="module")
def properdocs_site(properdocs_venv: Path, tmp_path_factory) -> Path:
    """The repository as it is, built strictly by the `properdocs` command."""
    out = tmp_path_factory.mktemp("properdocs-site")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["NO_MKDOCS_2_WARNING"] = "1"
    cmd = [str(_bin("properdocs")), "build", "--strict", "-f", str(ROOT / "mkdocs.yml"), "--site-dir", str(out)]
    result = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, f"strict ProperDocs build failed:\n{result.stdout}\n{result.stderr}"
    return out


def _files(site: Path, pattern: str, under: str = "") -> set[str]:
    base = site / under
    return {p.relative_to(site).as_posix() for p in base.rglob(pattern) if p.is_file()}


def test_the_environment_runs_the_locked_stack_on_properdocs(properdocs_venv: Path):
    """Every package in the ProperDocs environment is at its locked version; only properdocs is extra."""
    out = subprocess.run([str(_bin("python")), "-m", "pip", "--disable-pip-version-check", "list",
                          "--format=json", "--exclude", "pip", "--exclude", "setuptools"],
                         capture_output=True, text=True, check=True).stdout
    installed = {_normalise(p["name"]): p["version"] for p in json.loads(out)}
    locked = _locked()
    assert installed.pop("properdocs") == PROPERDOCS.split("==")[1]
    assert set(installed) <= set(locked), f"not in requirements.lock: {sorted(set(installed) - set(locked))}"
    drift = {n: (v, locked[n]) for n, v in installed.items() if v != locked[n]}
    assert drift == {}, f"installed vs locked: {drift}"


def test_properdocs_runs_material_and_macros_without_mkdocs_code(properdocs_venv: Path):
    """Inside ProperDocs' CLI module, `mkdocs` is ProperDocs, and no file of the MkDocs package is loaded."""
    script = """
import importlib.metadata, json, sys
from pathlib import Path
import properdocs.__main__  # what the `properdocs` command imports first: aliases mkdocs.* to properdocs.*
import material.templates, material.plugins.search.plugin, mkdocs_macros.plugin, mkdocs.plugins
try:
    dist = importlib.metadata.distribution("mkdocs")
    mkdocs_dir = str(Path(dist.locate_file("mkdocs")).resolve())
except importlib.metadata.PackageNotFoundError:
    mkdocs_dir = None
loaded = [str(Path(m.__file__).resolve()) for m in list(sys.modules.values()) if getattr(m, "__file__", None)]
print(json.dumps({
    "mkdocs_is_properdocs": sys.modules["mkdocs"] is sys.modules["properdocs"],
    "plugins_module": sys.modules["mkdocs.plugins"].__name__,
    "from_mkdocs": [f for f in loaded if mkdocs_dir and f.startswith(mkdocs_dir + "/")],
}))
"""
    result = subprocess.run([str(_bin("python")), "-c", script], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["mkdocs_is_properdocs"]
    assert report["plugins_module"] == "properdocs.plugins"
    assert report["from_mkdocs"] == []


def test_properdocs_builds_the_same_pages(properdocs_site: Path, built_site: Path):
    mkdocs_pages = _files(built_site, "*.html")
    assert len(mkdocs_pages) > 60
    assert _files(properdocs_site, "*.html") == mkdocs_pages


def test_properdocs_really_built_it(properdocs_site: Path, built_site: Path):
    """Material's generator tag names the engine: a guard against the comparison running MkDocs twice."""
    generator = re.compile(r'<meta name="generator" content="([^"]*)"')
    assert "ProperDocs 1.6.7" in generator.search((properdocs_site / "index.html").read_text("utf-8"))[1]
    assert "mkdocs-1.6" in generator.search((built_site / "index.html").read_text("utf-8"))[1]


def test_properdocs_builds_the_same_downloads(properdocs_site: Path, built_site: Path):
    mkdocs_downloads = _files(built_site, "*", "downloads")
    assert any(f.endswith(".md") for f in mkdocs_downloads)
    assert any(f.endswith(".pdf") for f in mkdocs_downloads)
    assert _files(properdocs_site, "*", "downloads") == mkdocs_downloads
    for rel in sorted(f for f in mkdocs_downloads if f.endswith(".md")):
        assert (properdocs_site / rel).read_bytes() == (built_site / rel).read_bytes(), rel
