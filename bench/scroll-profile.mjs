// Where a wheel-speed scroll of the environment tree spends its time: a Chromium CPU profile
// (CDP Profiler) of 240 frames at 120 px per frame, summed by function (self time), with the
// top entries printed. For the names of Rust functions, serve a WASM bundle that kept its name
// section (skip wasm-opt). node bench/scroll-profile.mjs <base-url> <env>
import * as path from 'path';
import { signedIn } from './chromium.mjs';

const [base, env] = process.argv.slice(2);
const { browser, context } = await signedIn(base);
const page = await context.newPage();
await page.goto(`${base}/env/${env}`);
await page.waitForSelector('body[data-hydrated="true"]');
await page.waitForSelector('[role=tree]:not([aria-busy])', { timeout: 60_000 });
const cdp = await context.newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
const frames = await page.evaluate(async () => {
  const scroller = document.querySelector('.tree-scroll');
  const out = [];
  let last = performance.now();
  for (let s = 1; s <= 240; s++) {
    scroller.scrollTop = s * 120;
    await new Promise((r) => requestAnimationFrame(r));
    const now = performance.now();
    out.push(now - last);
    last = now;
  }
  return out;
});
const { profile } = await cdp.send('Profiler.stop');
const self = new Map();
const dt = new Map();
profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
for (const node of profile.nodes) {
  const f = node.callFrame;
  const name = `${f.functionName || '(anonymous)'} ${f.url ? path.basename(f.url) : ''}`;
  self.set(name, (self.get(name) ?? 0) + (dt.get(node.id) ?? 0) / 1000);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
frames.sort((a, b) => a - b);
console.log(`frames: p50 ${frames[120].toFixed(1)} ms; profiled ${total.toFixed(0)} ms`);
for (const [name, ms] of [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
  console.log(`${ms.toFixed(1).padStart(8)} ms  ${name.slice(0, 140)}`);
}
await browser.close();
