/**
 * The automatic sampler: for each trial it chooses one of our samplers by the study's search
 * space, objectives and constraints (rules.ts; trials in parallel and a known budget are
 * considered there and change nothing), records the choice in the
 * trial (system attribute `studyopt:sampler`), and lets that sampler propose the trial.
 *
 *   const study = createStudy({ sampler: new AutoSampler({ seed: 1 }) }); // also the default
 *
 * The choice is made in `beforeTrial`, from what the storage holds (profile.ts), so a resumed
 * study or a second process on the same storage chooses as the first did; every later call about
 * that trial (relative and independent sampling, `afterTrial`) goes to the sampler recorded in
 * the trial. The samplers it hands over to keep no state outside the storage that a handover
 * could lose: the GP and TPE read the whole history at each ask. Choosing costs a pass over the
 * trial list; a trial whose every parameter is decided (enqueued, a grid point) still fits no
 * model (src/space-constraints.ts `sampleRelativeOf`).
 */
import type { Distribution, ParamValue, SearchSpace } from '../../src/distributions.js';
import type { FrozenTrial, TrialState } from '../../src/frozen-trial.js';
import type { Sampler } from '../../src/sampler.js';
import type { Study } from '../../src/study.js';
import { GPSampler } from '../gp/sampler.js';
import { TPESampler } from '../tpe/sampler.js';
import { StudyProfiler } from './profile.js';
import { AUTO_CHOICES, type AutoChoice, type AutoDecision, chooseSampler } from './rules.js';

/** The trial system attribute naming the sampler that proposed the trial (e.g. 'gp'). */
export const AUTO_SAMPLER_KEY = 'studyopt:sampler';

/**
 * Random start-up trials of every sampler auto hands over to (the GP's and TPE's default). With
 * the same seed both draw a start-up trial from the same stream (seeded by seed and trial
 * number), so the start-up points do not depend on which of them was chosen.
 */
const N_STARTUP_TRIALS = 10;

export interface AutoSamplerOptions {
  /** Seed of every sampler it hands over to: same seed, same parameters. */
  seed?: number;
}

export class AutoSampler implements Sampler {
  readonly name = 'auto';
  private seed: number;
  private readonly profiler = new StudyProfiler();
  private readonly delegates = new Map<AutoChoice, Sampler>();
  /** The decision for the trial asked last (for `lastDecision` and to skip re-reading the trial). */
  private current: { trialId: number; decision: AutoDecision } | null = null;

  constructor(options: AutoSamplerOptions = {}) {
    this.seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  }

  /** The decision made for the trial asked last, with its reason (null before the first). */
  get lastDecision(): AutoDecision | null {
    return this.current?.decision ?? null;
  }

  reseedRng(seed?: number): void {
    this.seed = seed ?? Math.floor(Math.random() * 2 ** 32);
    for (const d of this.delegates.values()) d.reseedRng?.(this.seed);
  }

  /** The GP's and TPE's rule (the same for both): the rest of the start-up phase, then one. */
  pendingLimit(finished: number): number {
    return finished < N_STARTUP_TRIALS ? N_STARTUP_TRIALS - finished : 1;
  }

  beforeTrial(study: Study, trial: FrozenTrial): void {
    const recorded = recordedChoice(trial);
    const decision = recorded !== null ? { choice: recorded, reason: 'recorded in the trial' } : chooseSampler(this.profiler.profile(study, trial));
    if (recorded === null) study.storage.setTrialSystemAttr(trial.trialId, AUTO_SAMPLER_KEY, decision.choice);
    this.current = { trialId: trial.trialId, decision };
    this.samplerFor(study, trial).beforeTrial?.(study, trial);
  }

  inferRelativeSearchSpace(study: Study, trial: FrozenTrial): SearchSpace {
    return this.samplerFor(study, trial).inferRelativeSearchSpace?.(study, trial) ?? {};
  }

  sampleRelative(study: Study, trial: FrozenTrial, searchSpace: SearchSpace): Record<string, ParamValue> {
    return this.samplerFor(study, trial).sampleRelative?.(study, trial, searchSpace) ?? {};
  }

  sampleIndependent(study: Study, trial: FrozenTrial, name: string, distribution: Distribution): ParamValue {
    return this.samplerFor(study, trial).sampleIndependent(study, trial, name, distribution);
  }

  afterTrial(study: Study, trial: FrozenTrial, state: TrialState, values: readonly number[] | null): void {
    this.samplerFor(study, trial).afterTrial?.(study, trial, state, values);
  }

  /**
   * The sampler recorded in the trial; for a trial asked without `beforeTrial` (asked by an
   * older version, or by another sampler before the study switched to auto), the rules decide
   * now, without recording.
   */
  private samplerFor(study: Study, trial: FrozenTrial): Sampler {
    let choice = recordedChoice(trial);
    if (choice === null) {
      choice = this.current?.trialId === trial.trialId ? this.current.decision.choice : chooseSampler(this.profiler.profile(study, trial)).choice;
    }
    return this.delegate(choice);
  }

  private delegate(choice: AutoChoice): Sampler {
    let sampler = this.delegates.get(choice);
    if (sampler === undefined) {
      sampler = makeDelegate(choice, this.seed);
      this.delegates.set(choice, sampler);
    }
    return sampler;
  }
}

/** The choice recorded in a trial, or null when none (or not one of ours). */
export function recordedChoice(trial: FrozenTrial): AutoChoice | null {
  const v = trial.systemAttrs[AUTO_SAMPLER_KEY];
  return typeof v === 'string' && (AUTO_CHOICES as readonly string[]).includes(v) ? (v as AutoChoice) : null;
}

/**
 * The samplers behind each choice. TPE counts running trials as bad ones (constant liar): with no
 * other trial running this changes nothing, and with several it spreads the workers' proposals.
 */
function makeDelegate(choice: AutoChoice, seed: number): Sampler {
  switch (choice) {
    case 'gp':
      return new GPSampler({ seed, nStartupTrials: N_STARTUP_TRIALS });
    case 'tpe':
      return new TPESampler({ seed, nStartupTrials: N_STARTUP_TRIALS, constantLiar: true });
    case 'tpe-multivariate':
      return new TPESampler({ seed, nStartupTrials: N_STARTUP_TRIALS, multivariate: true, constantLiar: true });
    case 'tpe-group':
      return new TPESampler({ seed, nStartupTrials: N_STARTUP_TRIALS, multivariate: true, group: true, constantLiar: true });
  }
}
