"""Benchmark 4: Lighthouse scores (mobile preset, simulated throttling) for the four pages.

Lighthouse 12.2.3 is installed from npm into bench/.node (git-ignored) on first use and run with
Debian's Chromium (CHROME_PATH). Our four pages are served with gzip on 127.0.0.1; the baseline's
home page is run too, served without compression, for reference. Each of our pages is run three
times and the run with the median performance score is kept (Lighthouse CI's practice: simulated
throttling scales the CPU time it observes, which varies on a shared machine). Only the four category scores
(0-100), five metrics and the ids of failed non-performance audits are kept; the full reports
stay in the temporary folder. If Lighthouse cannot be installed or run, the reason is recorded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time

from common import BENCH, CHROMIUM, PAGES, Context, env, log, serve

VERSION = "12.2.3"
NODE_DIR = BENCH / ".node"
LH = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --disable-background-networking "
                "--disable-component-update --disable-sync --no-first-run")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
           "cumulative-layout-shift", "speed-index")
# The baseline's Google Fonts link: blocked, as in the page-weight benchmark.
BLOCKED = "*fonts.googleapis.com*,*fonts.gstatic.com*"


def installed_version() -> str | None:
    pkg = NODE_DIR / "node_modules" / "lighthouse" / "package.json"
    try:
        return json.loads(pkg.read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def ensure_lighthouse() -> str | None:
    """Install lighthouse@VERSION into bench/.node if needed; returns an error message or None."""
    if installed_version() == VERSION and LH.exists():
        return None
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found on PATH"
    log(f"npm install lighthouse@{VERSION} into bench/.node")
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    try:
        proc = subprocess.run([npm, "install", "--prefix", str(NODE_DIR), f"lighthouse@{VERSION}",
                               "--no-audit", "--no-fund", "--loglevel=error"],
                              capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return "npm install timed out after 600 s"
    if proc.returncode != 0 or installed_version() != VERSION:
        return "npm install failed: " + " ".join((proc.stdout + proc.stderr).split())[-400:]
    return None


def lighthouse(url: str, out_json, timeout: float = 240) -> dict:
    cmd = [str(LH), url, "--output=json", f"--output-path={out_json}", "--quiet",
           f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}",
           f"--blocked-url-patterns={BLOCKED}"]
    e = env()
    e["CHROME_PATH"] = CHROMIUM
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=e)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    seconds = round(time.perf_counter() - t0, 1)
    if proc.returncode != 0 or not os.path.exists(out_json):
        return {"error": " ".join((proc.stdout + proc.stderr).split())[-400:], "seconds": seconds}
    report = json.loads(open(out_json, encoding="utf-8").read())
    res: dict = {"scores": {}, "seconds": seconds}
    for c in CATEGORIES:
        score = report["categories"].get(c, {}).get("score")
        res["scores"][c] = None if score is None else round(score * 100)
    res["metrics"] = {}  # milliseconds, except CLS (unitless)
    for m in METRICS:
        v = report["audits"].get(m, {}).get("numericValue")
        if v is not None:
            res["metrics"][m] = round(v, 3) if m == "cumulative-layout-shift" else round(v)
    failed = []
    for c in CATEGORIES[1:]:
        for ref in report["categories"].get(c, {}).get("auditRefs", []):
            a = report["audits"].get(ref["id"], {})
            if ref.get("weight", 0) > 0 and a.get("score") is not None and a["score"] < 1:
                failed.append(ref["id"])
    if failed:
        res["failed_audits"] = failed[:10]
    if report.get("runtimeError"):
        res["runtime_error"] = report["runtimeError"].get("message", "")[:200]
    if report.get("runWarnings"):
        res["run_warnings"] = [w[:160] for w in report["runWarnings"][:3]]
    return res


RUNS = 3  # per page; the median run is kept, as Lighthouse CI does (performance varies run to run)


def median_run(url: str, out_dir, name: str, runs: int = RUNS) -> dict:
    """Run Lighthouse ``runs`` times; keep the run with the median performance score and list all."""
    results = [lighthouse(url, out_dir / f"{name}-{i + 1}.json") for i in range(runs)]
    ok = [r for r in results if "error" not in r and r["scores"].get("performance") is not None]
    if not ok:
        return results[0]
    ok.sort(key=lambda r: (r["scores"]["performance"], -r["metrics"].get("first-contentful-paint", 0)))
    chosen = dict(ok[(len(ok) - 1) // 2])
    chosen["runs"] = len(results)
    chosen["performance_all_runs"] = [r["scores"].get("performance") if "scores" in r else None for r in results]
    return chosen


def run(ctx: Context) -> dict:
    error = ensure_lighthouse()
    if error:
        log(f"lighthouse unavailable: {error}")
        return {"ran": False, "reason": error}
    ctx.ensure_sites()
    res: dict = {"ran": True, "version": installed_version(), "preset": "mobile (default)",
                 "chrome": CHROMIUM, "pages": {}}
    out_dir = ctx.tmp / "lighthouse"
    out_dir.mkdir(exist_ok=True)
    with serve(ctx.site, gzip_on=True) as srv:
        base = srv.base
        for name, path in PAGES.items():
            log(f"lighthouse: {name} ({path})")
            res["pages"][name] = {"path": path, **median_run(f"{base}/{path}", out_dir, name)}
    with serve(ctx.baseline_site, gzip_on=False) as srv:
        base = srv.base
        log("lighthouse: baseline home (no compression)")
        res["baseline_home_uncompressed"] = {"path": PAGES["home"],
                                             **lighthouse(f"{base}/{PAGES['home']}", out_dir / "baseline.json")}
    if all("error" in r for r in res["pages"].values()):
        res["ran"] = False
        res["reason"] = "every Lighthouse run failed (see pages.*.error)"
    return res


if __name__ == "__main__":
    import run as runner

    runner.main(["--only", "lighthouse"] + sys.argv[1:])
