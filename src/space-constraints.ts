/**
 * Constraints before evaluation: rules on a declared search space that make some parameter
 * combinations meaningless (a trailing-stop step wider than its target), so that no such point
 * is ever evaluated.
 *
 *   const space = declareSpace({ target: ordinalDistribution([0, 1, 2]), step: ... })
 *     .constrain((p) => p.step <= p.target);
 *   const study = createStudy({ space, sampler: new TPESampler() });
 *
 * (Optuna has only constraints after evaluation, `constraints_func`: a trial runs and is then
 * marked infeasible. That stays as it is: study.ts `constraints`.)
 *
 * One rule, in the core, for every sampler: when a study has a constrained declared space, its
 * `ask` decides each trial's whole point before the objective runs (`drawValidPoint`): decided
 * values (an enqueued trial's, a grid point), then the sampler's relative values, then its
 * independent draws, parameter by parameter in declaration order; a point that breaks a
 * constraint is drawn again (rejection sampling), up to MAX_REDRAWS times, after which the trial
 * FAILs unevaluated and a UsageError says the constraints reject almost every point. Samplers
 * that would propose the same point again read the redraw counter (`redrawOf`) and mix it into
 * their randomness (`redrawSeed`); past SAMPLER_REDRAWS the redraws are uniform. The worker pool asks through the same `Study.ask`, so both
 * executors apply this one rule. Samplers over a finite set of points leave invalid ones out
 * instead: the grid (`enumerateSpace`) and QMC, which skips invalid sequence points.
 */
import { type CategoricalDistribution, type Distribution, type ParamValue, type SearchSpace, distributionsEqual } from './distributions.js';
import { decidedValue } from './decided-params.js';
import { UsageError } from './errors.js';
import { Rng, hashString } from './rng.js';
import { sampleUniform } from './sampling.js';
import type { FrozenTrial } from './frozen-trial.js';
import type { DecidedParams } from './sampler.js';
import { type ConditionalParam, type DeclaredSpace, SPACE_CONSTRAINTS, type SpaceConstraint } from './search-space.js';
import type { Study } from './study.js';

export { SPACE_CONSTRAINTS, type SpaceConstraint };

/** Redraws of one trial's point before the constraints are judged to reject almost everything. */
export const MAX_REDRAWS = 1000;

/**
 * Redraws asked of the sampler; later ones are uniform draws made here. A model-based sampler can
 * keep proposing invalid points: TPE's l(x)/g(x) is largest where no trial was observed, and with
 * constraints that is exactly the invalid region (every observed trial is valid). Uniform
 * rejection sampling then still finds a valid point wherever the constraints leave room.
 */
export const SAMPLER_REDRAWS = 50;

/**
 * The trial system attribute with the redraw a sampler is asked for (absent: the first draw).
 * Samplers see it on the trial they are given; a trial whose point took redraws keeps the count.
 */
export const REDRAW_KEY = 'space_redraw';

/** The value type of a distribution's parameter: numbers, or a categorical's choices. */
type ValueOf<D> = D extends CategoricalDistribution ? ParamValue : number;

/**
 * The point a constraint sees, typed from a declared space: each parameter's value, optional for
 * conditional parameters (absent when their condition is off).
 */
export type PointOf<S> = {
  readonly [K in keyof S as S[K] extends ConditionalParam ? never : K]: ValueOf<S[K]>;
} & {
  readonly [K in keyof S as S[K] extends ConditionalParam ? K : never]?: S[K] extends ConditionalParam<infer D> ? ValueOf<D> : never;
};

/** What `declareSpace` returns: the space, and `constrain` to add rules to it. */
export type SpaceDeclaration<S extends DeclaredSpace> = S & {
  /** The same space with these constraints added (each a predicate on a complete point). */
  constrain(...constraints: SpaceConstraint<PointOf<S>>[]): S;
};

/**
 * A declared search space with `constrain(...)` for rules on its points. The space stays a plain
 * DeclaredSpace record (the method is not enumerable; constraints live under a symbol key), so
 * executors, grids and objective modules read it as before.
 */
export function declareSpace<S extends DeclaredSpace>(space: S): SpaceDeclaration<S> {
  if (Object.prototype.hasOwnProperty.call(space, 'constrain')) {
    throw new UsageError("declareSpace: a parameter is named 'constrain', which is the method that adds constraints: rename the parameter");
  }
  const out = { ...space } as SpaceDeclaration<S>;
  Object.defineProperty(out, 'constrain', {
    enumerable: false,
    value: (...constraints: SpaceConstraint<PointOf<S>>[]): S => {
      for (const [i, c] of constraints.entries()) {
        if (typeof c !== 'function') throw new UsageError(`constrain: constraint ${i + 1} must be a function (point) => boolean, but got ${JSON.stringify(c) ?? String(c)}`);
      }
      const copy = { ...space } as S & { [SPACE_CONSTRAINTS]?: readonly SpaceConstraint[] };
      (copy as { [SPACE_CONSTRAINTS]: readonly SpaceConstraint[] })[SPACE_CONSTRAINTS] = [...spaceConstraints(space), ...(constraints as SpaceConstraint[])];
      return copy;
    },
  });
  return out;
}

