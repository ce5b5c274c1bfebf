/**
 * The `Trial` an objective receives inside a pool worker. It answers `suggest*` from the values
 * the main thread pre-sampled (when the distribution matches), then from the trial's decided
 * values (a grid point, an enqueued trial's: decided-params.ts, the rule StudyTrial applies), and otherwise samples the parameter here, uniformly, from a
 * stream seeded per trial, so define-by-run objectives work unchanged. It records which
 * parameters the objective used, its user attributes and intermediate values; the main thread
 * stores them when the trial's result comes back.
 */
import { decidedValue, undecidedParamError } from '../decided-params.js';
import { type Distribution, type ParamValue, checkCompatible, distributionsEqual } from '../distributions.js';
import { UsageError } from '../errors.js';
import { Rng } from '../rng.js';
import { SuggestingTrial } from '../trial.js';
import { sampleUniform } from '../sampling.js';
import type { Task, TaskTrial, UsedParam } from './protocol.js';

/** Answers `shouldPrune()` for a worker trial (a synchronous round trip to the main thread). */
export interface PruneOracle {
  shouldPrune(trialNumber: number, intermediate: readonly (readonly [number, number])[]): boolean;
}

export class WorkerTrial extends SuggestingTrial {
  readonly number: number;
  readonly used: UsedParam[] = [];
  readonly intermediate: [number, number][] = [];
  private readonly task: Task;
  private readonly source: TaskTrial;
  private readonly nameIndex: ReadonlyMap<string, number>;
  private readonly oracle: PruneOracle | null;
  private attrs: Record<string, unknown> | null = null;
  private rng: Rng | null = null;

  constructor(task: Task, source: TaskTrial, nameIndex: ReadonlyMap<string, number>, oracle: PruneOracle | null) {
    super();
    this.task = task;
    this.source = source;
    this.number = source.number;
    this.nameIndex = nameIndex;
    this.oracle = oracle;
  }

  get userAttrs(): Readonly<Record<string, unknown>> {
    return { ...this.attrs };
  }

  /** The user attributes as flat [key index, value, ...] pairs over `keys` (extended as needed), or undefined. */
  packAttrs(keys: string[], keyIndex: Map<string, number>): unknown[] | undefined {
    if (this.attrs === null) return undefined;
    const out: unknown[] = [];
    for (const key in this.attrs) {
      let k = keyIndex.get(key);
      if (k === undefined) {
        k = keys.length;
        keys.push(key);
        keyIndex.set(key, k);
      }
      out.push(k, this.attrs[key]);
    }
    return out;
  }

  get datetimeStart(): Date | null {
    return new Date(this.source.startedAt);
  }

  suggest(name: string, distribution: Distribution): ParamValue {
    if (name in this.suggested) {
      if (!distributionsEqual(this.suggestedDistributions[name], distribution)) {
        throw new UsageError(`parameter '${name}' was already suggested in trial ${this.number} with another distribution`);
      }
      return this.suggested[name];
    }
    const index = this.nameIndex.get(name);
    let value: ParamValue;
    let entry: UsedParam;
    const presampled = index === undefined ? undefined : this.source.values[index];
    if (index !== undefined && presampled !== undefined && distributionsEqual(this.task.distributions[index], distribution)) {
      value = presampled;
      entry = index;
    } else {
      // As the main thread's registerDistribution would: a known name must keep a compatible distribution.
      if (index !== undefined) checkCompatible(name, this.task.distributions[index], distribution);
      value = this.pickHere(name, distribution);
      entry = index !== undefined && distributionsEqual(this.task.distributions[index], distribution) ? [index, value] : [name, value, distribution];
    }
    this.suggested[name] = value;
    this.suggestedDistributions[name] = distribution;
    this.used.push(entry);
    return value;
  }

  private pickHere(name: string, distribution: Distribution): ParamValue {
    const decided = decidedValue(this.source.decided, name, distribution);
    if (decided !== undefined) return decided;
    if (!this.task.workerSampling) {
      throw undecidedParamError(this.number, name);
    }
    this.rng ??= new Rng(this.source.seed);
    return sampleUniform(this.rng, distribution);
  }

  report(value: number, step: number): void {
    if (!Number.isInteger(step) || step < 0) throw new UsageError(`report: step must be a non-negative integer, but got ${step}`);
    if (typeof value !== 'number') throw new UsageError(`report: value must be a number, but got ${JSON.stringify(value)}`);
    if (this.task.nObjectives > 1) throw new UsageError('report is not supported in multi-objective studies');
    const at = this.intermediate.findIndex(([s]) => s === step);
    if (at >= 0) this.intermediate[at] = [step, value];
    else this.intermediate.push([step, value]);
  }

  shouldPrune(): boolean {
    if (this.task.nObjectives > 1) throw new UsageError('shouldPrune is not supported in multi-objective studies');
    return this.oracle ? this.oracle.shouldPrune(this.number, this.intermediate) : false;
  }

  setUserAttr(key: string, value: unknown): void {
    // Objects must survive the trip to the main thread (and the storage clones them anyway):
    // fail here, in the objective, with the storage's own error rather than losing the batch.
    if (typeof value === 'object' && value !== null) value = structuredClone(value);
    else if (typeof value === 'function' || typeof value === 'symbol') throw new UsageError(`setUserAttr('${key}'): a ${typeof value} cannot be stored`);
    (this.attrs ??= {})[key] = value;
  }
}
