"""Benchmark 6: the downloads (PDF, DOCX, Markdown) and their share of the build.

Runs on a snapshot of the project (see common.snapshot) with the pipeline that `make build` runs
(``python -m macros build``):

* **Per file, in one process** (a fresh interpreter in the snapshot): every job of
  ``macros.downloads.documents(site)`` rendered once after one warm-up render, CPU time
  (``time.process_time``) per file. Reported: the median and the worst CPU time of a template PDF
  (target: median <= 0.3 s), the same for DOCX and Markdown, the facilitator guides and the course
  pack, the import time of the PDF engine, and the bytes of every format.
* **Whole builds**: a cold build (the download cache ``.build/cache`` and the staging tree removed
  first) and the warm build that follows it (cache filled, nothing changed), ``--reps`` times,
  interleaved; wall and CPU seconds (user + system of the build and its worker processes).
* **Share of the build**: ``build_all(site)`` in-process without a cache (wall and CPU, the CPU of
  its worker processes included) divided by the cold build's median.

The figures of the writers before this benchmark existed (fpdf2, measured on the same machine) are
kept in ``BEFORE`` below and printed beside today's, so a change of writer shows its cost.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from common import Context, env, log, median, rnd

# Measured with this script on 2026-12-02 on the 2-core shared machine, before WeasyPrint replaced
# fpdf2 (commit ddb9b1c): one PDF per template (A4), one DOCX, one Markdown file; 68 files.
BEFORE = {
    "writer": "fpdf2 2.8.9 (hand-made layout), python-docx 1.2",
    "template_pdf_cpu_median_s": 0.094, "template_pdf_cpu_max_s": 0.16,
    "template_pdf_bytes_median": 21771, "template_docx_cpu_median_s": 0.038,
    "guide_pdf_cpu_median_s": 0.117, "course_pack_pdf_cpu_s": 0.421, "course_pack_pdf_bytes": 93021,
    "cold_build_s": 7.59, "cold_build_cpu_s": 9.88,
    "warm_build_s": 3.96, "warm_build_cpu_s": 3.6,
    "build_all_s": 4.777, "build_all_cpu_s": 6.454,
    "share_wall": 0.629, "share_cpu": 0.653,
    "files": 74, "bytes": 1934971,
}

_PER_FILE = r"""
import json, resource, sys, time
sys.path.insert(0, ".")
t0 = time.process_time()
from macros.loader import load_site
from macros import downloads
site, problems = load_site(__import__("pathlib").Path("docs"), __import__("pathlib").Path("."))
assert site is not None, problems
load = time.process_time() - t0
jobs = downloads.documents(site)
render = getattr(downloads, "_render")
t0 = time.process_time()
first = next(p for p in jobs if p.endswith(".pdf"))
render(jobs[first])  # warm-up: imports the PDF engine, loads fonts
warm = time.process_time() - t0
out = []
for path, job in jobs.items():
    c0 = time.process_time()
    data = render(job)
    out.append({"path": path, "cpu": time.process_time() - c0, "bytes": len(data)})
print(json.dumps({"load_cpu_s": load, "first_pdf_cpu_s": warm, "files": out}))
"""

_BUILD_ALL = r"""
import json, resource, sys, time
sys.path.insert(0, ".")
from macros.loader import load_site
from macros import downloads

def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

site, problems = load_site(__import__("pathlib").Path("docs"), __import__("pathlib").Path("."))
t0, c0 = time.perf_counter(), cpu()
files = downloads.build_all(site)
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": cpu() - c0, "files": len(files),
                  "bytes": sum(len(v) for v in files.values())}))
