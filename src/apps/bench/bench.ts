/**
 * `runBench`: the plan's rows, the reference (grid ground truth or known optimum), every run,
 * and the summary table, as one JSON-able result.
 *
 * Runs are whole and sequential (a sampler with a seed), so their numbers do not depend on the
 * worker count; with `workers > 1` they are spread over a piscina pool of that many threads,
 * the costliest first (the GP sampler's runs), which on 2 cores gives the shortest wall time.
 */
import { existsSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Storage } from '../../storage/storage.js';
import { type BenchPlan, type BenchRow, type RunSpec, experiments, maxBudget, runsOf } from './experiments.js';
import { functionReference } from './function-reference.js';
import { gridTruth } from './ground-truth.js';
import { metricDirection } from '../../../studies/ib/metric-catalogue.js';
import { type BenchObjectiveSpec, type BenchSearchSpace, benchSearchSpace, loadBenchObjective, specName } from './objectives.js';
import type { Progress } from './progress.js';
import type { Reference } from './reference.js';
import { type RunResult, runOne } from './run.js';
import { type SummaryRow, summarize } from './summary.js';
import type { BenchProgressMessage, BenchTask } from './worker.js';

export const BENCH_RESULT_VERSION = 1;

export interface BenchConfig {
  readonly spec: BenchObjectiveSpec;
  readonly samplers: readonly string[];
  readonly budgets: readonly number[];
  readonly seeds: readonly number[];
  readonly budgetsBySampler?: Readonly<Record<string, readonly number[]>>;
  readonly workers: number;
}

/** What `--json` writes and `studyopt report --bench` reads. */
export interface BenchResult {
  readonly kind: 'studyopt-bench';
  readonly version: number;
  readonly objective: string;
  readonly spec: BenchObjectiveSpec;
  readonly direction: 'minimize' | 'maximize';
  readonly plan: { samplers: string[]; budgets: number[]; seeds: number[]; budgetsBySampler?: Record<string, readonly number[]> };
  readonly reference: {
    kind: Reference['kind'];
    size: number;
    feasible: number;
    optimum: number;
    top1Threshold: number;
    /** The stored truth study (IB). */
    studyName?: string;
    seconds: number;
    computed: number;
  };
  /** IB: the grid searched, beside the one `studyopt optimize` searches by default. */
  readonly searched?: BenchSearchSpace;
  readonly rows: SummaryRow[];
  readonly runs: RunResult[];
  readonly workers: number;
  readonly wallSeconds: number;
}

/** Relative cost of a run, to start the long ones first: the GP sampler is cubic in its trials. */
function runCost(run: RunSpec): number {
  const n = maxBudget(run);
  return run.sampler === 'gp' ? n * n * n : run.sampler === 'tpe' ? 20 * n : n;
}

/** The built worker next to this file (dist/), or dist/ seen from the sources; null: none built. */
export function benchWorkerUrl(): URL | null {
  for (const url of [new URL('./worker.js', import.meta.url), new URL('../../../dist/src/apps/bench/worker.js', import.meta.url)]) {
    if (existsSync(fileURLToPath(url))) return url;
  }
  return null;
}

export async function runBench(config: BenchConfig, io: { storage?: Storage; progress: Progress; signal?: AbortSignal }): Promise<BenchResult> {
  const started = performance.now();
  const plan: BenchPlan = {
    objective: specName(config.spec),
    samplers: config.samplers,
    budgets: [...config.budgets].sort((a, b) => a - b),
    seeds: config.seeds,
    budgetsBySampler: config.budgetsBySampler,
  };
  const rows: BenchRow[] = [...experiments(plan)];

  let reference: Reference;
  let truthInfo: { studyName?: string; seconds: number; computed: number };
  if (config.spec.kind === 'ib') {
    if (!io.storage) throw new Error('the IB bench needs a storage for its ground truth');
    const truth = await gridTruth(io.storage, config.spec, { workers: config.workers >= 3 ? config.workers : 1, progress: io.progress, signal: io.signal });
    reference = truth.reference;
    truthInfo = { studyName: truth.studyName, seconds: truth.seconds, computed: truth.computed };
    io.progress.log(
      truth.computed > 0
        ? `grid truth: ${reference.size} points in ${truth.seconds.toFixed(1)} s, stored as study '${truth.studyName}'`
        : `grid truth: reused study '${truth.studyName}' (${reference.size} points)`,
    );
  } else {
    const t0 = performance.now();
    reference = functionReference(config.spec.name);
    truthInfo = { seconds: (performance.now() - t0) / 1000, computed: reference.size };
  }

  const runs = runsOf(rows).sort((a, b) => runCost(b) - runCost(a));
  const results = await executeRuns(config, runs, io);
  // Table order: the plan's sampler order, then budget.
  const order = new Map(config.samplers.map((s, i) => [s, i]));
  const summary = summarize(rows, results, reference).sort((a, b) => order.get(a.sampler)! - order.get(b.sampler)! || a.budget - b.budget);
  return {
    kind: 'studyopt-bench',
    version: BENCH_RESULT_VERSION,
    objective: plan.objective,
    spec: config.spec,
    direction: reference.direction,
    plan: { samplers: [...plan.samplers], budgets: [...plan.budgets], seeds: [...plan.seeds], budgetsBySampler: config.budgetsBySampler ? { ...config.budgetsBySampler } : undefined },
    reference: { kind: reference.kind, size: reference.size, feasible: reference.feasibleCount, optimum: reference.optimum, top1Threshold: reference.topThreshold(0.01), ...truthInfo },
    ...(config.spec.kind === 'ib' ? { searched: benchSearchSpace(config.spec) } : {}),
    rows: summary,
    runs: [...results].sort((a, b) => order.get(a.sampler)! - order.get(b.sampler)! || a.seed - b.seed),
    workers: config.workers,
    wallSeconds: (performance.now() - started) / 1000,
  };
}

