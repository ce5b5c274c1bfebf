/**
 * Studies: a named optimisation with its direction(s), sampler, pruner and storage.
 *
 * `ask()` creates a trial and `tell()` records its outcome; `optimize()` is a loop over the two
 * (see optimize.ts). Every fact about a study lives in its storage, so two Study objects on the
 * same storage (two processes on one SQLite file) see each other's trials.
 */
import { randomUUID } from 'node:crypto';
import { type Distribution, type ParamValue, checkCompatible } from './distributions.js';
import { FIXED_PARAMS_KEY, decidedParamsOf } from './decided-params.js';
import { DuplicatedStudyError, TrialFinishedError, TrialPruned, UsageError } from './errors.js';
import { type FrozenTrial, type StudyDirection, type TrialState, bestOf, isFeasible, isFinished, trialValue } from './frozen-trial.js';
import { paretoFront } from './pareto.js';
import { NopPruner, type Pruner } from './pruners/pruner.js';
import { type Sampler, defaultSampler } from './sampler.js';
import { InMemoryStorage } from './storage/in-memory.js';
import { resolveStorage } from './storage/resolve.js';
import { type Storage, type TrialLimit, isCreated } from './storage/storage.js';
import { StudyTrial, type Trial } from './trial.js';
import { FailureBudgetExceeded } from './failure-budget.js';
import { type Objective, type OptimizeOptions, type OptimizeSummary, optimizeSequential } from './optimize.js';
import type { PoolOptimizeOptions } from './executor/pool.js';
import type { PreparedObjective } from './executor/objective-module.js';
import type { UrlObject } from './host-types.js';
import type { DeclaredSpace } from './search-space.js';
import { checkEnqueuedPoint, drawValidPoint, isConstrained, sampleRelativeOf } from './space-constraints.js';

/** Computes a trial's constraint values: feasible when every value is <= 0 (Optuna's convention). */
export type ConstraintsFunc = (trial: FrozenTrial) => number[];

export interface CreateStudyOptions {
  studyName?: string;
  /** Default 'minimize', as in Optuna. */
  direction?: StudyDirection;
  /** For multi-objective studies, one direction per objective. */
  directions?: StudyDirection[];
  sampler?: Sampler;
  pruner?: Pruner;
  /** A Storage object, or a URL such as 'sqlite:///path/studies.db'. Default: in memory. */
  storage?: Storage | string;
  /** Load the study if one with this name exists (its directions must match). */
  loadIfExists?: boolean;
  /** Constraint values per finished trial; infeasible trials are never best. */
  constraints?: ConstraintsFunc;
  /**
   * The declared search space the objective suggests from. With constraints
   * (`declareSpace({...}).constrain(...)`, src/space-constraints.ts), every trial's whole point
   * is decided before the objective runs and satisfies them; an objective module's `space` is
   * used when this is not given.
   */
  space?: DeclaredSpace;
}

export interface LoadStudyOptions {
  studyName: string;
  storage: Storage | string;
  sampler?: Sampler;
  pruner?: Pruner;
  constraints?: ConstraintsFunc;
  space?: DeclaredSpace;
}

export interface TellOptions {
  /** The final state; default COMPLETE when values are given, FAIL otherwise. */
  state?: TrialState;
  /** Why the trial failed, kept in its `fail_reason` system attribute. */
  failReason?: string;
  /** Do nothing (instead of throwing) when the trial is already finished. */
  skipIfFinished?: boolean;
}

export interface AskOptions {
  /** Parameters to suggest right away, as Optuna's `ask(fixed_distributions)`. */
  fixedDistributions?: Record<string, Distribution>;
}

/**
 * What a `Study<P>`'s parameter record may hold: each named parameter a ParamValue, optional for
 * conditional ones, e.g. `{ x: number; kind: 'sma' | 'ema'; alpha?: number }`.
 */
export type ParamRecord<P> = { [K in keyof P]: ParamValue };

const DIRECTIONS: readonly StudyDirection[] = ['minimize', 'maximize'];

