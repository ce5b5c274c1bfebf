/**
 * SQLite storage benchmark (issue 4). Build first (`npm run build`), then:
 *
 *   node dist/scripts/bench-storage.js                 # all four figures
 *   node dist/scripts/bench-storage.js single|multi|overhead|overhead-pool|enqueued|big|bytes|postgres|grid|export [--trials N] [--enqueued N] [--big-trials N]
 *
 * Figures:
 *   single   finished trials/s, one process, trivial objective with 11 parameters (RandomSampler)
 *   multi    finished trials/s of 4 processes on one file and one study; lock errors counted
 *   overhead storage time as % of wall time for a 1 ms (busy) objective, in this thread, with
 *            group commit (the default) and with one commit per trial (maxReservation: 1)
 *   overhead-pool  the same objective on the worker pool (the CLI's default executor, 2 workers):
 *            wall time with SQLite against in-memory storage
 *   enqueued a study seeded with 10,000 enqueued trials, then run (enqueue and pop stay linear)
 *   big      a 1.5M-trial study: a fresh process opens the file and answers `best` (wall time)
 *   bytes    bytes per trial of a study file in the compact and the optuna layout: the IB grid run by
 *            the CLI (--grid standard|expanded, --trials N; default the whole standard grid)
 *   grid     the IB grid by the CLI on memory, SQLite and (--url) PostgreSQL at the same worker
 *            count: wall time and its ratio to memory's (--grid, --trials, --workers; not in 'all')
 *   export   `studyopt export --format parquet` of an expanded-grid study (--file F, or --trials N
 *            built first): wall time and peak memory (not in 'all')
 *   postgres one process (finished trials/s, against SQLite and in-memory in the same run) and 4
 *            processes on one study, on a PostgreSQL database the benchmark may write:
 *            --url postgresql://user:password@host:5432/db (or $STUDYOPT_BENCH_POSTGRES_URL);
 *            skipped without one. Start a throwaway server as CONTRIBUTING.md says.
 *
 * Each figure is also measured with the in-memory store in the same run, as the baseline.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { buildBigStudy } from './lib/big-study.js';
import { InMemoryStorage } from '../src/storage/in-memory.js';
import { SqliteStorage, type SqliteStorageOptions } from '../src/storage/sqlite/sqlite-storage.js';
import { PostgresStorage } from '../src/storage/postgres/postgres-storage.js';
import { resolveStorage } from '../src/storage/resolve.js';
import type { Storage } from '../src/storage/storage.js';
import { createStudy, loadStudy } from '../src/study.js';
import type { Trial } from '../src/trial.js';
import { RandomSampler } from '../samplers/random.js';
import { busy, elevenParameters } from './lib/busy-objective.js';

const SELF = fileURLToPath(import.meta.url);

function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** A trivial objective over 11 parameters of every kind. */
const objective11 = elevenParameters;

function busyObjective(ms: number): (trial: Trial) => number {
  return (trial) => {
    const v = elevenParameters(trial);
    busy(ms);
    return v;
  };
}

async function runTrials(storage: Storage, name: string, n: number, objective: (t: Trial) => number, seed = 1): Promise<number> {
  const study = createStudy({ studyName: name, storage, sampler: new RandomSampler({ seed }), loadIfExists: true });
  const t0 = performance.now();
  await study.optimize(objective, { nTrials: n });
  return (performance.now() - t0) / 1000;
}

async function single(dir: string): Promise<void> {
  const n = arg('trials', 20_000);
  const memSeconds = await runTrials(new InMemoryStorage(), 'single', n, objective11);
  const rates: string[] = [];
  for (const layout of ['compact', 'optuna'] as const) {
    const storage = new SqliteStorage(join(dir, `single-${layout}.db`), { layout });
    const sqlSeconds = await runTrials(storage, 'single', n, objective11);
    const finished = storage.getNTrials(storage.findStudyId('single')!, ['COMPLETE']);
    storage.close();
    rates.push(`sqlite (layout ${layout}) ${(finished / sqlSeconds).toFixed(0)} finished trials/s (${sqlSeconds.toFixed(2)} s)`);
  }
  console.log(`single: ${n} trials, 11 params: ${rates.join(', ')}, in-memory ${(n / memSeconds).toFixed(0)} trials/s (${memSeconds.toFixed(2)} s)`);
}

