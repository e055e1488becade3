"""`make serve`: one command that builds, serves on 127.0.0.1 and shows every kind of edit after a reload.

The server runs on a small fixture project with its own copy of the build's code, so that an edit to
that code (which restarts the server) does not touch the repository's.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.slow


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - 127.0.0.1 only
            return r.read().decode("utf-8", "replace")
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return ""


def _wait_for(url: str, needle: str, timeout: float, proc: subprocess.Popen, log: Path) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if needle in _get(url):
            return
        if proc.poll() is not None:
            pytest.fail("the server stopped:\n" + log.read_text(encoding="utf-8")[-3000:])
        time.sleep(0.3)
    pytest.fail(f"{needle!r} not served within {timeout:.0f} s:\n" + log.read_text(encoding="utf-8")[-3000:])


@pytest.fixture
def served(fixture_site: Path, tmp_path: Path):
    import socket

    shutil.copytree(ROOT / "macros", fixture_site / "macros", ignore=shutil.ignore_patterns("__pycache__"))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"
    env = {**os.environ, "PYTHONPATH": str(fixture_site), "NO_MKDOCS_2_WARNING": "1"}
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-m", "macros", "serve", "--project", str(fixture_site),
                                 "--addr", f"127.0.0.1:{port}"], cwd=fixture_site, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield fixture_site, f"http://127.0.0.1:{port}", proc, log
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_serve_reloads_pages_data_theme_and_its_own_code(served):
    project, base, proc, log = served
    _wait_for(f"{base}/index.html", "Page last reviewed", 180, proc, log)

    marker = f"Prose edit {uuid.uuid4().hex}"
    page = project / "docs/braces.md"
    page.write_text(page.read_text(encoding="utf-8") + f"\n{marker}\n", encoding="utf-8")
    _wait_for(f"{base}/braces.html", marker, 60, proc, log)

    marker = f"Data edit {uuid.uuid4().hex}"
    data = project / "docs/data/checklists.yml"
    data.write_text(data.read_text(encoding="utf-8").replace("Read what the mentee sent.", marker), encoding="utf-8")
    _wait_for(f"{base}/checklists/first-meeting.html", marker, 60, proc, log)

    marker = f"theme-edit-{uuid.uuid4().hex}"
    (project / "overrides/local").mkdir(parents=True, exist_ok=True)
    (project / "overrides/local/announce.html").write_text(f"<p>{marker}</p>\n", encoding="utf-8")
    _wait_for(f"{base}/index.html", marker, 60, proc, log)

    marker = f"code-edit-{uuid.uuid4().hex}"
    toolbar = project / "macros/partials/toolbar.html"
    toolbar.write_text(toolbar.read_text(encoding="utf-8").replace('<div class="ms-toolbar"',
                                                                   f'<div data-edit="{marker}" class="ms-toolbar"', 1),
                       encoding="utf-8")
    _wait_for(f"{base}/checklists/first-meeting.html", marker, 120, proc, log)
    assert proc.poll() is None  # the server restarted itself and is still serving


def test_a_mistake_while_serving_is_reported_and_the_server_keeps_going(served):
    project, base, proc, log = served
    _wait_for(f"{base}/index.html", "Page last reviewed", 180, proc, log)
    data = project / "docs/data/checklists.yml"
    good = data.read_text(encoding="utf-8")
    data.write_text(good.replace("title: Before the meeting", "title: [Before"), encoding="utf-8")
    end = time.monotonic() + 60
    while "YAML syntax error" not in log.read_text(encoding="utf-8") and time.monotonic() < end:
        time.sleep(0.3)
    assert "docs/data/checklists.yml" in log.read_text(encoding="utf-8")
    assert proc.poll() is None
    marker = f"Fixed {uuid.uuid4().hex}"
    data.write_text(good.replace("Read what the mentee sent.", marker), encoding="utf-8")
    _wait_for(f"{base}/checklists/first-meeting.html", marker, 60, proc, log)
