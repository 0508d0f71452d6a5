// Runs two clients from the npm registry against a cconvd, as their READMEs
// use them, and prints what each call gave as one JSON line:
// {"fixer":{"latest":{"ok":…}|{"error":"…"},…},"exchangeRates":{…}}.
// Arguments: the daemon's base URL, a day with rates, a day before them.
'use strict';

const fixer = require('fixer-api');
const { exchangeRates } = require('exchange-rates-api');

const [base, day, before] = process.argv.slice(2);

async function outcome(call) {
  try {
    return { ok: await call() };
  } catch (e) {
    return { error: e.message };
  }
}

async function main() {
  // fixer-api: fixer.io's client; it sends its access key with every request.
  fixer.set({ baseUrl: base, accessKey: 'cconv-test' });
  const f = {
    latest: await outcome(() => fixer.latest({ base: 'USD', symbols: ['GBP', 'JPY'] })),
    forDate: await outcome(() => fixer.forDate(day, { symbols: 'GBP,USD' })),
    convert: await outcome(() => fixer.convert('USD', 'GBP', 1234.5)),
    convertOn: await outcome(() => fixer.convert('USD', 'GBP', 100, day)),
    unknown: await outcome(() => fixer.convert('USD', 'XYZ', 1)),
    tooEarly: await outcome(() => fixer.forDate(before)),
  };
  // exchange-rates-api: the client of exchangeratesapi.io's first API, whose
  // /latest and /{date} Frankfurter took over.
  const x = () => exchangeRates().setApiBaseUrl(base + '/');
  const e = {
    latest: await outcome(() => x().latest().base('USD').symbols(['GBP', 'JPY']).fetch()),
    one: await outcome(() => x().latest().symbols('GBP').fetch()),
    at: await outcome(() => x().at(day).fetch()),
    avg: await outcome(() => x().at(day).base('GBP').symbols('USD').avg(2)),
    tooEarly: await outcome(() => x().at(before).fetch()),
    range: await outcome(() => x().from(day).to(day).fetch()),
  };
  process.stdout.write(JSON.stringify({ fixer: f, exchangeRates: e }) + '\n');
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
