/**
 * The define-by-run trial an objective receives.
 *
 * `Trial` is the interface objectives program against; `StudyTrial` is the implementation that
 * runs in the study's own thread. (The worker pool has its own implementation of the interface
 * that answers from pre-sampled values.)
 */
import {
  type CategoricalChoice,
  type Distribution,
  type NumericOptions,
  type ParamValue,
  categoricalDistribution,
  distributionsEqual,
  floatDistribution,
  intDistribution,
  ordinalDistribution,
  toInternal,
} from './distributions.js';
import { type DecidedParams, decidedValue } from './decided-params.js';
import { TrialFinishedError, UsageError } from './errors.js';
import type { FrozenTrial, TrialState } from './frozen-trial.js';
import type { Study } from './study.js';

export interface Trial {
  /** Zero-based number of the trial in its study. */
  readonly number: number;
  /** The parameters suggested so far (external values). */
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly distributions: Readonly<Record<string, Distribution>>;
  readonly userAttrs: Readonly<Record<string, unknown>>;
  readonly datetimeStart: Date | null;
  suggestFloat(name: string, low: number, high: number, options?: NumericOptions): number;
  suggestInt(name: string, low: number, high: number, options?: NumericOptions): number;
  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T;
  /** An ordered numeric value list (e.g. 40, 60, 90, 120): numeric samplers treat it as ordered. */
  suggestOrdinal<T extends number>(name: string, values: readonly T[]): T;
  /** Reports an intermediate value at `step` (for pruning and learning curves). */
  report(value: number, step: number): void;
  /** Asks the study's pruner whether to stop this trial now (then throw `TrialPruned`). */
  shouldPrune(): boolean;
  setUserAttr(key: string, value: unknown): void;
}

/**
 * The typed `suggest*` methods, built on one `suggest(name, distribution)`: each validates its
 * arguments into a distribution (throwing a UsageError that names the parameter).
 */
export abstract class SuggestingTrial implements Trial {
  abstract readonly number: number;
  /** The values suggested so far, and their distributions. */
  protected readonly suggested: Record<string, ParamValue> = {};
  protected readonly suggestedDistributions: Record<string, Distribution> = {};

  get params(): Readonly<Record<string, ParamValue>> {
    return { ...this.suggested };
  }

  get distributions(): Readonly<Record<string, Distribution>> {
    return { ...this.suggestedDistributions };
  }

  abstract readonly userAttrs: Readonly<Record<string, unknown>>;
  abstract readonly datetimeStart: Date | null;
  /** Suggests a value from any distribution object. */
  abstract suggest(name: string, distribution: Distribution): ParamValue;
  abstract report(value: number, step: number): void;
  abstract shouldPrune(): boolean;
  abstract setUserAttr(key: string, value: unknown): void;

  suggestFloat(name: string, low: number, high: number, options: NumericOptions = {}): number {
    return this.suggest(name, floatDistribution(low, high, options, name)) as number;
  }

  suggestInt(name: string, low: number, high: number, options: NumericOptions = {}): number {
    return this.suggest(name, intDistribution(low, high, options, name)) as number;
  }

  suggestCategorical<T extends CategoricalChoice>(name: string, choices: readonly T[]): T {
    return this.suggest(name, categoricalDistribution(choices, name)) as T;
  }

  suggestOrdinal<T extends number>(name: string, values: readonly T[]): T {
    return this.suggest(name, ordinalDistribution(values, name)) as T;
  }
}

/** A trial owned by a Study in this thread. */
export class StudyTrial extends SuggestingTrial {
  readonly number: number;
  readonly trialId: number;
  private readonly study: Study;
  private readonly relativeParams: Record<string, ParamValue>;
  private readonly relativeSpace: Record<string, Distribution>;
  private readonly decided: DecidedParams | null;
  private readonly attrs: Record<string, unknown> = {};
  private cachedStart: Date | null | undefined;
  /** The trial as last read from the storage, kept up to date with this trial's own suggestions. */
  private frozen: FrozenTrial | null = null;
  /** Set once the study has recorded the trial's outcome. */
  finishedState: TrialState | null = null;

  constructor(
    study: Study,
    trialId: number,
    number: number,
    init: {
      decided?: DecidedParams | null;
      relativeParams?: Record<string, ParamValue>;
      relativeSpace?: Record<string, Distribution>;
      params?: Record<string, ParamValue>;
      distributions?: Record<string, Distribution>;
    } = {},
  ) {
    super();
    this.study = study;
    this.trialId = trialId;
    this.number = number;
    this.decided = init.decided ?? null;
    this.relativeParams = init.relativeParams ?? {};
    this.relativeSpace = init.relativeSpace ?? {};
    Object.assign(this.suggested, init.params ?? {});
    Object.assign(this.suggestedDistributions, init.distributions ?? {});
  }

