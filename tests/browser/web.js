// Drives the page at URL in Debian's headless Chromium the way a person would,
// and prints what it saw as one JSON line for test_web.py to judge:
//
//   node web.js URL SCREENSHOT.png PHONE_SCREENSHOT.png [DAEMON_PID]
//   node web.js --look URL SCREENSHOT.png PHONE_SCREENSHOT.png
//
// It picks USD as the source, GBP as the target, adds JPY as a second
// target, types 1234.5 key by key, and reads the results as displayed.
// With --look it only opens URL, whose address holds the choices
// (?from=&to=A,B&amount=), and reads what the page shows, the phone picture
// in dark mode.  Given DAEMON_PID, it first reads the page at addresses
// holding bad values, and last stops the daemon (SIGTERM) mid-session and
// changes the amount.  It judges nothing itself: the expected figures live
// in the Python test.
"use strict";
const { chromium } = require("playwright-core");
const fs = require("fs");
const os = require("os");
const path = require("path");

const look = process.argv[2] === "--look";
const [url, shot, phoneShot, daemonPid] = process.argv.slice(look ? 3 : 2);
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

// What the page says beside each field, and in the results, at an address with bad values.
async function readFields(page, query) {
  await page.goto(url + query);
  await page.waitForFunction(() => document.getElementById("meta-text").textContent.startsWith("Nothing") &&
    !document.getElementById("chart-empty").textContent.startsWith("Loading"));
  return page.evaluate(() => ({
    errors: Array.from(document.querySelectorAll(".field-error:not([hidden])")).map((p) => ({
      field: document.querySelector('[aria-describedby~="' + p.id + '"]').id,
      invalid: document.querySelector('[aria-describedby~="' + p.id + '"]').getAttribute("aria-invalid"),
      text: p.textContent })),
    values: Array.from(document.querySelectorAll("#results .value")).map((v) => v.textContent),
    meta: document.getElementById("meta-text").textContent,
    chart: document.getElementById("chart").textContent,
    search: location.search,
  }));
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
  if (daemonPid) {
    seen.badAddress = await readFields(page, "?from=XXX&to=QQQ,GBP&amount=abc");
    seen.emptyAmount = await readFields(page, "?from=USD&to=QQQ,GBP&amount=");
  }
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
  await page.waitForSelector("#amount-error:not([hidden])");
  seen.badAmount = await page.textContent("#amount-error");
  seen.badAmountValues = await page.$$eval("#results .value", (vs) => vs.length);
  seen.badAmountInvalid = await page.getAttribute("#amount", "aria-invalid");
  if (daemonPid) await killed(page, seen);
}

// The daemon stopped mid-session, then the amount changed: what stays on screen.
async function killed(page, seen) {
  await page.fill("#amount", "100");
  await page.waitForSelector('#results[data-amount="100"] .value');
  process.kill(Number(daemonPid), "SIGTERM");
  // Gone when the page's own requests fail (an unreaped process still answers kill(pid, 0)).
  for (let up = true; up;) {
    up = await page.evaluate(() => fetch("/healthz").then(() => true, () => false));
    if (up) await page.waitForTimeout(50);
  }
  await page.fill("#amount", "250");
  await page.waitForFunction(() => document.getElementById("meta").classList.contains("error"));
  seen.killed = {
    values: await page.$$eval("#results .value", (vs) => vs.map((v) => v.textContent)),
    caption: await page.$eval("#results-for", (p) => (p.hidden ? "" : p.textContent)),
    meta: await page.textContent("#meta-text"),
    staleVisible: await page.isVisible("#stale"),
  };
}

main().catch((e) => {
  process.stderr.write("web.js: " + (e && e.stack || e) + "\n");
  process.exit(1);
});
