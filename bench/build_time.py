"""Benchmark 1: build time.

* Full strict build of the site vs a baseline build of the same docs/ with a default Material
  configuration and macros disabled. Repetitions are interleaved (ours, no-downloads, baseline,
  ours, ...) so that load on the shared machine hits all of them alike; the figure is the median
  of the per-repetition ratios, of wall time and of CPU time (user + system of the build process,
  much less sensitive to other work on the machine). Target: ratio <= 1.5.
  "ours" is a cold build (the macros' download cache, <project>/.cache, removed first); a warm
  build (cache filled) is measured right after it and reported too.
* Download generation: a strict build with ``macros.downloads.build_all`` stubbed out, and
  ``build_all(site)`` called directly in-process on the loaded site (no cache), reported as a
  share of the full (cold) build time (target <= 25%) and per template (one template's .md, .docx
  and .pdf, CPU seconds in one process).
"""

from __future__ import annotations

import json
import subprocess
import sys

from common import Context, build, clear_cache, dir_size, env, log, median, rnd

# Run in a fresh interpreter in the snapshot, so it times the snapshot's macros/ and docs/.
# CPU time counts this process and its children (build_all may use a process pool).
_IN_PROCESS = r"""
import json, resource, sys, time
sys.path.insert(0, ".")
from macros.loader import load_site
from macros import downloads, documents as d

def cpu():
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime

reps = int(sys.argv[1])
t0 = time.perf_counter(); site, problems = load_site("docs", "."); load = time.perf_counter() - t0
assert site is not None, problems
runs, cpus = [], []
for _ in range(reps):
    t0, c0 = time.perf_counter(), cpu()
    files = downloads.build_all(site)
    runs.append(time.perf_counter() - t0); cpus.append(cpu() - c0)
# Per template and format (CPU seconds, one process): the calls build_all makes for a template.
per_format = None
try:
    per_format = {ext: 0.0 for ext in d.WRITERS}
    for t in site.templates.values():
        doc = downloads.template_doc(t, site.settings, site.references)
        for ext, writer in d.WRITERS.items():
            c0 = time.process_time(); writer(doc); per_format[ext] += time.process_time() - c0
except Exception as exc:
    per_format = {"error": f"{type(exc).__name__}: {exc}"}
print(json.dumps({"load_site_s": load, "build_all_s": runs, "build_all_cpu_s": cpus, "files": len(files),
                  "bytes": sum(len(v) for v in files.values()), "templates": len(site.templates),
                  "sessions": len(site.curriculum), "template_format_s": per_format}))
"""


# One strict build in a fresh interpreter with the time of each MkDocs step recorded: every plugin
# event, the Markdown conversion of pages (_populate_page minus its events) and the theme
# rendering (_build_page minus its events), plus interpreter start-up and imports. Used for ours
# (cache warm) and for the baseline, to show where the difference between them goes.
_PROFILE = r"""
import collections, json, sys, time
t_start = time.perf_counter()
sys.path.insert(0, ".")
from mkdocs import plugins
from mkdocs.commands import build as B
T = collections.Counter()
event_stack = []
orig_event = plugins.PluginCollection.run_event
def run_event(self, name, item=None, **kw):
    t0 = time.perf_counter()
    try:
        return orig_event(self, name, item, **kw)
    finally:
        T["event:" + name] += time.perf_counter() - t0
plugins.PluginCollection.run_event = run_event
def timed(fn, key):
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            T[key] += time.perf_counter() - t0
    return wrapper
B._populate_page = timed(B._populate_page, "populate_total")
B._build_page = timed(B._build_page, "build_page_total")
from mkdocs.__main__ import cli
t_cli = time.perf_counter()
try:
    cli(sys.argv[1:], prog_name="mkdocs", standalone_mode=False)
finally:
    end = time.perf_counter()
    ev = lambda n: T.get("event:" + n, 0.0)
    out = {
        "start-up and imports": t_cli - t_start + ev("startup"),
        "configuration (on_config: data loading, downloads started)": ev("config"),
        "Markdown conversion": T["populate_total"] - ev("page_markdown") - ev("page_content") - ev("pre_page") - ev("page_read_source"),
        "macros in pages (on_page_markdown)": ev("page_markdown"),
        "search indexing (on_page_context)": ev("page_context"),
        "theme rendering and writing pages": T["build_page_total"] - ev("page_context") - ev("post_page") - ev("page_content"),
        "after the pages (on_post_build: downloads written, print books, offline zip, search index)": ev("post_build"),
    }
    out["other"] = (end - t_start) - sum(out.values())
    print("PROFILE " + json.dumps(out))
"""


