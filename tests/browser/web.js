// Drives the page at URL in Debian's headless Chromium the way a person would,
// and prints what it saw as one JSON line for test_web.py to judge:
//
//   node web.js URL SCREENSHOT.png PHONE_SCREENSHOT.png [DAEMON_PID]
//   node web.js --look URL SCREENSHOT.png PHONE_SCREENSHOT.png
//
// In English (en-US), it searches the currency fields by name and works
// them by keyboard to pick USD as the source, GBP as the target, and, after
// "Add a currency", JPY as a second; types 1234.5 key by key and reads the
// results as displayed; then reads the page at a phone's width, and types
// grouped and ambiguous amounts.  With --look it only opens URL, whose
// address holds the choices (?from=&to=A,B&amount=), and reads what the
// page shows, the phone picture in dark mode.  Given DAEMON_PID, it first
// reads the page at addresses holding bad values, reads it in German
// (de-DE, Berlin's time) beside the English tab, and last stops the daemon
// (SIGTERM) mid-session and changes the amount.  It judges nothing itself:
// the expected figures live in the Python test.
"use strict";
const { chromium } = require("playwright-core");

const look = process.argv[2] === "--look";
const [url, shot, phoneShot, daemonPid] = process.argv.slice(look ? 3 : 2);
const TIMEOUT = 15000;

