/**
 * Messages between the pool's main thread and its workers. Everything here crosses a thread
 * boundary by structured clone, so it is plain data: no classes, no functions.
 *
 * A task carries a batch of trials of one study. Parameters the main thread pre-sampled travel
 * as one table of names and distributions per task plus one value row per trial, so a batch of
 * hundreds of trials is a handful of arrays rather than hundreds of dictionaries.
 */
import type { DecidedParams } from '../decided-params.js';
import type { Distribution, ParamValue } from '../distributions.js';

/** Where a worker finds the objective module and how it sets it up (one per prepared objective). */
export interface ModuleContext {
  /** file: URL of the module (.mjs, .js or .ts). */
  readonly url: string;
  /**
   * Distinguishes prepared objectives: each key gets its own module instance and its own
   * `setup` in every worker (two studies of one module with different options never share
   * module-level state).
   */
  readonly key: string;
  /** Passed to the module's `setup(options, context)`. */
  readonly options: unknown;
  /** What `prepareShared(options)` returned in the main thread; its SharedArrayBuffers are shared, not copied. */
  readonly shared: unknown;
}

/** Slots of a task's control block, an Int32Array over a SharedArrayBuffer the main thread reads. */
export const CONTROL = {
  /** Index in the batch of the trial now running; -1 before the first starts. */
  current: 0,
  /** Set by the main thread: finish the running trial, then return without starting another. */
  stop: 1,
  /** 0 while queued, 1 while the worker loads and sets up the module, 2 while running trials. */
  phase: 2,
  /** The thread id of the worker that took the task (to stop that worker). */
  thread: 3,
} as const;
export const PHASE = { queued: 0, setup: 1, running: 2 } as const;
/** Bytes of a control block: the four Int32 slots above, then (at byte 16) a Float64: epoch ms at which the current trial started. */
export const CONTROL_BYTES = 24;
export const CONTROL_STARTED_AT_BYTE = 16;

export interface TaskTrial {
  readonly number: number;
  /** Seeds the worker's sampler for parameters the main thread had not seen (deterministic per trial). */
  readonly seed: number;
  /** Epoch ms of the trial's start as stored (what `trial.datetimeStart` answers). */
  readonly startedAt: number;
  /** Pre-sampled values, aligned with `Task.names`; `undefined` where the main thread did not sample. */
  readonly values: readonly (ParamValue | undefined)[];
  /**
   * The trial's decided values (a grid point, an enqueued trial's values: decided-params.ts), by
   * name, for names the main thread could not pre-sample; `suggest` applies the same rule as in
   * the study's thread.
   */
  readonly decided?: DecidedParams;
}

export interface Task {
  /** The study run of the pool this batch belongs to (several studies may share a pool). */
  readonly runId: string;
  readonly context: ModuleContext;
  /** Parameter names the study knows, and their distributions (same order). */
  readonly names: readonly string[];
  readonly distributions: readonly Distribution[];
  /**
   * Whether a worker may sample a parameter nobody decided (uniformly, from the trial's seed).
   * False when the sampler searches a finite set of points (`Sampler.searchSize`: a grid), which
   * cannot give any other value: such a parameter fails the trial, as in the sequential run.
   */
  readonly workerSampling: boolean;
  readonly nObjectives: number;
  readonly trials: readonly TaskTrial[];
  /** CONTROL_BYTES of shared memory (see CONTROL). */
  readonly control: SharedArrayBuffer;
  /** Stop starting trials once the batch has run this long (ms); the rest come back unrun. */
  readonly budgetMs: number;
  /** For `shouldPrune()`: the name of the BroadcastChannel the main thread answers on, or null (shouldPrune is false). */
  readonly pruneChannel: string | null;
}

/**
 * A parameter the objective used: the index of a pre-sampled name in `Task.names` (its value is
 * the pre-sampled one); [index, value] for a value found in the worker for a known name with the
 * known distribution; or [name, value, distribution] otherwise. (Compact, because results of
 * fast objectives cross threads hundreds of times a second.)
 */
export type UsedParam = number | readonly [number, ParamValue] | readonly [string, ParamValue, Distribution];

export type TrialOutcome = 'COMPLETE' | 'PRUNED' | 'FAIL';

export interface TrialResult {
  readonly number: number;
  readonly state: TrialOutcome;
  /** The objective's return value(s), unchecked (the main thread's `tell` validates). */
  readonly values: readonly unknown[] | null;
  readonly failReason?: string;
  /** The thrown error's name, for the `catch` option. */
  readonly errorName?: string;
  readonly used: readonly UsedParam[];
  /** User attributes as flat [key index in TaskResult.attrKeys, value, ...] pairs. */
  readonly attrs?: readonly unknown[];
  /** [step, value] pairs in report order. */
  readonly intermediate?: readonly (readonly [number, number])[];
  /** Wall time of the objective in ms. */
  readonly ms: number;
}

export interface TaskResult {
  /** User attribute names, indexed by TrialResult.attrs. */
  readonly attrKeys: readonly string[];
  /** Results of the trials that ran, in batch order (a prefix of the batch). */
  readonly results: readonly TrialResult[];
  /** Time spent running trials, ms (excludes setup). */
  readonly busyMs: number;
  /** Time the worker spent on first-use setup of the module in this task, ms. */
  readonly setupMs: number;
}

/** A shouldPrune() round trip: the worker posts this and waits on `reply`. */
export interface PruneRequest {
  readonly trialNumber: number;
  /** Which study run of the pool the trial belongs to. */
  readonly runId: string;
  readonly intermediate: readonly (readonly [number, number])[];
  /** Int32Array(2) over shared memory: [0] turns 1 when answered, [1] is 1 to prune. */
  readonly reply: SharedArrayBuffer;
}
