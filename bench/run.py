"""Run the benchmarks and write bench/results/latest.json and bench/results/latest.md.

    .venv/bin/python bench/run.py                       # everything (what `make bench` runs)
    .venv/bin/python bench/run.py --only build,weight   # some of them; merged into latest.*
    .venv/bin/python bench/run.py --reps 1 --no-large-reload   # quicker
    .venv/bin/python bench/run.py --report-only         # rewrite latest.md from latest.json

Benchmarks: build (1), large (2), weight (3), lighthouse (4), reload (5), downloads (6). See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, Context, dump, log  # noqa: E402

ORDER = ("build", "large", "weight", "lighthouse", "reload", "downloads")
KEYS = {"build": "build_time", "large": "large_fork", "weight": "page_weight",
        "lighthouse": "lighthouse", "reload": "live_reload", "downloads": "downloads"}


def _run_one(name: str, ctx: Context, args) -> dict:
    if name == "build":
        import build_time
        return build_time.run(ctx)
    if name == "large":
        import large_fork
        return large_fork.run(ctx)
    if name == "weight":
        import page_weight
        return page_weight.run(ctx)
    if name == "lighthouse":
        import lighthouse
        return lighthouse.run(ctx)
    if name == "reload":
        import live_reload
        return live_reload.run(ctx, large=not args.no_large_reload)
    if name == "downloads":
        import download_time
        return download_time.run(ctx)
    raise ValueError(name)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", default=",".join(ORDER), help=f"comma-separated subset of {','.join(ORDER)}")
    ap.add_argument("--reps", type=int, default=3, help="repetitions of each build in benchmark 1 (default 3)")
    ap.add_argument("--no-large-reload", action="store_true", help="skip the large fork in benchmark 5")
    ap.add_argument("--keep-tmp", action="store_true", help="keep the temporary folder (printed)")
    ap.add_argument("--report-only", action="store_true", help="only rewrite latest.md from latest.json")
    args = ap.parse_args(argv)
    if args.report_only:
        out = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
        out["summary"] = summary(out)
        (RESULTS / "latest.json").write_text(dump(out) + "\n", encoding="utf-8")
        (RESULTS / "latest.md").write_text(markdown(out), encoding="utf-8")
        print((RESULTS / "latest.md").read_text(encoding="utf-8"))
        return 0
    chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in ORDER]
    if unknown:
        ap.error(f"unknown benchmark(s): {', '.join(unknown)}")
    chosen = [n for n in ORDER if n in chosen]

    RESULTS.mkdir(parents=True, exist_ok=True)
    latest = RESULTS / "latest.json"
    previous: dict = {}
    if set(chosen) != set(ORDER) and latest.exists():
        try:
            previous = json.loads(latest.read_text(encoding="utf-8"))
        except ValueError:
            previous = {}

    ctx = Context(reps=args.reps)
    log(f"temporary folder: {ctx.tmp}")
    started = time.perf_counter()
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat()
    try:
        for name in chosen:
            t0 = time.perf_counter()
            log(f"=== {name}")
            try:
                section = _run_one(name, ctx, args)
            except Exception as exc:  # noqa: BLE001 - record and carry on with the others
                traceback.print_exc()
                section = {"error": f"{type(exc).__name__}: {exc}"[:600]}
            section["measured_at"] = now
            section["duration_s"] = round(time.perf_counter() - t0, 1)
            ctx.results[KEYS[name]] = section
            log(f"=== {name} done in {section['duration_s']} s")
    finally:
        if args.keep_tmp:
            log(f"kept {ctx.tmp}")
        else:
            ctx.cleanup()

    out = {
        "generated_at": now,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(terse=True)},
        "commit": _commit(),
        "packages": _versions(),
        "run": {"benchmarks": chosen, "reps": args.reps, "duration_s": round(time.perf_counter() - started, 1)},
    }
    for name in ORDER:
        key = KEYS[name]
        if key in ctx.results:
            out[key] = ctx.results[key]
        elif key in previous:
            out[key] = previous[key]  # from an earlier run (see its measured_at)
    out["summary"] = summary(out)
    tmp = RESULTS / "latest.json.tmp"
    tmp.write_text(dump(out) + "\n", encoding="utf-8")
    tmp.replace(latest)
    tmp = RESULTS / "latest.md.tmp"
    tmp.write_text(markdown(out), encoding="utf-8")
    tmp.replace(RESULTS / "latest.md")
    log(f"wrote {latest.relative_to(RESULTS.parent.parent)} and latest.md "
        f"in {out['run']['duration_s']} s")
    print((RESULTS / "latest.md").read_text(encoding="utf-8"))
    return 0


def _commit() -> str | None:
    import subprocess

    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True,
                               text=True).stdout.strip()
        return head + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return None


def _versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("mkdocs", "mkdocs-material", "pymdown-extensions", "Markdown", "Jinja2", "pydantic", "nh3",
                 "weasyprint", "python-docx", "playwright"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            pass
    return out


# --------------------------------------------------------------------------- reporting


def _verdict(ok) -> str:
    return "n/a" if ok is None else ("pass" if ok else "FAIL")


def summary(out: dict) -> list[dict]:
    """One row per target: figure, target and verdict."""
    rows = []

    def row(what: str, figure: str, target: str = "(reported)", verdict: str = "n/a") -> None:
        rows.append({"what": what, "figure": figure, "target": target, "verdict": verdict})

    b = out.get("build_time", {})
    r = b.get("ratios", {})
    if r.get("cold") is not None:
        row("Build, cold (no staging tree, no download cache) vs default Material, same Markdown (wall / CPU)",
            f"{r['cold']}x / {r.get('cold_cpu')}x", "<= 3x", _verdict(b.get("pass", {}).get("cold")))
    if r.get("warm") is not None:
        row("Build, warm vs default Material, same Markdown (wall / CPU)",
            f"{r['warm']}x / {r.get('warm_cpu')}x", "<= 1.5x", _verdict(b.get("pass", {}).get("warm")))
    if r.get("without_downloads") is not None:
        row("Build, cold but without downloads, vs default Material (wall / CPU)",
            f"{r['without_downloads']}x / {r.get('without_downloads_cpu')}x")
    if r.get("zensical_warm") is not None:
        row("Build with Zensical, cold / warm, vs default Material (wall)",
            f"{r.get('zensical_cold')}x / {r['zensical_warm']}x")
    if r.get("zensical_engine_stage") is not None:
        row("Zensical's engine stage alone (warm) vs default Material's whole build (wall)",
            f"{r['zensical_engine_stage']}x", "< 1x", _verdict(r["zensical_engine_stage"] < 1))
    if b.get("downloads_share_of_cold") is not None:
        row("Downloads' share of a cold build (wall)", f"{b['downloads_share_of_cold'] * 100:.0f}%")
    lf = out.get("large_fork", {})
    if "ratio" in lf:
        row("Large fork (10x) build vs normal (wall / CPU)", f"{lf['ratio']}x / {lf.get('ratio_cpu')}x", "<= 10x",
            f"{_verdict(lf.get('ratio_pass'))} / {_verdict(lf.get('ratio_cpu_pass'))}")
    pw = out.get("page_weight", {})
    if pw.get("first_visit_max_ratio") is not None:
        row("Page weight, first visit, worst of 4 pages vs baseline", f"{pw['first_visit_max_ratio']}x", "<= 1.0x",
            _verdict(pw.get("ratio_pass")))
    if pw.get("first_then_search_max_ratio") is not None:
        row("Page weight, first visit then one search, worst of 4 pages vs baseline",
            f"{pw['first_then_search_max_ratio']}x")
    if "third_party_requests" in pw:
        tp = pw["third_party_requests"]
        row("Third-party requests, ours (baseline attempted)", f"{tp['ours']} ({tp['baseline']})", "0",
            _verdict(pw.get("third_party_pass")))
    lh = out.get("lighthouse", {})
    pages = [r for r in lh.get("pages", {}).values() if "scores" in r]
    if pages:
        lowest = {c: min(r["scores"][c] for r in pages) for c in pages[0]["scores"]}
        row("Lighthouse, lowest of 4 pages (median run of 3): performance / a11y / best practices / SEO",
            " / ".join(str(v) for v in lowest.values()), "100 each", _verdict(all(v == 100 for v in lowest.values())))
    lr = out.get("live_reload", {})
    if lr.get("ratio") is not None:
        row("Live reload after a page edit, make serve vs mkdocs serve of default Material (median)",
            f"{lr['ratio']}x ({lr['normal']['reload_s']} s / {lr['baseline']['reload_s']} s)", "<= 1.2x",
            _verdict(lr.get("pass")))
    if "reload_s" in lr.get("large", {}):
        row("Live reload, large fork (save to served)", f"{lr['large']['reload_s']} s")
    dl = out.get("downloads", {})
    if dl.get("template_pdf", {}).get("cpu_median_s") is not None:
        median_pdf = dl["template_pdf"]["cpu_median_s"]
        row("Template PDF, median CPU per file (one process)", f"{median_pdf} s", "<= 0.3 s", _verdict(median_pdf <= 0.3))
    if dl.get("warm_build", {}).get("median_cpu_s") is not None:
        before = (dl.get("before") or {}).get("warm_build_cpu_s")
        warm = dl["warm_build"]["median_cpu_s"]
        row("Warm build (download cache filled), median CPU, vs before the WeasyPrint change",
            f"{warm} s (before {before} s)", "no slower", _verdict(None if before is None else warm <= before * 1.1))
    if dl.get("cold_build", {}).get("median_s") is not None:
        before = dl.get("before") or {}
        row("Cold build, median wall / CPU (before)", f"{dl['cold_build']['median_s']} s / "
            f"{dl['cold_build']['median_cpu_s']} s ({before.get('cold_build_s')} s / {before.get('cold_build_cpu_s')} s)")
        row("Downloads as share of the cold build, wall / CPU (before)",
            f"{dl.get('share_wall', 0) * 100:.0f}% / {dl.get('share_cpu', 0) * 100:.0f}% "
            f"({before.get('share_wall', 0) * 100:.0f}% / {before.get('share_cpu', 0) * 100:.0f}%)")
    return rows


def _kb(n) -> str:
    return "-" if n is None else f"{n / 1024:.1f} KB"


def markdown(out: dict) -> str:
    L = [f"# Benchmark results", "",
         f"Generated {out['generated_at']} on {out['machine']['cpus']} CPUs, Python {out['machine']['python']}, "
         f"in {out['run']['duration_s']} s (`{' '.join(['make bench'] if len(out['run']['benchmarks']) == len(ORDER) else ['bench/run.py --only', ','.join(out['run']['benchmarks'])])}`, "
         f"{out['run']['reps']} repetitions). Ratios are measured against a baseline in the same run. "
         "See bench/README.md for what each figure means.", "",
         f"Commit {out.get('commit')}; packages: "
         + ", ".join(f"{k} {v}" for k, v in (out.get("packages") or {}).items()) + ".", "",
         "| Measure | Figure | Target | Verdict |", "| --- | --- | --- | --- |"]
    for r in out["summary"]:
        L.append(f"| {r['what']} | {r['figure']} | {r['target']} | {r['verdict']} |")
    errors = [(k, v["error"]) for k, v in out.items() if isinstance(v, dict) and "error" in v]

    b = out.get("build_time")
    if b:
        L += ["", "## 1. Build time", ""]
        if "median_s" in b:
            m, c = b["median_s"], b["median_cpu_s"]
            L += ["| Variant | Median wall s | Median CPU s | Wall times |", "| --- | --- | --- | --- |"]
            for k in m:
                L.append(f"| {k} | {m[k]} | {c.get(k)} | {b['wall_s'].get(k)} |")
            rt = b.get("ratios", {})
            L += ["", "Ratios to the baseline (median of per-repetition ratios): " + "; ".join(
                f"{k} {v}x" for k, v in rt.items() if v is not None) + "."]
            if b.get("downloads_cost_s") is not None:
                L.append(f"- Downloads cost {b['downloads_cost_s']} s of a cold build "
                         f"({b['downloads_share_of_cold'] * 100:.0f}%).")
        st = b.get("stages_s")
        if st:
            names = sorted({n for v in st.values() for n in v})
            L += ["", "Where the time goes, by stage (`--timings`, median seconds):", "",
                  "| Variant | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
            for k, v in st.items():
                L.append(f"| {k} | " + " | ".join(str(v.get(n, "-")) for n in names) + " |")
        for e in b.get("errors", []):
            L.append(f"- Build `{e['build']}` failed: `{' / '.join(e['error'][-3:])}`")

    lf = out.get("large_fork")
    if lf:
        L += ["", "## 2. Synthetic large fork (10x)", ""]
        c = lf.get("counts", {})
        if c:
            L.append(f"- Fork: {c.get('pages')} pages ({c.get('upstream_pages')} upstream), "
                     f"{c.get('templates')} templates, {c.get('references')} references.")
        if "ratio" in lf:
            L.append(f"- Strict build: large {lf['large_s']} s wall ({lf['large_cpu_s']} s CPU) vs normal "
                     f"{lf['normal_s']} s ({lf['normal_cpu_s']} s CPU), built just before: **{lf['ratio']}x** wall, "
                     f"**{lf['ratio_cpu']}x** CPU (wall vs benchmark 1's median: {lf.get('ratio_vs_benchmark1_median')}x).")
        ls, ns = lf.get("large_site"), lf.get("normal_site")
        if ls and ns:
            L.append(f"- Built HTML: {ls['html_pages']} pages, {ls['html_bytes'] / 2**20:.0f} MB "
                     f"(avg {_kb(ls['html_bytes'] / max(1, ls['html_pages']))}/page) vs normal {ns['html_pages']} pages, "
                     f"{ns['html_bytes'] / 2**20:.1f} MB (avg {_kb(ns['html_bytes'] / max(1, ns['html_pages']))}/page).")

    pw = out.get("page_weight")
    if pw and "pages" in pw:
        L += ["", "## 3. Page weight (gzip, encoded response bodies)", "",
              "| Page | First: ours | First: baseline | Ratio | Repeat: ours | Repeat: baseline | Requests ours/baseline |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
        for name, r in pw["pages"].items():
            if "first" not in r:
                L.append(f"| {name} | error: {r.get('error')} | | | | | |")
                continue
            f, rp = r["first"], r["repeat"]

            def rep(side: str) -> str:
                return (f"{_kb(rp[side + '_bytes'])} ({rp[side + '_requests']} req, "
                        f"{rp.get(side + '_not_modified', 0)} x 304)")
            L.append(f"| {name} (`{r['path']}`) | {_kb(f['ours_bytes'])} | {_kb(f['baseline_bytes'])} | {f['ratio']} | "
                     f"{rep('ours')} | {rep('baseline')} | {f['ours_requests']}/{f['baseline_requests']} |")
        L += ["", "A first visit followed by one search (focus the search box, type "
              "\"agreement\", wait for results), in a fresh browser context:", "",
              "| Page | Ours | Baseline | Ratio | Search index ours / baseline | Results ours / baseline |",
              "| --- | --- | --- | --- | --- | --- |"]
        for name, r in pw["pages"].items():
            s = r.get("first_then_search")
            if not s:
                continue
            L.append(f"| {name} | {_kb(s['ours_bytes'])} | {_kb(s['baseline_bytes'])} | {s['ratio']} | "
                     f"{_kb(s['ours_by_kind'].get('search_index', 0))} / {_kb(s['baseline_by_kind'].get('search_index', 0))} | "
                     f"{s.get('ours_search_results')} / {s.get('baseline_search_results')} |")
        tp = pw.get("third_party_requests", {})
        home = pw["pages"].get("home", {}).get("first", {})
        if home.get("ours_by_kind"):
            ok, bk = home["ours_by_kind"], home["baseline_by_kind"]
            kinds = sorted(set(ok) | set(bk), key=lambda k: -(ok.get(k, 0)))
            L += ["", "- Home page, first visit, by kind (ours / baseline): " + "; ".join(
                f"{k} {_kb(ok.get(k, 0))} / {_kb(bk.get(k, 0))}" for k in kinds) + "."]
        L += ["- Bytes are gzipped response bodies as sent by the server (response headers not included); on a "
              "repeat visit the page is revalidated (304, no body) and every asset comes from the browser cache.",
              f"- All four pages together, first visit: ours/baseline = {pw.get('first_visit_total_ratio')}.",
              f"- Third-party requests over all visits: ours {tp.get('ours')}, baseline {tp.get('baseline')} "
              f"(blocked: {', '.join(pw.get('third_party_urls_seen', [])) or 'none'})."]

    lh = out.get("lighthouse")
    if lh:
        L += ["", "## 4. Lighthouse (mobile preset)", ""]
        if not lh.get("ran"):
            L.append(f"- Not run: {lh.get('reason') or lh.get('error')}")
        rows = dict(lh.get("pages", {}))
        if "baseline_home_uncompressed" in lh:
            rows["baseline home (no gzip)"] = lh["baseline_home_uncompressed"]
        if rows:
            L += [f"Lighthouse {lh.get('version')}. Scores 0-100; for our pages, the run with the median "
                  "performance score of three (all three performance scores in brackets).", "",
                  "| Page | Performance | Accessibility | Best practices | SEO | FCP ms | LCP ms | TBT ms | Failed audits |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
            for name, r in rows.items():
                if "scores" not in r:
                    L.append(f"| {name} | error: {str(r.get('error'))[:120]} | | | | | | | |")
                    continue
                s, m = r["scores"], r.get("metrics", {})
                perf = str(s["performance"]) + (f" ({', '.join(map(str, r['performance_all_runs']))})"
                                                if r.get("performance_all_runs") else "")
                L.append(f"| {name} | {perf} | {s['accessibility']} | {s['best-practices']} | {s['seo']} | "
                         f"{m.get('first-contentful-paint', '-')} | "
                         f"{m.get('largest-contentful-paint', '-')} | {m.get('total-blocking-time', '-')} | "
                         f"{', '.join(r.get('failed_audits', [])) or '-'} |")

    lr = out.get("live_reload")
    if lr:
        L += ["", "## 5. Live reload", ""]
        for k in ("normal", "baseline", "large"):
            r = lr.get(k, {})
            if "reload_s" in r:
                L.append(f"- {k.capitalize()} site: serving after {r['startup_s']} s; an edit to `{lr['page']}` "
                         f"was served after **{r['reload_s']} s**.")
            elif r:
                L.append(f"- {k.capitalize()} site: {r.get('error') or r.get('skipped')}"
                         + (f" (serving after {r['startup_s']} s)" if "startup_s" in r else ""))

    dl = out.get("downloads")
    if dl:
        import download_time
        L += ["", "## 6. Downloads", ""] + download_time.report(dl)

    nested = []
    for key in ("build_time", "large_fork", "page_weight", "lighthouse", "live_reload"):
        v = out.get(key, {})
        if isinstance(v, dict):
            for sub in ("normal", "large"):
                if isinstance(v.get(sub), dict) and "error" in v[sub]:
                    nested.append((f"{key}.{sub}", v[sub]["error"]))
            if "error" in v.get("downloads", {}):
                nested.append((f"{key}.downloads", " / ".join(v["downloads"]["error"][-3:])))
    if errors or nested:
        L += ["", "## Failures", ""]
        for k, e in errors + nested:
            L.append(f"- {k}: {e if isinstance(e, str) else ' / '.join(map(str, e))[-400:]}")
    stale = [k for k in KEYS.values() if k in out and out[k].get("measured_at") != out["generated_at"]]
    if stale:
        L += ["", f"Sections from an earlier run: {', '.join(stale)} (see measured_at in latest.json)."]
    return "\n".join(L) + "\n"


if __name__ == "__main__":
    sys.exit(main())