function checkDirections(directions: readonly string[]): StudyDirection[] {
  if (directions.length === 0) throw new UsageError('`directions` must name at least one direction');
  for (const d of directions) {
    if (!DIRECTIONS.includes(d as StudyDirection)) throw new UsageError(`direction must be 'minimize' or 'maximize', but got '${d}'`);
  }
  return directions as StudyDirection[];
}

/**
 * Creates a study, or loads it with `loadIfExists`. `createStudy<{ x: number; kind: 'a' | 'b' }>()`
 * types `bestParams` and `enqueueTrial` (unchecked: the objective's suggest calls decide).
 */
export function createStudy<P extends ParamRecord<P> = Record<string, ParamValue>>(options: CreateStudyOptions = {}): Study<P> {
  if (options.direction !== undefined && options.directions !== undefined) {
    throw new UsageError('give either `direction` or `directions`, not both');
  }
  const directions = checkDirections(options.directions ?? [options.direction ?? 'minimize']);
  const storage = resolveStorage(options.storage);
  const studyName = options.studyName ?? `no-name-${randomUUID()}`;
  let studyId = storage.findStudyId(studyName);
  if (studyId !== null) {
    if (!options.loadIfExists) {
      throw new UsageError(`a study named '${studyName}' already exists in this storage: pass loadIfExists to continue it, or choose another name`);
    }
    const stored = storage.getStudyDirections(studyId);
    if (stored.join(',') !== directions.join(',')) {
      throw new UsageError(
        `study '${studyName}' was created to ${stored.join(', ')} but is now asked to ${directions.join(', ')}: use the stored direction or a new study name`,
      );
    }
  } else {
    try {
      studyId = storage.createStudy(studyName, directions);
    } catch (err) {
      // Another process created it between our look-up and our insert: load theirs.
      if (!(err instanceof DuplicatedStudyError) || !options.loadIfExists) throw err;
      return createStudy<P>(options);
    }
  }
  return new Study<P>(studyId, studyName, storage, directions, options);
}

export function loadStudy<P extends ParamRecord<P> = Record<string, ParamValue>>(options: LoadStudyOptions): Study<P> {
  const storage = resolveStorage(options.storage);
  const studyId = storage.findStudyId(options.studyName);
  if (studyId === null) {
    const names = storage.getAllStudies().map((s) => s.studyName);
    throw new UsageError(
      `no study named '${options.studyName}' in this storage; ${names.length ? `it has: ${names.join(', ')}` : 'it has no studies'}`,
    );
  }
  return new Study<P>(studyId, options.studyName, storage, storage.getStudyDirections(studyId), options);
}

/**
 * A study. `P` types its parameters by name in `bestParams` and `enqueueTrial`; by default each
 * is any ParamValue.
 */
export class Study<P extends ParamRecord<P> = Record<string, ParamValue>> {
  readonly studyId: number;
  readonly studyName: string;
  readonly storage: Storage;
  readonly directions: readonly StudyDirection[];
  readonly pruner: Pruner;
  readonly constraints: ConstraintsFunc | undefined;
  private stopRequested = false;
  private samplerOrNull: Sampler | null;
  private declaredSpace: DeclaredSpace | undefined;
  private knownDistributions: Map<string, Distribution> | null = null;

  constructor(
    studyId: number,
    studyName: string,
    storage: Storage,
    directions: readonly StudyDirection[],
    options: { sampler?: Sampler; pruner?: Pruner; constraints?: ConstraintsFunc; space?: DeclaredSpace } = {},
  ) {
    this.studyId = studyId;
    this.studyName = studyName;
    this.storage = storage;
    this.directions = [...directions];
    this.samplerOrNull = options.sampler ?? null;
    this.pruner = options.pruner ?? new NopPruner();
    this.constraints = options.constraints;
    this.declaredSpace = options.space;
  }

  /** The declared search space given to createStudy/loadStudy (or adopted from an objective module), if any. */
  get space(): DeclaredSpace | undefined {
    return this.declaredSpace;
  }

  /**
   * @internal for executors: an objective module's declared space, for a study given none (the
   * study's own space wins).
   */
  adoptSpace(space: DeclaredSpace | undefined): void {
    this.declaredSpace ??= space;
  }