/** The constraints of a declared space (none for a plain record). */
export function spaceConstraints(space: DeclaredSpace | undefined): readonly SpaceConstraint[] {
  return space?.[SPACE_CONSTRAINTS] ?? [];
}

export function isConstrained(space: DeclaredSpace | undefined): space is DeclaredSpace {
  return spaceConstraints(space).length > 0;
}

/** The distribution of a declared entry, conditional or not. */
export function entryDistribution(entry: Distribution | ConditionalParam): Distribution {
  return 'when' in entry ? entry.distribution : entry;
}

/**
 * Builds a point of `space` parameter by parameter in declaration order, asking `pick` for each
 * active one (a conditional parameter is active when its `when` holds on the point so far);
 * `pick` returning undefined leaves the parameter out.
 */
export function buildPoint(space: DeclaredSpace, pick: (name: string, distribution: Distribution) => ParamValue | undefined): Record<string, ParamValue> {
  const point: Record<string, ParamValue> = {};
  for (const [name, entry] of Object.entries(space)) {
    if ('when' in entry && !entry.when(point)) continue;
    const v = pick(name, entryDistribution(entry));
    if (v !== undefined) point[name] = v;
  }
  return point;
}

/** The index of the first constraint `point` breaks, or -1 when it satisfies them all. */
export function violatedConstraint(space: DeclaredSpace, point: Readonly<Record<string, ParamValue>>): number {
  const constraints = spaceConstraints(space);
  for (let i = 0; i < constraints.length; i++) {
    let ok: unknown;
    try {
      ok = constraints[i](point);
    } catch (err) {
      throw new UsageError(`space constraint ${describeConstraint(constraints[i], i)} threw on the point ${JSON.stringify(point)}: ${(err as Error).message ?? String(err)}; a constraint must return true or false for every complete point (conditional parameters are absent when inactive)`);
    }
    if (typeof ok !== 'boolean') {
      throw new UsageError(`space constraint ${describeConstraint(constraints[i], i)} returned ${JSON.stringify(ok) ?? String(ok)} on ${JSON.stringify(point)}: it must return true (allowed) or false`);
    }
    if (!ok) return i;
  }
  return -1;
}

/** True when `point` satisfies every constraint of `space`. */
export function satisfiesSpace(space: DeclaredSpace, point: Readonly<Record<string, ParamValue>>): boolean {
  return violatedConstraint(space, point) < 0;
}

/** "2 ((p) => p.a <= p.b)": a constraint's number and (short) source, for messages. */
export function describeConstraint(constraint: SpaceConstraint, index: number): string {
  const src = String(constraint).replace(/\s+/g, ' ');
  return `${index + 1} (${src.length > 80 ? `${src.slice(0, 77)}...` : src})`;
}

/**
 * Refuses an enqueued trial whose values break a constraint. Only a complete point (every
 * active parameter given) can be judged; a partial one is completed by the sampler at ask time,
 * under the constraints, with its given values kept.
 */
export function checkEnqueuedPoint(space: DeclaredSpace | undefined, params: Readonly<Record<string, ParamValue>>): void {
  if (!isConstrained(space)) return;
  let complete = true;
  const point = buildPoint(space, (name) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) complete = false;
    return params[name];
  });
  if (!complete) return;
  const broken = violatedConstraint(space, point);
  if (broken >= 0) {
    throw new UsageError(`enqueueTrial: the values ${JSON.stringify(point)} break space constraint ${describeConstraint(spaceConstraints(space)[broken], broken)}: enqueue a point the constraints allow`);
  }
}

/** The redraw a sampler is asked for on `trial` (0: the first draw). */
export function redrawOf(trial: FrozenTrial): number {
  const r = trial.systemAttrs[REDRAW_KEY];
  return typeof r === 'number' ? r : 0;
}

