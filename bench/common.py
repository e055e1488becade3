"""Shared helpers for the benchmark scripts: project snapshots, builds, a gzip static server.

Every benchmark works on a *snapshot* (a temporary copy of the top-level files, docs/, macros/
and overrides/), never on the working tree, so that edits made while a benchmark runs cannot
change what it measures and nothing under docs/ is ever written to.
"""

from __future__ import annotations

import contextlib
import email.utils
import gzip
import json
import mimetypes
import os
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent          # the venv's bin/ when run as .venv/bin/python
MKDOCS = BIN / "mkdocs"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

# The pages measured by the page-weight and Lighthouse benchmarks (use_directory_urls: false).
PAGES = {
    "home": "index.html",
    "guide": "mentees/finding-a-mentor.html",
    "template": "templates/mentoring-agreement.html",
    "library": "templates/index.html",
}

# Folders a build reads; plus every top-level file (snippets include e.g. CHANGELOG.md).
PROJECT_DIRS = ("docs", "macros", "overrides")

BASELINE_YML = """\
# Baseline: a default Material configuration over the Markdown our build staged (the same pages, macros
# already run). Not strict.
# Deviations from Material's defaults, both needed to compare the same URLs:
# use_directory_urls (pages at x.html) and re-including docs/templates/.
site_name: Baseline (default Material)
docs_dir: docs
use_directory_urls: false
exclude_docs: |
  !/templates/
theme:
  name: material
plugins:
  - search
"""


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["NO_MKDOCS_2_WARNING"] = "1"
    return e


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


def median(xs):
    return statistics.median(xs) if xs else None


def rnd(x, n=3):
    return None if x is None else round(x, n)


# --------------------------------------------------------------------------- projects


_IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")


def snapshot(dest: Path) -> Path:
    """Copy the parts of the project a build needs into dest (created)."""
    dest.mkdir(parents=True, exist_ok=True)
    for src in ROOT.iterdir():
        if src.is_file() and not src.name.startswith("."):
            shutil.copy2(src, dest / src.name)
    for part in PROJECT_DIRS:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, dest / part, ignore=_IGNORE)
    return dest


def build(project: Path, site_dir: Path, *, engine: str = "mkdocs", downloads: bool = True, baseline: bool = False,
          timeout: float = 1800) -> dict:
    """One build as a subprocess: ours (``python -m macros build``, what ``make build`` runs) or, with
    ``baseline``, ``mkdocs build`` of a default Material project.

    Returns wall-clock seconds, CPU seconds (user + system of the child and its children), both
    including interpreter start-up, and for ours the seconds of each stage (``--timings``).
    """
    if baseline:
        cmd = [str(MKDOCS), "build", "-f", str(project / "mkdocs.yml"), "-d", str(site_dir)]
    else:
        cmd = [sys.executable, "-m", "macros", "build", "--project", str(project), "--site-dir", str(site_dir),
               "--engine", engine, "--timings"] + ([] if downloads else ["--no-downloads"])
    e = env()
    e["PYTHONPATH"] = str(project)  # the snapshot's own macros/
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=project, env=e, capture_output=True, text=True, timeout=timeout)
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    out = {"seconds": seconds, "cpu": cpu, "ok": proc.returncode == 0}
    stages: dict[str, float] = {}
    for line in proc.stderr.splitlines():
        match = re.match(r"^  (\S.*?)\s+([0-9.]+) s$", line)
        if match:
            stages[match.group(1)] = stages.get(match.group(1), 0.0) + float(match.group(2))
    if stages:
        out["stages"] = stages
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        out["error"] = [ln for ln in lines if not ln.startswith("INFO")][-15:] or lines[-5:]
    return out


def staged_baseline(project: Path, dest: Path) -> Path:
    """Default Material over the Markdown our build staged (macros already run): "the same Markdown"."""
    stage = project / ".build" / "stage-mkdocs" / "docs"
    if not stage.is_dir():
        raise RuntimeError(f"no staged Markdown in {stage}: build the project once first")
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    shutil.copytree(stage, dest / "docs", ignore=_IGNORE)
    (dest / "mkdocs.yml").write_text(BASELINE_YML, encoding="utf-8")
    return dest


# The build keeps its staging trees and its download cache (content-addressed) in <project>/.build;
# a cold build removes it first.
CACHE_DIR = ".build"


def clear_cache(project: Path) -> None:
    shutil.rmtree(project / CACHE_DIR, ignore_errors=True)


def copy_project(src: Path, dest: Path, *, with_cache: bool = False) -> Path:
    ignore = _IGNORE if with_cache else shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store", CACHE_DIR)
    shutil.copytree(src, dest, ignore=ignore)
    return dest