async function executeRuns(config: BenchConfig, runs: RunSpec[], io: { progress: Progress; signal?: AbortSignal }): Promise<RunResult[]> {
  const total = runs.reduce((n, r) => n + maxBudget(r), 0);
  const overall = io.progress.task(`${runs.length} runs (trials)`, total);
  const doneByRun = new Map<RunSpec, number>();
  let finishedRuns = 0;
  let best: number | null = null;
  const maximize = loadDirection(config.spec) === 'maximize';
  const onRunProgress = (run: RunSpec, label: ReturnType<Progress['task']>) => (done: number, runBest: number | null) => {
    doneByRun.set(run, done);
    if (runBest !== null && (best === null || (maximize ? runBest > best : runBest < best))) best = runBest;
    label.update(done, runBest);
    let sum = 0;
    for (const v of doneByRun.values()) sum += v;
    overall.update(sum, best);
  };
  const labelOf = (run: RunSpec) => `${run.sampler} seed ${run.seed}`;
  const workerUrl = config.workers > 1 ? benchWorkerUrl() : null;
  let results: RunResult[];
  if (workerUrl === null) {
    const objective = loadBenchObjective(config.spec);
    results = [];
    for (const run of runs) {
      if (io.signal?.aborted) throw new Error('interrupted');
      const task = io.progress.task(labelOf(run), maxBudget(run), { transient: true });
      results.push(runOne(run, objective, onRunProgress(run, task)));
      task.finish();
      finishedRuns++;
      // Yield so that Ctrl-C and the progress redraw get their turn between runs.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } else {
    const pool = new Piscina({ filename: workerUrl.href, minThreads: config.workers, maxThreads: config.workers, idleTimeout: 5_000, concurrentTasksPerWorker: 1 });
    // One abort listener for the pool (not one per task): Ctrl-C stops every run.
    const stop = () => void pool.destroy();
    io.signal?.addEventListener('abort', stop, { once: true });
    try {
      results = await Promise.all(
        runs.map((run) => {
          const channel = new MessageChannel();
          let task: ReturnType<Progress['task']> | null = null;
          const report = (msg: BenchProgressMessage) => {
            task ??= io.progress.task(labelOf(run), maxBudget(run), { transient: true });
            onRunProgress(run, task)(msg.done, msg.best);
          };
          channel.port1.on('message', report);
          const payload: BenchTask = { spec: config.spec, run, port: channel.port2 };
          return (pool.run(payload, { transferList: [channel.port2] as never }) as Promise<RunResult>).then((result) => {
            channel.port1.close();
            // The last progress messages may still be in flight: count the run from its result.
            report({ done: result.curve.length, best: result.curve[result.curve.length - 1] ?? null });
            task?.finish();
            finishedRuns++;
            return result;
          });
        }),
      );
    } catch (err) {
      if (io.signal?.aborted) throw new Error('interrupted');
      throw err;
    } finally {
      io.signal?.removeEventListener('abort', stop);
      await pool.destroy();
    }
  }
  overall.finish(`${finishedRuns} runs`);
  io.progress.close();
  return results;
}

function loadDirection(spec: BenchObjectiveSpec): 'minimize' | 'maximize' {
  return spec.kind === 'ib' ? metricDirection(spec.metric) : 'minimize';
}
