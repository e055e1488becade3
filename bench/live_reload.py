"""Benchmark 5: live reload — seconds from saving a page to the change being served.

``make serve`` (``python -m macros serve``) against ``mkdocs serve`` of default Material over the same
staged Markdown (the baseline), each in its own temporary copy: start the server on a free port, wait
until the guide page is served (start-up: the first full build, with a cold download cache, plus server
start), then ``--edits`` times append a unique marker sentence to docs/mentees/finding-a-mentor.md and
poll the served page until the marker appears. The figure is the median of those edits; the target is
ours <= 1.2x the baseline. The same for the large fork (benchmark 2), ours only. The page is then
restored and the server stopped (SIGINT, then SIGTERM if needed).
"""

from __future__ import annotations

import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from common import MKDOCS, PAGES, Context, clear_cache, copy_project, env, free_port, log, rnd

SOURCE = "docs/mentees/finding-a-mentor.md"
URL_PATH = PAGES["guide"]


def _get(url: str, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - 127.0.0.1 only
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return 0, ""


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)  # mkdocs shuts down cleanly and removes its temp site dir
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure(project: Path, log_file: Path, startup_timeout: float, reload_timeout: float, *,
            baseline: bool = False, edits: int = 3) -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}/{URL_PATH}"
    if baseline:
        cmd = [str(MKDOCS), "serve", "--dev-addr", f"127.0.0.1:{port}", "--livereload",
               "-f", str(project / "mkdocs.yml")]
    else:
        cmd = [sys.executable, "-m", "macros", "serve", "--project", str(project), "--addr", f"127.0.0.1:{port}"]
    src = project / SOURCE
    e = env()
    e["PYTHONPATH"] = str(project)
    original = src.read_bytes()
    res: dict = {}
    with open(log_file, "w", encoding="utf-8") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=project, env=e, stdout=out, stderr=subprocess.STDOUT)
        try:
            while True:
                if proc.poll() is not None:
                    res["error"] = "mkdocs serve exited: " + " | ".join(
                        log_file.read_text(encoding="utf-8").strip().splitlines()[-8:])
                    return res
                elapsed = time.perf_counter() - t0
                if elapsed > startup_timeout:
                    res["error"] = f"not serving after {startup_timeout:.0f} s"
                    return res
                status, _ = _get(url, timeout=max(1.0, startup_timeout - elapsed))
                if status == 200:
                    break
                time.sleep(0.5)
            res["startup_s"] = rnd(time.perf_counter() - t0, 2)
            time.sleep(2)  # let the file watcher take its first snapshot
            times = []
            for _ in range(edits):
                marker = f"Live-reload benchmark marker {uuid.uuid4().hex}."
                t1 = time.perf_counter()
                src.write_bytes(original + f"\n\n{marker}\n".encode())
                while True:
                    elapsed = time.perf_counter() - t1
                    if elapsed > reload_timeout:
                        res["error"] = f"marker not served after {reload_timeout:.0f} s"
                        return res
                    if proc.poll() is not None:
                        res["error"] = "the server exited during the rebuild"
                        return res
                    status, body = _get(url, timeout=max(1.0, reload_timeout - elapsed))
                    if status == 200 and marker in body:
                        break
                    time.sleep(0.1)
                times.append(time.perf_counter() - t1)
                time.sleep(1.5)  # let the background work of the rebuild finish before the next edit
            res["reload_s"] = rnd(statistics.median(times), 2)
            res["reload_each_s"] = [rnd(t, 2) for t in times]
        finally:
            src.write_bytes(original)
            _stop(proc)
    return res


def run(ctx: Context, large: bool = True) -> dict:
    res: dict = {"page": SOURCE, "target": 1.2}
    normal = ctx.tmp / "serve-normal"
    if not normal.exists():
        copy_project(ctx.project, normal)  # without the download cache: a cold start
    log("live reload: normal site")
    res["normal"] = measure(normal, ctx.tmp / "serve-normal.log", startup_timeout=600, reload_timeout=600)
    log(f"live reload normal: {res['normal']}")
    log("live reload: baseline (mkdocs serve, default Material, the same Markdown)")
    base = ctx.baseline
    res["baseline"] = measure(base, ctx.tmp / "serve-baseline.log", startup_timeout=600, reload_timeout=600,
                              baseline=True)
    log(f"live reload baseline: {res['baseline']}")
    ours, theirs = res["normal"].get("reload_s"), res["baseline"].get("reload_s")
    res["ratio"] = rnd(ours / theirs, 2) if ours and theirs else None
    res["pass"] = None if res["ratio"] is None else res["ratio"] <= 1.2
    if not large:
        res["large"] = {"skipped": "--no-large-reload"}
        return res
    fork = getattr(ctx, "large_fork", None)
    if fork is None or not Path(fork).exists():
        from large_fork import make_fork

        fork = ctx.tmp / "large-fork"
        make_fork(ctx.project, fork)
        ctx.large_fork = fork
    clear_cache(Path(fork))  # a cold start, like the normal site's
    log("live reload: large fork")
    res["large"] = measure(Path(fork), ctx.tmp / "serve-large.log", startup_timeout=1200, reload_timeout=1200)
    log(f"live reload large: {res['large']}")
    return res


if __name__ == "__main__":
    import run as runner

    runner.main(["--only", "reload"] + sys.argv[1:])