/**
 * Bytes per trial of an SQLite study file in each layout: the IB grid (--grid standard|expanded,
 * --trials N, default the whole standard grid) run by the CLI, the file measured after a checkpoint.
 */
async function bytes(dir: string): Promise<void> {
  const grid = stringArg('grid') ?? 'standard';
  const n = arg('trials', 25_920);
  for (const layout of ['compact', 'optuna'] as const) {
    const file = join(dir, `bytes-${layout}.db`);
    const t0 = performance.now();
    const r = await run(process.execPath, [CLI, 'optimize', '--sampler', 'grid', '--grid', grid, '--trials', String(n), '--storage', `sqlite:///${file}?layout=${layout}`, '--quiet', '--json']);
    if (r.code !== 0) throw new Error(`studyopt optimize exited with ${r.code}: ${r.err}`);
    const seconds = (performance.now() - t0) / 1000;
    const db = new Database(file);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const trials = (db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
    db.close();
    const size = statSync(file).size;
    console.log(`bytes: IB ${grid} grid, ${trials} trials, layout ${layout}: ${(size / trials).toFixed(0)} bytes per trial (${(size / 1e6).toFixed(1)} MB; run ${seconds.toFixed(1)} s)`);
  }
}

const CLI = join(dirname(dirname(SELF)), 'src', 'apps', 'cli', 'main.js');

/** `studyopt optimize` of the IB grid on one store; its wall time in seconds. */
async function optimizeGrid(storage: string, grid: string, trials: number, workers: number): Promise<number> {
  const t0 = performance.now();
  // A new study each time: a database the benchmark ran on before may hold one of the same grid.
  const study = `bench-grid-${Date.now()}`;
  const r = await run(process.execPath, [CLI, 'optimize', '--sampler', 'grid', '--grid', grid, '--trials', String(trials), '--workers', String(workers), '--storage', storage, '--study-name', study, '--quiet', '--json']);
  if (r.code !== 0) throw new Error(`studyopt optimize --storage ${storage} exited with ${r.code}: ${r.err}`);
  return (performance.now() - t0) / 1000;
}

/**
 * The IB grid (--grid, default expanded; --trials, default 200,000; --workers, default every
 * core) run by the CLI on `--storage memory`, an SQLite file and, given --url, a PostgreSQL
 * database, at the same worker count: wall time, and its ratio to memory's.
 */
async function grid(dir: string): Promise<void> {
  const which = stringArg('grid') ?? 'expanded';
  const trials = arg('trials', 200_000);
  const workers = arg('workers', cpus().length);
  const url = stringArg('url') ?? process.env.STUDYOPT_BENCH_POSTGRES_URL;
  // Memory first: it also generates the synthetic data the others then read.
  const memory = await optimizeGrid('memory', which, trials, workers);
  const stores: [string, string][] = [['sqlite', join(dir, 'grid.db')]];
  if (url) stores.push(['postgresql', url]);
  const parts = [`memory ${memory.toFixed(1)} s (${(trials / memory).toFixed(0)} trials/s)`];
  for (const [label, storage] of stores) {
    const seconds = await optimizeGrid(storage, which, trials, workers);
    parts.push(`${label} ${seconds.toFixed(1)} s (${(trials / seconds).toFixed(0)} trials/s, ${(seconds / memory).toFixed(2)}x memory)`);
  }
  if (!url) parts.push('postgresql skipped (give --url)');
  console.log(`grid: IB ${which} grid, ${trials} trials, ${workers} workers: ${parts.join(', ')}`);
}

/**
 * `studyopt export --format parquet` of an IB expanded-grid study: --file F (an existing study
 * file), or one of --trials N (default 200,000) built first by the CLI. Wall time and peak memory.
 */
async function exportParquet(dir: string): Promise<void> {
  let file = stringArg('file');
  if (file === undefined) {
    file = join(dir, 'export.db');
    await optimizeGrid(file, 'expanded', arg('trials', 200_000), cpus().length);
  }
  const db = new Database(file, { readonly: true });
  const trials = (db.prepare('SELECT count(*) AS n FROM trials').get() as { n: number }).n;
  db.close();
  const out = join(dir, 'export.parquet');
  const t0 = performance.now();
  const r = await run('/usr/bin/time', ['-f', '%M', process.execPath, CLI, 'export', '--storage', file, '--format', 'parquet', '--out', out]);
  if (r.code !== 0) throw new Error(`studyopt export exited with ${r.code}: ${r.err}`);
  const seconds = (performance.now() - t0) / 1000;
  const peakMb = Number(r.err.trim().split('\n').pop()) / 1024;
  console.log(
    `export: ${trials} trials to Parquet in ${seconds.toFixed(1)} s (${(trials / seconds).toFixed(0)} trials/s; 1.5M trials at this rate: ${((1.5e6 * seconds) / trials).toFixed(0)} s), ` +
      `peak memory ${peakMb.toFixed(0)} MB, file ${(statSync(out).size / 1e6).toFixed(1)} MB`,
  );
}

function run(command: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }));
  });
}

