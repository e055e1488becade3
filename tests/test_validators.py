"""Independent validators over every built page: the W3C Nu HTML Checker (vnu-jar) and pa11y with
HTML_CodeSniffer (WCAG2AA) in Debian's Chromium. Zero errors from the project's own output; the theme's known
errors are listed, each with its reason, in tests/tools/allowlist.yml.

Both tools are pinned in tests/tools/package.json and package-lock.json and installed with `npm ci` on first
use (puppeteer never downloads a browser: PUPPETEER_SKIP_DOWNLOAD=1). The Nu checker runs on Java 17.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from .conftest import chromium_path

pytestmark = pytest.mark.browser

TOOLS = Path(__file__).resolve().parent / "tools"
VNU = TOOLS / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ALLOW = yaml.safe_load((TOOLS / "allowlist.yml").read_text(encoding="utf-8"))


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def tools() -> Path:
    """npm ci into tests/tools when the lock changed (a stamp holds the lock's hash)."""
    npm = shutil.which("npm")
    if npm is None:
        _unavailable("npm is needed for the validators (pa11y, vnu-jar)")
    lock = (TOOLS / "package-lock.json").read_bytes()
    stamp = TOOLS / "node_modules" / ".ms-installed"
    key = hashlib.sha256(lock).hexdigest()
    if not (stamp.is_file() and stamp.read_text() == key and VNU.is_file()):
        env = {**os.environ, "PUPPETEER_SKIP_DOWNLOAD": "1", "PUPPETEER_SKIP_CHROMIUM_DOWNLOAD": "1"}
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOLS, env=env,
                                capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            _unavailable("npm ci in tests/tools failed: " + (result.stdout + result.stderr)[-1500:])
        stamp.write_text(key)
    return TOOLS


def _pages(site: Path) -> list[str]:
    out = []
    for p in sorted(site.rglob("*.html")):
        rel = p.relative_to(site).as_posix()
        if rel.startswith("downloads/") or 'http-equiv="refresh"' in p.read_text(encoding="utf-8")[:2000]:
            continue  # generated files, and the one-line pages that send a moved page's readers on
        out.append(rel)
    return out


def _allowed(tool: str, message: str, context: str) -> dict | None:
    for entry in ALLOW[tool]:
        key = entry.get("message") or entry.get("code")
        if key in message and entry["context"] in context:
            return entry
    return None


def test_allow_list_says_why_for_every_entry():
    for tool in ("vnu", "pa11y"):
        for entry in ALLOW[tool]:
            assert entry.get("why", "").strip() and entry.get("context"), entry


def test_nu_html_checker_finds_no_errors_of_our_own(tools, built_site: Path):
    java = shutil.which("java")
    if java is None:
        _unavailable("java (17) is needed for the Nu HTML Checker")
    files = [str(built_site / p) for p in _pages(built_site)]
    result = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                            capture_output=True, text=True, timeout=900)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    ours, used = [], set()
    for m in messages:
        if m.get("type") != "error":
            continue
        entry = _allowed("vnu", m.get("message", ""), m.get("extract", ""))
        if entry is None:
            ours.append(f"{m.get('url', '').split(str(built_site))[-1]}:{m.get('lastLine')}: {m['message']} "
                        f"[{m.get('extract', '').strip()[:120]}]")
        else:
            used.add(entry["message"])
    assert ours == [], f"{len(ours)} Nu HTML Checker errors in our output:\n" + "\n".join(ours[:40])
    unused = [e["message"] for e in ALLOW["vnu"] if e["message"] not in used]
    assert unused == [], f"allow-list entries that no longer match anything (remove them): {unused}"
    assert len(files) > 100


def test_pa11y_htmlcs_finds_no_errors_of_our_own(tools, built_site: Path, server: str):
    chromium = chromium_path()
    if chromium is None:
        _unavailable("pa11y needs Chromium (CHROMIUM_PATH or /usr/bin/chromium)")
    urls = [f"{server}/{p}" for p in _pages(built_site)]
    env = {**os.environ, "CHROMIUM_PATH": chromium, "PUPPETEER_SKIP_DOWNLOAD": "1"}
    result = subprocess.run(["node", str(TOOLS / "pa11y-run.js"), *urls], capture_output=True, text=True,
                            timeout=1500, env=env, cwd=TOOLS)
    assert result.returncode == 0, result.stderr[-2000:]
    issues = [i for i in json.loads(result.stdout) if i["type"] == "error"]
    ours, used = [], set()
    for i in issues:
        entry = _allowed("pa11y", i["code"], i["context"])
        if entry is None:
            ours.append(f"{i['url'].split(server)[-1]}: {i['code']}: {i['message'][:140]} [{i['selector']}]")
        else:
            used.add((entry["code"], entry["context"]))
    assert ours == [], f"{len(ours)} pa11y (HTML_CodeSniffer WCAG2AA) errors in our output:\n" + "\n".join(ours[:40])
    unused = [e["context"] for e in ALLOW["pa11y"] if (e["code"], e["context"]) not in used]
    assert unused == [], f"allow-list entries that no longer match anything (remove them): {unused}"
    assert len(urls) > 100