def profile_build(project, site_dir, strict: bool = True) -> dict | None:
    args = ["build", "-f", str(project / "mkdocs.yml"), "-d", str(site_dir)] + (["--strict"] if strict else [])
    proc = subprocess.run([sys.executable, "-c", _PROFILE, *args], cwd=project, env=env(),
                          capture_output=True, text=True, timeout=1800)
    for line in (proc.stdout + proc.stderr).splitlines()[::-1]:
        if line.startswith("PROFILE "):
            return json.loads(line[len("PROFILE "):])
    return None


def _ratio(a: list[float], b: list[float]):
    n = min(len(a), len(b))
    return rnd(median([a[i] / b[i] for i in range(n)]), 2) if n else None


def run(ctx: Context) -> dict:
    reps = ctx.reps
    # "ours" is a cold build: the download cache is removed first, as in a fresh clone or CI.
    # "ours_warm" follows it with the cache filled (what a second local build or serve sees).
    variants = (("ours", {}, ctx.project),
                ("ours_warm", {}, ctx.project),
                ("ours_without_downloads", {"downloads": False}, ctx.project),
                ("baseline", {"strict": False}, ctx.baseline))
    wall: dict[str, list[float]] = {v[0]: [] for v in variants}
    cpu: dict[str, list[float]] = {v[0]: [] for v in variants}
    errors = []
    for i in range(reps):
        for label, kw, proj in variants:
            if label == "ours":
                clear_cache(proj)
            r = build(proj, ctx.tmp / f"site-{label}", **kw)
            log(f"build {label} #{i + 1}: {r['seconds']:.1f}s wall, {r['cpu']:.1f}s CPU"
                f"{'' if r['ok'] else ' FAILED'}")
            if r["ok"]:
                wall[label].append(r["seconds"])
                cpu[label].append(r["cpu"])
            else:
                errors.append({"build": label, "error": r["error"]})
        if errors:
            break
    ctx.site = ctx.tmp / "site-ours" if wall["ours"] else None
    ctx.baseline_site = ctx.tmp / "site-baseline" if wall["baseline"] else None

    res: dict = {
        "repetitions": reps,
        "wall_s": {k: [rnd(x, 2) for x in v] for k, v in wall.items()},
        "cpu_s": {k: [rnd(x, 2) for x in v] for k, v in cpu.items()},
        "median_s": {k: rnd(median(v), 2) for k, v in wall.items()},
        "median_cpu_s": {k: rnd(median(v), 2) for k, v in cpu.items()},
    }
    if errors:
        res["errors"] = errors
    res["ratio_vs_baseline"] = _ratio(wall["ours"], wall["baseline"])
    res["ratio_vs_baseline_cpu"] = _ratio(cpu["ours"], cpu["baseline"])
    res["ratio_without_downloads_vs_baseline"] = _ratio(wall["ours_without_downloads"], wall["baseline"])
    res["ratio_without_downloads_vs_baseline_cpu"] = _ratio(cpu["ours_without_downloads"], cpu["baseline"])
    res["ratio_warm_vs_baseline"] = _ratio(wall["ours_warm"], wall["baseline"])
    res["ratio_warm_vs_baseline_cpu"] = _ratio(cpu["ours_warm"], cpu["baseline"])
    res["ratio_target"] = 1.5
    res["ratio_pass"] = None if res["ratio_vs_baseline"] is None else res["ratio_vs_baseline"] <= 1.5
    res["ratio_cpu_pass"] = None if res["ratio_vs_baseline_cpu"] is None else res["ratio_vs_baseline_cpu"] <= 1.5
    if ctx.site is not None:
        files, size = dir_size(ctx.site)
        res["site"] = {"files": files, "bytes": size}

    # Where the time goes: one instrumented build of each, ours with the download cache warm.
    log("profiling one warm build and one baseline build")
    ours_p = profile_build(ctx.project, ctx.tmp / "site-profile-ours")
    base_p = profile_build(ctx.baseline, ctx.tmp / "site-profile-baseline", strict=False)
    if ours_p and base_p:
        res["profile_s"] = {k: {"ours": rnd(ours_p[k], 3), "baseline": rnd(base_p.get(k, 0.0), 3)} for k in ours_p}

    n = min(reps, 2)  # build_all is deterministic work: two timings are enough for a median
    log(f"build_all in-process x{n}")
    proc = subprocess.run([sys.executable, "-c", _IN_PROCESS, str(n)], cwd=ctx.project, env=env(),
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        res["downloads"] = {"error": (proc.stdout + proc.stderr).strip().splitlines()[-10:]}
        return res
    dl = json.loads(proc.stdout.strip().splitlines()[-1])
    full, full_cpu = median(wall["ours"]), median(cpu["ours"])
    ba, ba_cpu = median(dl["build_all_s"]), median(dl["build_all_cpu_s"])
    fmt = dl["template_format_s"] if "error" not in (dl["template_format_s"] or {"error": 1}) else None
    tmpl_total = sum(fmt.values()) if fmt else None
    share = ba / full if full else None
    share_cpu = ba_cpu / full_cpu if full_cpu else None
    res["downloads"] = {
        "build_all_s": [rnd(x, 2) for x in dl["build_all_s"]],
        "build_all_cpu_s": [rnd(x, 2) for x in dl["build_all_cpu_s"]],
        "files": dl["files"], "bytes": dl["bytes"],
        "templates": dl["templates"], "sessions": dl["sessions"],
        "share_of_full_build": rnd(share, 3),          # wall build_all / wall full build
        "share_of_full_build_cpu": rnd(share_cpu, 3),  # CPU build_all / CPU full build
        "share_target": 0.25,
        "share_pass": None if share is None else share <= 0.25,
        "share_cpu_pass": None if share_cpu is None else share_cpu <= 0.25,
        # Measured: strict builds with build_all stubbed out, vs the full builds (medians).
        "build_saving_s": rnd(full - median(wall["ours_without_downloads"]), 2)
        if full and wall["ours_without_downloads"] else None,
        "build_saving_cpu_s": rnd(full_cpu - median(cpu["ours_without_downloads"]), 2)
        if full_cpu and cpu["ours_without_downloads"] else None,
        # CPU seconds: one template's three files, and the split of build_all's CPU time.
        "per_template_cpu_s": rnd(tmpl_total / dl["templates"], 3) if fmt and dl["templates"] else None,
        "per_template_by_format_cpu_s": {k: rnd(v / dl["templates"], 4) for k, v in fmt.items()}
        if fmt and dl["templates"] else dl["template_format_s"],
        "templates_total_cpu_s": rnd(tmpl_total, 2),
        "curriculum_and_pack_cpu_s": rnd(ba_cpu - tmpl_total, 2) if fmt else None,
        "per_template_build_all_s": rnd(ba / dl["templates"], 3) if dl["templates"] else None,
        "load_site_s": rnd(dl["load_site_s"], 2),
    }
    return res


if __name__ == "__main__":
    import run as runner

    runner.main(["--only", "build"] + sys.argv[1:])
