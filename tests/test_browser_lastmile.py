"""The last mile in the browser: each test would have caught one of the problems people hit (see CHANGELOG)."""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.parse
import zipfile
from pathlib import Path

import pytest

from macros.loader import load_site

from .conftest import CHROMIUM_ARGS, ROOT, _Quiet

pytestmark = pytest.mark.browser

CSP_LISTENER = ("document.addEventListener('securitypolicyviolation', e => console.error('CSP violation: ' + "
                "e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile + ':' + e.lineNumber));")


def pages(site: Path) -> list[str]:
    """Every built page but generated files and the pages that send a moved page's readers on."""
    out = []
    for p in sorted(site.rglob("*.html")):
        rel = p.relative_to(site).as_posix()
        if not rel.startswith("downloads/") and 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")[:2000]:
            out.append(rel)
    return out


def template_pages(site: Path) -> list[str]:
    return [p for p in pages(site) if p.startswith("templates/") and p != "templates/index.html"]


@pytest.fixture(scope="module")
def strings():
    s, problems = load_site(ROOT / "docs", ROOT)
    assert not problems
    return s.messages.strings


# --------------------------------------------------------------------------- static checks of the built HTML


def test_no_raw_citation_keys_in_any_page(built_site: Path):
    s, _ = load_site(ROOT / "docs", ROOT)
    keys = re.compile(r"\b(" + "|".join(map(re.escape, s.references)) + r")\b")
    found = []
    for rel in pages(built_site):
        if rel == "about/changelog.html":
            continue  # the editorial record names the references it corrected by key, on purpose
        html = (built_site / rel).read_text(encoding="utf-8")
        body = html.split("<body", 1)[1]
        text = re.sub(r"<(script|pre|code)\b.*?</\1>", " ", body, flags=re.S)  # code shows the syntax on purpose
        text = re.sub(r"<[^>]+>", " ", text)  # attributes (ids like ref-key) are not what a reader sees
        text = " ".join(w for w in text.split() if not re.search(r"[/#]|\w\.\w", w))  # addresses in footnotes
        if "[@" in text:
            found.append(f"{rel}: [@")
        found += [f"{rel}: {m}" for m in sorted(set(keys.findall(text)))]
    assert found == []


def test_every_page_has_its_policy_first_in_head_and_no_inline_handlers(built_site: Path):
    bad = []
    for rel in pages(built_site):
        html = (built_site / rel).read_text(encoding="utf-8")
        head = re.search(r"<head\b[^>]*>(.*?)</head>", html, re.S)
        if not head or not head.group(1).lstrip().startswith('<meta http-equiv="Content-Security-Policy"'):
            bad.append(f"{rel}: policy not first in head")
        if re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.I):
            bad.append(f"{rel}: inline event handler")
        if "api.github.com" in html:
            bad.append(f"{rel}: repository stats allowed without opting in")
    assert bad == []


def test_report_link_on_every_content_page_names_the_page(built_site: Path, strings):
    bad = []
    for rel in pages(built_site):
        if rel in ("404.html",):
            continue
        html = (built_site / rel).read_text(encoding="utf-8")
        m = re.search(r'<p class="ms-report"><a href="([^"]+)">([^<]+)</a>', html)
        if not m:
            bad.append(f"{rel}: no report link")
            continue
        import html as htmllib

        href = htmllib.unescape(m.group(1))
        parts = urllib.parse.urlsplit(href)
        query = urllib.parse.parse_qs(parts.query)
        title = htmllib.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S).group(1))
        title = re.sub(r"<[^>]+>", "", title).strip()
        if parts.scheme != "mailto" or "@" not in parts.path or m.group(2) != strings["report.link"]:
            bad.append(f"{rel}: {href[:80]}")
        elif rel not in query.get("body", [""])[0] or not query.get("subject"):
            bad.append(f"{rel}: the report does not name the page")
        elif rel.startswith(("templates/", "models/")) and title not in query["subject"][0]:
            bad.append(f"{rel}: subject {query['subject'][0]!r} does not name {title!r}")
    assert bad == []


