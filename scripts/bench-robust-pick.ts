/**
 * Speed of robust picks (src/validation/robust-pick.ts) at the size of the IB expanded grid: a
 * full grid of 1,612,800 trials over 10 parameters (ordinal, int, stepped float, categorical, one
 * conditional), and the nearest method on 20,000 continuous trials. Tests assert no wall-clock
 * time (CONTRIBUTING.md), so the target lives here. Run with tsx (no build needed):
 *
 *   node --max-old-space-size=8000 --expose-gc --import tsx scripts/bench-robust-pick.ts [--repeats 3]
 *
 * or, after `npm run build`, the same flags with `node dist/scripts/bench-robust-pick.js`. The
 * baseline, in the same run, is sorting the same trials by value (what listing the best trials
 * costs), so the ratio carries across machines. Both the whole ranking (1.6M entry objects) and
 * `limit: 20` (what a CLI shows) are timed. With 1.6M trial objects alive, V8's full collections
 * (set off by the typed arrays' external memory and by the entries) are a large part of both.
 */
import { cpus } from 'node:os';
import { type Distribution, type ParamValue, categoricalDistribution, floatDistribution, intDistribution, ordinalDistribution } from '../src/distributions.js';
import type { FrozenTrial } from '../src/frozen-trial.js';
import { Rng } from '../src/rng.js';
import { robustRanking } from '../src/validation/robust-pick.js';

function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function frozen(number: number, params: Record<string, ParamValue>, distributions: Record<string, Distribution>, value: number): FrozenTrial {
  return {
    trialId: number,
    number,
    state: 'COMPLETE',
    values: [value],
    datetimeStart: null,
    datetimeComplete: null,
    params,
    distributions,
    userAttrs: {},
    systemAttrs: {},
    intermediateValues: new Map(),
  };
}

/**
 * 10 × 6 × 5 × 4 × 4 × 4 × 7 × 4 × 3 = 1,612,800 grid cells: TSL_SL (3 values) only when
 * TSL_TARGET (3 values) is above 0, so the pair takes 7 combinations, not 9.
 */
function fullGrid(seed: number): FrozenTrial[] {
  const space: Record<string, Distribution> = {
    WINDOW: ordinalDistribution([30, 40, 60, 90, 120, 150, 180, 210, 240, 300]),
    TP: floatDistribution(0.5, 3, { step: 0.5 }),
    SL: floatDistribution(0.25, 1.25, { step: 0.25 }),
    IB: categoricalDistribution(['08:00-08:30', '08:00-09:00', '09:00-09:30', '10:00-10:30']),
    BUFFER: intDistribution(0, 15, { step: 5 }),
    SIGNAL: categoricalDistribution(['OCAE', 'TCWE', 'REV', 'REV_RB']),
    TSL_TARGET: ordinalDistribution([0, 1, 2]),
    TSL_SL: ordinalDistribution([0.5, 1, 1.5]),
    MAX_TRADES: intDistribution(1, 4),
    DIRECTION: categoricalDistribution(['long', 'short', 'both']),
  };
  const names = Object.keys(space);
  const lists = names.map((name) => {
    const d = space[name];
    switch (d.type) {
      case 'ordinal':
        return [...d.values];
      case 'categorical':
        return [...d.choices];
      case 'int':
        return Array.from({ length: (d.high - d.low) / d.step + 1 }, (_, i) => d.low + i * d.step);
      case 'float':
        return Array.from({ length: Math.round((d.high - d.low) / d.step!) + 1 }, (_, i) => d.low + i * d.step!);
    }
  });
  const rng = new Rng(seed);
  const trials: FrozenTrial[] = [];
  const pick = new Array<number>(names.length).fill(0);
  for (;;) {
    const params: Record<string, ParamValue> = {};
    const distributions: Record<string, Distribution> = {};
    let value = rng.normal() * 0.1;
    for (let j = 0; j < names.length; j++) {
      if (names[j] === 'TSL_SL' && params.TSL_TARGET === 0) continue;
      params[names[j]] = lists[j][pick[j]];
      distributions[names[j]] = space[names[j]];
      value -= (pick[j] / lists[j].length - 0.4) ** 2;
    }
    // A conditional parameter has no cells of its own when absent: skip its duplicates.
    if (!(params.TSL_TARGET === 0 && pick[names.indexOf('TSL_SL')] > 0)) trials.push(frozen(trials.length, params, distributions, value));
    let j = 0;
    while (j < names.length && ++pick[j] === lists[j].length) pick[j++] = 0;
    if (j === names.length) break;
  }
  return trials;
}