  /**
   * The sampler given to createStudy/loadStudy, or else the default one (TPE, once samplers/index.ts
   * is loaded: see setDefaultSamplerFactory), made on first use, so that a study that is only read
   * needs no sampler.
   */
  get sampler(): Sampler {
    return (this.samplerOrNull ??= defaultSampler());
  }

  get direction(): StudyDirection {
    if (this.directions.length > 1) throw new UsageError('this study has several objectives: use `directions`');
    return this.directions[0];
  }

  get isMultiObjective(): boolean {
    return this.directions.length > 1;
  }

  /** All trials, in number order. */
  get trials(): readonly FrozenTrial[] {
    return this.storage.getAllTrials(this.studyId);
  }

  getTrials(options: { states?: readonly TrialState[] } = {}): readonly FrozenTrial[] {
    return this.storage.getAllTrials(this.studyId, options.states);
  }

  get userAttrs(): Record<string, unknown> {
    return this.storage.getStudyUserAttrs(this.studyId);
  }

  get systemAttrs(): Record<string, unknown> {
    return this.storage.getStudySystemAttrs(this.studyId);
  }

  setUserAttr(key: string, value: unknown): void {
    this.storage.setStudyUserAttr(this.studyId, key, value);
  }

  setSystemAttr(key: string, value: unknown): void {
    this.storage.setStudySystemAttr(this.studyId, key, value);
  }

  /** The best feasible COMPLETE trial of a single-objective study. */
  get bestTrial(): FrozenTrial {
    if (this.isMultiObjective) throw new UsageError('a multi-objective study has no single best trial: use `bestTrials`');
    const best = bestOf(this.getTrials({ states: ['COMPLETE'] }), this.direction);
    if (!best) throw new UsageError(`study '${this.studyName}' has no completed feasible trial yet`);
    return best;
  }

  get bestValue(): number {
    return trialValue(this.bestTrial)!;
  }

  get bestParams(): P {
    return { ...this.bestTrial.params } as P;
  }

  /** The Pareto front of feasible COMPLETE trials (for one objective: the best trials, ties included). */
  get bestTrials(): FrozenTrial[] {
    const complete = this.getTrials({ states: ['COMPLETE'] }).filter(isFeasible);
    if (!this.isMultiObjective) {
      const best = bestOf(complete, this.direction);
      return best ? complete.filter((t) => t.values![0] === best.values![0]) : [];
    }
    return paretoFront(complete, this.directions);
  }

  /** Asks `optimize` (from a callback, say) to stop after the trials in flight. */
  stop(): void {
    this.stopRequested = true;
  }

  /** @internal read by executors */
  get isStopRequested(): boolean {
    return this.stopRequested;
  }

  /** @internal reset by executors at the start of a run */
  clearStop(): void {
    this.stopRequested = false;
  }

  /**
   * Records that `name` is suggested with `distribution`, refusing one that conflicts with what
   * earlier trials of the study used.
   */
  registerDistribution(name: string, distribution: Distribution): void {
    const known = this.seenDistributions as Map<string, Distribution>;
    const prev = known.get(name);
    if (prev) checkCompatible(name, prev, distribution);
    else known.set(name, distribution);
  }

  /** Parameter names and the distributions the study has seen them with (for executors that pre-sample). */
  get seenDistributions(): ReadonlyMap<string, Distribution> {
    if (this.knownDistributions === null) {
      this.knownDistributions = new Map();
      for (const t of this.trials) {
        for (const [n, d] of Object.entries(t.distributions)) if (!this.knownDistributions.has(n)) this.knownDistributions.set(n, d);
      }
    }
    return this.knownDistributions;
  }

  /** Creates a new trial (or starts an enqueued one). Throws when the sampler has nothing left (an exhausted grid). */
  ask(options: AskOptions = {}): StudyTrial {
    const trial = this.tryAsk();
    if (!trial) throw new UsageError(`sampler '${this.sampler.name}' has no parameters left to propose: the grid is exhausted`);
    for (const [name, d] of Object.entries(options.fixedDistributions ?? {})) trial.suggest(name, d);
    return trial;
  }