def dir_size(path: Path) -> tuple[int, int]:
    files = [p for p in path.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# --------------------------------------------------------------------------- ports and HTTP


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TEXT_TYPES = {"application/javascript", "text/javascript", "application/json", "image/svg+xml",
              "application/xml", "application/manifest+json"}
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("application/json", ".map")
mimetypes.add_type("application/manifest+json", ".webmanifest")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve(body=True)

    def do_HEAD(self) -> None:
        self._serve(body=False)

    def _serve(self, body: bool) -> None:
        root = self.server.root
        rel = unquote(urlsplit(self.path).path).lstrip("/")
        path = (root / rel).resolve()
        if root not in path.parents and path != root:
            return self._send(403, b"forbidden", "text/plain", body)
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            page = root / "404.html"
            data = page.read_bytes() if page.is_file() else b"not found"
            return self._send(404, data, "text/html", body)
        st = path.stat()
        etag = f'"{st.st_mtime_ns:x}-{st.st_size:x}"'
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        html = ctype == "text/html"
        headers = {
            "ETag": etag,
            "Last-Modified": email.utils.formatdate(st.st_mtime, usegmt=True),
            # Assets may be reused for max_age seconds; pages are revalidated (ETag -> 304).
            "Cache-Control": "no-cache" if html else f"public, max-age={self.server.max_age}",
        }
        if self.headers.get("If-None-Match") == etag:
            return self._send(304, b"", None, body, headers)
        data = self.server.read(path)
        textual = ctype.startswith("text/") or ctype in TEXT_TYPES
        if self.server.gzip and textual:
            headers["Vary"] = "Accept-Encoding"
            if "gzip" in self.headers.get("Accept-Encoding", ""):
                data = self.server.read(path, compressed=True)
                headers["Content-Encoding"] = "gzip"
        if textual and "charset" not in ctype:
            ctype += "; charset=utf-8"
        self._send(200, data, ctype, body, headers)

    def _send(self, code, data: bytes, ctype, body: bool, headers: dict | None = None) -> None:
        self.send_response(code)
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)) if code != 304 else "0")
        head = sum(len(x) for x in getattr(self, "_headers_buffer", []))
        self.end_headers()
        sent = len(data) if body and code != 304 else 0
        if sent:
            self.wfile.write(data)
        self.server.record(urlsplit(self.path).path, code, head, sent)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, gzip_on: bool, max_age: int):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root.resolve()
        self.gzip = gzip_on
        self.max_age = max_age
        self._cache: dict[tuple[Path, bool], bytes] = {}
        self._lock = threading.Lock()
        # Every response sent: (path, status, header bytes, body bytes as sent, i.e. gzipped).
        self.log: list[tuple[str, int, int, int]] = []

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def record(self, path: str, status: int, head: int, body: int) -> None:
        with self._lock:
            self.log.append((path, status, head, body))

    def handle_error(self, request, client_address) -> None:
        """Browsers drop keep-alive connections at will: not worth a traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)

    def read(self, path: Path, compressed: bool = False) -> bytes:
        key = (path, compressed)
        with self._lock:
            if key not in self._cache:
                raw = path.read_bytes()
                self._cache[key] = gzip.compress(raw, compresslevel=6, mtime=0) if compressed else raw
            return self._cache[key]


@contextlib.contextmanager
def serve(root: Path, *, gzip_on: bool = True, max_age: int = 86400):
    """Serve root on 127.0.0.1 (free port), gzip for text types.

    Yields the server: ``.base`` is the URL (no trailing slash), ``.log`` every response sent.
    """
    httpd = _Server(root, gzip_on, max_age)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()


# --------------------------------------------------------------------------- shared state


class Context:
    """What one run shares between benchmarks: a temp dir, the snapshot and built sites."""

    def __init__(self, reps: int = 3):
        self.reps = reps
        self.tmp = Path(tempfile.mkdtemp(prefix="mentoring-bench-"))
        self.results: dict = {}
        self._project: Path | None = None
        self._baseline: Path | None = None
        self.site: Path | None = None           # our strict build (with downloads)
        self.baseline_site: Path | None = None  # default-Material build

    @property
    def project(self) -> Path:
        if self._project is None:
            log("snapshot of the project")
            self._project = snapshot(self.tmp / "project")
        return self._project

    @property
    def baseline(self) -> Path:
        """Default Material over the Markdown our build staged (our site is built first if need be)."""
        if self._baseline is None:
            if not (self.project / ".build" / "stage-mkdocs" / "docs").is_dir():
                self.site = None
                self.ensure_sites(baseline=False)
            self._baseline = staged_baseline(self.project, self.tmp / "baseline")
        return self._baseline

    def ensure_sites(self, baseline: bool = True) -> None:
        """Build our site and the baseline once if no earlier benchmark did."""
        if self.site is None:
            log("building the site (python -m macros build)")
            out = self.tmp / "site-ours"
            r = build(self.project, out)
            if not r["ok"]:
                raise RuntimeError("strict build failed: " + " | ".join(r.get("error", [])))
            self.site = out
        if self.baseline_site is None and baseline:
            log("building the baseline")
            out = self.tmp / "site-baseline"
            r = build(self.baseline, out, baseline=True)
            if not r["ok"]:
                raise RuntimeError("baseline build failed: " + " | ".join(r.get("error", [])))
            self.baseline_site = out

    def cleanup(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def dump(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False)