"""


def _python(project: Path, code: str, *args: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", code, *args], cwd=project, env=env(), capture_output=True,
                          text=True, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _build(project: Path, site_dir: Path, cold: bool) -> dict:
    if cold:
        shutil.rmtree(project / ".build", ignore_errors=True)
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "macros", "build", "--site-dir", str(site_dir)], cwd=project,
                          env=env(), capture_output=True, text=True, timeout=1800)
    seconds = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {"seconds": seconds, "cpu": (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime),
           "ok": proc.returncode == 0}
    if proc.returncode != 0:
        out["error"] = proc.stderr.strip().splitlines()[-3:]
    return out


def _stats(rows: list[dict], pred) -> dict:
    cpu = [r["cpu"] for r in rows if pred(r["path"])]
    size = [r["bytes"] for r in rows if pred(r["path"])]
    if not cpu:
        return {}
    return {"count": len(cpu), "cpu_median_s": rnd(median(cpu)), "cpu_max_s": rnd(max(cpu)),
            "cpu_total_s": rnd(sum(cpu)), "bytes_median": int(median(size)), "bytes_max": max(size),
            "bytes_total": sum(size)}


def run(ctx: Context) -> dict:
    project = ctx.project
    log("downloads: every file once, in one process")
    per = _python(project, _PER_FILE)
    rows = per["files"]

    def template(fmt: str):
        return lambda p: p.startswith("downloads/templates/") and p.endswith(fmt)

    def guide(p: str) -> bool:
        return p.startswith("downloads/curriculum/") and p.endswith(".pdf") and "course-pack" not in p

    worst = max((r for r in rows if template(".pdf")(r["path"])), key=lambda r: r["cpu"], default=None)
    result = {
        "load_cpu_s": rnd(per["load_cpu_s"]), "first_pdf_cpu_s": rnd(per["first_pdf_cpu_s"]),
        "template_pdf": _stats(rows, template(".pdf")),
        "template_docx": _stats(rows, template(".docx")),
        "template_md": _stats(rows, template(".md.txt")),
        "guide_pdf": _stats(rows, guide),
        "course_pack_pdf": _stats(rows, lambda p: p.startswith("downloads/curriculum/course-pack") and p.endswith(".pdf")),
        "book_pdf": _stats(rows, lambda p: p.startswith("downloads/books/")),
        "worst_template_pdf": worst and {"path": worst["path"], "cpu_s": rnd(worst["cpu"])},
        "files": len(rows), "bytes": sum(r["bytes"] for r in rows),
        "target_template_pdf_cpu_median_s": 0.3,
    }
    log("downloads: build_all in-process, no cache")
    result["build_all"] = {k: rnd(v) if isinstance(v, float) else v for k, v in _python(project, _BUILD_ALL).items()}
    cold, warm = [], []
    for i in range(ctx.reps):
        log(f"downloads: cold and warm build {i + 1}/{ctx.reps}")
        cold.append(_build(project, ctx.tmp / "site-dl", cold=True))
        warm.append(_build(project, ctx.tmp / "site-dl", cold=False))
    bad = [b for b in cold + warm if not b["ok"]]
    if bad:
        result["build_error"] = bad[0].get("error")
    result["cold_build"] = {"seconds": [rnd(b["seconds"], 2) for b in cold], "cpu": [rnd(b["cpu"], 2) for b in cold],
                            "median_s": rnd(median([b["seconds"] for b in cold]), 2),
                            "median_cpu_s": rnd(median([b["cpu"] for b in cold]), 2)}
    result["warm_build"] = {"seconds": [rnd(b["seconds"], 2) for b in warm], "cpu": [rnd(b["cpu"], 2) for b in warm],
                            "median_s": rnd(median([b["seconds"] for b in warm]), 2),
                            "median_cpu_s": rnd(median([b["cpu"] for b in warm]), 2)}
    ba = result["build_all"]
    if result["cold_build"]["median_s"]:
        result["share_wall"] = rnd(ba["seconds"] / result["cold_build"]["median_s"], 3)
        result["share_cpu"] = rnd(ba["cpu"] / result["cold_build"]["median_cpu_s"], 3)
    result["before"] = BEFORE
    return result


def report(r: dict) -> list[str]:
    """Lines for latest.md."""
    if "error" in r:
        return [f"- Failed: {r['error']}"]
    b = r.get("before", {})
    tp = r.get("template_pdf", {})

    def was(key: str, unit: str = " s") -> str:
        return f" (before: {b[key]}{unit})" if b.get(key) is not None else ""

    lines = [
        f"- Template PDFs ({tp.get('count')} files): median **{tp.get('cpu_median_s')} s** CPU each"
        f"{was('template_pdf_cpu_median_s')}, worst {tp.get('cpu_max_s')} s"
        f" ({(r.get('worst_template_pdf') or {}).get('path')}){was('template_pdf_cpu_max_s')}; target median <= 0.3 s.",
        f"- Median bytes: template PDF {tp.get('bytes_median')}, DOCX {r.get('template_docx', {}).get('bytes_median')}, "
        f"Markdown {r.get('template_md', {}).get('bytes_median')}; facilitator guide PDF "
        f"{r.get('guide_pdf', {}).get('bytes_median')}; course pack PDF {r.get('course_pack_pdf', {}).get('bytes_max')}.",
        f"- First PDF in a fresh process (imports, fonts): {r.get('first_pdf_cpu_s')} s CPU.",
        f"- All {r.get('files')} files: {r.get('bytes')} bytes{was('bytes', ' bytes')}; build_all in-process, no cache: "
        f"{r['build_all']['seconds']} s wall, {r['build_all']['cpu']} s CPU{was('build_all_cpu_s')}.",
        f"- Cold build: median {r['cold_build']['median_s']} s wall, {r['cold_build']['median_cpu_s']} s CPU"
        f"{was('cold_build_s')} (runs {r['cold_build']['seconds']}); warm build: median {r['warm_build']['median_s']} s "
        f"wall, {r['warm_build']['median_cpu_s']} s CPU{was('warm_build_s')} (runs {r['warm_build']['seconds']}).",
        f"- Downloads as a share of the cold build: {round(100 * r.get('share_wall', 0))}% of wall time, "
        f"{round(100 * r.get('share_cpu', 0))}% of CPU time.",
    ]
    return lines


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="Benchmark 6: downloads")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = ap.parse_args()
    c = Context(reps=args.reps)
    try:
        res = run(c)
    finally:
        c.cleanup()
    text = json.dumps(res, indent=2)
    print(text)
    print("\n".join(report(res)))
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
