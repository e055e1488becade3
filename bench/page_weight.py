"""Benchmark 3: page weight, first and repeat visit, ours vs the default-Material baseline.

Both built sites are served by the same small gzip server on 127.0.0.1 (assets sent with
Cache-Control max-age, pages with no-cache + ETag). Headless Chromium (Playwright) loads each
page in a fresh browser context (empty cache) — the first visit — then in a new tab of the same
context — the repeat visit — and waits for network idle plus a second (Material's search worker
fetches the search index after load).

Bytes: the sum of the encoded (gzipped) response body sizes of every request of the visit, as
recorded by the server, which also sees the search worker's own script (Chrome's DevTools
Protocol reports no size for it); the CDP Network.loadingFinished encodedDataLength sum (headers
included) is kept as a cross-check. Requests to any host other than the local server are counted
as third-party (CDP Network.requestWillBeSent) and blocked by host resolver rules, so the
baseline's Google Fonts request is attempted and counted but never leaves the machine.
"""

from __future__ import annotations

import sys
import time
from urllib.parse import urlsplit

from common import CHROMIUM, CHROMIUM_ARGS, PAGES, Context, log, serve

BLOCK_THIRD_PARTY = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
SETTLE_S = 1.0  # quiet time after network idle, for late requests (search worker, fonts)
SEARCH_QUERY = "agreement"  # the third visit: a first visit, then one search


def kind(path: str) -> str:
    if path.endswith("search_index.json"):
        return "search_index"
    for ext, k in ((".html", "html"), ("/", "html"), (".css", "css"), (".js", "js")):
        if path.endswith(ext):
            return k
    return "other"


class Visit:
    """One tab's requests as Chromium saw them (CDP), for third-party and cache counts."""

    def __init__(self, context, page, local_host: str):
        self.local = local_host
        self.cdp_bytes = 0
        self.from_cache = 0
        self.third_party: list[str] = []
        self._cached_ids: set[str] = set()
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.on("Network.requestServedFromCache", lambda e: self._cached_ids.add(e["requestId"]))
        self.cdp.send("Network.enable")

    def _sent(self, e) -> None:
        url = e["request"]["url"]
        if not url.startswith(("data:", "blob:")) and urlsplit(url).netloc != self.local:
            self.third_party.append(url)

    def _response(self, e) -> None:
        r = e["response"]
        if r.get("fromDiskCache") or r.get("fromPrefetchCache"):
            self._cached_ids.add(e["requestId"])

    def _finished(self, e) -> None:
        if e["requestId"] in self._cached_ids:
            self.from_cache += 1
        self.cdp_bytes += int(e.get("encodedDataLength", 0))


def _visit(context, server, path: str, search: str | None = None) -> dict:
    page = context.new_page()
    v = Visit(context, page, urlsplit(server.base).netloc)
    mark = len(server.log)
    page.goto(f"{server.base}/{path}", wait_until="load")
    try:
        page.wait_for_load_state("networkidle", timeout=15000)
    except Exception:  # noqa: BLE001 - measured anyway
        pass
    time.sleep(SETTLE_S)
    found = None
    if search:  # then search, as a reader would: focus the box, type, wait for results
        page.locator("input.md-search__input").focus()
        page.keyboard.type(search, delay=20)
        try:
            page.locator(".md-search-result__item").first.wait_for(timeout=20000)
            found = page.locator(".md-search-result__item").count()
        except Exception:  # noqa: BLE001 - recorded as no results
            found = 0
        try:
            page.wait_for_load_state("networkidle", timeout=15000)
        except Exception:  # noqa: BLE001
            pass
        time.sleep(SETTLE_S)
    page.close()
    sent = server.log[mark:]
    by_kind: dict[str, int] = {}
    for p, _status, _head, body in sent:
        by_kind[kind(p)] = by_kind.get(kind(p), 0) + body
    return {
        "bytes": sum(x[3] for x in sent),            # encoded (gzipped) bodies
        "wire_bytes": sum(x[2] + x[3] for x in sent),  # plus response headers
        "cdp_bytes": v.cdp_bytes,
        "requests": len(sent),
        "not_modified": sum(1 for x in sent if x[1] == 304),
        "from_cache": v.from_cache,
        "by_kind": by_kind,
        "third_party_requests": len(v.third_party),
        "third_party_urls": sorted(set(v.third_party)),
        **({"search_results": found} if search else {}),
    }


