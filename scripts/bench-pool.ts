/**
 * Worker-pool benchmark: throughput against worker count for CPU-bound objectives of ~5 ms and
 * ~0.05 ms, the IB standard and expanded grids on one symbol (pool with 1 and 2 workers, and the
 * sequential executor), and memory per extra worker with the candle data shared. Prints a
 * Markdown report (docs/bench-pool.md).
 *
 *   npm run build && node dist/scripts/bench-pool.js [--reps 3] [--quick] [--out docs/bench-pool.md]
 *
 * Each figure is taken `reps` times with the configurations interleaved (so that load from other
 * processes falls on all of them alike); the report gives the median and the best. Ratios are
 * computed within the same run, never against figures from another machine.
 */
import { fork } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStudy } from '../src/study.js';
import { type PreparedObjective, WorkerPool, prepareObjective } from '../src/executor/index.js';
import { GridSampler } from '../samplers/grid.js';
import type { Grid } from '../src/search-space.js';
import { RandomSampler } from '../samplers/random.js';

const root = new URL('../../', import.meta.url);
const BUSY = fileURLToPath(new URL('test/fixtures/executor/busy.mjs', root));
const IB = fileURLToPath(new URL('test/fixtures/executor/ib-pool.mjs', root));

interface Args {
  reps: number;
  quick: boolean;
  out: string | null;
  child: number | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { reps: 3, quick: false, out: null, child: null };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--reps') a.reps = Number(argv[++i]);
    else if (argv[i] === '--quick') a.quick = true;
    else if (argv[i] === '--out') a.out = argv[++i];
    else if (argv[i] === '--child-memory') a.child = Number(argv[++i]);
  }
  return a;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x: number, d = 0): string => x.toFixed(d);

/**
 * CPU seconds of the main thread (Linux: /proc/self/task/<pid>/stat, 10 ms ticks) and of the
 * whole process (every thread: main, workers, V8 helpers). CPU time does not depend on what else
 * the machine runs, so these figures stay comparable when other processes load the cores.
 */
function cpuNow(): { main: number; total: number } {
  let main = Number.NaN;
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    main = (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime (fields 14, 15)
  } catch {
    // not Linux
  }
  const u = process.cpuUsage();
  return { main, total: (u.user + u.system) / 1e6 };
}

interface Measured {
  rate: number;
  /** CPU ms per trial: main thread, and everything else (workers, GC helpers). */
  mainMs: number;
  restMs: number;
}

async function timed(trials: number, run: () => Promise<unknown>): Promise<Measured> {
  const c0 = cpuNow();
  const t = performance.now();
  await run();
  const wall = (performance.now() - t) / 1000;
  const c1 = cpuNow();
  const main = c1.main - c0.main;
  return { rate: trials / wall, mainMs: (1000 * main) / trials, restMs: (1000 * (c1.total - c0.total - main)) / trials };
}

/** Iterations of busy.mjs's work loop that take about `ms` of CPU time here. */
async function calibrate(ms: number): Promise<number> {
  const { work } = (await import(BUSY)) as { work: (n: number, x: number, y: number) => number };
  let n = 20_000;
  for (;;) {
    work(n, 0.1, 0.2); // warm the JIT
    const u = process.cpuUsage();
    work(n, 0.3, 0.4);
    const d = process.cpuUsage(u);
    const took = (d.user + d.system) / 1000;
    if (took > 20) return Math.round((n * ms) / took);
    n *= 2;
  }
}

/** One timed pool run (after a warm-up run on the same pool). */
async function poolRun(pool: WorkerPool, prepared: PreparedObjective, makeStudy: () => ReturnType<typeof createStudy>, warm: number, trials: number): Promise<Measured> {
  await pool.run([{ study: makeStudy(), objective: prepared, nTrials: warm }]);
  const study = makeStudy();
  return timed(trials, async () => {
    const [s] = await pool.run([{ study, objective: prepared, nTrials: trials }]);
    if (s.completed !== trials) throw new Error(`expected ${trials} COMPLETE trials, got ${JSON.stringify(s)}`);
  });
}

async function sequentialRun(prepared: PreparedObjective, makeStudy: () => ReturnType<typeof createStudy>, warm: number, trials: number): Promise<Measured> {
  await makeStudy().optimize(prepared.module.objective, { nTrials: warm });
  const study = makeStudy();
  return timed(trials, () => study.optimize(prepared.module.objective, { nTrials: trials }));
}

const cpuCell = (ms: Measured[]): string => `${fmt(median(ms.map((m) => m.mainMs)), 3)} + ${fmt(median(ms.map((m) => m.restMs)), 3)}`;

