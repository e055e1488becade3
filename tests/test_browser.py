"""Real-browser checks in Chromium against the built site served on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import ROOT

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def all_pages() -> list[str]:
    docs = ROOT / "docs"
    return sorted(p.relative_to(docs).with_suffix(".html").as_posix() for p in docs.rglob("*.md")
                  if not p.relative_to(docs).as_posix().startswith("local/"))


def test_home_and_checklist_load_without_errors_or_foreign_requests(page, server):
    for path in ("index.html", "checklists/first-meeting.html"):
        response = page.goto(f"{server}/{path}", wait_until="networkidle")
        assert response is not None and response.ok, path
        assert page.locator("h1").count() == 1
    assert page.watch.errors == []
    assert page.watch.foreign == []


def test_checklist_ticks_survive_reload_and_clear_clears_them(page, server):
    page.goto(f"{server}/checklists/first-meeting.html", wait_until="networkidle")
    boxes = page.locator(".ms-checklist input[type=checkbox]")
    assert boxes.count() >= 5
    boxes.nth(0).check()
    boxes.nth(2).check()
    page.reload(wait_until="networkidle")
    boxes = page.locator(".ms-checklist input[type=checkbox]")
    assert boxes.nth(0).is_checked() and boxes.nth(2).is_checked() and not boxes.nth(1).is_checked()
    stored = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('/ms:'))")
    assert stored == ["/ms:checklist:first-meeting"]
    page.get_by_role("button", name="Clear my ticks").click()
    assert not boxes.nth(0).is_checked()
    assert page.evaluate("localStorage.getItem('/ms:checklist:first-meeting')") is None
    page.reload(wait_until="networkidle")
    assert not page.locator(".ms-checklist input[type=checkbox]").nth(0).is_checked()
    assert page.watch.foreign == [] and page.watch.errors == []


def test_template_ticks_are_kept_per_template(page, server):
    page.goto(f"{server}/templates/mentoring-agreement.html", wait_until="networkidle")
    box = page.locator(".ms-form input[type=checkbox]").first
    box.check()
    page.goto(f"{server}/templates/relationship-health-check.html", wait_until="networkidle")
    assert page.evaluate("localStorage.getItem('/ms:template:relationship-health-check')") is None
    page.goto(f"{server}/templates/mentoring-agreement.html", wait_until="networkidle")
    assert page.locator(".ms-form input[type=checkbox]").first.is_checked()
    page.locator(".ms-form textarea").first.fill("Typed text stays on screen for printing")
    assert "Typed text" in page.locator(".ms-form textarea").first.input_value()


def test_print_media_hides_navigation_and_keeps_content_and_ticks(page, server):
    page.goto(f"{server}/checklists/first-meeting.html", wait_until="networkidle")
    page.locator(".ms-checklist input[type=checkbox]").first.check()
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".md-sidebar--primary").is_visible()
    assert not page.locator(".ms-toolbar").is_visible()
    assert page.locator(".ms-checklist").is_visible()
    assert page.locator(".ms-checklist input[type=checkbox]").first.is_checked()


def test_search_finds_templates_and_sponsorship_pages(page, server):
    page.goto(f"{server}/index.html", wait_until="networkidle")
    page.keyboard.press("/")
    box = page.locator("input.md-search__input")
    box.press_sequentially("agreement", delay=20)
    results = page.locator(".md-search-result__item")
    results.first.wait_for(timeout=15000)
    assert "Mentoring agreement" in page.locator(".md-search-result").inner_text()
    box.fill("")
    box.press_sequentially("sponsor", delay=20)
    page.wait_for_function(
        "document.querySelector('.md-search-result') && /sponsor/i.test(document.querySelector('.md-search-result').innerText)",
        timeout=15000)
    text = page.locator(".md-search-result").inner_text().lower()
    assert "sponsor" in text and ("being a sponsor" in text or "asking for sponsorship" in text)
    assert page.watch.foreign == []


def _index_requests(page) -> list[str]:
    return [u for u in page.watch.requests if "/search/search_index.json" in u]


def test_search_index_is_loaded_only_when_the_reader_goes_to_search(page, server):
    """Most readers never search: a first visit must not download the index (overrides/main.html)."""
    page.goto(f"{server}/mentees/finding-a-mentor.html", wait_until="networkidle")
    page.wait_for_timeout(300)
    assert _index_requests(page) == []
    page.locator("input.md-search__input").focus()
    page.keyboard.type("agreement", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    assert "Mentoring agreement" in page.locator(".md-search-result").inner_text()
    assert len(_index_requests(page)) == 1


def test_search_works_from_the_search_button_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, has_touch=True, is_mobile=True)
    try:
        pg = context.new_page()
        pg.goto(f"{server}/index.html", wait_until="networkidle")
        pg.locator(".md-header label[for='__search']").first.tap()
        pg.locator("input.md-search__input").press_sequentially("sponsor", delay=20)
        pg.locator(".md-search-result__item").first.wait_for(timeout=15000)
        assert "sponsor" in pg.locator(".md-search-result").inner_text().lower()
    finally:
        context.close()


def test_a_page_opened_from_a_search_link_gets_its_results_at_once(page, server):
    page.goto(f"{server}/index.html?q=agreement", wait_until="networkidle")
    assert len(_index_requests(page)) == 1


def test_skip_link_reaches_the_content(page, server):
    page.goto(f"{server}/mentees/finding-a-mentor.html", wait_until="networkidle")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className + ' ' + document.activeElement.getAttribute('href')")
    assert "md-skip" in focused and "#" in focused


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_wcag_a_or_aa_violations_on_any_page(browser, server, scheme):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    context = browser.new_context(color_scheme=scheme, service_workers="block")
    pg = context.new_page()
    foreign: list[str] = []
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(f"{pg.url}: {msg.text}") if msg.type == "error" else None)

    def route(r):
        if r.request.url.startswith(server):
            return r.continue_()
        foreign.append(r.request.url)
        return r.abort()

    pg.route("**/*", route)
    problems = []
    for path in all_pages():
        pg.goto(f"{server}/{path}", wait_until="load")
        expected = "slate" if scheme == "dark" else "default"
        assert pg.evaluate("document.body.getAttribute('data-md-color-scheme')") == expected
        results = axe.run(pg, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]})
        for v in results.response["violations"]:
            targets = [n["target"] for n in v["nodes"][:3]]
            problems.append(f"{path} [{scheme}] {v['id']}: {v['help']} {targets}")
    context.close()
    kinds = sorted({p.split("] ", 1)[1].split(":", 1)[0] for p in problems})
    assert problems == [], f"{len(problems)} violations of {kinds}:\n" + "\n".join(problems[:40])
    assert foreign == []
    assert errors == []


def test_no_horizontal_scroll_at_360px(browser, server):
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
    pg = context.new_page()
    wide = []
    for path in all_pages():
        pg.goto(f"{server}/{path}", wait_until="load")
        overflow = pg.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            wide.append(f"{path}: {overflow}px")
    context.close()
    assert wide == []


def test_every_image_has_alt_text(browser, server):
    context = browser.new_context(service_workers="block")
    pg = context.new_page()
    missing = []
    for path in all_pages():
        pg.goto(f"{server}/{path}", wait_until="domcontentloaded")
        missing += [f"{path}: {src}" for src in pg.eval_on_selector_all("img:not([alt])", "els => els.map(e => e.src)")]
    context.close()
    assert missing == []


def test_built_site_serves_downloads(page, server, built_site: Path):
    response = page.request.get(f"{server}/downloads/templates/mentoring-agreement.pdf")
    assert response.ok and response.body()[:5] == b"%PDF-"


def test_keyboard_search_dialog_and_navigation(page, server):
    page.goto(f"{server}/index.html", wait_until="networkidle")
    for dialog in page.locator("[role=dialog]").all():
        assert (dialog.get_attribute("aria-label") or dialog.get_attribute("aria-labelledby")), "dialog without a name"
    # Navigation: tab to a link in the content and follow it with Enter.
    link = page.locator("article a[href='start/mentor.html']").first
    link.focus()
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                            "getComputedStyle(document.activeElement).boxShadow")
    assert outline.split()[0] != "none" or "rgb" in outline, f"no visible focus: {outline}"
    page.keyboard.press("Enter")
    page.wait_for_url("**/start/mentor.html")
    # Search from the keyboard: open, type, move to a result, follow it.
    page.keyboard.press("/")
    page.keyboard.type("sponsor", delay=20)
    page.locator(".md-search-result__item").first.wait_for(timeout=15000)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert "sponsor" in page.url or "sponsor" in page.locator("h1").inner_text().lower()