def measure_site(browser, root) -> dict:
    res = {}
    with serve(root, gzip_on=True) as server:
        for name, path in PAGES.items():
            if not (root / path).is_file():
                res[name] = {"error": f"{path} not in the built site"}
                continue
            context = browser.new_context()
            first = _visit(context, server, path)
            repeat = _visit(context, server, path)
            context.close()
            context = browser.new_context()
            searched = _visit(context, server, path, search=SEARCH_QUERY)
            context.close()
            res[name] = {"path": path, "first": first, "repeat": repeat, "first_then_search": searched}
    return res


def run(ctx: Context) -> dict:
    ctx.ensure_sites()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                    args=CHROMIUM_ARGS + [BLOCK_THIRD_PARTY])
        try:
            log("page weight: ours")
            ours = measure_site(browser, ctx.site)
            log("page weight: baseline")
            base = measure_site(browser, ctx.baseline_site)
        finally:
            browser.close()

    table = {}
    tp = {"ours": 0, "baseline": 0}
    for name in PAGES:
        o, b = ours.get(name, {}), base.get(name, {})
        if "first" not in o or "first" not in b:
            table[name] = {"error": o.get("error") or b.get("error")}
            continue
        row = {"path": o["path"]}
        for visit in ("first", "repeat", "first_then_search"):
            ov, bv = o[visit], b[visit]
            row[visit] = {
                "ours_bytes": ov["bytes"], "baseline_bytes": bv["bytes"],
                "ratio": round(ov["bytes"] / bv["bytes"], 3) if bv["bytes"] else None,
                "ours_wire_bytes": ov["wire_bytes"], "baseline_wire_bytes": bv["wire_bytes"],
                "ours_cdp_bytes": ov["cdp_bytes"], "baseline_cdp_bytes": bv["cdp_bytes"],
                "ours_requests": ov["requests"], "baseline_requests": bv["requests"],
                "ours_not_modified": ov["not_modified"], "baseline_not_modified": bv["not_modified"],
                "ours_from_cache": ov["from_cache"], "baseline_from_cache": bv["from_cache"],
                "ours_by_kind": ov["by_kind"], "baseline_by_kind": bv["by_kind"],
                "ours_search_results": ov.get("search_results"),
                "baseline_search_results": bv.get("search_results"),
                "ours_third_party": ov["third_party_requests"],
                "baseline_third_party": bv["third_party_requests"],
            }
            tp["ours"] += o[visit]["third_party_requests"]
            tp["baseline"] += b[visit]["third_party_requests"]
        table[name] = row
    firsts = [r["first"]["ratio"] for r in table.values() if "first" in r and r["first"]["ratio"]]
    searched = [r["first_then_search"]["ratio"] for r in table.values()
                if "first_then_search" in r and r["first_then_search"]["ratio"]]
    total_o = sum(r["first"]["ours_bytes"] for r in table.values() if "first" in r)
    total_b = sum(r["first"]["baseline_bytes"] for r in table.values() if "first" in r)
    urls = sorted({u for s in (ours, base) for r in s.values() for v in ("first", "repeat")
                   for u in r.get(v, {}).get("third_party_urls", [])})
    return {
        "pages": table,
        "first_visit_total_ratio": round(total_o / total_b, 3) if total_b else None,
        "first_visit_max_ratio": max(firsts) if firsts else None,
        "first_then_search_max_ratio": max(searched) if searched else None,
        "ratio_target": 1.0,
        "ratio_pass": bool(firsts) and max(firsts) <= 1.0,
        "third_party_requests": tp,
        "third_party_pass": tp["ours"] == 0,
        "third_party_urls_seen": [u[:120] for u in urls][:10],
    }


if __name__ == "__main__":
    import run as runner

    runner.main(["--only", "weight"] + sys.argv[1:])
