/**
 * The worker-pool executor: `optimize` over worker threads (piscina), sampling in the main thread.
 *
 * For each trial the main thread asks the study (so samplers see every dispatched trial as
 * RUNNING: TPE's constant liar, CMA-ES/DE generations, GP pending points), pre-samples every
 * parameter the study already knows, and sends batches of trials to the workers. A worker runs
 * the objective module's `objective(trial)` with a Trial that answers from those values and
 * samples unseen parameters itself; the main thread then stores the parameters the objective
 * actually used, its user attributes and intermediate values, and tells the result. Storage
 * writes happen only here, in the main thread.
 *
 * Faults: an exception FAILs its trial; a worker that dies or runs one trial past
 * `trialTimeout` FAILs that trial, is replaced by piscina, and the other trials of its batch are
 * dispatched again. Abort (Ctrl-C) stops dispatching, lets running trials finish for up to
 * `gracePeriod` seconds, and records everything; a second abort (`forceSignal`) or the end of
 * the grace period stops the workers at once and FAILs what was running.
 */
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { BroadcastChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { type Distribution, type ParamValue, toInternal } from '../distributions.js';
import { decidedValue } from '../decided-params.js';
import { hashString } from '../rng.js';
import { TrialFinishedError, UsageError } from '../errors.js';
import type { FrozenTrial, TrialState } from '../frozen-trial.js';
import { type OptimizeOptions, type OptimizeSummary, type StopReason, YIELD_EVERY_MS, describeError, optimizeSequential } from '../optimize.js';
import { RunSession } from '../run-session.js';
import { NopPruner } from '../pruners/pruner.js';
import type { Study } from '../study.js';
import type { AbortSignalLike, TextStream, UrlObject, WorkerResourceLimits, WorkerThread } from '../host-types.js';
import type { StudyTrial } from '../trial.js';
import type { ConditionalParam, DeclaredSpace } from '../search-space.js';
import { BatchSizer } from './batching.js';
import { type PreparedObjective, isPrepared, prepareObjective } from './objective-module.js';
import { PoolProgress } from './pool-progress.js';
import {
  CONTROL,
  CONTROL_BYTES,
  PHASE,
  CONTROL_STARTED_AT_BYTE,
  type PruneRequest,
  type Task,
  type TaskResult,
  type TaskTrial,
  type TrialResult,
} from './protocol.js';

/** Options of the pool itself (shared by every study run on it). */
export interface PoolOptions {
  /** Worker threads. Default: the number of cores (`os.availableParallelism()`). */
  workers?: number;
  /** Seconds one trial may run before its worker is stopped and the trial FAILs. Default: no limit. */
  trialTimeout?: number;
  /** Seconds to wait for running trials after an abort before stopping them. Default 30. */
  gracePeriod?: number;
  /** Per-worker V8 limits (e.g. `{ maxOldGenerationSizeMb: 512 }`): a worker over it dies, its trial FAILs. */
  resourceLimits?: WorkerResourceLimits;
  /** Aim for tasks of about this many ms (batches of fast trials). Default 15. */
  targetBatchMs?: number;
  /** At most this many trials per task. Default 4096. */
  maxBatch?: number;
  /** Aborting it stops every study at once: running trials FAIL (the CLI's second Ctrl-C). */
  forceSignal?: AbortSignalLike;
}

/** What one study's run accepts: the sequential executor's options, plus the module's. */
export interface PoolRunOptions extends OptimizeOptions {
  /** Passed to the module's `setup(options, context)` and `prepareShared(options)`. */
  moduleOptions?: unknown;
  /** Seeds the worker-side sampling of parameters the main thread had not seen. Default: from the study name. */
  seed?: number;
}

export interface PoolOptimizeOptions extends PoolRunOptions, PoolOptions {}

/** One study of `runStudiesOnPool`. */
export interface PoolStudy extends PoolRunOptions {
  study: Study;
  /** A module path or file: URL, or an objective prepared with `prepareObjective`. */
  objective: string | UrlObject | PreparedObjective;
}

export interface PoolRunSettings {
  /** Aborting it stops dispatching for every study (first Ctrl-C); the grace period follows. */
  signal?: AbortSignalLike;
  /** One progress line for all studies (on a terminal). */
  showProgress?: boolean;
  progressStream?: TextStream;
}

const DEFAULT_GRACE_SECONDS = 30;


/** The built worker: next to this file when running from dist/, else dist/ from the sources (tests). */
export function workerFileUrl(): string {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here.href;
  const built = new URL('../../dist/src/executor/worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built.href;
  throw new Error('the worker pool runs the built worker dist/src/executor/worker.js: run `npm run build` first');
}

/**
 * Runs the objective module on a pool of `workers` threads until `nTrials`, the timeout, a
 * target, `stop()`, an exhausted sampler or an abort ends it. With `workers: 1`, runs the
 * sequential executor in this thread on the module's objective (after its prepareShared/setup).
 */
export async function optimizePool(study: Study, objectiveModule: string | UrlObject | PreparedObjective, options: PoolOptimizeOptions = {}): Promise<OptimizeSummary> {
  const prepared = isPrepared(objectiveModule) ? objectiveModule : await prepareObjective(objectiveModule, options.moduleOptions ?? {});
  if (options.workers === 1) return optimizeSequential(study, prepared.module.objective, options);
  const pool = new WorkerPool(options);
  try {
    const [summary] = await pool.run([{ ...options, study, objective: prepared, signal: undefined }], {
      signal: options.signal,
      showProgress: options.showProgress,
    });
    return summary;
  } finally {
    await pool.close();
  }
}

/**
 * Several studies on one pool (one per symbol, say): each keeps its own options, stop reason
 * and summary; the workers take batches from the studies in turn.
 */
export async function runStudiesOnPool(studies: readonly PoolStudy[], options: PoolOptions & PoolRunSettings = {}): Promise<OptimizeSummary[]> {
  const pool = new WorkerPool(options);
  try {
    return await pool.run(studies, options);
  } finally {
    await pool.close();
  }
}

interface Slot {
  readonly trial: StudyTrial;
  readonly spec: TaskTrial;
}

interface InFlight {
  readonly run: StudyRun;
  readonly task: Task;
  readonly slots: readonly Slot[];
  readonly control: Int32Array;
  readonly startedAt: Float64Array;
  /** Why the main thread stopped the task's worker, and the trial running then. */
  abortReason: 'timeout' | 'stop' | null;
  abortIndex: number;
  stopWhy?: string;
}

/** A pool of worker threads that runs objective modules; reusable for several `run` calls in turn. */
export class WorkerPool {
  readonly workers: number;
  private readonly piscina: Piscina;
  private readonly options: PoolOptions;
  private readonly pruneChannelName = `studyopt-prune-${randomUUID()}`;
  private pruneChannel: BroadcastChannel | null = null;
  private running = false;

  constructor(options: PoolOptions = {}) {
    const workers = options.workers ?? availableParallelism();
    if (!Number.isInteger(workers) || workers < 1) throw new UsageError(`workers must be a positive integer, but got ${workers}`);
    if (options.trialTimeout !== undefined && !(options.trialTimeout > 0)) throw new UsageError(`trialTimeout must be > 0 seconds, but got ${options.trialTimeout}`);
    if (options.gracePeriod !== undefined && !(options.gracePeriod >= 0)) throw new UsageError(`gracePeriod must be >= 0 seconds, but got ${options.gracePeriod}`);
    this.workers = workers;
    this.options = options;
    this.piscina = new Piscina({
      filename: workerFileUrl(),
      minThreads: workers,
      maxThreads: workers,
      idleTimeout: 60_000,
      resourceLimits: options.resourceLimits,
      recordTiming: false,
      // Two tasks per worker: the next batch already waits in the worker's queue when one ends,
      // so a worker never idles for a round trip through the main thread. (Piscina's abort
      // signals would forbid this; tasks are stopped by terminating their worker instead.)
      concurrentTasksPerWorker: 2,
    });
    // A worker that throws outside a task (a stray timer in the objective) is replaced by piscina;
    // without a listener its 'error' event would end the process.
    this.piscina.on('error', () => {});
  }

  /** The pool's worker threads (for their `performance.eventLoopUtilization()`, thread ids). */
  get threads(): readonly WorkerThread[] {
    return this.piscina.threads;
  }

  async close(): Promise<void> {
    this.pruneChannel?.close();
    this.pruneChannel = null;
    await this.piscina.destroy();
  }

  /** Runs the studies concurrently on this pool; resolves with one summary per study, in order. */
  async run(studies: readonly PoolStudy[], settings: PoolRunSettings = {}): Promise<OptimizeSummary[]> {
    if (this.running) throw new UsageError('this pool is already running studies: wait for run() to finish, or use another pool');
    this.running = true;
    try {
      const runs: StudyRun[] = [];
      for (const [i, s] of studies.entries()) {
        const prepared = isPrepared(s.objective) ? s.objective : await prepareObjective(s.objective, s.moduleOptions ?? {});
        runs.push(new StudyRun(`${i}`, s, prepared, this.options));
      }
      if (runs.length === 0) return [];
      if (runs.some((r) => !(r.study.pruner instanceof NopPruner))) this.openPruneChannel(runs);
      const dispatcher = new Dispatcher(this, runs, settings, this.options);
      return await dispatcher.run();
    } finally {
      this.running = false;
      if (this.pruneChannel) this.pruneChannel.onmessage = null;
    }
  }

  /** @internal */
  submit(task: Task): Promise<TaskResult> {
    return this.piscina.run(task) as Promise<TaskResult>;
  }

  /** @internal stops the worker thread with this id (piscina replaces it and fails its tasks). */
  terminateThread(threadId: number): boolean {
    const worker = this.piscina.threads.find((w) => w.threadId === threadId);
    if (!worker) return false;
    void worker.terminate();
    return true;
  }

  /** @internal the BroadcastChannel name workers ask `shouldPrune()` on, or null. */
  get pruneChannelNameIfOpen(): string | null {
    return this.pruneChannel ? this.pruneChannelName : null;
  }

  /**
   * shouldPrune() round trips: a worker posts its trial's intermediate values and blocks on
   * shared memory; here they are stored and the study's pruner decides.
   */
  private openPruneChannel(runs: readonly StudyRun[]): void {
    this.pruneChannel ??= new BroadcastChannel(this.pruneChannelName);
    this.pruneChannel.unref();
    const byId = new Map(runs.map((r) => [r.id, r]));
    this.pruneChannel.onmessage = (event: unknown) => {
      const request = (event as { data: PruneRequest }).data;
      const flags = new Int32Array(request.reply);
      let prune = false;
      try {
        const run = byId.get(request.runId);
        const trial = run?.outstanding.get(request.trialNumber);
        if (run && trial) {
          for (const [step, value] of request.intermediate) run.study.storage.setTrialIntermediateValue(trial.trialId, step, value);
          prune = run.study.pruner.prune(run.study, run.study.storage.getTrial(trial.trialId));
        }
      } catch {
        prune = false;
      }
      Atomics.store(flags, 1, prune ? 1 : 0);
      Atomics.store(flags, 0, 1);
      Atomics.notify(flags, 0);
    };
  }
}

type Phase = 'active' | 'draining' | 'done';

/** One study's share of a pool run: asking, pre-sampling, recording, and its stop state. */
class StudyRun {
  readonly id: string;
  readonly study: Study;
  readonly prepared: PreparedObjective;
  readonly options: PoolRunOptions;
  readonly sizer: BatchSizer;
  /** The run's lifecycle, shared with the sequential executor: limits, stops, heartbeats, counts. */
  readonly session: RunSession;
  /** Trials asked and not yet told, by number. */
  readonly outstanding = new Map<number, StudyTrial>();
  /** Asked trials waiting to be dispatched (again). */
  readonly requeue: Slot[] = [];
  phase: Phase = 'active';
  stopReason: StopReason | null = null;
  /** Interrupted (abort): unrun trials FAIL instead of being dispatched. */
  interrupted = false;
  /** tryAsk found nothing while trials were in flight: wait for a result before asking again. */
  starved = false;
  inFlight = 0;
  fatal: unknown = undefined;
  crashesBeforeStart = 0;
  progressIndex = -1;
  private readonly seedBase: number;
  private readonly spaceEntries: Map<string, Distribution | ConditionalParam>;
  private namesCache: { seen: number; names: string[]; distributions: Distribution[]; conditional: (ConditionalParam | null)[] } | null = null;

  constructor(id: string, s: PoolStudy, prepared: PreparedObjective, poolOptions: PoolOptions) {
    this.id = id;
    this.study = s.study;
    this.prepared = prepared;
    this.options = s;
    this.sizer = new BatchSizer(poolOptions.targetBatchMs ?? 15, poolOptions.maxBatch ?? 4096);
    this.session = new RunSession(s.study, s);
    this.seedBase = s.seed ?? hashString(s.study.studyName);
    // The study's own declared space wins over the module's; either may carry constraints, which
    // the study's ask applies (space-constraints.ts), here as in the sequential executor.
    this.study.adoptSpace(prepared.space);
    this.spaceEntries = new Map(Object.entries(this.study.space ?? {}) as [string, Distribution | ConditionalParam][]);
    // Pre-register the declared space, so that the first trials are pre-sampled too.
    for (const [name, entry] of this.spaceEntries) this.study.registerDistribution(name, 'when' in entry ? entry.distribution : entry);
  }

  beginDrain(reason: StopReason): void {
    if (this.phase !== 'active') return;
    this.phase = 'draining';
    this.stopReason = reason;
  }

  /** Names the study knows, in the order the sequential path would meet them (declared space first). */
  private known(): NonNullable<StudyRun['namesCache']> {
    const seen = this.study.seenDistributions;
    if (this.namesCache && this.namesCache.seen === seen.size) return this.namesCache;
    const names: string[] = [];
    const distributions: Distribution[] = [];
    const conditional: (ConditionalParam | null)[] = [];
    for (const [name, entry] of this.spaceEntries) {
      names.push(name);
      const isConditional = 'when' in entry;
      distributions.push(isConditional ? entry.distribution : entry);
      conditional.push(isConditional ? entry : null);
    }
    for (const [name, d] of seen) {
      if (this.spaceEntries.has(name)) continue;
      names.push(name);
      distributions.push(d);
      conditional.push(null);
    }
    this.namesCache = { seen: seen.size, names, distributions, conditional };
    return this.namesCache;
  }

  /**
   * Asks for a trial and pre-samples what the study knows; null when nothing is left to ask.
   * `lastChance`: nothing of this run is in flight (see RunSession.ask).
   */
  ask(lastChance: boolean): Slot | null {
    const trial = this.session.ask(lastChance);
    if (!trial) return null;
    this.outstanding.set(trial.number, trial);
    const frozen = this.study.storage.getTrial(trial.trialId);
    const { names, distributions, conditional } = this.known();
    const values: (ParamValue | undefined)[] = new Array(names.length);
    // The trial's decision as the study's ask made it (a constrained space's whole point included).
    const decided = trial.decidedParams;
    if (decided?.complete) {
      // The decision is the whole answer (a grid point): known names take their value from it
      // here, by the rule `suggest` applies, the rest in the worker. The decision still travels
      // with the trial, for a name suggested with another (compatible) distribution.
      for (let i = 0; i < names.length; i++) {
        try {
          values[i] = decidedValue(decided, names[i], distributions[i]);
        } catch {
          // The worker meets the same error if the objective asks for it.
        }
      }
    } else {
      // Sample every known parameter here, in order (decided values first, as suggest takes
      // them), skipping declared ones whose condition is off.
      const soFar: Record<string, ParamValue> = {};
      for (let i = 0; i < names.length; i++) {
        const cond = conditional[i];
        if (cond && !safeWhen(cond, soFar)) continue;
        try {
          const v = trial.presample(names[i], distributions[i]);
          values[i] = v;
          soFar[names[i]] = v;
        } catch {
          // Left to the worker, which meets the same error (or a hint) when the objective asks.
        }
      }
    }
    const spec: TaskTrial = {
      number: trial.number,
      seed: mixSeed(this.seedBase, trial.number),
      startedAt: frozen.datetimeStart?.getTime() ?? Date.now(),
      values,
      ...(decided ? { decided } : {}),
    };
    return { trial, spec };
  }

  /** Builds the task for `slots` (the current table of known names). */
  taskFor(slots: readonly Slot[], budgetMs: number, pruneChannel: string | null): Task {
    const { names, distributions } = this.known();
    // Rows built under an older, shorter table stay valid: the table only grows at the end.
    return {
      runId: this.id,
      context: this.prepared.context,
      names,
      distributions,
      workerSampling: this.study.sampler.searchSize === undefined,
      nObjectives: this.study.directions.length,
      trials: slots.map((s) => s.spec),
      control: new SharedArrayBuffer(CONTROL_BYTES),
      budgetMs,
      pruneChannel,
    };
  }

  /** Stores what the objective used and did, then tells the result. */
  record(task: Task, attrKeys: readonly string[], slot: Slot, r: TrialResult, onFinished: (frozen: FrozenTrial, r: TrialResult) => void): void {
    const { study } = this;
    const storage = study.storage;
    const trialId = slot.trial.trialId;
    let state: TrialState = r.state;
    let failReason = r.failReason;
    try {
      for (const u of r.used) {
        let name: string;
        let value: ParamValue;
        let d: Distribution;
        if (typeof u === 'number') {
          // A pre-sampled parameter: its distribution is the one the study knows.
          name = task.names[u];
          value = slot.spec.values[u] as ParamValue;
          d = task.distributions[u];
        } else if (u.length === 2) {
          name = task.names[u[0]];
          value = u[1];
          d = task.distributions[u[0]];
        } else {
          [name, value, d] = u;
          study.registerDistribution(name, d);
        }
        storage.setTrialParam(trialId, name, toInternal(d, value, name), d);
      }
      const attrs = r.attrs;
      if (attrs) for (let i = 0; i < attrs.length; i += 2) storage.setTrialUserAttr(trialId, attrKeys[attrs[i] as number], attrs[i + 1]);
      if (r.intermediate) for (const [step, v] of r.intermediate) storage.setTrialIntermediateValue(trialId, step, v);
    } catch (err) {
      if (err instanceof TrialFinishedError) {
        // Failed elsewhere meanwhile (a stale heartbeat): the late result is dropped, as storages do.
        this.outstanding.delete(slot.trial.number);
        this.session.dropped(slot.trial.trialId);
        return;
      }
      state = 'FAIL';
      failReason = describeError(err);
    }
    this.outstanding.delete(slot.trial.number);
    let frozen: FrozenTrial;
    if (state === 'COMPLETE') frozen = study.tell(slot.trial, r.values as number[] | null, { skipIfFinished: true });
    else if (state === 'PRUNED') frozen = study.tell(slot.trial, null, { state: 'PRUNED', skipIfFinished: true });
    else frozen = study.tell(slot.trial, null, { state: 'FAIL', failReason, skipIfFinished: true });
    this.session.finished(frozen);
    onFinished(frozen, state === r.state ? r : { ...r, state, failReason });
  }

  /** Marks an asked trial FAIL without a result (worker died, timed out, interrupted). */
  failSlot(slot: Slot, reason: string, onFinished: (frozen: FrozenTrial, r: TrialResult | null) => void): void {
    this.outstanding.delete(slot.trial.number);
    // Which parameters the objective used died with the worker; say what it was given.
    const given: string[] = [];
    const { names } = this.known();
    slot.spec.values.forEach((v, i) => {
      if (v !== undefined) given.push(`${names[i]}=${JSON.stringify(v)}`);
    });
    for (const [k, v] of Object.entries(slot.spec.decided?.values ?? {})) if (!given.some((g) => g.startsWith(`${k}=`))) given.push(`${k}=${JSON.stringify(v)}`);
    const failReason = given.length ? `${reason} [given: ${given.join(', ')}]` : reason;
    const frozen = this.study.tell(slot.trial, null, { state: 'FAIL', failReason, skipIfFinished: true });
    this.session.finished(frozen);
    onFinished(frozen, null);
  }

  summary(): OptimizeSummary {
    return this.session.summary(this.stopReason ?? 'nTrials');
  }
}

/** Drives one `WorkerPool.run`: fills the workers from the studies in turn and handles results and faults. */
class Dispatcher {
  private readonly inFlight = new Set<InFlight>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly cleanups: (() => void)[] = [];
  private readonly progress: PoolProgress | null;
  private next = 0;
  private resolve!: () => void;
  private filling = false;
  private lastYield = performance.now();
  private fillScheduled = false;

  constructor(
    private readonly pool: WorkerPool,
    private readonly runs: StudyRun[],
    private readonly settings: PoolRunSettings,
    private readonly options: PoolOptions,
  ) {
    const show = settings.showProgress || runs.some((r) => r.options.showProgress);
    this.progress = show ? new PoolProgress({ workers: pool.workers, busy: () => this.busyWorkers(), stream: settings.progressStream }) : null;
  }

  async run(): Promise<OptimizeSummary[]> {
    const done = new Promise<void>((resolve) => (this.resolve = resolve));
    for (const run of this.runs) {
      run.session.begin();
      if (this.progress) {
        const { total, alreadyDone } = run.session.progressGoal();
        run.progressIndex = this.progress.add(run.study, total, alreadyDone);
      }
      this.onAbort(run.options.signal, () => this.interrupt([run]));
    }
    this.onAbort(this.settings.signal, () => this.interrupt(this.runs));
    this.onAbort(this.options.forceSignal, () => this.forceStop(this.runs, 'the run was stopped at once (second interrupt)'));
    if (this.options.trialTimeout !== undefined) {
      const ms = this.options.trialTimeout * 1000;
      const timer = setInterval(() => this.watchTimeouts(ms), Math.min(1000, Math.max(20, ms / 4)));
      timer.unref();
      this.timers.push(timer);
    }
    // Notes each turn of the event loop (under a chain of results it stops firing: see fillSoon).
    const ticker = setInterval(() => (this.lastYield = performance.now()), YIELD_EVERY_MS / 5);
    ticker.unref();
    this.timers.push(ticker);
    this.fill();
    await done;
    for (const run of this.runs) run.session.end();
    for (const t of this.timers) clearInterval(t);
    for (const c of this.cleanups) c();
    this.progress?.finish();
    const fatal = this.runs.find((r) => r.fatal !== undefined);
    if (fatal) throw fatal.fatal;
    return this.runs.map((r) => r.summary());
  }

  private busyWorkers(): number {
    const threads = new Set<number>();
    for (const f of this.inFlight) if (Atomics.load(f.control, CONTROL.phase) !== PHASE.queued) threads.add(Atomics.load(f.control, CONTROL.thread));
    return Math.min(threads.size, this.pool.workers);
  }

  /** Stops the worker running `f` (its trial FAILs with `reason`); false when the task has not started. */
  private kill(f: InFlight, reason: 'timeout' | 'stop', index: number): boolean {
    if (Atomics.load(f.control, CONTROL.phase) === PHASE.queued) return false;
    f.abortReason = reason;
    f.abortIndex = index;
    if (!this.pool.terminateThread(Atomics.load(f.control, CONTROL.thread))) {
      f.abortReason = null;
      return false;
    }
    return true;
  }

  private onAbort(signal: AbortSignalLike | undefined, handler: () => void): void {
    if (!signal) return;
    if (signal.aborted) {
      queueMicrotask(handler);
      return;
    }
    signal.addEventListener('abort', handler, { once: true });
    this.cleanups.push(() => signal.removeEventListener('abort', handler));
  }

  /** First abort: stop dispatching, let running trials finish within the grace period. */
  private interrupt(runs: readonly StudyRun[]): void {
    const fresh = runs.filter((r) => !r.interrupted && r.phase !== 'done');
    if (fresh.length === 0) return;
    for (const run of fresh) {
      run.interrupted = true;
      run.beginDrain('aborted');
      if (run.stopReason !== 'aborted' && run.inFlight > 0) run.stopReason = 'aborted';
      for (const slot of run.requeue.splice(0)) run.failSlot(slot, 'interrupted: the run was stopped before this trial started', (f) => this.finished(run, f, null));
    }
    for (const f of this.inFlight) if (fresh.includes(f.run)) Atomics.store(f.control, CONTROL.stop, 1);
    const grace = (this.options.gracePeriod ?? DEFAULT_GRACE_SECONDS) * 1000;
    const timer = setTimeout(() => this.forceStop(fresh, `the grace period (${grace / 1000} s) after the interrupt ran out`), grace);
    timer.unref();
    this.timers.push(timer);
    this.settle();
  }

  /** Second abort or grace expiry: stop the workers running these studies' trials now. */
  private forceStop(runs: readonly StudyRun[], why: string): void {
    for (const run of runs) {
      if (!run.interrupted) {
        run.interrupted = true;
        run.beginDrain('aborted');
      }
      for (const slot of run.requeue.splice(0)) run.failSlot(slot, 'interrupted: the run was stopped before this trial started', (f) => this.finished(run, f, null));
    }
    for (const f of this.inFlight) {
      if (!runs.includes(f.run) || f.abortReason !== null) continue;
      Atomics.store(f.control, CONTROL.stop, 1);
      f.stopWhy = why;
      // A task still queued returns unrun by itself (its stop flag is set), or fails with its worker.
      this.kill(f, 'stop', Atomics.load(f.control, CONTROL.current));
    }
    this.settle();
  }

  private watchTimeouts(limitMs: number): void {
    const now = Date.now();
    for (const f of this.inFlight) {
      if (f.abortReason !== null) continue;
      if (Atomics.load(f.control, CONTROL.phase) !== PHASE.running) continue;
      const index = Atomics.load(f.control, CONTROL.current);
      if (index < 0 || now - f.startedAt[0] <= limitMs) continue;
      this.kill(f, 'timeout', index);
    }
  }

  private canDispatch(run: StudyRun): boolean {
    if (run.fatal !== undefined) return run.requeue.length > 0 && !run.interrupted;
    if (run.phase === 'active') return !run.starved;
    return run.phase === 'draining' && !run.interrupted && run.requeue.length > 0;
  }

  /** Keeps every worker busy: up to one task per worker, plus one queued each for batched (fast) studies. */
  private fill(): void {
    if (this.filling) return;
    this.filling = true;
    try {
      for (let guard = 0; guard < 10_000; guard++) {
        const run = this.pickRun();
        if (!run) break;
        const slots = this.takeSlots(run);
        if (slots.length === 0) continue;
        this.dispatch(run, slots);
      }
    } finally {
      this.filling = false;
    }
    this.settle();
  }

  private pickRun(): StudyRun | null {
    const n = this.runs.length;
    for (let k = 0; k < n; k++) {
      const run = this.runs[(this.next + k) % n];
      if (!this.canDispatch(run)) continue;
      const cap = run.sizer.batching ? 2 * this.pool.workers : this.pool.workers;
      if (this.inFlight.size >= cap) continue;
      this.next = (this.next + k + 1) % n;
      return run;
    }
    return null;
  }

  private takeSlots(run: StudyRun): Slot[] {
    let size = run.sizer.next();
    if (run.options.nTrials !== undefined) {
      const left = run.options.nTrials - run.session.asked + run.requeue.length;
      size = Math.min(size, Math.max(1, Math.ceil(left / this.pool.workers)));
    }
    const slots: Slot[] = [];
    while (slots.length < size) {
      const again = run.requeue.shift();
      if (again) {
        slots.push(again);
        continue;
      }
      if (run.phase !== 'active' || run.fatal !== undefined) break;
      const reason = run.session.stopCheck();
      if (reason) {
        run.beginDrain(reason);
        break;
      }
      if (this.pendingLimitReached(run)) {
        if (run.inFlight > 0 || slots.length > 0) run.starved = true;
        break;
      }
      const slot = run.ask(run.inFlight === 0 && slots.length === 0);
      if (!slot) {
        if (run.inFlight > 0 || slots.length > 0) run.starved = true;
        else run.beginDrain(run.session.endReason);
        break;
      }
      slots.push(slot);
    }
    return slots;
  }

  /** A learning sampler has as many trials pending as it allows (Sampler.pendingLimit). */
  private pendingLimitReached(run: StudyRun): boolean {
    const sampler = run.study.sampler;
    if (!sampler.pendingLimit) return false;
    const finished = run.study.storage.getNTrials(run.study.studyId, ['COMPLETE', 'PRUNED', 'FAIL']);
    return run.outstanding.size >= Math.max(this.pool.workers, sampler.pendingLimit(finished));
  }

  private dispatch(run: StudyRun, slots: Slot[]): void {
    const task = run.taskFor(slots, 2 * run.sizer.targetMs, this.pool.pruneChannelNameIfOpen);
    const f: InFlight = {
      run,
      task,
      slots,
      control: new Int32Array(task.control, 0, 4),
      startedAt: new Float64Array(task.control, CONTROL_STARTED_AT_BYTE, 1),
      abortReason: null,
      abortIndex: -1,
    };
    f.control[CONTROL.current] = -1;
    if (run.interrupted) f.control[CONTROL.stop] = 1;
    this.inFlight.add(f);
    run.inFlight++;
    // No heartbeat here: a trial that has not beaten counts from its start, batches wait
    // milliseconds, and the run's timer beats for everything outstanding. (A beat per dispatch
    // would also cost a commit per batch, undoing the store's group commit.)
    this.pool.submit(task).then(
      (result) => this.completed(f, result),
      (err: unknown) => this.failed(f, err),
    );
  }

  private completed(f: InFlight, result: TaskResult): void {
    const { run, slots, task } = f;
    this.inFlight.delete(f);
    run.inFlight--;
    run.starved = false;
    run.crashesBeforeStart = 0;
    const n = result.results.length;
    for (let i = 0; i < n; i++) {
      run.record(task, result.attrKeys, slots[i], result.results[i], (frozen, r) => this.finished(run, frozen, r));
    }
    if (n > 0) run.sizer.observe(n, result.busyMs);
    const unrun = slots.slice(n);
    if (run.interrupted) {
      for (const s of unrun) run.failSlot(s, 'interrupted: the run was stopped before this trial started', (fr) => this.finished(run, fr, null));
    } else {
      run.requeue.unshift(...unrun);
    }
    if (result.results.some((r) => r.errorName === 'SetupError') && run.fatal === undefined) {
      run.fatal = new UsageError(result.results.find((r) => r.errorName === 'SetupError')!.failReason!);
      this.stopOnFatal(run);
    }
    this.fillSoon();
  }

  /**
   * fill() now, or, when the event loop has not had a turn for YIELD_EVERY_MS (the ticker in run()
   * has not fired), as soon as it has had one. Piscina hands results back as soon as a task is
   * submitted when they are ready, so with a fast objective every result's handler would dispatch
   * the next batch in the same chain of promise callbacks: timers, heartbeats and Ctrl-C would
   * never get their turn.
   */
  private fillSoon(): void {
    if (performance.now() - this.lastYield < YIELD_EVERY_MS) {
      this.fill();
      return;
    }
    if (this.fillScheduled) return;
    this.fillScheduled = true;
    setImmediate(() => {
      this.fillScheduled = false;
      this.lastYield = performance.now();
      this.fill();
    });
  }

  private failed(f: InFlight, err: unknown): void {
    const { run, slots } = f;
    this.inFlight.delete(f);
    run.inFlight--;
    run.starved = false;
    const phase = Atomics.load(f.control, CONTROL.phase);
    let index = f.abortReason !== null ? f.abortIndex : Atomics.load(f.control, CONTROL.current);
    let reason = '';
    if (f.abortReason === 'timeout') {
      reason = `the trial ran longer than the trial timeout (${this.options.trialTimeout} s): its worker was stopped and replaced`;
    } else if (f.abortReason === 'stop') {
      reason = `interrupted: ${f.stopWhy ?? 'the run was stopped'} while this trial ran`;
    } else if (phase === PHASE.queued) {
      // It waited behind another task on a worker that died: none of its trials ran.
      index = -1;
    } else {
      reason = describeWorkerDeath(err);
      if (index < 0) {
        // Died in import or setup, before its first trial: blame the first trial so the run moves on.
        index = 0;
        run.crashesBeforeStart++;
        if (run.crashesBeforeStart >= 3 && run.fatal === undefined) {
          run.fatal = new Error(`workers keep dying before running a trial (${reason}): check the objective module's setup`);
          this.stopOnFatal(run);
        }
      }
    }
    const onFinished = (fr: FrozenTrial): void => this.finished(run, fr, null);
    const lost: Slot[] = [];
    for (let i = 0; i < slots.length; i++) {
      if (i === index) run.failSlot(slots[i], reason, onFinished);
      else lost.push(slots[i]);
    }
    // The others of the batch either had not started or finished without their result reaching
    // us: run them again, unless the run is being interrupted.
    if (run.interrupted) {
      for (const s of lost) run.failSlot(s, 'interrupted: the run was stopped before this trial could report', onFinished);
    } else {
      run.requeue.unshift(...lost);
    }
    this.fillSoon();
  }

  /** After a trial is told: counters, progress, callbacks, the `catch` option. */
  private finished(run: StudyRun, frozen: FrozenTrial, r: TrialResult | null): void {
    if (this.progress && run.progressIndex >= 0) this.progress.update(run.progressIndex, frozen);
    if (run.fatal !== undefined) return;
    if (!run.interrupted) {
      run.session.budget.observe(frozen);
      // Failing trial after trial: stop asking; the trials in flight finish and are recorded.
      if (run.phase === 'active' && run.session.budget.spent() !== null) run.beginDrain('failures');
    }
    if (r && r.state === 'FAIL' && r.errorName !== undefined && r.errorName !== 'SetupError' && !isCaught(r.errorName, run.options.catch ?? 'all')) {
      const err = new Error(r.failReason?.replace(/^[^:]*: /, '') ?? 'objective failed');
      err.name = r.errorName;
      run.fatal = err;
      this.stopOnFatal(run);
      return;
    }
    try {
      for (const cb of run.options.callbacks ?? []) cb(run.study, frozen);
    } catch (err) {
      run.fatal = err;
      this.stopOnFatal(run);
    }
  }

  /** An error that ends the run (as the sequential executor re-throws): stop after the trials in flight. */
  private stopOnFatal(run: StudyRun): void {
    run.beginDrain('stopped');
    for (const f of this.inFlight) if (f.run === run) Atomics.store(f.control, CONTROL.stop, 1);
    run.interrupted = true;
    for (const slot of run.requeue.splice(0)) run.failSlot(slot, 'not run: the run stopped on an error', (fr) => this.finished(run, fr, null));
  }

  /** Marks drained studies done; resolves once all are. */
  private settle(): void {
    for (const run of this.runs) {
      if (run.phase === 'done') continue;
      if (run.phase === 'draining' && run.inFlight === 0 && (run.requeue.length === 0 || run.interrupted)) run.phase = 'done';
    }
    if (this.runs.every((r) => r.phase === 'done')) this.resolve();
  }
}

function isCaught(errorName: string, spec: NonNullable<OptimizeOptions['catch']>): boolean {
  if (spec === 'all') return true;
  if (spec === 'none') return false;
  // Classes cannot cross threads: match the thrown error's name.
  return spec.some((cls) => cls.name === errorName);
}

function describeWorkerDeath(err: unknown): string {
  const code = (err as { code?: string })?.code;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') return 'the worker running this trial ran out of memory (resourceLimits); it was replaced';
  return `the worker running this trial died (${describeError(err)}); it was replaced`;
}

function safeWhen(cond: ConditionalParam, params: Readonly<Record<string, ParamValue>>): boolean {
  try {
    return Boolean(cond.when(params));
  } catch {
    return false;
  }
}

/** A well-mixed 32-bit seed per trial (splitmix32 finaliser). */
function mixSeed(base: number, n: number): number {
  let z = (base + Math.imul(n + 1, 0x9e3779b9)) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export type { DeclaredSpace };