function spawnWorker(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return run(process.execPath, [SELF, 'worker', ...args]);
}

async function multi(dir: string, store = join(dir, 'multi.db'), study = 'shared', label = 'multi'): Promise<void> {
  const perProcess = arg('trials', 5_000);
  const processes = arg('processes', 4);
  const file = store;
  // Create the store and the study first, so that the workers measure trials, not schema creation.
  const s = resolveStorage(file);
  s.createStudy(study, ['minimize']);
  s.close();
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: processes }, (_, i) => spawnWorker([file, study, String(perProcess), String(i + 1)])));
  const wall = (performance.now() - t0) / 1000;
  let lockErrors = 0;
  let errors = 0;
  for (const r of results) {
    lockErrors += (r.err.match(/database is locked|SQLITE_BUSY/g) ?? []).length;
    if (r.code !== 0) errors++;
  }
  const check = resolveStorage(file, { readonly: true });
  const id = check.findStudyId(study)!;
  const finished = check.getNTrials(id, ['COMPLETE']);
  const numbers = check.getAllTrials(id).map((t) => t.number);
  const dense = numbers.every((num, i) => num === i);
  check.close();
  console.log(
    `${label}: ${processes} processes x ${perProcess} trials on one study: ${(finished / wall).toFixed(0)} finished trials/s together ` +
      `(${finished} trials in ${wall.toFixed(2)} s incl. process start), lock errors ${lockErrors}, failed processes ${errors}, numbers dense ${dense}`,
  );
  for (const r of results) if (r.code !== 0) console.log(r.err);
}

async function worker(): Promise<void> {
  const [file, name, n, seed] = process.argv.slice(3);
  const storage = resolveStorage(file);
  const study = loadStudy({ studyName: name, storage, sampler: new RandomSampler({ seed: Number(seed) }) });
  await study.optimize(objective11, { nTrials: Number(n), catch: 'none' });
  storage.close();
}

/** Wraps every method of a storage to add up the time spent in it. */
function timed(storage: Storage): { storage: Storage; seconds: () => number } {
  let total = 0;
  const proxy = new Proxy(storage, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return value.apply(target, args);
        } finally {
          total += performance.now() - t0;
        }
      };
    },
  });
  return { storage: proxy, seconds: () => total / 1000 };
}

