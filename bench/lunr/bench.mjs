// Backstage's default search engine, LunrSearchEngine from @backstage/plugin-search-backend-node,
// run on the corpus and queries atrium-bench wrote to <dir>: documents.json (catalog collator
// documents) and queries.json ([{text, filters: [[field, value], ...]}]).
//
// Indexing goes through the engine's own indexer stream (getIndexer('software-catalog')), and
// queries through engine.query() with the engine's default query translator, untouched: exact
// term boost 100, trailing wildcard boost 10, edit distance 2, filters as required terms.
// Prints one line of JSON with the figures.
//
// Usage: node --expose-gc bench.mjs <dir>

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const require = createRequire(import.meta.url);
const { LunrSearchEngine } = require('@backstage/plugin-search-backend-node');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node --expose-gc bench.mjs <dir>');
  process.exit(2);
}

const documents = JSON.parse(readFileSync(`${dir}/documents.json`, 'utf8'));
const queries = JSON.parse(readFileSync(`${dir}/queries.json`, 'utf8'));

// The engine only needs a LoggerService-shaped object.
const logger = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return logger;
  },
};
const MB = 1024 * 1024;
const WARM_UP = 100;
const settle = () => globalThis.gc?.();

settle();
const before = process.memoryUsage();

const engine = new LunrSearchEngine({ logger });
const t0 = performance.now();
const indexer = await engine.getIndexer('software-catalog');
// The engine builds the Lunr index in its own 'close' handler, registered first: ours runs
// after the index exists.
const built = new Promise((resolve, reject) => {
  indexer.on('close', resolve);
  indexer.on('error', reject);
});
await pipeline(Readable.from(documents), indexer);
await built;
const indexMs = performance.now() - t0;

settle();
const after = process.memoryUsage();

const request = (q) => ({
  term: q.text,
  filters: Object.fromEntries(q.filters),
  types: ['software-catalog'],
});

// Warm-up (JIT) on the first 100 queries, as atrium-bench does, then the timed pass. (A full
// warm-up pass would double a 100k run that already takes many minutes.)
for (const q of queries.slice(0, WARM_UP)) {
  await engine.query(request(q));
}
const times = [];
const cpuTimes = [];
const byClass = {};
let totalResults = 0;
for (const q of queries) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const result = await engine.query(request(q));
  const took = performance.now() - t;
  const used = process.cpuUsage(cpu);
  // Process CPU time (user + system; Lunr queries are synchronous JS on the main thread).
  cpuTimes.push((used.user + used.system) / 1000);
  times.push(took);
  (byClass[q.class] ??= []).push(took);
  totalResults += result.numberOfResults;
}
const pct = (samples, p) => {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

console.log(
  JSON.stringify({
    engine: 'LunrSearchEngine',
    documents: documents.length,
    index_ms: indexMs,
    query_p50_ms: pct(times, 50),
    query_p99_ms: pct(times, 99),
    query_mean_ms: times.reduce((a, b) => a + b, 0) / times.length,
    cpu_p50_ms: pct(cpuTimes, 50),
    cpu_p99_ms: pct(cpuTimes, 99),
    rss_delta_mb: (after.rss - before.rss) / MB,
    rss_after_mb: after.rss / MB,
    heap_delta_mb: (after.heapUsed - before.heapUsed) / MB,
    mean_results: totalResults / queries.length,
    by_class: Object.fromEntries(
      Object.entries(byClass).map(([c, s]) => [c, { p50_ms: pct(s, 50), p99_ms: pct(s, 99) }]),
    ),
  }),
);