/** A seed for redraw `redraw` of a stream seeded with `seed` (the seed itself for the first draw). */
export function redrawSeed(seed: number, redraw: number): number {
  if (redraw === 0) return seed >>> 0;
  // splitmix32-style finaliser over (seed, redraw): nearby redraws give unrelated streams.
  let h = (seed ^ Math.imul(redraw, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** The error for constraints that reject almost every point of the space. */
export function rejectsAlmostEverythingError(trialNumber: number, attempts: number, lastPoint: Readonly<Record<string, ParamValue>>, description: string): UsageError {
  return new UsageError(
    `trial ${trialNumber} was not evaluated: the space constraints rejected ${attempts} points in a row (the last, ${JSON.stringify(lastPoint)}, breaks constraint ${description}), so they reject almost every point of the space: loosen the constraints, or narrow the distributions to where they hold`,
  );
}

/** What `Study.ask` hands the trial: its decided values and the sampler's relative values. */
export interface DrawnPoint {
  decided: DecidedParams | null;
  relativeSpace: SearchSpace;
  relativeParams: Record<string, ParamValue>;
}

/**
 * The sampler's relative values for `trial` (joint sampling of the space every earlier trial
 * shared): Sampler steps 3 of the contract, as `Study.ask` runs it.
 *
 * When `decided` already gives every parameter of the relative space (an enqueued trial, a grid
 * point), the sampler is not asked: its values would all be overridden, and a model-based
 * sampler would fit its model for nothing (a GP study with 1,000 enqueued trials spent minutes
 * fitting). Optuna computes relative values lazily for the same reason.
 */
export function sampleRelativeOf(study: Study, trial: FrozenTrial, decided: DecidedParams | null): { relativeSpace: SearchSpace; relativeParams: Record<string, ParamValue> } {
  const sampler = study.sampler;
  let relativeSpace: SearchSpace = {};
  let relativeParams: Record<string, ParamValue> = {};
  if (sampler.inferRelativeSearchSpace && sampler.sampleRelative) {
    relativeSpace = sampler.inferRelativeSearchSpace(study, trial);
    const names = Object.keys(relativeSpace);
    const allDecided = decided !== null && names.every((name) => Object.prototype.hasOwnProperty.call(decided.values, name));
    if (names.length > 0 && !allDecided) relativeParams = sampler.sampleRelative(study, trial, relativeSpace);
  }
  return { relativeSpace, relativeParams };
}

/**
 * Decides the whole point of `trial` under the constraints of `space` (the rule in the file
 * comment): decided values first, then relative, then independent draws, redrawn until the
 * point satisfies every constraint. A complete decision (a grid point) cannot be redrawn: one
 * that breaks a constraint is an error. Throws (after failing the trial) when MAX_REDRAWS
 * redraws find no valid point.
 */
export function drawValidPoint(study: Study, trial: FrozenTrial, space: DeclaredSpace, decided: DecidedParams | null): DrawnPoint {
  let last: Record<string, ParamValue> = {};
  let broken = -1;
  // The uniform redraws' stream: seeded from the sampler's first proposal, so that it depends on
  // the sampler's seed and the trial, and a run repeats at a fixed seed.
  let uniform: Rng | null = null;
  for (let redraw = 0; redraw <= MAX_REDRAWS; redraw++) {
    const view: FrozenTrial = redraw === 0 ? trial : { ...trial, systemAttrs: { ...trial.systemAttrs, [REDRAW_KEY]: redraw } };
    const bySampler = redraw < SAMPLER_REDRAWS || decided?.complete;
    if (!bySampler) uniform ??= new Rng(hashString(JSON.stringify(last)) ^ trial.number);
    const { relativeSpace, relativeParams } = bySampler ? sampleRelativeOf(study, view, decided) : { relativeSpace: {}, relativeParams: {} };
    if (decided?.complete) {
      const point = buildPoint(space, (name) => decided.values[name]);
      broken = violatedConstraint(space, point);
      if (broken >= 0) {
        const message = `trial ${trial.number}: its point ${JSON.stringify(point)} (a grid point, or enqueued) breaks space constraint ${describeConstraint(spaceConstraints(space)[broken], broken)}: build the grid from the constrained space (GridSampler.fromSearchSpace) or leave such points out`;
        failUnevaluated(study, trial, message);
        throw new UsageError(message);
      }
      return { decided, relativeSpace, relativeParams };
    }
    // The trial as the sampler sees it while the point grows, as `suggest` would show it.
    let current = view;
    const point = buildPoint(space, (name, d) => {
      let v: ParamValue | undefined = Object.prototype.hasOwnProperty.call(trial.params, name) ? trial.params[name] : decidedValue(decided, name, d);
      if (v === undefined) {
        const rd = relativeSpace[name];
        if (uniform && !bySampler) v = sampleUniform(uniform, d);
        else v = name in relativeParams && rd !== undefined && distributionsEqual(rd, d) ? relativeParams[name] : study.sampler.sampleIndependent(study, current, name, d);
      }
      current = { ...current, params: { ...current.params, [name]: v }, distributions: { ...current.distributions, [name]: d } };
      return v;
    });
    broken = violatedConstraint(space, point);
    if (broken < 0) {
      if (redraw > 0) study.storage.setTrialSystemAttr(trial.trialId, REDRAW_KEY, redraw);
      return { decided: { values: { ...(decided?.values ?? {}), ...point }, complete: false }, relativeSpace, relativeParams };
    }
    last = point;
  }
  const error = rejectsAlmostEverythingError(trial.number, MAX_REDRAWS + 1, last, describeConstraint(spaceConstraints(space)[broken], broken));
  failUnevaluated(study, trial, error.message);
  throw error;
}

/** A trial whose point could not be decided ends FAIL with the reason, never evaluated. */
function failUnevaluated(study: Study, trial: FrozenTrial, reason: string): void {
  study.tell(trial.number, null, { state: 'FAIL', failReason: reason, skipIfFinished: true });
}
