// Chromium benchmark of the environment page on a large tree (bench/tree-render.sh starts the
// server). Prints, as medians over runs: time to the first tree rows and to a hydrated,
// interactive page after navigation, and to the whole tree loaded behind the first screen;
// "Expand all" to painted rows; and frame times while
// scrolling the whole expanded tree (20,000+ rows, virtualised).
//
// node bench/tree-render.mjs <base-url> <env> [runs]
import { signedIn } from './chromium.mjs';

const [base, env, runsArg] = process.argv.slice(2);
const runs = Number(runsArg ?? 5);
if (!base || !env) {
  console.error('usage: node bench/tree-render.mjs <base-url> <env> [runs]');
  process.exit(2);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];

// Marks when the first tree row exists and when the WASM has hydrated <body>.
const marks = () => {
  const w = window;
  const check = () => {
    if (w.__firstRow === undefined && document.querySelector('[role=treeitem]')) w.__firstRow = performance.now();
    if (w.__hydrated === undefined && document.body?.dataset.hydrated === 'true') w.__hydrated = performance.now();
    // The page renders the tree's head first; the whole tree follows in the background.
    const tree = document.querySelector('[role=tree]');
    if (w.__complete === undefined && w.__hydrated !== undefined && tree && !tree.hasAttribute('aria-busy')) w.__complete = performance.now();
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true });
};

const { browser, context } = await signedIn(base);

// Wait for the engine: the tree rendered and every app synced on the simulated cluster.
const started = Date.now();
let summary;
for (;;) {
  const reply = await context.request.post(`${base}/api/envs/list`, { headers: { Origin: base } });
  summary = (await reply.json()).find((e) => e.name === env);
  if (!summary) throw new Error(`no environment ${env}`);
  if (summary.error) throw new Error(`${env}: ${summary.error}`);
  if (summary.apps > 0 && summary.out_of_sync === 0 && summary.progressing === 0) break;
  if (Date.now() - started > 600_000) throw new Error(`engine not settled: ${JSON.stringify(summary)}`);
  await new Promise((r) => setTimeout(r, 1000));
}
console.error(`engine settled after ${((Date.now() - started) / 1000).toFixed(0)} s: ${summary.apps} apps`);

