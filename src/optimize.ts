/**
 * The sequential executor: `study.optimize` as a loop of ask, objective, tell.
 */
import { TrialPruned, UsageError } from './errors.js';
import { FailureBudget, type FailureBudgetOptions, checkFailureBudget } from './failure-budget.js';
import type { FrozenTrial, TrialState } from './frozen-trial.js';
import { ProgressLine } from './progress.js';
import type { Study } from './study.js';
import type { AbortSignalLike } from './host-types.js';
import type { Trial } from './trial.js';

export type ObjectiveResult = number | readonly number[];
/** A define-by-run objective: suggest parameters on the trial, return the value(s) to optimise. */
export type Objective = (trial: Trial) => ObjectiveResult | Promise<ObjectiveResult>;
export type Callback = (study: Study, trial: FrozenTrial) => void;
type ErrorClass = abstract new (...args: never[]) => Error;

export interface OptimizeOptions {
  /** Run at most this many more trials in this call. */
  nTrials?: number;
  /** Stop starting trials after this many seconds. */
  timeout?: number;
  /**
   * Which objective errors are caught (the trial is marked FAIL and the study goes on):
   * 'all' (default), 'none', or a list of error classes. Others are re-thrown after the trial
   * is recorded as FAIL.
   */
  catch?: 'all' | 'none' | readonly ErrorClass[];
  /** Called after each trial with the study and the finished trial. */
  callbacks?: readonly Callback[];
  /** A progress line on stderr (only drawn when stderr is a terminal). */
  showProgress?: boolean;
  /**
   * Stop once the study holds this many COMPLETE or PRUNED trials, counting those of every
   * process sharing the storage (the CLI's `--trials`). Trials are claimed in the storage write
   * that creates them, so the study ends with exactly this many.
   */
  targetFinished?: number;
  /** Aborting stops dispatching new trials; the trial in flight is finished and recorded. */
  signal?: AbortSignalLike;
  /**
   * When failing trials end the run (failure-budget.ts): by default after 20 failures in a row,
   * or when more than 80% of at least 100 trials failed. `false`: never.
   */
  failureBudget?: FailureBudgetOptions | false;
}

export type StopReason = 'nTrials' | 'timeout' | 'stopped' | 'exhausted' | 'target' | 'aborted' | 'failures';

export interface OptimizeSummary {
  /** Trials started and finished by this call. */
  readonly nTrials: number;
  readonly completed: number;
  readonly pruned: number;
  readonly failed: number;
  readonly elapsedSeconds: number;
  readonly stopReason: StopReason;
  /** With stop reason 'failures': why the failure budget was spent, and the last failure's reason. */
  readonly failures?: { readonly why: string; readonly lastFailReason: string | null };
}

/** Yield to the event loop this often (ms) so that signals, timers and heartbeats get their turn. */
export const YIELD_EVERY_MS = 50;

/**
 * Fails the study's trials whose process is gone (or, for reserved slots, gives them back) when
 * the storage keeps heartbeats: at the start of a run, during it, and before a target ends it.
 */
export function failStaleTrialsOf(study: Study): void {
  const grace = study.storage.gracePeriod;
  if (grace !== undefined) study.storage.failStaleTrials(study.studyId, grace);
}

