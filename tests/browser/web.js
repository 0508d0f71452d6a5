// Drives the page at URL in Debian's headless Chromium the way a person would,
// and prints what it saw as one JSON line for test_web.py to judge:
//
//   node web.js URL SCREENSHOT.png PHONE_SCREENSHOT.png
//   node web.js --look URL SCREENSHOT.png PHONE_SCREENSHOT.png
//
// It picks USD as the source, GBP as the target, adds JPY as a second
// target, types 1234.5 key by key, and reads the results as displayed.
// With --look it only opens URL, whose address holds the choices
// (?from=&to=A,B&amount=), and reads what the page shows, the phone picture
// in dark mode.  It judges nothing itself: the expected figures live in the
// Python test.
"use strict";
const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const look = process.argv[2] === "--look";
const [url, shot, phoneShot] = process.argv.slice(look ? 3 : 2);
const TIMEOUT = 15000;

// Each result row as displayed; text is all of it, as a screen reader's live region reads it.
function readResults(page) {
  return page.$$eval("#results li", (lis) => lis.map((li) => ({
    code: li.dataset.code,
    value: (li.querySelector(".value") || {}).textContent || null,
    rate: (li.querySelector(".rate") || {}).textContent || null,
    asof: (li.querySelector(".asof") || {}).textContent || null,
    error: (li.querySelector(".error") || {}).textContent || null,
    text: li.innerText.replace(/\s+/g, " ").trim(),
  })));
}

// The page at an address that holds the choices, read once every target has its row.
async function lookAt(page, seen) {
  const resp = await page.goto(url);
  seen.status = resp.status();
  const targets = new URL(url).searchParams.get("to").split(",").length;
  await page.waitForFunction((n) => document.querySelectorAll("#results li").length === n &&
    document.getElementById("meta-text").textContent.startsWith("Rates of"), targets);
  seen.results = await readResults(page);
  seen.meta = await page.textContent("#meta-text");
  await page.screenshot({ path: shot, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.emulateMedia({ colorScheme: "dark" });
  seen.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: phoneShot, fullPage: true });
}

async function main() {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "cconv-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    viewport: { width: 900, height: 900 },
  });
  const seen = { console: [], requests: [], failed: [] };
  try {
    const page = context.pages()[0] || await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    // A 4xx is also reported in "failed", with its URL, which the console line lacks.
    page.on("console", (m) => {
      if ((m.type() === "error" || m.type() === "warning") && !m.text().startsWith("Failed to load resource"))
        seen.console.push(m.text());
    });
    page.on("response", (r) => { if (r.status() >= 400) seen.failed.push(r.status() + " " + r.url()); });
    page.on("pageerror", (e) => seen.console.push("pageerror: " + e.message));
    page.on("request", (r) => seen.requests.push(r.url()));
    await (look ? lookAt : drive)(page, seen);
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  process.stdout.write(JSON.stringify(seen) + "\n");
}

// Picks the choices as a person would, and reads the results, the chart and a bad amount.
async function drive(page, seen) {
  const resp = await page.goto(url);
  seen.status = resp.status();
  seen.headers = resp.headers();
  await page.waitForSelector("#from option", { state: "attached" });
  await page.waitForSelector("#results li");
  seen.styled = await page.$eval(".card", (c) => getComputedStyle(c).borderTopLeftRadius);

  // Keyboard order from the amount field.
  await page.focus("#amount");
  seen.tabOrder = [];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press("Tab");
    seen.tabOrder.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
  }

  await page.selectOption("#from", "USD");
  await page.selectOption("#to-0", "GBP");
  await page.click("#add");
  await page.selectOption("#to-1", "JPY");
  await page.fill("#amount", "");
  await page.type("#amount", "1234.5", { delay: 30 });
  // No Enter: the page converts as the user types.
  await page.waitForSelector('#results[data-amount="1234.5"] li:nth-child(2)');
  seen.results = await readResults(page);
  seen.meta = await page.textContent("#meta-text");
  seen.staleVisible = await page.isVisible("#stale");
  seen.search = await page.evaluate(() => location.search);
  // The chart for USD -> GBP: points, or the "no history" sentence.
  await page.waitForFunction(() => {
    const t = document.getElementById("chart-title").textContent;
    return t.startsWith("USD") && (document.querySelector("#chart circle") || document.getElementById("chart-empty"));
  });
  seen.chartTitle = await page.textContent("#chart-title");
  seen.chartPoints = await page.$$eval("#chart circle", (cs) => cs.map((c) => c.textContent));
  seen.chartEmpty = await page.$eval("#chart", (c) => (c.querySelector("#chart-empty") || {}).textContent || null);
  seen.chartLabel = await page.$eval("#chart", (c) => (c.querySelector("svg") || { getAttribute: () => null }).getAttribute("aria-label"));
  await page.screenshot({ path: shot, fullPage: true });

  // A phone: no sideways scrolling, and a picture of it.
  await page.setViewportSize({ width: 390, height: 844 });
  seen.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  await page.screenshot({ path: phoneShot, fullPage: true });

  // A bad amount is said at once, beside the field, and marked invalid.
  await page.fill("#amount", "12a");
  await page.waitForSelector("#results li.error");
  seen.badAmount = await page.textContent("#results li.error");
  seen.badAmountInvalid = await page.getAttribute("#amount", "aria-invalid");
}

main().catch((e) => {
  process.stderr.write("web.js: " + (e && e.stack || e) + "\n");
  process.exit(1);
});
