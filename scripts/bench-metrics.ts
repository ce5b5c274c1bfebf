/**
 * What the IB metrics cost a backtest (docs/metrics.md "Cost"): one thread, no timed tests.
 *
 *   node --import tsx scripts/bench-metrics.ts [--baseline DIR]
 *
 * On the built-in synthetic GER40 (2.5 years): the median warm backtest over 400 standard-grid
 * points, and computeMetrics alone on that many trades. With `--baseline DIR` (a checkout of an
 * older commit, e.g. `git archive <commit> | tar -x -C DIR` with node_modules linked) the same
 * figures for its engine and metrics, measured in interleaved rounds in this process, and the
 * ratio new / baseline.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadSymbolData } from '../studies/ib/data/store.js';
import { IbEngine } from '../studies/ib/engine/engine.js';
import { IbGrid } from '../studies/ib/grids.js';
import { computeMetrics } from '../studies/ib/metrics.js';
import type { IbParams } from '../studies/ib/params.js';

interface Side {
  run(p: IbParams): unknown;
  metrics(): unknown;
}

const ROUNDS = 40;
const POINTS = 400;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

const data = loadSymbolData('GER40').data;
const grid = new IbGrid(data.symbol, 'standard');
const points = Array.from({ length: POINTS }, (_, i) => grid.params((i * 7919) % grid.size));

// A trade list of the engine's size for computeMetrics alone: the first point's trades.
const sample = new IbEngine(data).run(points[0], { trades: true }).trades!;
const n = sample.length;
const r = Float64Array.from(sample, (t) => t.r);
const profit = Float64Array.from(sample, (t) => t.profit);
const kinds = Int8Array.from(sample, () => 2);
const dayIndex = new Map(Array.from(data.dayDate, (d, i) => [d, i]));
const days = Int32Array.from(sample, (t) => dayIndex.get(t.day)!);

const sides: Record<string, Side> = {};
const engine = new IbEngine(data);
sides['new'] = { run: (p) => engine.run(p), metrics: () => computeMetrics(r, profit, kinds, n, {}, days, data.dayDate.length) };

const at = process.argv.indexOf('--baseline');
if (at > 0) {
  const dir = resolve(process.argv[at + 1]);
  const base = (await import(pathToFileURL(`${dir}/studies/ib/engine/engine.ts`).href)) as { IbEngine: typeof IbEngine };
  const baseMetrics = (await import(pathToFileURL(`${dir}/studies/ib/metrics.ts`).href)) as { computeMetrics: (...args: unknown[]) => unknown };
  const baseEngine = new base.IbEngine(data);
  sides['baseline'] = { run: (p) => baseEngine.run(p), metrics: () => baseMetrics.computeMetrics(r, profit, kinds, n, {}) };
}

const names = Object.keys(sides);
for (const name of names) for (const p of points) sides[name].run(p); // warm: every signal table built
const backtestUs: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
const metricsUs: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
const METRIC_REPS = 2000;
for (let round = 0; round < ROUNDS; round++) {
  // Alternate the order, so that neither side always runs first.
  for (const name of round % 2 ? names : [...names].reverse()) {
    const side = sides[name];
    let t = performance.now();
    for (const p of points) side.run(p);
    backtestUs[name].push(((performance.now() - t) * 1000) / points.length);
    t = performance.now();
    for (let k = 0; k < METRIC_REPS; k++) side.metrics();
    metricsUs[name].push(((performance.now() - t) * 1000) / METRIC_REPS);
  }
}

console.log(`# IB metrics cost\n\nnode ${process.version}; synthetic GER40, ${data.dayDate.length} trading days; ${POINTS} standard-grid points, warm; ${ROUNDS} interleaved rounds; medians\n`);
for (const name of names) {
  console.log(`- ${name}: ${median(backtestUs[name]).toFixed(1)} µs per backtest; computeMetrics on ${n} trades ${median(metricsUs[name]).toFixed(2)} µs`);
}
if (sides['baseline']) {
  console.log(`- new / baseline: backtest ${(median(backtestUs['new']) / median(backtestUs['baseline'])).toFixed(3)}, computeMetrics ${(median(metricsUs['new']) / median(metricsUs['baseline'])).toFixed(3)}`);
}