const loads = [];
for (let i = 0; i < runs + 1; i++) {
  const page = await context.newPage();
  await page.addInitScript(marks);
  await page.goto(`${base}/env/${env}`, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__complete !== undefined && window.__firstRow !== undefined, null, { timeout: 60_000 });
  const m = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    return {
      response: nav.responseEnd,
      firstRow: window.__firstRow,
      paint: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
      hydrated: window.__hydrated,
      complete: window.__complete,
      bytes: nav.transferSize,
      rows: document.querySelectorAll('[role=treeitem]').length,
    };
  });
  if (i > 0) loads.push(m); // the first run warms the server's and Chromium's caches
  if (i < runs) await page.close();
  else {
    // Expand all, then scroll the whole tree, on the last page.
    const tree = page.getByRole('tree');
    const rowsBefore = await page.evaluate(() => document.querySelector('[role=tree]').style.height);
    const expand = await page.evaluate(async () => {
      const button = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === 'Expand all');
      const t0 = performance.now();
      button.click();
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      return { ms: performance.now() - t0, height: document.querySelector('[role=tree]').style.height };
    });
    const scroll = await page.evaluate(async () => {
      const scroller = document.querySelector('.tree-scroll');
      const total = scroller.scrollHeight - scroller.clientHeight;
      const frames = [];
      let last = performance.now();
      const steps = 240; // 4 s at 60 Hz, top to bottom
      for (let s = 1; s <= steps; s++) {
        scroller.scrollTop = (total * s) / steps;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      return { frames, total, rows: document.querySelectorAll('[role=treeitem]').length };
    });
    // A fast wheel flick: 120 px (about 4 rows) per frame for 240 frames, from the top. The
    // browser's own counters say where the time went (script, style, layout).
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const counters = async () =>
      Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const before = await counters();
    const wheel = await page.evaluate(async () => {
      const scroller = document.querySelector('.tree-scroll');
      scroller.scrollTop = 0;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      const frames = [];
      let last = performance.now();
      for (let s = 1; s <= 240; s++) {
        scroller.scrollTop = s * 120;
        await new Promise((r) => requestAnimationFrame(r));
        const now = performance.now();
        frames.push(now - last);
        last = now;
      }
      return { frames };
    });
    const after = await counters();
    const spent = (name) => ((after[name] - before[name]) * 1000 / 240).toFixed(1);
    // The same flick through the browser's input pipeline: wheel events over the tree (CDP
    // Input.dispatchMouseEvent), frames timed by requestAnimationFrame in the page meanwhile.
    // Setting scrollTop from script (above) makes the browser lay out synchronously; a wheel
    // does not.
    const box = await page.locator('.tree-scroll').boundingBox();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.evaluate(async () => {
      document.querySelector('.tree-scroll').scrollTop = 0;
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
      window.__wheelFrames = [];
      window.__wheelOn = true;
      let last = performance.now();
      const scroller = document.querySelector('.tree-scroll');
      const tick = (now) => {
        window.__wheelFrames.push([now - last, scroller.scrollTop]);
        last = now;
        if (window.__wheelOn) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    for (let i = 0; i < 240; i++) await page.mouse.wheel(0, 120);
    const realWheel = await page.evaluate(async () => {
      await new Promise((r) => setTimeout(r, 300));
      window.__wheelOn = false;
      // Only the frames that scrolled (or came between ones that did): idle frames before the
      // first event and after the last would flatter the figure.
      const f = window.__wheelFrames;
      const first = f.findIndex(([, top]) => top > 0);
      const end = f.length - [...f].reverse().findIndex(([, top], i, r) => i + 1 < r.length && r[i + 1][1] !== top);
      const frames = f.slice(Math.max(first, 1), end).map(([ms]) => ms);
      return { frames, top: f[f.length - 1][1] };
    });
    const rowPx = 28;
    console.log(`Chromium (${await browser.version()}, headless), environment "${env}": ${summary.apps} apps`);
    console.log('| figure | value | target |');
    console.log('|---|---|---|');
    console.log(`| first tree rows in the document after navigation start | ${median(loads.map((l) => l.firstRow)).toFixed(0)} ms (median of ${runs}) | < 300 ms |`);
    console.log(`| first contentful paint (Chromium's paint timing) | ${median(loads.map((l) => l.paint)).toFixed(0)} ms (median of ${runs}) | – |`);
    console.log(`| page hydrated and interactive | ${median(loads.map((l) => l.hydrated)).toFixed(0)} ms (median of ${runs}) | – |`);
    console.log(`| whole tree loaded in the background (${summary.apps} apps) and shown | ${median(loads.map((l) => l.complete)).toFixed(0)} ms (median of ${runs}) | – |`);
    console.log(`| HTML response complete | ${median(loads.map((l) => l.response)).toFixed(0)} ms, ${(median(loads.map((l) => l.bytes)) / 1024).toFixed(0)} KiB | – |`);
    console.log(`| rows in the DOM (virtualised) | ${loads[0].rows} | – |`);
    console.log(`| "Expand all" to painted rows (${rowsBefore} → ${expand.height}, ${Math.round(parseFloat(expand.height) / rowPx)} rows) | ${expand.ms.toFixed(0)} ms | – |`);
    console.log(`| scrolling the expanded tree end to end: frame time p50 / p95 / max | ${pct(scroll.frames, 0.5).toFixed(1)} / ${pct(scroll.frames, 0.95).toFixed(1)} / ${Math.max(...scroll.frames).toFixed(1)} ms (${scroll.frames.length} frames, ${scroll.rows} rows in the DOM) | 16.7 ms = 60 fps |`);
    console.log(`| wheel-speed scroll (120 px ≈ 4 rows per frame, 240 frames): frame time p50 / p95 / max | ${pct(wheel.frames, 0.5).toFixed(1)} / ${pct(wheel.frames, 0.95).toFixed(1)} / ${Math.max(...wheel.frames).toFixed(1)} ms | 16.7 ms = 60 fps |`);
    console.log(`| real wheel events (240 × 120 px through Chromium's input pipeline; ${(realWheel.top / realWheel.frames.length).toFixed(0)} px per frame on average): frame time p50 / p95 / max | ${pct(realWheel.frames, 0.5).toFixed(1)} / ${pct(realWheel.frames, 0.95).toFixed(1)} / ${Math.max(...realWheel.frames).toFixed(1)} ms (${realWheel.frames.length} frames) | 16.7 ms = 60 fps |`);
    console.log(`| wheel-speed scroll, per frame: script / style / layout / all main-thread tasks (Chromium's counters) | ${spent('ScriptDuration')} / ${spent('RecalcStyleDuration')} / ${spent('LayoutDuration')} / ${spent('TaskDuration')} ms | – |`);
    await page.close();
  }
}
await browser.close();