export async function optimizeSequential(study: Study, objective: Objective, options: OptimizeOptions = {}): Promise<OptimizeSummary> {
  const started = performance.now();
  const deadline = options.timeout !== undefined ? started + options.timeout * 1000 : Infinity;
  const counts: Record<TrialState, number> = { RUNNING: 0, COMPLETE: 0, PRUNED: 0, FAIL: 0, WAITING: 0 };
  const limit = options.targetFinished !== undefined ? { max: options.targetFinished, states: ['COMPLETE', 'PRUNED', 'RUNNING'] as const } : undefined;
  const budgetProblem = checkFailureBudget(options.failureBudget);
  if (budgetProblem) throw new UsageError(budgetProblem);
  const budget = new FailureBudget(options.failureBudget);
  const progress = options.showProgress ? progressFor(study, options) : null;
  const storage = study.storage;
  failStaleTrialsOf(study);
  study.clearStop();
  let stopReason: StopReason = 'nTrials';
  let lastYield = performance.now();
  let lastStaleCheck = performance.now();
  let n = 0;
  try {
    for (;;) {
      if (options.nTrials !== undefined && n >= options.nTrials) { stopReason = 'nTrials'; break; }
      if (performance.now() >= deadline) { stopReason = 'timeout'; break; }
      if (study.isStopRequested) { stopReason = 'stopped'; break; }
      if (options.signal?.aborted) { stopReason = 'aborted'; break; }
      let trial = study.tryAsk(limit, upcomingTrials(options, n, started, deadline));
      if (!trial && limit && storage.gracePeriod !== undefined) {
        // The target counts running trials: before ending, make sure none of them belongs to a
        // process that is gone (its slots come back, and this run does them).
        failStaleTrialsOf(study);
        trial = study.tryAsk(limit, upcomingTrials(options, n, started, deadline));
      }
      if (!trial) { stopReason = limit ? 'target' : 'exhausted'; break; }
      n++;
      const heartbeat = startHeartbeat(study, trial.trialId);
      let frozen: FrozenTrial;
      let rethrow: unknown = undefined;
      try {
        const result = await objective(trial);
        frozen = study.tell(trial, result as number | readonly number[]);
      } catch (err) {
        if (err instanceof TrialPruned) {
          frozen = study.tell(trial, null, { state: 'PRUNED' });
        } else {
          frozen = study.tell(trial, null, { state: 'FAIL', failReason: describeError(err) });
          if (!isCaught(err, options.catch ?? 'all')) rethrow = err;
        }
      } finally {
        heartbeat?.stop();
      }
      counts[frozen.state]++;
      budget.observe(frozen);
      progress?.update(frozen);
      if (rethrow !== undefined) throw rethrow;
      for (const cb of options.callbacks ?? []) cb(study, frozen);
      if (budget.spent() !== null) { stopReason = 'failures'; break; }
      // Between trials (none of ours is running), look for trials that other processes of the
      // study left behind, as at the start: a long run should not wait for the next one to reuse
      // a crashed sibling's slots (its target counts them as running until then).
      if (storage.heartbeatInterval !== undefined && performance.now() - lastStaleCheck > storage.heartbeatInterval * 1000) {
        failStaleTrialsOf(study);
        lastStaleCheck = performance.now();
      }
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
  } finally {
    storage.flush?.();
    progress?.finish();
  }
  return {
    nTrials: n,
    completed: counts.COMPLETE,
    pruned: counts.PRUNED,
    failed: counts.FAIL,
    elapsedSeconds: (performance.now() - started) / 1000,
    stopReason,
    ...failuresOf(budget, stopReason),
  };
}

/** The summary's `failures` entry when the failure budget ended the run. */
export function failuresOf(budget: FailureBudget, stopReason: StopReason): Pick<OptimizeSummary, 'failures'> {
  const why = budget.spent();
  return stopReason === 'failures' && why !== null ? { failures: { why, lastFailReason: budget.lastFailReason } } : {};
}

/**
 * How many more trials this run will ask for, as far as it can tell: what nTrials leaves, or
 * what the time left would hold at the pace so far (so that a storage reserving trial slots
 * ahead does not reserve past the end of the run).
 */
function upcomingTrials(options: OptimizeOptions, asked: number, started: number, deadline: number): number {
  let upcoming = options.nTrials !== undefined ? options.nTrials - asked : Infinity;
  if (deadline !== Infinity && asked > 0) {
    const now = performance.now();
    upcoming = Math.min(upcoming, Math.max(1, Math.ceil(((deadline - now) * asked) / (now - started))));
  }
  return upcoming;
}

function progressFor(study: Study, options: OptimizeOptions): ProgressLine {
  if (options.targetFinished !== undefined) {
    // A resumed study with a target counts on from what it already holds.
    const done = study.storage.getNTrials(study.studyId, ['COMPLETE', 'PRUNED']);
    return new ProgressLine(study, options.targetFinished, process.stderr, done);
  }
  return new ProgressLine(study, options.nTrials);
}

function isCaught(err: unknown, spec: 'all' | 'none' | readonly ErrorClass[]): boolean {
  if (spec === 'all') return true;
  if (spec === 'none') return false;
  return spec.some((cls) => err instanceof cls);
}

export function describeError(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return `thrown value: ${String(err)}`;
}

/** Beats for a running trial at the storage's interval, while the event loop is free to run timers. */
function startHeartbeat(study: Study, trialId: number): { stop(): void } | null {
  const interval = study.storage.heartbeatInterval;
  if (interval === undefined) return null;
  // The storage records the first beat when it creates or starts the trial.
  const timer = setInterval(() => study.storage.recordHeartbeat([trialId]), interval * 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