// Each result row as displayed; text is all of it, as a screen reader's live region reads it.
function readResults(page) {
  return page.$$eval("#results li", (lis) => lis.map((li) => ({
    code: li.dataset.code,
    value: (li.querySelector(".value") || {}).textContent || null,
    exact: ((li.querySelector(".value") || {}).dataset || {}).exact || null,
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
    fields: Array.from(document.querySelectorAll("#form input")).map((i) => i.value),
    meta: document.getElementById("meta-text").textContent,
    chart: document.getElementById("chart").textContent,
    search: location.search,
  }));
}

// A currency field as a screen reader and a person see it: its role, whether its list is open, the
// option marked, the options listed, and its text.
function combo(page, id) {
  return page.evaluate((id) => {
    const input = document.getElementById(id);
    const list = document.getElementById(input.getAttribute("aria-controls"));
    const active = document.getElementById(input.getAttribute("aria-activedescendant") || "");
    return {
      role: input.getAttribute("role"), listRole: list.getAttribute("role"),
      expanded: input.getAttribute("aria-expanded"), shown: !list.hidden,
      active: active ? active.dataset.code : null,
      activeSelected: active ? active.getAttribute("aria-selected") : null,
      options: Array.from(list.querySelectorAll('[role="option"]')).map((o) => o.dataset.code),
      names: Array.from(list.querySelectorAll('[role="option"] .name')).map((o) => o.textContent),
      value: input.value, focused: document.activeElement === input,
    };
  }, id);
}

// Types text into a currency field (its text selected on focus, so replaced) and reads it.
async function search(page, id, text) {
  await page.focus("#" + id);
  await page.keyboard.type(text);
  return combo(page, id);
}

// The amount field set to text, read once the page has answered exactly that text.
async function amountIs(page, text) {
  await page.fill("#amount", text);
  await page.waitForFunction((t) => {
    const r = document.getElementById("results");
    return r.dataset.amount === t && !r.classList.contains("pending");
  }, text);
  return page.evaluate(() => ({
    values: Array.from(document.querySelectorAll("#results .value")).map((v) => ({
      code: v.closest("li").dataset.code, shown: v.textContent, exact: v.dataset.exact })),
    rates: Array.from(document.querySelectorAll("#results .rate")).map((r) => r.textContent),
    caption: document.getElementById("results-for").hidden ? "" : document.getElementById("results-for").textContent,
    error: document.getElementById("amount-error").hidden ? null : document.getElementById("amount-error").textContent,
  }));
}

// At a phone's width: what of each field's text does not fit its box, and the chart's smallest label in
// CSS pixels as drawn (its font size times the drawing's scale).
async function phone(page, seen) {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  seen.phoneOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  seen.phoneFields = await page.$$eval("#form input", (is) => is.map((i) => ({
    id: i.id, value: i.value, cut: i.scrollWidth - i.clientWidth,
    note: (document.getElementById(i.id + "-name") || { hidden: true }).hidden ? null :
      document.getElementById(i.id + "-name").textContent })));
  seen.phoneChartFont = await page.evaluate(() => {
    const svg = document.querySelector("#chart svg");
    if (!svg) return null;
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    return Math.min(...Array.from(svg.querySelectorAll("text"))
      .map((t) => parseFloat(getComputedStyle(t).fontSize) * scale));
  });
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
  seen.staleVisible = await page.isVisible("#stale");
  await page.screenshot({ path: shot, fullPage: true });
  await page.emulateMedia({ colorScheme: "dark" });
  await phone(page, seen);
  await page.screenshot({ path: phoneShot, fullPage: true });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const seen = { console: [], requests: [], failed: [] };
  // A tab of a fresh profile (its own storage) in a language and time zone, every console error, failed or
  // foreign request noted in seen.
  const open = async (locale, timezoneId) => {
    const context = await browser.newContext({ locale: locale, timezoneId: timezoneId,
      viewport: { width: 900, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    // A 4xx is also reported in "failed", with its URL, which the console line lacks.
    page.on("console", (m) => {
      if ((m.type() === "error" || m.type() === "warning") && !m.text().startsWith("Failed to load resource"))
        seen.console.push(m.text());
    });
    page.on("response", (r) => { if (r.status() >= 400) seen.failed.push(r.status() + " " + r.url()); });
    page.on("pageerror", (e) => seen.console.push("pageerror: " + e.message));
    page.on("request", (r) => seen.requests.push(r.url()));
    return page;
  };
  try {
    if (look) {
      await lookAt(await open("en-US", "UTC"), seen);
    } else {
      // German beside English, each in its own tab and profile, both before the daemon is stopped.
      const de = daemonPid ? open("de-DE", "Europe/Berlin").then(german) : null;
      if (de) de.catch(() => {});   // its failure is thrown where it is awaited, below
      const page = await open("en-US", "UTC");
      await drive(page, seen);
      if (de) seen.german = await de;
      if (daemonPid) await killed(page, seen);
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify(seen) + "\n");
}

// The page in German, in Berlin: the address's amount shown as German writes it, results grouped with '.',
// the fetch time in Berlin's time, amounts typed the German way, and an ambiguous one refused.
async function german(page) {
  const base = url.replace(/\/$/, "");
  await page.goto(base + "/?from=USD&to=JPY,GBP&amount=1234.5");
  await page.waitForFunction(() => document.querySelectorAll("#results .value").length === 2 &&
    document.getElementById("meta-text").textContent.startsWith("Rates of"));
  const de = {
    field: await page.inputValue("#amount"),
    first: await amountIs(page, await page.inputValue("#amount")),
    fetched: await page.textContent("#meta-text time:last-of-type"),
    typed: {},
  };
  for (const t of ["1.000,50", "1 000,50", "1_000", "100.50", "1,5"]) de.typed[t] = await amountIs(page, t);
  // An address's amount without a whole part, as the API takes it, written the German way and converted.
  await page.goto(base + "/?from=USD&to=JPY,GBP&amount=.5");
  await page.waitForFunction(() => document.querySelectorAll("#results .value").length === 2);
  de.half = { field: await page.inputValue("#amount"), result: await amountIs(page, await page.inputValue("#amount")) };
  return de;
}

// Picks the choices as a person would, and reads the results, the chart and a bad amount.
async function drive(page, seen) {
  if (daemonPid) {
    seen.badAddress = await readFields(page, "?from=XXX&to=QQQ,GBP&amount=abc");
    seen.emptyAmount = await readFields(page, "?from=USD&to=QQQ,GBP&amount=");
    seen.issueAddress = await readFields(page, "?from=XXX&to=KWD,GBP&amount=100");
  }
  const resp = await page.goto(url);
  seen.status = resp.status();
  seen.headers = resp.headers();
  await page.waitForSelector("#results li");
  seen.styled = await page.$eval(".card", (c) => getComputedStyle(c).borderTopLeftRadius);

  // Keyboard order from the amount field.
  await page.focus("#amount");
  seen.tabOrder = [];
  for (let i = 0; i < 4; i++) {
    await page.keyboard.press("Tab");
    seen.tabOrder.push(await page.evaluate(() => document.activeElement.id || document.activeElement.tagName));
  }

  // The currency fields, by name and by keyboard: each search read, then Escape puts back the field's own.
  seen.combo = {};
  for (const [key, text] of [["swiss", "sw\u00efss"], ["yen", "yen"], ["pound", "POUND"]]) {
    seen.combo[key] = await search(page, "from", text);
    await page.keyboard.press("Escape");
  }
  seen.combo.escaped = await combo(page, "from");
  seen.combo.dollar = await search(page, "from", "dollar");
  await page.screenshot({ path: shot.replace(/\.png$/, "-list.png") });
  await page.keyboard.press("ArrowDown");
  seen.combo.down = await combo(page, "from");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Enter");
  seen.combo.picked = await combo(page, "from");
  await search(page, "to-0", "pound");
  await page.keyboard.press("Enter");
  await page.click("#add");
  seen.combo.added = await combo(page, "to-1");
  await page.keyboard.type("japan");
  await page.keyboard.press("Enter");
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
  // The footer's link to the API section, which shows only when asked for.
  seen.apiHidden = !(await page.isVisible("#api"));
  await page.click("footer a");
  seen.apiShown = await page.isVisible("#api");

  // A phone: no sideways scrolling, every field whole, labels readable, and a picture of it.
  await phone(page, seen);
  await page.screenshot({ path: phoneShot, fullPage: true });
  await page.setViewportSize({ width: 900, height: 900 });

  // A bad amount is said at once, beside the field, and marked invalid.
  await page.fill("#amount", "12a");
  await page.waitForSelector("#amount-error:not([hidden])");
  seen.badAmount = await page.textContent("#amount-error");
  seen.badAmountValues = await page.$$eval("#results .value", (vs) => vs.length);
  seen.badAmountInvalid = await page.getAttribute("#amount", "aria-invalid");
  seen.typed = {};
  for (const t of ["1,000.50", "1 000,50", "100,50"]) seen.typed[t] = await amountIs(page, t);
  // Reloaded, the currencies picked before come first, newest first.
  await page.reload();
  await page.waitForFunction(() => document.getElementById("results").dataset.amount !== undefined);
  await page.focus("#to-0");
  await page.keyboard.press("ArrowDown");
  seen.combo.likely = await combo(page, "to-0");
  await page.keyboard.press("Escape");
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