async function overhead(dir: string): Promise<void> {
  const n = arg('trials', 5_000);
  const memSeconds = await runTrials(new InMemoryStorage(), 'overhead', n, busyObjective(1));
  const measure = async (file: string, options: SqliteStorageOptions): Promise<{ wall: number; storage: number }> => {
    const sqlite = new SqliteStorage(join(dir, file), options);
    const t = timed(sqlite);
    const wall = await runTrials(t.storage, 'overhead', n, busyObjective(1));
    sqlite.close();
    return { wall, storage: t.seconds() };
  };
  const line = (label: string, r: { wall: number; storage: number }): string =>
    `${label}: storage ${((r.storage * 1000) / n).toFixed(3)} ms/trial = ${((100 * r.storage) / r.wall).toFixed(2)}% of wall ` +
    `(${r.wall.toFixed(2)} s, ${((100 * (r.wall - memSeconds)) / r.wall).toFixed(2)}% over the in-memory run)`;
  const grouped = await measure('overhead.db', {});
  // The baseline in the same run: one commit per trial on this thread (no reservations, no writer thread).
  const perTrial = await measure('overhead-per-trial.db', { maxReservation: 1 });
  console.log(`overhead: ${n} trials of a 1 ms objective; in-memory run ${memSeconds.toFixed(2)} s`);
  console.log(`  ${line('group commit (default)', grouped)}`);
  console.log(`  ${line('one commit per trial  ', perTrial)}`);
}

/**
 * The CLI runs objectives on a worker pool by default, where the main thread writes the storage
 * while the workers compute: how much wall time does SQLite then add over in-memory storage?
 */
async function overheadPool(dir: string): Promise<void> {
  const n = arg('trials', 4_000);
  const workers = arg('workers', 2);
  const module = new URL('./lib/busy-objective.js', import.meta.url);
  const run = async (storage: Storage, name: string): Promise<number> => {
    const study = createStudy({ studyName: name, storage, sampler: new RandomSampler({ seed: 1 }), loadIfExists: true });
    const t0 = performance.now();
    await study.optimize(module, { workers, nTrials: n, moduleOptions: { busyMs: 1 } });
    return (performance.now() - t0) / 1000;
  };
  const times: { mem: number; sql: number }[] = [];
  for (let rep = 0; rep < 3; rep++) {
    const mem = await run(new InMemoryStorage(), `pool-${rep}`);
    const sqlite = new SqliteStorage(join(dir, `overhead-pool-${rep}.db`));
    const sql = await run(sqlite, `pool-${rep}`);
    sqlite.close();
    times.push({ mem, sql });
  }
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[1];
  const mem = med(times.map((t) => t.mem));
  const sql = med(times.map((t) => t.sql));
  console.log(
    `overhead-pool: ${n} trials of a 1 ms objective on ${workers} workers (median of 3): sqlite ${sql.toFixed(2)} s, in-memory ${mem.toFixed(2)} s, ` +
      `storage adds ${((100 * (sql - mem)) / sql).toFixed(1)}% of wall time (runs: ${times.map((t) => `${t.sql.toFixed(2)}/${t.mem.toFixed(2)}`).join(', ')})`,
  );
}

/**
 * A study seeded with many enqueued trials (fixed parameters), then run: enqueueing and popping
 * must stay linear in their number (each pop used to re-read every WAITING trial).
 */
async function enqueued(dir: string): Promise<void> {
  const n = arg('enqueued', 10_000);
  const timeIt = async (storage: Storage): Promise<[number, number]> => {
    const study = createStudy({ studyName: 'enqueued', storage, sampler: new RandomSampler({ seed: 1 }) });
    let t0 = performance.now();
    for (let i = 0; i < n; i++) study.enqueueTrial({ x: i / n, y: (i % 97) / 97 });
    const enqueueSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    await study.optimize((t) => t.suggestFloat('x', 0, 1) + t.suggestFloat('y', 0, 1), { nTrials: n });
    return [enqueueSeconds, (performance.now() - t0) / 1000];
  };
  const [memEnqueue, memRun] = await timeIt(new InMemoryStorage());
  const sqlite = new SqliteStorage(join(dir, 'enqueued.db'));
  const [sqlEnqueue, sqlRun] = await timeIt(sqlite);
  sqlite.close();
  console.log(
    `enqueued: ${n} enqueued trials: sqlite enqueue ${sqlEnqueue.toFixed(2)} s + run ${sqlRun.toFixed(2)} s; ` +
      `in-memory enqueue ${memEnqueue.toFixed(2)} s + run ${memRun.toFixed(2)} s`,
  );
}

