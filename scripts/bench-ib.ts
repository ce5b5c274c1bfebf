/**
 * IB engine benchmark (issue 3 "Performance"): one thread, no timed tests.
 *
 *   npm run build && node dist/scripts/bench-ib.js [--xauusd-dir ../shared/data/real/XAUUSD/dukascopy_m1_2024_csv]
 *
 * 1. Synthetic GER40, 2.5 years (seed 1, the built-in default): cache load time and memory,
 *    median time per backtest over random standard-grid points, cold (first use of a signal key)
 *    and warm, per trading day; the whole standard grid (25,920 backtests) on one core.
 * 2. Real XAUUSD 2024 (when the shared data is there): the same per-backtest figures, and the
 *    ratio to the Python engine (4–5 s per combination in the seed; 1.8 s on three months).
 */
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCache } from '../studies/ib/data/cache.js';
import { importFiles } from '../studies/ib/data/import.js';
import { generateAndCache } from '../studies/ib/data/store.js';
import { IbEngine } from '../studies/ib/engine/engine.js';
import { IbGrid } from '../studies/ib/grids.js';
import type { MarketData } from '../studies/ib/market-data.js';
import { getSymbol } from '../studies/ib/symbols.js';

const PYTHON_SECONDS_SEED = 4.5; // seed: 4–5 s per combination (full data)
const PYTHON_SECONDS_XAU_3M = 1.8; // IB_RULES.md §7: HEAD engine, 3 months of this XAUUSD data

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function shuffle(n: number, seed: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed >>> 0;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

function perBacktest(data: MarketData, samples: number): { coldMs: number; warmMs: number; days: number } {
  const grid = new IbGrid(data.symbol, 'standard');
  const order = shuffle(grid.size, 7).slice(0, samples);
  const engine = new IbEngine(data);
  const cold: number[] = [];
  for (const i of order) {
    const p = grid.params(i);
    const t = performance.now();
    engine.run(p);
    cold.push(performance.now() - t);
  }
  const warm: number[] = [];
  for (let rep = 0; rep < 3; rep++) {
    for (const i of order) {
      const p = grid.params(i);
      const t = performance.now();
      engine.run(p);
      warm.push(performance.now() - t);
    }
  }
  return { coldMs: median(cold), warmMs: median(warm), days: data.dayDate.length };
}

function fullGrid(data: MarketData): { seconds: number; trades: number } {
  const grid = new IbGrid(data.symbol, 'standard');
  const engine = new IbEngine(data);
  let trades = 0;
  const t = performance.now();
  for (let i = 0; i < grid.size; i++) trades += engine.run(grid.params(i)).metrics.total_trades;
  return { seconds: (performance.now() - t) / 1000, trades };
}

const fmtUs = (ms: number, days: number) => `${(ms * 1000).toFixed(1)} µs (${((ms * 1e6) / days).toFixed(0)} ns per trading day)`;

async function main(): Promise<void> {
  const argXau = process.argv.indexOf('--xauusd-dir');
  const xauDir = argXau > 0 ? process.argv[argXau + 1] : join(process.cwd(), '..', 'shared', 'data', 'real', 'XAUUSD', 'dukascopy_m1_2024_csv');
  process.env['STUDYOPT_DATA_DIR'] = mkdtempSync(join(tmpdir(), 'studyopt-bench-ib-'));
  console.log(`# IB engine benchmark\n\nnode ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores (one used)\n`);

  const ger = getSymbol('GER40');
  let t = performance.now();
  generateAndCache(ger, { years: 2.5, seed: 1, end: '2025-06-30' });
  const genS = (performance.now() - t) / 1000;
  t = performance.now();
  const { data: gerData, bytes } = loadCache(ger);
  const loadMs = performance.now() - t;
  // The loaded columns are typed-array views on the Arrow file buffers, so the file sizes are
  // what stays in memory; the arrays' own byte lengths are shown as a check.
  const arrays = [...Object.values(gerData.bars), gerData.dayDate, gerData.dayStart, gerData.dayEnd, ...gerData.ib.flatMap((w) => [w.startMin, w.endMin, w.ibh, w.ibl, w.startBar, w.endBar])];
  const arrayMb = arrays.reduce((s, a) => s + a.byteLength, 0) / 1e6;
  console.log(`## Synthetic GER40, 2.5 years (seed 1)\n`);
  console.log(`- bars ${gerData.bars.time.length.toLocaleString('en-US')}, trading days ${gerData.dayDate.length}, cache ${(bytes / 1e6).toFixed(1)} MB on disk (generated in ${genS.toFixed(2)} s)`);
  console.log(`- cache load: ${loadMs.toFixed(0)} ms; memory once loaded: ${(bytes / 1e6).toFixed(1)} MB of Arrow buffers (${arrayMb.toFixed(1)} MB of columns)`);
  const g = perBacktest(gerData, 400);
  console.log(`- median per backtest, warm (signal tables cached): ${fmtUs(g.warmMs, g.days)}`);
  console.log(`- median per backtest, cold (first use of its signal key): ${fmtUs(g.coldMs, g.days)}`);
  console.log(`- vs Python (${PYTHON_SECONDS_SEED} s per combination): ${(PYTHON_SECONDS_SEED / (g.warmMs / 1000)).toFixed(0)}× (warm), ${(PYTHON_SECONDS_SEED / (g.coldMs / 1000)).toFixed(0)}× (cold)`);
  const full = fullGrid(gerData);
  console.log(`- standard grid, 25,920 backtests, one core, from a cold engine: ${full.seconds.toFixed(1)} s (${full.trades.toLocaleString('en-US')} trades)`);
  const memAfterGrid = process.memoryUsage();
  console.log(`- process RSS after the grid: ${(memAfterGrid.rss / 1e6).toFixed(0)} MB\n`);

  if (existsSync(xauDir)) {
    const files = readdirSync(xauDir).filter((f) => f.endsWith('.csv.gz')).sort().map((f) => join(xauDir, f));
    t = performance.now();
    const { data: xau } = await importFiles(getSymbol('XAUUSD'), files, { format: 'auto', skipBadRows: false });
    const importS = (performance.now() - t) / 1000;
    const x = perBacktest(xau, 400);
    console.log(`## Real XAUUSD 2024 (Dukascopy, ${files.length} monthly files)\n`);
    console.log(`- bars ${xau.bars.time.length.toLocaleString('en-US')}, trading days ${xau.dayDate.length}; import ${importS.toFixed(2)} s`);
    console.log(`- median per backtest, warm: ${fmtUs(x.warmMs, x.days)}; cold: ${fmtUs(x.coldMs, x.days)}`);
    const quarter = x.warmMs / 4;
    console.log(`- vs Python 1.8 s on 3 months (≈ a quarter of this year, ${(quarter * 1000).toFixed(0)} µs here): ${(PYTHON_SECONDS_XAU_3M / (quarter / 1000)).toFixed(0)}× warm, ${(PYTHON_SECONDS_XAU_3M / (x.coldMs / 4000)).toFixed(0)}× cold`);
    const fx = fullGrid(xau);
    console.log(`- standard grid, 25,920 backtests, one core: ${fx.seconds.toFixed(1)} s\n`);
  } else {
    console.log(`(real XAUUSD data not found at ${xauDir}; pass --xauusd-dir)\n`);
  }
}

await main();
