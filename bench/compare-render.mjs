// Chromium benchmark of the compare view on two large environments (bench/tree-render.sh
// --compare starts the server). Prints medians over runs: first contentful paint, the first
// compare row, the page hydrated, and the rows shown; then the same with "only differences"
// turned off (every app listed). Target (issue 13): first paint < 300 ms.
//
// node bench/compare-render.mjs <base-url> <from> <to> [runs]
import { signedIn } from './chromium.mjs';

const [base, from, to, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
if (!base || !from || !to) {
  console.error('usage: node bench/compare-render.mjs <base-url> <from> <to> [runs]');
  process.exit(2);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const marks = () => {
  const w = window;
  const check = () => {
    if (w.__firstRow === undefined && document.querySelector('.compare-row')) w.__firstRow = performance.now();
    if (w.__hydrated === undefined && document.body?.dataset.hydrated === 'true') w.__hydrated = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
};

const { browser, context } = await signedIn(base);

// Wait until both environments are rendered and synced on the simulated clusters.
const started = Date.now();
for (;;) {
  const reply = await context.request.post(`${base}/api/envs/list`, { headers: { Origin: base } });
  const list = await reply.json();
  const settled = [from, to].every((name) => {
    const e = list.find((x) => x.name === name);
    if (!e) throw new Error(`no environment ${name}`);
    if (e.error) throw new Error(`${name}: ${e.error}`);
    return e.apps > 0 && e.out_of_sync === 0 && e.progressing === 0;
  });
  if (settled) break;
  if (Date.now() - started > 900_000) throw new Error('engine not settled');
  await new Promise((r) => setTimeout(r, 1000));
}
console.error(`engines settled after ${((Date.now() - started) / 1000).toFixed(0)} s`);

async function measure(url) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const page = await context.newPage();
    await page.addInitScript(marks);
    await page.goto(url, { waitUntil: 'commit' });
    await page.waitForFunction(() => window.__firstRow !== undefined && window.__hydrated !== undefined, null, { timeout: 120_000 });
    const m = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        response: nav.responseEnd,
        paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        firstRow: window.__firstRow,
        hydrated: window.__hydrated,
        bytes: nav.transferSize,
        rows: document.querySelectorAll('.compare-row').length,
      };
    });
    if (i > 0) samples.push(m); // the first run warms the server's and Chromium's caches
    await page.close();
  }
  const pick = (k) => median(samples.map((s) => s[k]));
  return {
    response: pick('response'), paint: pick('paint'), firstRow: pick('firstRow'),
    hydrated: pick('hydrated'), bytes: pick('bytes'), rows: pick('rows'),
  };
}

const f = (ms) => `${ms.toFixed(0)} ms`;
const differences = await measure(`${base}/compare?from=${from}&to=${to}`);
const everything = await measure(`${base}/compare?from=${from}&to=${to}&all=1`);
console.log(`Compare view, ${from} → ${to}, headless Chromium, median of ${runs} runs after one warm-up:`);
console.log('| figure | only differences (default) | every app | target |');
console.log('|---|---|---|---|');
console.log(`| HTML response complete | ${f(differences.response)} | ${f(everything.response)} | – |`);
console.log(`| first contentful paint | ${f(differences.paint)} | ${f(everything.paint)} | < 300 ms |`);
console.log(`| first compare row | ${f(differences.firstRow)} | ${f(everything.firstRow)} | – |`);
console.log(`| hydrated (interactive) | ${f(differences.hydrated)} | ${f(everything.hydrated)} | – |`);
console.log(`| page transfer | ${(differences.bytes / 1e3).toFixed(0)} KB | ${(everything.bytes / 1e3).toFixed(0)} KB | – |`);
console.log(`| rows shown | ${differences.rows} | ${everything.rows} | – |`);
await browser.close();