async function benchBusy(args: Args, lines: string[], ms: number): Promise<void> {
  const cores = availableParallelism();
  const iterations = await calibrate(ms);
  const prepared = await prepareObjective(BUSY, { iterations });
  const mk = () => createStudy({ sampler: new RandomSampler({ seed: 1 }) });
  const t = performance.now();
  await prepared.module.objective(mk().ask());
  const perTrial = performance.now() - t;
  const ns = Array.from({ length: cores }, (_, i) => i + 1);
  // About a second of work per worker and timed run (at least 200 trials).
  const perWorkerTrials = Math.max(args.quick ? 60 : 200, Math.round((args.quick ? 300 : 1000) / ms));
  const runs = new Map<number | 'seq', Measured[]>();
  const pools = new Map(ns.map((n) => [n, new WorkerPool({ workers: n })]));
  try {
    for (let rep = 0; rep < args.reps; rep++) {
      runs.set('seq', [...(runs.get('seq') ?? []), await sequentialRun(prepared, mk, 10, perWorkerTrials)]);
      for (const n of ns) runs.set(n, [...(runs.get(n) ?? []), await poolRun(pools.get(n)!, prepared, mk, 4 * n, perWorkerTrials * n)]);
    }
  } finally {
    for (const p of pools.values()) await p.close();
  }
  const rates = new Map([...runs].map(([k, v]) => [k, v.map((m) => m.rate)]));
  const base = median(rates.get(1)!);
  const baseBest = Math.max(...rates.get(1)!);
  lines.push(`## CPU-bound objective of ~${ms} ms (\`test/fixtures/executor/busy.mjs\`: ${iterations} iterations, calibrated to ${ms} ms of CPU; one trial took ${fmt(perTrial, 2)} ms of wall time at calibration)`);
  lines.push('');
  lines.push(`${perWorkerTrials} trials per worker per timed run, after a warm-up run on the same pool (worker start-up and module setup excluded); ${args.reps} runs each, interleaved.`);
  lines.push('');
  lines.push('| executor | workers | trials/s (median) | trials/s (best) | efficiency vs N × 1 worker (median / best) | CPU ms per trial: main + rest |');
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  const seq = rates.get('seq')!;
  lines.push(`| sequential (\`study.optimize(fn)\`) | – | ${fmt(median(seq), 1)} | ${fmt(Math.max(...seq), 1)} | – | ${cpuCell(runs.get('seq')!)} |`);
  for (const n of ns) {
    const r = rates.get(n)!;
    const eff = median(r) / (n * base);
    const effBest = Math.max(...r) / (n * baseBest);
    lines.push(`| pool | ${n} | ${fmt(median(r), 1)} | ${fmt(Math.max(...r), 1)} | ${fmt(100 * eff)}% / ${fmt(100 * effBest)}% | ${cpuCell(runs.get(n)!)} |`);
  }
  lines.push('');
}

async function benchIb(args: Args, lines: string[], gridName: 'standard' | 'expanded'): Promise<void> {
  const warm = args.quick ? 500 : 2000;
  const trials = args.quick ? 2000 : 8000;
  const options = { symbol: 'GER40', grid: gridName };
  const prepared = await prepareObjective(IB, options);
  const grid = (prepared.module.grid as (name: string) => Grid)(gridName);
  let seed = 0;
  // Timed runs all walk the same points (seed 1); warm-ups walk other points.
  const timedSampler = () => new GridSampler(grid, { seed: 1 });
  const warmSampler = () => new GridSampler(grid, { seed: 100 + ++seed });
  let warming = true;
  const mk = () => createStudy({ direction: 'maximize', sampler: warming ? warmSampler() : timedSampler() });
  const runs = { seq: [] as Measured[], p1: [] as Measured[], p2: [] as Measured[] };
  const pool1 = new WorkerPool({ workers: 1 });
  const pool2 = new WorkerPool({ workers: 2 });
  try {
    for (let rep = 0; rep < args.reps; rep++) {
      for (const [key, pool] of [['p1', pool1], ['p2', pool2], ['seq', null]] as const) {
        warming = true;
        // Warm-up, then the timed run (the warm-up study walks other grid points).
        if (pool) await pool.run([{ study: mk(), objective: prepared, nTrials: warm }]);
        else await mk().optimize(prepared.module.objective, { nTrials: warm });
        warming = false;
        const study = mk();
        runs[key].push(await timed(trials, () => (pool ? pool.run([{ study, objective: prepared, nTrials: trials }]) : study.optimize(prepared.module.objective, { nTrials: trials }))));
      }
    }
  } finally {
    await pool1.close();
    await pool2.close();
  }
  const rate = (ms: Measured[]) => ms.map((x) => x.rate);
  const m = { seq: median(rate(runs.seq)), p1: median(rate(runs.p1)), p2: median(rate(runs.p2)) };
  const b = { seq: Math.max(...rate(runs.seq)), p1: Math.max(...rate(runs.p1)), p2: Math.max(...rate(runs.p2)) };
  lines.push(`## IB grid, one symbol (GER40 synthetic data, ${gridName} grid of ${grid.size.toLocaleString('en')} points, objective Sharpe)`);
  lines.push('');
  lines.push(`In-memory storage; ${trials.toLocaleString('en')} grid trials per timed run after a ${warm.toLocaleString('en')}-trial warm-up on other points; every trial stores its 10 parameters and 18 metrics (user attributes). ${args.reps} runs each, interleaved.`);
  lines.push('');
  lines.push('| executor | trials/s (median) | trials/s (best) | CPU ms per trial: main thread + rest |');
  lines.push('| --- | ---: | ---: | ---: |');
  lines.push(`| sequential (\`--workers 1\`) | ${fmt(m.seq)} | ${fmt(b.seq)} | ${cpuCell(runs.seq)} |`);
  lines.push(`| pool, 1 worker | ${fmt(m.p1)} | ${fmt(b.p1)} | ${cpuCell(runs.p1)} |`);
  lines.push(`| pool, 2 workers | ${fmt(m.p2)} | ${fmt(b.p2)} | ${cpuCell(runs.p2)} |`);
  lines.push('');
  lines.push(`- 2 workers / sequential (\`--workers 2\` vs \`--workers 1\`): **${fmt(m.p2 / m.seq, 2)}×** (median), ${fmt(b.p2 / b.seq, 2)}× (best); target ≥ 1.8×`);
  lines.push(`- 2 workers / pool with 1 worker: **${fmt(m.p2 / m.p1, 2)}×** (median), ${fmt(b.p2 / b.p1, 2)}× (best)`);
  lines.push('');
}