  /**
   * Creates a trial unless a limit is reached or the sampler's claim finds nothing left; then
   * returns null. The limit and the claim are checked in the same storage write as the insert.
   * `upcoming`: how many trials the caller will ask for in a row, this one included, if known
   * (a storage may reserve that many slots at once).
   */
  tryAsk(limit?: TrialLimit, upcoming?: number): StudyTrial | null {
    let created: { trialId: number; number: number } | null = null;
    // In a run, the store may take several given-back slots at once and needs the claim for that.
    let claim = upcoming !== undefined ? this.sampler.trialClaim?.(this) : undefined;
    if (!limit || this.storage.getNTrials(this.studyId, limit.states) < limit.max) {
      created = this.storage.popWaitingTrial(this.studyId, { limit, claim, upcoming });
    }
    if (!created) {
      if (upcoming === undefined) claim = this.sampler.trialClaim?.(this);
      const result = this.storage.createTrial(this.studyId, {}, { limit, claim, upcoming });
      if (!isCreated(result)) return null;
      created = result;
    }
    let frozen = this.storage.getTrial(created.trialId);
    if (this.sampler.beforeTrial) {
      this.sampler.beforeTrial(this, frozen);
      frozen = this.storage.getTrial(created.trialId);
    }
    // A constrained declared space: the whole point is decided here, valid (space-constraints.ts).
    const decidedParams = decidedParamsOf(this, frozen);
    const { decided, relativeSpace, relativeParams } = isConstrained(this.declaredSpace)
      ? drawValidPoint(this, frozen, this.declaredSpace, decidedParams)
      : { decided: decidedParams, ...sampleRelativeOf(this, frozen, decidedParams) };
    return new StudyTrial(this, created.trialId, created.number, {
      decided,
      relativeParams,
      relativeSpace,
      params: { ...frozen.params },
      distributions: { ...frozen.distributions },
    });
  }

  /**
   * Records a trial's outcome: values (COMPLETE), or a state (PRUNED, FAIL). NaN or infinite
   * values, or the wrong number of them, make the trial FAIL with the reason kept.
   */
  tell(trial: Trial | number, values?: number | readonly number[] | null, options: TellOptions = {}): FrozenTrial {
    const trialId = this.resolveTrialId(trial);
    const current = this.storage.getTrial(trialId);
    if (isFinished(current.state)) {
      if (options.skipIfFinished) return current;
      throw new TrialFinishedError(`trial ${current.number} is already ${current.state}: it cannot be told again`);
    }
    let state: TrialState = options.state ?? (values === undefined || values === null ? 'FAIL' : 'COMPLETE');
    let failReason = options.failReason;
    let list: number[] | null = values === undefined || values === null ? null : typeof values === 'number' ? [values] : [...values];
    if (state === 'COMPLETE') {
      const problem = checkValues(list, this.directions.length);
      if (problem) {
        state = 'FAIL';
        failReason = failReason ?? problem;
        list = null;
      }
    } else if (state === 'PRUNED') {
      // As Optuna: a pruned trial's value is its last reported intermediate value, if finite.
      const steps = [...current.intermediateValues.keys()];
      const last = steps.length ? current.intermediateValues.get(Math.max(...steps))! : undefined;
      list = !this.isMultiObjective && last !== undefined && Number.isFinite(last) ? [last] : null;
    } else if (state === 'FAIL') {
      list = null;
    } else {
      throw new UsageError(`tell: state must be COMPLETE, PRUNED or FAIL, but got ${state}`);
    }
    if (failReason !== undefined && state === 'FAIL') this.storage.setTrialSystemAttr(trialId, 'fail_reason', failReason);
    if (this.constraints && (state === 'COMPLETE' || state === 'PRUNED')) {
      const c = this.constraints({ ...this.storage.getTrial(trialId), values: list, state });
      if (!Array.isArray(c) || c.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
        throw new UsageError(`the constraints function must return a list of numbers, but returned ${JSON.stringify(c)}`);
      }
      this.storage.setTrialSystemAttr(trialId, 'constraints', c);
    }
    if (this.sampler.afterTrial) {
      this.sampler.afterTrial(this, { ...this.storage.getTrial(trialId), state, values: list }, state, list);
    }
    this.storage.setTrialStateValues(trialId, state, list);
    if (trial instanceof StudyTrial) trial.finishedState = state;
    return this.storage.getTrial(trialId);
  }

