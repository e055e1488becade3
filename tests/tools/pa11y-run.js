// pa11y (HTML_CodeSniffer, WCAG2AA) over many pages in one Chromium: node pa11y-run.js URL... > issues.json
// The browser is Debian's chromium (CHROMIUM_PATH); puppeteer never downloads one.
"use strict";
const pa11y = require("pa11y");
const puppeteer = require("puppeteer");

async function main() {
  const urls = process.argv.slice(2);
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"],
  });
  const out = [];
  const queue = urls.slice();
  async function worker() {
    for (let url = queue.shift(); url; url = queue.shift()) {
      const page = await browser.newPage();
      try {
        const result = await pa11y(url, {
          browser, page, runners: ["htmlcs"], standard: "WCAG2AA", timeout: 60000,
          chromeLaunchConfig: { executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ["--no-sandbox"] },
        });
        for (const issue of result.issues) {
          out.push({ url, code: issue.code, type: issue.type, message: issue.message, selector: issue.selector,
                     context: (issue.context || "").slice(0, 300) });
        }
      } catch (err) {
        out.push({ url, code: "pa11y-failed", type: "error", message: String(err && err.message || err), selector: "", context: "" });
      } finally {
        await page.close();
      }
    }
  }
  try {
    await Promise.all([worker(), worker(), worker()]);
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((err) => { console.error(err); process.exit(2); });