/** Child process: one pool of `n` workers on the IB objective; prints memory figures as JSON. */
async function childMemory(n: number): Promise<void> {
  const prepared = await prepareObjective(IB, { symbol: 'GER40', grid: 'standard', reportHeapEvery: 50 });
  const shared = prepared.context.shared as { buffer: SharedArrayBuffer };
  const grid = (prepared.module.grid as (name: string) => Grid)('standard');
  const pool = new WorkerPool({ workers: n });
  const study = createStudy({ direction: 'maximize', sampler: new GridSampler(grid, { seed: 3 }) });
  await pool.run([{ study, objective: prepared, nTrials: 3000 }]);
  (globalThis as { gc?: () => void }).gc?.();
  const mem = process.memoryUsage();
  const workerHeaps = study.trials.filter((t) => typeof t.userAttrs.worker_heap_mb === 'number').map((t) => t.userAttrs.worker_heap_mb as number);
  await pool.close();
  process.stdout.write(
    JSON.stringify({ n, rssMb: mem.rss / 2 ** 20, heapUsedMb: mem.heapUsed / 2 ** 20, sharedMb: shared.buffer.byteLength / 2 ** 20, workerHeapMaxMb: Math.max(...workerHeaps) }) + '\n',
  );
}

function runChild(n: number): Promise<{ n: number; rssMb: number; heapUsedMb: number; sharedMb: number; workerHeapMaxMb: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--child-memory', String(n)], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], execArgv: ['--expose-gc'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`memory child exited ${code}`))));
  });
}

async function benchMemory(lines: string[]): Promise<void> {
  const rows = [];
  for (const n of [1, 2, 4]) rows.push(await runChild(n));
  const base = rows[0];
  lines.push('## Memory per worker (IB, GER40, data shared)');
  lines.push('');
  lines.push('A fresh process per row runs 3,000 grid trials; RSS after a GC. Memory does not need cores, so 4 workers are measured too.');
  lines.push('');
  lines.push('| workers | process RSS (MB) | per extra worker vs 1 worker (MB) | largest worker V8 heap (MB) | shared data (MB, once) |');
  lines.push('| ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    const extra = r.n === 1 ? '–' : fmt((r.rssMb - base.rssMb) / (r.n - 1), 1);
    lines.push(`| ${r.n} | ${fmt(r.rssMb)} | ${extra} | ${fmt(r.workerHeapMaxMb, 1)} | ${fmt(r.sharedMb, 1)} |`);
  }
  lines.push('');
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.child !== null) return childMemory(args.child);
  process.env.STUDYOPT_DATA_DIR ??= join(tmpdir(), 'studyopt-bench-data');
  const lines: string[] = [];
  const load0 = loadavg();
  lines.push(`Machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; load average at start ${load0.map((x) => x.toFixed(2)).join(' ')}.`);
  lines.push('');
  await benchBusy(args, lines, 5);
  // A sub-millisecond objective: where the main thread (sampling, messages, bookkeeping) bounds the pool.
  await benchBusy(args, lines, 0.05);
  await benchIb(args, lines, 'standard');
  await benchIb(args, lines, 'expanded');
  await benchMemory(lines);
  lines.push(`Load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}.`);
  const text = lines.join('\n') + '\n';
  process.stdout.write(text);
  if (args.out) writeFileSync(args.out, text);
}

await main();