  /** Queues a trial with fixed parameters; it runs before any sampled one. */
  enqueueTrial(params: Partial<P>, options: { userAttrs?: Record<string, unknown>; skipIfExists?: boolean } = {}): void {
    // Values that break a constraint of the declared space are refused now, not at ask time.
    checkEnqueuedPoint(this.declaredSpace, params as Record<string, ParamValue>);
    if (options.skipIfExists) {
      const same = this.trials.some((t) => {
        const fixed = (t.state === 'WAITING' ? t.systemAttrs[FIXED_PARAMS_KEY] : t.params) as Record<string, ParamValue> | undefined;
        return fixed !== undefined && Object.entries(params).every(([k, v]) => fixed[k] === v);
      });
      if (same) return;
    }
    this.storage.createTrial(this.studyId, { state: 'WAITING', systemAttrs: { [FIXED_PARAMS_KEY]: params }, userAttrs: options.userAttrs });
  }

  /**
   * Runs `objective` trial after trial until `nTrials` more trials, the timeout, `stop()`, an
   * exhausted sampler or an abort signal ends it. `nTrials` counts every trial this call runs,
   * failed ones included (as Optuna's `n_trials`); `targetFinished: N` instead runs until the
   * study holds N finished trials, as the CLI's `--trials N`. Failing trial after trial spends
   * the failure budget (`failureBudget`): the run stops and this rejects with
   * FailureBudgetExceeded.
   *
   * A function runs in this thread. A module path or URL (a file exporting `objective(trial)`,
   * see docs/parallel.md) runs on a pool of `workers` threads (default: the number of cores);
   * sampling stays in this thread.
   */
  async optimize(objective: Objective | string | UrlObject | PreparedObjective, options: OptimizeOptions & PoolOptimizeOptions = {}): Promise<OptimizeSummary> {
    if (typeof objective === 'function') {
      if (options.workers !== undefined && options.workers > 1) {
        throw new UsageError('a function objective runs in this thread: to use workers, give the path of a module that exports `objective(trial)` (docs/parallel.md)');
      }
      return throwIfFailuresEnded(await optimizeSequential(this, objective, options));
    }
    const { optimizePool } = await import('./executor/pool.js');
    return throwIfFailuresEnded(await optimizePool(this, objective, options));
  }

  private resolveTrialId(trial: Trial | number): number {
    if (typeof trial === 'number') {
      const t = this.trials.find((x) => x.number === trial);
      if (!t) throw new UsageError(`study '${this.studyName}' has no trial number ${trial}`);
      return t.trialId;
    }
    if (trial instanceof StudyTrial) return trial.trialId;
    throw new UsageError('tell: pass the trial object that ask() returned, or its number');
  }
}

function checkValues(values: number[] | null, nObjectives: number): string | null {
  if (values === null) return 'the objective returned no value';
  if (values.length !== nObjectives) {
    return `the study has ${nObjectives} objective(s) but the objective returned ${values.length} value(s)`;
  }
  for (const v of values) {
    if (typeof v !== 'number') return `the objective returned ${JSON.stringify(v)}, which is not a number`;
    if (Number.isNaN(v)) return 'the objective returned NaN';
    if (!Number.isFinite(v)) return `the objective returned ${v}`;
  }
  return null;
}

/** The best feasible trial among COMPLETE trials for one direction, or null. */
/** A run ended by its failure budget is an error for a script, not a finished study. */
function throwIfFailuresEnded(summary: OptimizeSummary): OptimizeSummary {
  if (summary.stopReason === 'failures') throw new FailureBudgetExceeded(summary);
  return summary;
}

export { bestOf };

export { TrialPruned, InMemoryStorage };