def test_offline_copy_links_all_resolve_to_files(built_site: Path, tmp_path: Path):
    with zipfile.ZipFile(built_site / "downloads/offline/mentoring-site.zip") as z:
        z.extractall(tmp_path)
    root = tmp_path / "mentoring-site"
    broken = []
    for page in sorted(root.rglob("*.html")):
        html = page.read_text(encoding="utf-8")
        for href in re.findall(r'\bhref="([^"]*)"', html):
            if not href or href.startswith(("#", "http://", "https://", "mailto:", "data:", "javascript:")):
                continue
            target = (page.parent / urllib.parse.unquote(href.split("#", 1)[0].split("?", 1)[0])).resolve()
            if not target.is_file():
                broken.append(f"{page.relative_to(root)}: {href}")
    assert broken == [], f"{len(broken)} links that do not reach a file under file://:\n" + "\n".join(broken[:30])


# --------------------------------------------------------------------------- keyboard and focus


def _rgb(value: str) -> tuple[float, ...] | None:
    m = re.match(r"rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)", value)
    if not m:
        return None
    return tuple(float(x) for x in m.groups(default="1"))


def _luminance(rgb) -> float:
    def ch(c):
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * ch(rgb[0]) + 0.7152 * ch(rgb[1]) + 0.0722 * ch(rgb[2])


def _contrast(a, b) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


FOCUS_STATE = """el => {
  const target = el.matches('.md-option') ? el.nextElementSibling
    : el.matches('.task-list-control > input') ? el.nextElementSibling : el;
  const s = getComputedStyle(target);
  const inset = parseFloat(s.outlineOffset) < 0;  // a ring drawn inside the element sits on its own background
  let bg = 'rgba(0, 0, 0, 0)', node = inset ? target : target.parentElement;
  while (node) { const b = getComputedStyle(node).backgroundColor;
    if (!/rgba\\(0, 0, 0, 0\\)|transparent/.test(b)) { bg = b; break; } node = node.parentElement; }
  return {style: s.outlineStyle, width: parseFloat(s.outlineWidth), color: s.outlineColor, bg: bg,
          shadow: s.boxShadow};
}"""

# One element of each interactive kind, where it is found.
KINDS = [
    ("templates/mentoring-agreement.html", "a.md-logo.md-header__button", "header logo"),
    ("templates/mentoring-agreement.html", ".md-tabs__link", "tab"),
    ("templates/mentoring-agreement.html", "input.md-option", "palette toggle"),
    ("templates/mentoring-agreement.html", "input.md-search__input", "search box"),
    ("templates/mentoring-agreement.html", ".md-sidebar--primary a.md-nav__link:visible", "navigation link"),
    ("templates/mentoring-agreement.html", "article .ms-downloads a.md-button--primary", "primary button"),
    ("templates/mentoring-agreement.html", "article .ms-downloads a.md-button:not(.md-button--primary)", "button"),
    ("templates/mentoring-agreement.html", "article details.ms-meta summary", "summary"),
    ("templates/mentoring-agreement.html", "article button.ms-clear", "toolbar button"),
    ("templates/mentoring-agreement.html", "article .ms-form input[type=checkbox][data-ms-key]", "checkbox"),
    ("templates/mentoring-agreement.html", "article .ms-form input[type=text]", "text input"),
    ("templates/mentoring-agreement.html", "article .ms-form textarea", "text box"),
    ("templates/mentoring-agreement.html", "article .ms-form input[type=date]", "date input"),
    ("self-assessment/mentor-competencies.html", "article input[type=radio]", "radio"),
    ("qualities/mentees.html", "article .task-list-control > input", "task-list checkbox"),
    ("index.html", "article p a[href]", "link in text"),
    ("templates/mentoring-agreement.html", ".ms-report a", "report link"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_kind_of_control_shows_a_2px_focus_ring_at_3_to_1(browser, server, scheme):
    context = browser.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900}, service_workers="block")
    pg = context.new_page()
    problems = []
    for path, selector, kind in KINDS:
        pg.goto(f"{server}/{path}", wait_until="load")
        el = pg.locator(selector).first
        assert el.count(), f"{kind}: {selector} not found on {path}"
        before = el.evaluate(FOCUS_STATE)
        pg.keyboard.press("Tab")  # keyboard modality, so :focus-visible applies as for a keyboard user
        el.focus()
        pg.wait_for_timeout(500)  # the theme animates some focus styles (the search box): measure the end state
        after = el.evaluate(FOCUS_STATE)
        ring, bg = _rgb(after["color"]), _rgb(after["bg"])
        if after == before:
            problems.append(f"{kind} [{scheme}]: focus changes nothing")
        elif after["style"] == "none" or after["width"] < 2:
            problems.append(f"{kind} [{scheme}]: outline {after['style']} {after['width']}px")
        elif ring and bg and _contrast(ring, bg) < 3:
            problems.append(f"{kind} [{scheme}]: ring {after['color']} on {after['bg']} is {_contrast(ring, bg):.2f}:1")
    context.close()
    assert problems == []


