/**
 * The sampler contract. A sampler proposes parameter values for a trial from the study's
 * history; everything it needs to remember across processes lives in the storage (trial system
 * attributes), never only in the sampler object, so that resumed and shared studies work.
 *
 * The flow for each trial (see Study.ask):
 *   1. `trialClaim` (optional): a value the new trial must claim atomically, e.g. a grid point.
 *   2. the storage creates the trial; `beforeTrial` sees it; `decidedParams` says which values are
 *      decided already (a grid point), answered by every `suggest*` without sampling.
 *   3. `inferRelativeSearchSpace` + `sampleRelative`: joint sampling of the parameters every
 *      earlier trial shared (multivariate TPE, CMA-ES, GP, DE, QMC).
 *   4. each `suggest*` call not covered by step 3 asks `sampleIndependent`.
 *   5. `afterTrial` once the trial's state and values are known, before they are stored.
 */
import type { Distribution, ParamValue, SearchSpace } from './distributions.js';
import { UsageError } from './errors.js';
import type { FrozenTrial, TrialState } from './frozen-trial.js';
import type { TrialClaim } from './storage/storage.js';
import type { Study } from './study.js';

/** Values decided for a trial before anything is sampled (Sampler.decidedParams; the rule: decided-params.ts). */
export interface DecidedParams {
  readonly values: Readonly<Record<string, ParamValue>>;
  /**
   * True when the decision covers every parameter the objective may suggest (a grid point):
   * then suggesting another is an error instead of a sampled value.
   */
  readonly complete: boolean;
}

export interface Sampler {
  /** A short name for messages, progress lines and the CLI (e.g. 'tpe'). */
  readonly name: string;
  trialClaim?(study: Study): TrialClaim | undefined;
  beforeTrial?(study: Study, trial: FrozenTrial): void;
  /**
   * Values this sampler has decided for the trial before any `suggest*` (a grid sampler: the
   * trial's grid point), or null. `suggest` returns them (decided-params.ts, the one rule, in the
   * study's thread and in pool workers alike), so executors never need to know which sampler
   * decided what; an enqueued trial's own values win over them.
   */
  decidedParams?(study: Study, trial: FrozenTrial): DecidedParams | null;
  inferRelativeSearchSpace?(study: Study, trial: FrozenTrial): SearchSpace;
  /** External values for (a subset of) the relative search space. */
  sampleRelative?(study: Study, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue>;
  /** An external value drawn from `distribution` for parameter `name`. */
  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue;
  afterTrial?(study: Study, trial: FrozenTrial, state: TrialState, values: readonly number[] | null): void;
  /** Re-seeds the sampler's random stream (e.g. in each worker of a pool). */
  reseedRng?(seed?: number): void;
  /**
   * For executors that run trials in parallel and in batches: how many trials may be pending
   * (asked, not yet told) when the next one is asked, given how many have finished. Samplers
   * that learn from every result (TPE, GP) keep it small, so that batching fast objectives never
   * starves them of feedback; executors always allow one pending trial per worker. Undefined:
   * no limit (samplers that do not learn from results, or that pace themselves by generations).
   */
  pendingLimit?(finished: number): number;
  /**
   * How many points there are to try, when the sampler searches a finite set of them (a grid):
   * the CLI runs them all unless given a target, and progress lines and summaries say how much
   * of it is done. Undefined for samplers that can always give another point.
   */
  readonly searchSize?: number;
}

/** Makes the sampler of a study that was given none. */
export type SamplerFactory = () => Sampler;

let defaultFactory: SamplerFactory | null = null;

/**
 * Sets the sampler that studies get when none is given (null: none). The core never imports a
 * sampler: samplers/index.ts sets the automatic sampler (samplers/auto/) when it is imported, and the package entry
 * ('studyopt', src/index.ts) imports it, so library users and the CLI have the default as before.
 */
export function setDefaultSamplerFactory(factory: SamplerFactory | null): void {
  defaultFactory = factory;
}

/** A new default sampler; a UsageError naming the fix when no default is set. */
export function defaultSampler(): Sampler {
  if (defaultFactory === null) {
    throw new UsageError(
      "this study has no sampler and no default sampler is set: pass one (createStudy({ sampler: new TPESampler() })), or import 'studyopt' (or samplers/index.js), which sets the automatic sampler (AutoSampler) as the default",
    );
  }
  return defaultFactory();
}