  get userAttrs(): Readonly<Record<string, unknown>> {
    return { ...this.attrs };
  }

  /** The values decided for this trial before anything is sampled (an enqueued trial's, a grid point, a constrained space's point), or null. */
  get decidedParams(): DecidedParams | null {
    return this.decided;
  }

  get datetimeStart(): Date | null {
    if (this.cachedStart === undefined) this.cachedStart = this.study.storage.getTrial(this.trialId).datetimeStart;
    return this.cachedStart;
  }

  /** Suggests a value from any distribution object (the typed methods above build one). */
  suggest(name: string, distribution: Distribution): ParamValue {
    this.checkRunning();
    if (name in this.suggested) {
      const prev = this.suggestedDistributions[name];
      if (!distributionsEqual(prev, distribution)) {
        throw new UsageError(`parameter '${name}' was already suggested in trial ${this.number} with another distribution`);
      }
      return this.suggested[name];
    }
    this.study.registerDistribution(name, distribution);
    const value = this.pick(name, distribution);
    const internal = toInternal(distribution, value, name);
    this.study.storage.setTrialParam(this.trialId, name, internal, distribution);
    this.suggested[name] = value;
    this.suggestedDistributions[name] = distribution;
    // Only this trial writes to its record while it runs (the storage's ownership rule), so the
    // next snapshot can be derived here instead of read back for every suggest.
    if (this.frozen) {
      this.frozen = { ...this.frozen, params: { ...this.frozen.params, [name]: value }, distributions: { ...this.frozen.distributions, [name]: distribution } };
    }
    return value;
  }

  /**
   * The value `suggest(name, distribution)` would return now, without recording it: for the
   * worker pool, which samples known parameters in the main thread before the objective runs
   * elsewhere, and stores only those the objective then uses.
   */
  presample(name: string, distribution: Distribution): ParamValue {
    this.checkRunning();
    if (name in this.suggested) return this.suggested[name];
    return this.pick(name, distribution);
  }

  private pick(name: string, distribution: Distribution): ParamValue {
    const decided = decidedValue(this.decided, name, distribution);
    if (decided !== undefined) return decided;
    if (name in this.relativeParams && this.relativeSpace[name] && distributionsEqual(this.relativeSpace[name], distribution)) {
      return this.relativeParams[name];
    }
    return this.study.sampler.sampleIndependent(this.study, this.snapshot(), name, distribution);
  }

  report(value: number, step: number): void {
    this.checkRunning();
    if (!Number.isInteger(step) || step < 0) throw new UsageError(`report: step must be a non-negative integer, but got ${step}`);
    if (typeof value !== 'number') throw new UsageError(`report: value must be a number, but got ${JSON.stringify(value)}`);
    if (this.study.directions.length > 1) throw new UsageError('report is not supported in multi-objective studies');
    this.study.storage.setTrialIntermediateValue(this.trialId, step, value);
    this.frozen = null;
  }

  shouldPrune(): boolean {
    this.checkRunning();
    if (this.study.directions.length > 1) throw new UsageError('shouldPrune is not supported in multi-objective studies');
    return this.study.pruner.prune(this.study, this.snapshot());
  }

  setUserAttr(key: string, value: unknown): void {
    this.checkRunning();
    this.attrs[key] = value;
    this.study.storage.setTrialUserAttr(this.trialId, key, value);
    this.frozen = null;
  }

  setSystemAttr(key: string, value: unknown): void {
    this.checkRunning();
    this.study.storage.setTrialSystemAttr(this.trialId, key, value);
    this.frozen = null;
  }

  /** The trial as stored now. */
  snapshot(): FrozenTrial {
    return (this.frozen ??= this.study.storage.getTrial(this.trialId));
  }

  private checkRunning(): void {
    if (this.finishedState !== null) throw new TrialFinishedError(`trial ${this.number} is already ${this.finishedState}: it cannot be changed`);
  }
}

/** Suggests `name` from any distribution through the typed `suggest*` methods of a Trial. */
export function suggestFrom(trial: Trial, name: string, d: Distribution): ParamValue {
  switch (d.type) {
    case 'float':
      return trial.suggestFloat(name, d.low, d.high, { log: d.log, step: d.step });
    case 'int':
      return trial.suggestInt(name, d.low, d.high, { log: d.log, step: d.step });
    case 'categorical':
      return trial.suggestCategorical(name, d.choices);
    case 'ordinal':
      return trial.suggestOrdinal(name, d.values);
  }
}