async function big(dir: string): Promise<void> {
  const n = arg('big-trials', 1_500_000);
  const file = join(dir, 'big.db');
  const t0 = performance.now();
  buildBigStudy(file, n);
  const built = (performance.now() - t0) / 1000;
  const size = statSync(file).size / 1e6;
  // A fresh process: node start, open, load the study, answer best.
  const t1 = performance.now();
  const r = await spawnWorkerBest(file);
  const wall = (performance.now() - t1) / 1000;
  console.log(
    `big: ${n} trials (${size.toFixed(0)} MB, built in ${built.toFixed(1)} s): a fresh process opens it and answers best in ${wall.toFixed(2)} s wall ` +
      `(inside the process: ${r.trim()})`,
  );
}

function spawnWorkerBest(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, 'best-worker', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`best-worker exited with ${code}`))));
  });
}

function bestWorker(): void {
  const t0 = performance.now();
  const storage = new SqliteStorage(process.argv[3]);
  const study = loadStudy({ studyName: 'big', storage });
  const best = storage.getBestTrial(study.studyId);
  const ms = performance.now() - t0;
  const t1 = performance.now();
  const [summary] = storage.getAllStudies();
  const summaryMs = performance.now() - t1;
  process.stdout.write(
    `open + loadStudy + best ${ms.toFixed(0)} ms, best value ${best?.values?.[0]} at trial ${best?.number}; ` +
      `the study summary of \`studyopt studies\` (${summary.countsByState.COMPLETE} complete) ${summaryMs.toFixed(0)} ms\n`,
  );
  storage.close();
}

async function postgres(dir: string): Promise<void> {
  const url = stringArg('url') ?? process.env.STUDYOPT_BENCH_POSTGRES_URL;
  if (!url) {
    console.log('postgres: skipped (give --url postgresql://user:password@host:5432/db, a database the benchmark may write)');
    return;
  }
  const n = arg('trials', 5_000);
  const name = `bench-${Date.now()}`;
  const memSeconds = await runTrials(new InMemoryStorage(), 'pg-single', n, objective11);
  const sqlite = new SqliteStorage(join(dir, 'pg-baseline.db'));
  const sqliteSeconds = await runTrials(sqlite, 'single', n, objective11);
  sqlite.close();
  const pg = new PostgresStorage(url);
  const pgSeconds = await runTrials(pg, `${name}-single`, n, objective11);
  const finished = pg.getNTrials(pg.findStudyId(`${name}-single`)!, ['COMPLETE']);
  pg.close();
  console.log(
    `postgres single: ${n} trials, 11 params: postgresql ${(finished / pgSeconds).toFixed(0)} finished trials/s (${pgSeconds.toFixed(2)} s), ` +
      `sqlite ${(n / sqliteSeconds).toFixed(0)}/s, in-memory ${(n / memSeconds).toFixed(0)}/s (ratios: ${(sqliteSeconds / pgSeconds).toFixed(2)}x sqlite, ${(memSeconds / pgSeconds).toFixed(3)}x in-memory)`,
  );
  await multi(dir, url, `${name}-shared`, 'postgres multi');
}

async function main(): Promise<void> {
  const mode = process.argv[2] ?? 'all';
  if (mode === 'worker') return worker();
  if (mode === 'best-worker') return bestWorker();
  const dir = mkdtempSync(join(tmpdir(), 'studyopt-bench-'));
  console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), temp dir ${dir}`);
  try {
    if (mode === 'all' || mode === 'single') await single(dir);
    if (mode === 'all' || mode === 'multi') await multi(dir);
    if (mode === 'all' || mode === 'overhead') await overhead(dir);
    if (mode === 'all' || mode === 'overhead-pool') await overheadPool(dir);
    if (mode === 'all' || mode === 'enqueued') await enqueued(dir);
    if (mode === 'all' || mode === 'big') await big(dir);
    if (mode === 'all' || mode === 'bytes') await bytes(dir);
    if (mode === 'all' || mode === 'postgres') await postgres(dir);
    if (mode === 'grid') await grid(dir);
    if (mode === 'export') await exportParquet(dir);
  } finally {
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