function continuous(seed: number, n: number, d: number): FrozenTrial[] {
  const rng = new Rng(seed);
  const distributions: Record<string, Distribution> = {};
  for (let j = 0; j < d; j++) distributions[`x${j}`] = floatDistribution(-5, 5);
  return Array.from({ length: n }, (_, i) => {
    const params: Record<string, ParamValue> = {};
    let value = 0;
    for (let j = 0; j < d; j++) {
      const x = -5 + 10 * rng.random();
      params[`x${j}`] = x;
      value += x * x;
    }
    return frozen(i, params, distributions, value);
  });
}

/** Wall and CPU seconds (CPU time is steadier on a shared machine; both are printed). */
function time<T>(f: () => T): { seconds: number; cpu: number; result: T } {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const result = f();
  const c = process.cpuUsage(c0);
  return { seconds: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6, result };
}

/** The best of `repeats` runs, wall and CPU. */
function best(repeats: number, f: () => unknown): { seconds: number; cpu: number } {
  let seconds = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < repeats; r++) {
    // Each run starts from a collected heap (with --expose-gc), so one run's garbage is not the next one's cost.
    (globalThis as { gc?: () => void }).gc?.();
    const t = time(f);
    seconds = Math.min(seconds, t.seconds);
    cpu = Math.min(cpu, t.cpu);
  }
  return { seconds, cpu };
}

const show = (t: { seconds: number; cpu: number }): string => `${t.seconds.toFixed(2)} s wall, ${t.cpu.toFixed(2)} s CPU`;

const repeats = numberArg('repeats', 3);
console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model.trim()}), Node ${process.version}`);
const built = time(() => fullGrid(1));
const grid = built.result;
console.log(`grid: ${grid.length.toLocaleString('en')} trials of ${Object.keys(grid[grid.length - 1].params).length} parameters built in ${built.seconds.toFixed(1)} s`);
const gridSeconds = best(repeats, () => robustRanking(grid, { direction: 'maximize' }));
const sortSeconds = best(repeats, () => [...grid].sort((a, b) => b.values![0] - a.values![0]));
const topSeconds = best(repeats, () => robustRanking(grid, { direction: 'maximize', limit: 20 }));
const r = robustRanking(grid, { direction: 'maximize', limit: 20 });
console.log(`grid robustRanking, every entry: ${show(gridSeconds)} (best of ${repeats}); limit 20: ${show(topSeconds)}`);
console.log(`baseline, sorting the trials by value: ${show(sortSeconds)}; ratios ${(gridSeconds.seconds / sortSeconds.seconds).toFixed(1)}x and ${(topSeconds.seconds / sortSeconds.seconds).toFixed(1)}x`);
console.log(`  method ${r.method} (${r.methodReason}); peak ${r.peak.value.toFixed(3)} smoothed ${r.peak.smoothed?.toFixed(3)}; robust ${r.robust?.value.toFixed(3)} smoothed ${r.robust?.smoothed?.toFixed(3)} with ${r.robust?.neighbours} neighbours`);

const cloud = continuous(2, 20_000, 10);
const nearestSeconds = best(repeats, () => robustRanking(cloud, { direction: 'minimize' }));
const n = robustRanking(cloud, { direction: 'minimize' });
console.log(`nearest robustRanking, ${cloud.length.toLocaleString('en')} continuous trials of 10 parameters: ${show(nearestSeconds)} (${n.methodReason})`);
