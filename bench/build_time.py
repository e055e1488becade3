"""Benchmark 1: build time, against default Material building the same Markdown.

Every variant is a fresh process, interleaved repetition by repetition so that load on the shared
machine hits them alike; figures are medians of per-repetition ratios, of wall time and of CPU time
(user + system of the build and its children, much less sensitive to other work on the machine).

* ``cold``: ``python -m macros build`` with no ``.build/`` (no staging tree, no download cache), as in a
  fresh clone or CI.
* ``warm``: the same command right after it (what a second local build sees). Targets: cold <= 3x and
  warm <= 1.5x the baseline.
* ``without downloads``: a cold build that generates no download (``--no-downloads``), so its distance
  from ``cold`` is the cost of the downloads.
* ``zensical cold`` / ``zensical warm``: the same with ``ENGINE=zensical`` (reported, with the engine
  stage alone against the baseline).
* ``baseline``: ``mkdocs build`` with a default Material configuration over the Markdown our build
  staged (``.build/stage-mkdocs/docs``: the same pages, macros already run), not strict.

The time of each stage of our build (``--timings``) is reported too.
"""

from __future__ import annotations

import shutil

from common import Context, build, dir_size, log, median, rnd, staged_baseline

VARIANTS = ("cold", "warm", "without_downloads", "baseline", "zensical_cold", "zensical_warm")


def _ratio(a: list[float], b: list[float]):
    n = min(len(a), len(b))
    return rnd(median([a[i] / b[i] for i in range(n)]), 2) if n else None


def run(ctx: Context, engines: tuple[str, ...] = ("mkdocs", "zensical")) -> dict:
    reps = ctx.reps
    project = ctx.project
    wall: dict[str, list[float]] = {v: [] for v in VARIANTS}
    cpu: dict[str, list[float]] = {v: [] for v in VARIANTS}
    stages: dict[str, list[dict]] = {v: [] for v in VARIANTS}
    errors = []
    baseline = None
    for i in range(reps):
        # The baseline is made from the Markdown the warm build staged, before the next cold build clears it.
        plan = [("cold", {}), ("warm", {}), ("baseline", None), ("without_downloads", {"downloads": False})]
        if "zensical" in engines:
            plan += [("zensical_cold", {"engine": "zensical"}), ("zensical_warm", {"engine": "zensical"})]
        for label, kw in plan:
            if label in ("cold", "without_downloads", "zensical_cold"):
                shutil.rmtree(project / ".build", ignore_errors=True)  # no staging tree, no download cache
            if label == "baseline":
                if baseline is None:
                    baseline = staged_baseline(project, ctx.tmp / "baseline")
                r = build(baseline, ctx.tmp / "site-baseline", baseline=True)
            else:
                r = build(project, ctx.tmp / f"site-{label}", **kw)
            log(f"build {label} #{i + 1}: {r['seconds']:.1f}s wall, {r['cpu']:.1f}s CPU{'' if r['ok'] else ' FAILED'}")
            if r["ok"]:
                wall[label].append(r["seconds"])
                cpu[label].append(r["cpu"])
                if r.get("stages"):
                    stages[label].append(r["stages"])
            else:
                errors.append({"build": label, "error": r["error"]})
        if errors:
            break
    ctx.site = ctx.tmp / "site-warm" if wall["warm"] else None
    ctx.baseline_site = ctx.tmp / "site-baseline" if wall["baseline"] else None

    res: dict = {
        "repetitions": reps,
        "wall_s": {k: [rnd(x, 2) for x in v] for k, v in wall.items() if v},
        "cpu_s": {k: [rnd(x, 2) for x in v] for k, v in cpu.items() if v},
        "median_s": {k: rnd(median(v), 2) for k, v in wall.items() if v},
        "median_cpu_s": {k: rnd(median(v), 2) for k, v in cpu.items() if v},
        "stages_s": {k: {name: rnd(median([s.get(name, 0.0) for s in v]), 2) for name in v[0]}
                     for k, v in stages.items() if v},
    }
    if errors:
        res["errors"] = errors
    base_w, base_c = wall["baseline"], cpu["baseline"]
    res["ratios"] = {
        "cold": _ratio(wall["cold"], base_w), "cold_cpu": _ratio(cpu["cold"], base_c),
        "warm": _ratio(wall["warm"], base_w), "warm_cpu": _ratio(cpu["warm"], base_c),
        "without_downloads": _ratio(wall["without_downloads"], base_w),
        "without_downloads_cpu": _ratio(cpu["without_downloads"], base_c),
        "zensical_cold": _ratio(wall["zensical_cold"], base_w), "zensical_warm": _ratio(wall["zensical_warm"], base_w),
    }
    engine_stage = [s.get("engine", 0.0) for s in stages["zensical_warm"]]
    res["ratios"]["zensical_engine_stage"] = _ratio(engine_stage, base_w) if engine_stage else None
    res["targets"] = {"cold": 3.0, "warm": 1.5}
    res["pass"] = {k: None if res["ratios"][k] is None else res["ratios"][k] <= t for k, t in res["targets"].items()}
    if wall["cold"] and wall["without_downloads"]:
        res["downloads_cost_s"] = rnd(median(wall["cold"]) - median(wall["without_downloads"]), 2)
        res["downloads_share_of_cold"] = rnd(1 - median(wall["without_downloads"]) / median(wall["cold"]), 3)
    if ctx.site is not None:
        files, size = dir_size(ctx.site)
        res["site"] = {"files": files, "bytes": size}
    return res


if __name__ == "__main__":
    import sys

    import run as runner

    runner.main(["--only", "build"] + sys.argv[1:])