def test_skip_link_is_first_in_the_tab_order_of_every_page(browser, server, built_site: Path):
    context = browser.new_context(service_workers="block")
    pg = context.new_page()
    bad = []
    for rel in pages(built_site):
        pg.goto(f"{server}/{rel}", wait_until="domcontentloaded")
        pg.keyboard.press("Tab")
        got = pg.evaluate("""() => { const a = document.activeElement;
            const href = a && a.getAttribute('href');
            return {skip: a.classList.contains('md-skip'), visible: a.getBoundingClientRect().height > 0,
                    target: !!(href && href.startsWith('#') && document.getElementById(href.slice(1)))}; }""")
        if not (got["skip"] and got["target"] and got["visible"]):
            bad.append(f"{rel}: {got}")
    context.close()
    assert bad == []


def test_docx_button_of_every_template_within_10_tabs_after_the_skip_link(browser, server, built_site: Path):
    context = browser.new_context(service_workers="block", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    slow = []
    for rel in template_pages(built_site):
        pg.goto(f"{server}/{rel}", wait_until="load")
        pg.keyboard.press("Tab")
        pg.keyboard.press("Enter")  # follow the skip link
        for presses in range(1, 11):
            pg.keyboard.press("Tab")
            if pg.evaluate("(document.activeElement.getAttribute('href') || '').endsWith('.docx')"):
                break
        else:
            slow.append(rel)
    context.close()
    assert slow == []
    assert len(template_pages(built_site)) >= 15


def test_primary_actions_are_at_least_44px(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
    pg = context.new_page()
    small = []
    for path, selector in [("templates/mentoring-agreement.html", "article .ms-downloads .md-button"),
                           ("templates/mentoring-agreement.html", "article .ms-toolbar .md-button"),
                           ("checklists/first-meeting.html", "article .ms-toolbar .md-button"),
                           ("self-assessment/mentor-competencies.html", "article .ms-toolbar .md-button"),
                           ("self-assessment/mentor-competencies.html", "article label.ms-rating__opt"),
                           ("templates/index.html", "article .ms-cards__actions .md-button")]:
        pg.goto(f"{server}/{path}", wait_until="load")
        for box in pg.locator(selector).evaluate_all("els => els.map(e => e.getBoundingClientRect().height)"):
            if box < 43.5:
                small.append(f"{path} {selector}: {box:.0f}px")
    context.close()
    assert small == []


# --------------------------------------------------------------------------- tables and layout


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_horizontal_overflow_at_360px_on_any_page(browser, server, built_site: Path, scheme):
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme=scheme, service_workers="block")
    pg = context.new_page()
    wide = []
    for rel in pages(built_site):
        pg.goto(f"{server}/{rel}", wait_until="load")
        over = pg.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        if over > 0:
            wide.append(f"{rel}: {over}px")
    context.close()
    assert wide == []


def test_generated_tables_become_cards_on_a_phone_and_are_styled_on_a_desktop(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
    pg = context.new_page()
    for path in ("models/index.html", "templates/index.html"):
        pg.goto(f"{server}/{path}", wait_until="load")
        rows = pg.locator("table.ms-cards tbody tr")
        assert rows.count() >= 5
        assert rows.first.evaluate("e => getComputedStyle(e).display") == "block"
        # No name breaks mid-word: the row heading is as wide as its longest word needs.
        assert pg.locator("table.ms-cards tbody th[scope=row]").evaluate_all(
            "els => els.every(e => e.scrollWidth <= e.clientWidth + 1)")
        label = pg.locator("table.ms-cards td[data-label]").first
        assert label.evaluate("e => getComputedStyle(e, '::before').content").strip('"') == label.get_attribute("data-label")
    pg.goto(f"{server}/templates/index.html", wait_until="load")
    docx = pg.locator("table.ms-cards .ms-cards__actions a[href$='.docx']").first
    box = docx.bounding_box()
    assert box and box["x"] + box["width"] <= 360 and box["height"] >= 43.5
    context.close()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    pg = context.new_page()
    pg.goto(f"{server}/models/index.html", wait_until="load")
    table = pg.locator("table.ms-cards").first
    assert table.evaluate("e => getComputedStyle(e).borderTopStyle") != "none"
    assert pg.locator("table.ms-cards tbody th[scope=row]").evaluate_all(
        "els => els.every(e => e.getBoundingClientRect().width >= 150)")
    context.close()


# --------------------------------------------------------------------------- storage and forms


def _serve_twice(site: Path, tmp: Path):
    """The same site at /a/ and /b/ of one origin (two forks on org.github.io)."""
    (tmp / "a").symlink_to(site)
    (tmp / "b").symlink_to(site)
    handler = functools.partial(_Quiet, directory=str(tmp))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def test_two_copies_on_one_origin_do_not_share_ticks_or_answers(browser, built_site: Path, tmp_path: Path):
    httpd, base = _serve_twice(built_site, tmp_path)
    try:
        context = browser.new_context(service_workers="block")
        pg = context.new_page()
        pg.goto(f"{base}/a/checklists/first-meeting.html", wait_until="load")
        pg.locator(".ms-checklist input[type=checkbox]").first.check()
        pg.goto(f"{base}/a/self-assessment/mentor-competencies.html", wait_until="load")
        pg.locator("form.ms-sa input[type=radio]").first.check()
        pg.goto(f"{base}/b/checklists/first-meeting.html", wait_until="load")
        assert not pg.locator(".ms-checklist input[type=checkbox]").first.is_checked()
        pg.goto(f"{base}/b/self-assessment/mentor-competencies.html", wait_until="load")
        assert not pg.locator("form.ms-sa input[type=radio]").first.is_checked()
        keys = pg.evaluate("Object.keys(localStorage)")
        assert keys and all(k.startswith(("/a/", "/b/")) for k in keys), keys
        pg.goto(f"{base}/a/checklists/first-meeting.html", wait_until="load")
        assert pg.locator(".ms-checklist input[type=checkbox]").first.is_checked()
        context.close()
    finally:
        httpd.shutdown()


@pytest.mark.parametrize("value", ['["x"]', "42", "null", "{not json", '{"a\\"]": true, "__proto__": {"x": 1}}'])
def test_malformed_or_foreign_stored_values_are_ignored_and_reset(page, server, value):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/checklists/first-meeting.html", wait_until="load")
    page.evaluate("v => { localStorage.setItem('/ms:checklist:first-meeting', v); "
                  "localStorage.setItem('/ms:sa:mentor-competencies', v); }", value)
    page.reload(wait_until="load")
    assert page.locator(".ms-checklist input[type=checkbox]:checked").count() == 0
    page.locator(".ms-checklist input[type=checkbox]").first.check()
    stored = page.evaluate("JSON.parse(localStorage.getItem('/ms:checklist:first-meeting'))")
    assert isinstance(stored, dict) and len(stored) == 1 and '"]' not in next(iter(stored))
    page.goto(f"{server}/self-assessment/mentor-competencies.html", wait_until="load")
    assert page.locator("form.ms-sa input[type=radio]:checked").count() == 0
    assert errors == [] and page.watch.errors == []


def test_a_full_storage_quota_keeps_a_not_saved_message(page, server, strings):
    page.add_init_script("""Storage.prototype.setItem = function () {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError'); };""")
    page.goto(f"{server}/checklists/first-meeting.html", wait_until="load")
    boxes = page.locator(".ms-checklist input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    status = page.locator(".ms-checklist .ms-status")
    assert strings["js.not_saved"] in status.inner_text()
    assert status.is_visible()
    page.goto(f"{server}/self-assessment/mentor-competencies.html", wait_until="load")
    page.locator("form.ms-sa input[type=radio]").first.check()
    assert strings["js.not_saved"] in page.locator("form.ms-sa .ms-status").inner_text()
    assert page.watch.errors == []


def test_clear_and_delete_offer_undo(page, server, strings):
    page.goto(f"{server}/checklists/first-meeting.html", wait_until="load")
    boxes = page.locator(".ms-checklist input[type=checkbox]")
    boxes.nth(0).check()
    boxes.nth(3).check()
    page.get_by_role("button", name=strings["ticks.clear"]).click()
    assert boxes.nth(0).is_checked() is False
    page.get_by_role("button", name=strings["js.undo"]).click()
    assert boxes.nth(0).is_checked() and boxes.nth(3).is_checked()
    page.reload(wait_until="load")
    assert page.locator(".ms-checklist input[type=checkbox]").nth(3).is_checked()
    page.goto(f"{server}/self-assessment/mentor-competencies.html", wait_until="load")
    radio = page.locator("form.ms-sa input[type=radio]").nth(2)
    radio.check()
    page.get_by_role("button", name=strings["sa.delete"]).click()
    assert not radio.is_checked()
    page.get_by_role("button", name=strings["js.undo"]).click()
    assert radio.is_checked()


def test_typed_notes_are_kept_only_when_asked_and_leaving_with_unsaved_text_warns(browser, server, strings):
    context = browser.new_context(service_workers="block")
    pg = context.new_page()
    url = f"{server}/templates/mentoring-agreement.html"
    pg.goto(url, wait_until="load")
    field = pg.locator(".ms-form textarea").first
    field.fill("Meet monthly")
    dialogs = []
    pg.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    try:
        pg.goto(f"{server}/index.html", wait_until="load")  # dismissed: we stay
    except Exception:  # noqa: BLE001 - the navigation is aborted when the reader stays
        pass
    assert dialogs == ["beforeunload"] and pg.url == url
    pg.get_by_label(strings["form.keep_notes"]).check()
    pg.reload(wait_until="load")
    assert pg.locator(".ms-form textarea").first.input_value() == "Meet monthly"
    assert pg.get_by_label(strings["form.keep_notes"]).is_checked()
    pg.get_by_role("button", name=strings["form.clear"]).click()
    assert pg.locator(".ms-form textarea").first.input_value() == ""
    pg.reload(wait_until="load")
    assert pg.locator(".ms-form textarea").first.input_value() == ""
    # Off by default: another template keeps nothing.
    pg.goto(f"{server}/templates/closing-or-transition-form.html", wait_until="load")
    assert not pg.get_by_label(strings["form.keep_notes"]).is_checked()
    with pg.expect_download() as download:
        pg.get_by_role("button", name=strings["form.save_copy"]).click()
    assert download.value.suggested_filename.endswith(".txt")
    context.close()


# --------------------------------------------------------------------------- print


BUDGETS = {"templates/first-meeting-checklist.html": 2, "checklists/first-meeting.html": 3}
DEFAULT_BUDGET = 6


def test_printed_templates_stay_within_their_page_budgets(browser, server, built_site: Path):
    context = browser.new_context(service_workers="block")
    pg = context.new_page()
    over = []
    for rel in [*template_pages(built_site), "checklists/first-meeting.html"]:
        pg.goto(f"{server}/{rel}", wait_until="load")
        pg.emulate_media(media="print")
        assert pg.locator("article .ms-downloads").first.is_hidden()
        pdf = pg.pdf(format="A4", print_background=True)
        count = len(re.findall(rb"/Type\s*/Page\b", pdf))
        if count > BUDGETS.get(rel, DEFAULT_BUDGET):
            over.append(f"{rel}: {count} pages (budget {BUDGETS.get(rel, DEFAULT_BUDGET)})")
    context.close()
    assert over == []


# --------------------------------------------------------------------------- Content-Security-Policy


def test_no_policy_violations_on_any_page_with_search_ticks_and_answers_working(browser, server, built_site: Path):
    context = browser.new_context(service_workers="block")
    context.add_init_script(CSP_LISTENER)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"{pg.url}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))
    for rel in pages(built_site):
        pg.goto(f"{server}/{rel}", wait_until="load")
    _search_ticks_and_answers(pg, server)
    context.close()
    assert errors == []


def _search_ticks_and_answers(pg, base: str, file_root: Path | None = None) -> None:
    def go(rel):
        pg.goto((file_root / rel).as_uri() if file_root else f"{base}/{rel}", wait_until="load")
    go("index.html")
    pg.keyboard.press("/")
    pg.locator("input.md-search__input").press_sequentially("agreement", delay=20)
    pg.locator(".md-search-result__item").first.wait_for(timeout=20000)
    assert "Mentoring agreement" in pg.locator(".md-search-result").inner_text()
    go("checklists/first-meeting.html")
    pg.locator(".ms-checklist input[type=checkbox]").first.check()
    pg.reload(wait_until="load")
    assert pg.locator(".ms-checklist input[type=checkbox]").first.is_checked()
    go("self-assessment/mentor-competencies.html")
    pg.locator("form.ms-sa input[type=radio]").nth(3).check()
    pg.locator("form.ms-sa .ms-sa-summary-btn").click()
    assert pg.locator(".ms-sa__summary").is_visible()
    pg.reload(wait_until="load")
    assert pg.locator("form.ms-sa input[type=radio]").nth(3).is_checked()


def test_offline_copy_works_under_its_policy(browser, built_site: Path, tmp_path: Path):
    with zipfile.ZipFile(built_site / "downloads/offline/mentoring-site.zip") as z:
        z.extractall(tmp_path)
    root = tmp_path / "mentoring-site"
    context = browser.new_context(service_workers="block")
    context.add_init_script(CSP_LISTENER)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"{pg.url}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"{pg.url}: {e}"))
    pg.goto((root / "templates/mentoring-agreement.html").as_uri(), wait_until="load")
    logo = pg.locator("a.md-logo").first.get_attribute("href")
    assert logo.endswith("index.html"), logo
    pg.locator("a.md-logo").first.click()
    pg.wait_for_load_state("load")
    assert pg.url == (root / "index.html").as_uri()
    _search_ticks_and_answers(pg, "", root)
    context.close()
    assert errors == []


def test_the_404_page_offers_search_and_the_three_ways_in(page, server):
    page.goto(f"{server}/404.html", wait_until="load")
    assert page.locator("article form.ms-404-search input").count() == 1
    hrefs = page.locator("article ul a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    for want in ("start/trainee.html", "start/mentor.html", "start/programme-lead.html"):
        assert any(h.endswith(want) for h in hrefs), hrefs
    page.locator("article form.ms-404-search input").fill("sponsor")
    page.keyboard.press("Enter")
    page.locator(".md-search-result__item").first.wait_for(timeout=20000)


def test_no_empty_announcement_bar(page, server):
    page.goto(f"{server}/index.html", wait_until="load")
    assert page.locator(".md-banner").count() == 0
