"""linkchecker over the built site: zero broken internal links, anchors and downloads."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


TOOL = Path(__file__).resolve().parent / "tools" / "run_linkchecker.py"


def run_linkchecker(start: Path, tmp_path: Path) -> tuple[int, str]:
    """LinkChecker as its command runs it, whoever runs the tests and wherever (tools/run_linkchecker.py)."""
    config = tmp_path / "linkcheckerrc"
    config.write_text("[checking]\nthreads=10\n[filtering]\ncheckextern=0\n[AnchorCheck]\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(TOOL), "--config", str(config), "--no-status", "--recursion-level=-1", start.as_uri()],
        capture_output=True, text=True, timeout=1200,
    )
    return result.returncode, result.stdout + result.stderr


def test_linkchecker_catches_a_broken_anchor_and_a_missing_file(tmp_path: Path):
    """Control: the checker as configured here does report what we rely on it to find, also from a
    private folder (0700) such as a home directory, whoever runs it."""
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    site = private / "mini"
    site.mkdir()
    (site / "index.html").write_text(
        '<html><body><a href="other.html#nowhere">a</a> <a href="missing.pdf">b</a></body></html>', encoding="utf-8")
    (site / "other.html").write_text('<html><body><h2 id="here">x</h2></body></html>', encoding="utf-8")
    code, output = run_linkchecker(site / "index.html", tmp_path)
    assert code != 0
    assert "Anchor `nowhere'" in output and "1 warning found" in output, output  # broken anchors are warnings
    assert "missing.pdf" in output and "1 error found" in output, output


@pytest.mark.slow
def test_linkchecker_finds_no_broken_internal_links_or_anchors(built_site: Path, tmp_path: Path):
    code, output = run_linkchecker(built_site / "index.html", tmp_path)
    assert code == 0, output
    assert " 0 warnings found" in output and " 0 errors found" in output, output
    checked = int(output.split(" links in ")[0].rsplit("\n", 1)[-1].split()[-1])
    assert checked > 500, output  # pages, anchors, assets and every download were followed
