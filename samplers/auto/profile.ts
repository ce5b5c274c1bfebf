/**
 * What the automatic sampler knows about a study when it asks for a trial: the shape of the
 * search space, the objectives, the constraints and whether other trials are in flight (a known
 * budget was measured not to change the choice: rules.ts GP_TRIALS). Everything here is read
 * from the storage (the trials, the study's system attributes)
 * and from the study object's own definition (directions, constraints function, declared space),
 * so a resumed study, or a second process on the same storage, sees the same profile and the
 * rules (rules.ts) choose the same sampler.
 */
import { type Distribution, isSingle } from '../../src/distributions.js';
import type { FrozenTrial } from '../../src/frozen-trial.js';
import { entryDistribution, isConstrained } from '../../src/space-constraints.js';
import { IntersectionSearchSpace } from '../../src/search-space.js';
import type { Study } from '../../src/study.js';

export interface StudyProfile {
  /** Number of objectives (directions). */
  readonly objectives: number;
  /** Finished trials (COMPLETE or PRUNED), as the samplers count their start-up phase. */
  readonly finished: number;
  /** Parameters searched (seen in a finished trial, or declared), single-valued ones left out. */
  readonly params: number;
  /** Of those, how many every finished trial has (with the same distribution), and a declared space does not make conditional. */
  readonly shared: number;
  /** Of `params`, how many are unordered categoricals (their choices have no order to model). */
  readonly categorical: number;
  /** A constraints function: trials may be infeasible after evaluation (study.ts `constraints`). */
  readonly constraintsFunction: boolean;
  /** Constraints on the declared space: points are checked before evaluation (src/space-constraints.ts). */
  readonly spaceConstraints: boolean;
  /** RUNNING trials other than the one being asked for: trials run in parallel. */
  readonly running: number;
}

/** True when some parameter is missing from some trials (a conditional space). */
export function isConditional(profile: StudyProfile): boolean {
  return profile.shared < profile.params;
}

/**
 * Builds profiles, keeping the parameter union and intersection of the finished trials across
 * asks (each finished trial is folded in once), so that a profile costs a pass over the trial
 * list, not over every trial's parameters.
 */
export class StudyProfiler {
  private readonly intersection = new IntersectionSearchSpace({ includePruned: true });
  private readonly union = new Map<string, Distribution>();
  private readonly folded = new Set<number>();
  private studyId: number | null = null;

  /** The profile of `study` as `trial` is asked for. */
  profile(study: Study, trial: FrozenTrial): StudyProfile {
    if (this.studyId !== study.studyId) {
      this.studyId = study.studyId;
      this.union.clear();
      this.folded.clear();
    }
    let finished = 0;
    let running = 0;
    for (const t of study.getTrials({ states: ['COMPLETE', 'PRUNED', 'RUNNING'] })) {
      if (t.state === 'RUNNING') {
        if (t.trialId !== trial.trialId) running++;
        continue;
      }
      finished++;
      if (this.folded.has(t.trialId)) continue;
      this.folded.add(t.trialId);
      for (const [name, d] of Object.entries(t.distributions)) if (!this.union.has(name)) this.union.set(name, d);
    }
    const shared = finished > 0 ? this.intersection.calculate(study) : null;
    const all = new Map(this.union);
    const conditional = new Set<string>();
    for (const [name, entry] of Object.entries(study.space ?? {})) {
      if (!all.has(name)) all.set(name, entryDistribution(entry));
      if ('when' in entry) conditional.add(name);
    }
    let params = 0;
    let sharedCount = 0;
    let categorical = 0;
    for (const [name, d] of all) {
      if (isSingle(d)) continue;
      params++;
      if (d.type === 'categorical') categorical++;
      // Before any trial finished only the declared space can say what is conditional.
      const inEveryTrial = shared === null || Object.prototype.hasOwnProperty.call(shared, name);
      if (inEveryTrial && !conditional.has(name)) sharedCount++;
    }
    return {
      objectives: study.directions.length,
      finished,
      params,
      shared: sharedCount,
      categorical,
      constraintsFunction: study.constraints !== undefined,
      spaceConstraints: isConstrained(study.space),
      running,
    };
  }
}
